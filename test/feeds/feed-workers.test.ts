/**
 * Under `accord serve --workers 2` every worker runs a feed scheduler, and both find the same
 * feed due at start-up: the lease row in the store lets exactly one of them run it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addFeed } from '../../src/feeds/feeds';
import { feedKey } from '../../src/feeds/secrets';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { startAccord, type RunningCli } from '../support/cli';
import { createHarness, indicator, type Harness } from '../support/harness';
import { pushUpstream, serve, type Served } from './support';

jest.setTimeout(90_000);

describe('feeds under accord serve --workers 2', () => {
  let dir: string;
  let up: Harness;
  let upstream: Served;
  let server: RunningCli | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-feed-workers-'));
    up = await createHarness();
    upstream = await serve(up.app);
  });
  afterAll(async () => {
    server?.signal('SIGKILL');
    await upstream.close();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one worker runs a due feed, once; the objects are stored once', async () => {
    await pushUpstream(
      up,
      [1, 2, 3].map((n) => indicator(n)),
    );
    const db = join(dir, 'down.db');
    const down = await createHarness({ storeFile: db });
    await addFeed(down.store, down.clock.read, await feedKey(down.store), 'test', {
      name: 'mirror',
      url: `${upstream.url}/api1/`,
      collection: up.collections.alpha.id,
      into: 'alpha',
      as: 'operator',
      credentials: { token: up.accounts.reader.token },
    });
    // Due now by the system clock (the harness clock is in the past).
    await down.store.feeds().saveFeedState('mirror', { nextRunAt: 0, failures: 0 });
    await down.close();

    server = startAccord(['serve', '--db', db, '--port', '0', '--workers', '2'], {
      env: { ACCORD_LOG_LEVEL: 'info', ACCORD_FEED_CHECK_SECONDS: '1' },
    });
    const runs = () => server!.logs().filter((l) => l.msg === 'feed run');
    await server.until(() => runs().length > 0);
    // Several more checks by both workers: the feed is not due again for 15 minutes.
    const workers = await server.until(() => {
      const pids = new Set(
        server!
          .logs()
          .filter((l) => l.msg === 'listening')
          .map((l) => l.pid),
      );
      return pids.size === 2 ? pids : undefined;
    });
    expect(workers.size).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    server.signal('SIGTERM');
    await server.ended;

    expect(runs()).toEqual([expect.objectContaining({ feed: 'mirror', outcome: 'success', stored: 3, duplicates: 0 })]);
    const store = new SqliteStore(db);
    try {
      const events = (await store.readAuditEvents(0, 1000)).map((e) => e.event);
      expect(events.filter((e) => e.action === 'feed.run')).toHaveLength(1);
      expect(events.filter((e) => e.action === 'objects.add' && e.account === 'feed:mirror').flatMap((e) => e.objects ?? [])).toHaveLength(3);
    } finally {
      await store.close();
    }
  });
});
