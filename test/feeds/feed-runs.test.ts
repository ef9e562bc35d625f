/**
 * Upstream feeds against a second Accord instance as the upstream (TAXII 2.1 §5.4 Get
 * Objects, paged with `next`): a feed keeps a collection in step across runs, restarts and
 * upstream errors, stores through the same rules as a push by its party, and is on the
 * record in the sharing log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createAgreement } from '../../src/catalog/agreements';
import { addFeed, feedResource } from '../../src/feeds/feeds';
import { runFeed, type FeedRunner } from '../../src/feeds/runner';
import { FeedScheduler } from '../../src/feeds/scheduler';
import { feedKey } from '../../src/feeds/secrets';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { FeedRunSummary } from '../../src/store/feeds';
import type { Store } from '../../src/store/store';
import { createHarness, indicator, TAXII, type Harness } from '../support/harness';
import { pushUpstream, runnerFor, serve, storedVersions, testChange, type Served } from './support';

const SECOND = 1_000_000;

describe('Upstream feeds from another Accord instance (TAXII 2.1 §5.4, paged with next)', () => {
  let dir: string;
  let up: Harness;
  let upstream: Served;
  /** What the upstream answers instead of its app, when set. */
  let inject: (((res: ServerResponse) => void) | undefined)[];
  let requests: string[];
  let down: Harness;
  let runner: FeedRunner;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-feeds-'));
    up = await createHarness();
    inject = [];
    requests = [];
    upstream = await serve((req, res) => {
      requests.push(req.url ?? '');
      const fault = inject.shift();
      if (fault) fault(res);
      else up.app(req, res);
    });
    down = await createHarness({ storeFile: join(dir, 'down.db') });
    runner = await runnerFor(down.store, down.clock);
  });

  afterEach(async () => {
    await upstream.close();
    await up.close();
    await down.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  const push = (objects: Record<string, unknown>[]) => pushUpstream(up, objects);

  async function defineFeed(store: Store, as = 'operator', name = 'mirror'): Promise<void> {
    await addFeed(store, down.clock.read, await feedKey(store), 'test', {
      name,
      url: `${upstream.url}/api1/`,
      collection: up.collections.alpha.id,
      into: 'alpha',
      as,
      credentials: { token: up.accounts.reader.token },
    });
  }

  async function run(r: FeedRunner = runner, name = 'mirror'): Promise<FeedRunSummary> {
    const result = await runFeed(r, name);
    if (!result.ran) throw new Error(`feed did not run: ${result.reason}`);
    down.clock.advance(SECOND);
    return result.summary;
  }

  const upstreamVersions = () => storedVersions(up.store, up.collections.alpha.id);

  it('keeps the collection in step across runs: every version, each stored once, paged with next', async () => {
    await push([1, 2, 3, 4, 5].map((n) => indicator(n)));
    await defineFeed(down.store);
    const first = await run();
    expect(first).toMatchObject({ outcome: 'success', pages: 3, fetched: 5, stored: 5, duplicates: 0, failed: 0 });
    // Pages after the first continue the query with the upstream's next cursor.
    expect(requests.filter((u) => u.includes('next=')).length).toBe(2);
    expect(await storedVersions(down.store, down.collections.alpha.id)).toEqual(await upstreamVersions());

    // New objects and a new version of an existing one upstream: the next run fetches only those.
    await push([indicator(6), indicator(2, '2026-02-01T00:00:00.000Z')]);
    const second = await run();
    expect(second).toMatchObject({ outcome: 'success', fetched: 2, stored: 2, duplicates: 0 });
    expect(await storedVersions(down.store, down.collections.alpha.id)).toEqual(await upstreamVersions());
    expect((await upstreamVersions()).length).toBe(7);

    // Nothing new: nothing fetched, nothing stored.
    expect(await run()).toMatchObject({ outcome: 'success', fetched: 0, stored: 0 });
  });

  it('resumes where it stopped after a restart (a new store and runner on the same database)', async () => {
    await push([1, 2, 3].map((n) => indicator(n)));
    await defineFeed(down.store);
    await run();
    await down.store.close();
    await push([indicator(4), indicator(5)]);

    const reopened = new SqliteStore(join(dir, 'down.db'));
    try {
      const after = await run(await runnerFor(reopened, down.clock));
      // Only what is new upstream: the resume point was in the database, not in memory.
      expect(after).toMatchObject({ outcome: 'success', fetched: 2, stored: 2, duplicates: 0 });
      expect(await storedVersions(reopened, down.collections.alpha.id)).toEqual(await upstreamVersions());
    } finally {
      await reopened.close();
    }
  });

  it('backs off after a 500 and honours Retry-After on a 429, keeping what it stored and resuming after it', async () => {
    await push([1, 2, 3, 4, 5].map((n) => indicator(n)));
    await defineFeed(down.store);
    // The first page is served; the second request gets a 500, the third a 429.
    inject = [
      undefined,
      (res) => res.writeHead(500, { 'Content-Type': TAXII }).end(JSON.stringify({ title: 'Internal error' })),
      (res) => res.writeHead(429, { 'Retry-After': '120' }).end(),
    ];
    const feeds = down.store.feeds();
    const failed = await run();
    expect(failed).toMatchObject({ outcome: 'failure', pages: 1, stored: 2 });
    expect(failed.error).toMatch(/answered 500 \(Internal error\)/);
    let row = await feeds.getFeed('mirror');
    expect(row?.state.failures).toBe(1);
    // First retry 30 s after the failure (exponential from there, capped).
    expect(row?.state.nextRunAt).toBe(failed.finishedAt + 30 * SECOND);

    const limited = await run();
    expect(limited).toMatchObject({ outcome: 'failure', pages: 0, stored: 0 });
    row = await feeds.getFeed('mirror');
    expect(row?.state.failures).toBe(2);
    expect(row?.state.nextRunAt).toBe(limited.finishedAt + 120 * SECOND);

    const recovered = await run();
    expect(recovered).toMatchObject({ outcome: 'success', stored: 3, duplicates: 0 });
    expect((await feeds.getFeed('mirror'))?.state.failures).toBe(0);
    expect(await storedVersions(down.store, down.collections.alpha.id)).toEqual(await upstreamVersions());
  });

  it('is on the record: each page an objects.add by the feed, each run a feed.run with counts, never the credentials', async () => {
    await push([1, 2, 3].map((n) => indicator(n)));
    await defineFeed(down.store);
    await run();
    const events = (await down.store.readAuditEvents(0, 1000)).map((e) => e.event);
    const adds = events.filter((e) => e.action === 'objects.add');
    expect(adds.map((e) => e.objects?.length)).toEqual([2, 1]);
    for (const e of adds) {
      expect(e).toMatchObject({
        account: 'feed:mirror',
        party: 'operator',
        collection: down.collections.alpha.id,
        agreements: ['operator-all@1'],
        outcome: 'success',
      });
      expect(e.detail).toEqual({ feed: 'mirror', upstream: `${upstream.url}/api1/` });
    }
    const runs = events.filter((e) => e.action === 'feed.run');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      outcome: 'success',
      party: 'operator',
      detail: { feed: 'mirror', upstream: `${upstream.url}/api1/`, pages: 2, fetched: 3, stored: 3, duplicates: 0, failed: 0 },
    });
    expect(events.some((e) => e.action === 'catalog.feed.create')).toBe(true);
    // The token is sealed at rest and never logged or listed.
    const token = up.accounts.reader.token;
    expect(JSON.stringify(events)).not.toContain(token);
    const row = await down.store.feeds().getFeed('mirror');
    expect(JSON.stringify(row)).not.toContain(token);
    expect(JSON.stringify(feedResource(row!))).not.toContain('v1.');
    expect(feedResource(row!).credentials).toBe('sealed');
  });

  it('as a party without a write grant: stores nothing, fetches nothing, and the refusal is logged', async () => {
    await push([indicator(1)]);
    await down.store.upsertParty({ id: 'stranger', name: 'Stranger', kind: 'vendor' }, { ...testChange('stranger', 'create'), entity: 'party' });
    await defineFeed(down.store, 'stranger', 'outsider');
    requests = [];
    const summary = await run(runner, 'outsider');
    expect(summary).toMatchObject({ outcome: 'denied', stored: 0, fetched: 0 });
    expect(summary.error).toMatch(/no data-sharing agreement in force grants party stranger write/);
    expect(requests).toEqual([]);
    expect(await storedVersions(down.store, down.collections.alpha.id)).toEqual([]);
    const runs = (await down.store.readAuditEvents(0, 1000)).map((e) => e.event).filter((e) => e.action === 'feed.run');
    expect(runs).toEqual([
      expect.objectContaining({ outcome: 'denied', party: 'stranger', detail: expect.objectContaining({ feed: 'outsider', stored: 0 }) }),
    ]);
  });

  it("applies the party's TLP ceiling object by object: what is above it fails alone and is reported", async () => {
    const amber = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421';
    const green = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
    await push([indicator(1, undefined, { object_marking_refs: [green] }), indicator(2, undefined, { object_marking_refs: [amber] })]);
    await down.store.upsertParty({ id: 'greenco', name: 'Green Co', kind: 'vendor' }, { ...testChange('greenco', 'create'), entity: 'party' });
    await createAgreement(down.store, down.clock.read, 'test', {
      id: 'greenco-write',
      title: 'Green Co may write up to GREEN',
      instrument: 'test',
      parties: ['greenco'],
      valid_from: '2000-01-01T00:00:00Z',
      status: 'active',
      grants: [{ party: 'greenco', actions: ['write'], collections: { all: true }, max_tlp: 'green' }],
    });
    await defineFeed(down.store, 'greenco', 'green-only');
    const summary = await run(runner, 'green-only');
    expect(summary).toMatchObject({ outcome: 'success', fetched: 2, stored: 1, failed: 1 });
    expect(await storedVersions(down.store, down.collections.alpha.id)).toEqual([expect.stringMatching(/^indicator--00000001/)]);
    const runEvent = (await down.store.readAuditEvents(0, 1000)).map((e) => e.event).find((e) => e.action === 'feed.run');
    expect(runEvent?.detail?.failures).toEqual([expect.stringMatching(/indicator--00000002.*TLP:AMBER is above the TLP ceiling/)]);
  });

  it('runs in one process at a time: a feed whose lease another process holds is not run twice', async () => {
    await push([indicator(1)]);
    await defineFeed(down.store);
    expect(await down.store.feeds().leaseFeed('mirror', 'other-process', down.clock.now, down.clock.now + 60 * SECOND)).toBe(true);
    expect(await runFeed(runner, 'mirror')).toEqual({ ran: false, reason: 'busy' });
    down.clock.advance(61 * SECOND);
    expect(await runFeed(runner, 'mirror')).toMatchObject({ ran: true, summary: { stored: 1 } });
  });

  it('the scheduler runs due feeds, skips paused ones, and waits for the next due time', async () => {
    await push([indicator(1)]);
    await defineFeed(down.store);
    const scheduler = new FeedScheduler(runner, pino({ level: 'silent' }));
    await down.store.feeds().setFeedPaused('mirror', true, testChange('mirror', 'pause'));
    await scheduler.tick();
    expect(await storedVersions(down.store, down.collections.alpha.id)).toEqual([]);
    await down.store.feeds().setFeedPaused('mirror', false, testChange('mirror', 'resume'));
    await scheduler.tick();
    expect((await storedVersions(down.store, down.collections.alpha.id)).length).toBe(1);
    await push([indicator(2)]);
    // Not due again until `every` (15m) has passed.
    await scheduler.tick();
    expect((await storedVersions(down.store, down.collections.alpha.id)).length).toBe(1);
    down.clock.advance(15 * 60 * SECOND);
    await scheduler.tick();
    expect((await storedVersions(down.store, down.collections.alpha.id)).length).toBe(2);
    await scheduler.close();
  });
});
