/**
 * `accord feed …` as an operator runs it: each command a new process on the same database,
 * so `feed run` after a push upstream shows the feed resuming from its stored position.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accord } from '../support/cli';
import { createHarness, indicator, type Harness } from '../support/harness';
import { pushUpstream, serve, type Served } from './support';

jest.setTimeout(60_000);

describe('accord feed (CLI)', () => {
  let dir: string;
  let db: string;
  let up: Harness;
  let upstream: Served;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-feed-cli-'));
    db = join(dir, 'down.db');
    // The downstream database: collections, the operator party and its agreement.
    await (await createHarness({ storeFile: db })).close();
    up = await createHarness();
    upstream = await serve(up.app);
  });

  afterAll(async () => {
    await upstream.close();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const push = (objects: Record<string, unknown>[]) => pushUpstream(up, objects);

  it('adds, lists, runs (resuming across processes), pauses and removes a feed; the token never shows', async () => {
    const token = up.accounts.reader.token;
    const url = `${upstream.url}/api1/`;
    const add = await accord(
      [
        'feed',
        'add',
        'mirror',
        '--url',
        url,
        '--collection',
        up.collections.alpha.id,
        '--into',
        'alpha',
        '--as',
        'operator',
        '--every',
        '1h',
        '--token-stdin',
        '--db',
        db,
      ],
      {
        stdin: `${token}\n`,
      },
    );
    expect(add.stderr).toBe('');
    expect(add.stdout).toMatch(/added feed mirror: .* every 1h \(credentials sealed\)/);

    await push([1, 2, 3].map((n) => indicator(n)));
    const first = await accord(['feed', 'run', 'mirror', '--db', db]);
    expect([first.code, first.stdout]).toEqual([
      0,
      expect.stringMatching(/feed mirror: success; \d+ pages, 3 objects fetched, 3 stored, 0 already present, 0 failed/),
    ]);

    await push([indicator(4), indicator(5)]);
    const second = await accord(['feed', 'run', 'mirror', '--db', db]);
    expect(second.stdout).toMatch(/2 objects fetched, 2 stored, 0 already present/);

    const list = await accord(['feed', 'list', '--json', '--db', db]);
    const rows = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(rows).toEqual([
      expect.objectContaining({
        name: 'mirror',
        url,
        every: '1h',
        paused: false,
        credentials: 'sealed',
        last_run: expect.objectContaining({ outcome: 'success', stored: 2 }),
      }),
    ]);
    expect(list.stdout).not.toContain(token);
    for (const file of [db, `${db}-wal`]) if (existsSync(file)) expect(readFileSync(file).includes(token)).toBe(false);

    expect((await accord(['feed', 'pause', 'mirror', '--db', db])).stdout).toBe('paused feed mirror\n');
    expect((await accord(['feed', 'list', '--db', db])).stdout).toMatch(/^mirror\tPAUSED\t/);
    expect((await accord(['feed', 'resume', 'mirror', '--db', db])).stdout).toBe('resumed feed mirror\n');
    expect((await accord(['feed', 'remove', 'mirror', '--db', db])).stdout).toBe('removed feed mirror\n');
    expect((await accord(['feed', 'list', '--json', '--db', db])).stdout).toBe('[]\n');
  });

  it('refuses an upstream URL with credentials in it, plainly (exit 2), and stores nothing', async () => {
    const r = await accord([
      'feed',
      'add',
      'leaky',
      '--url',
      'https://user:secret@upstream.example/api1/',
      '--collection',
      'c',
      '--into',
      'alpha',
      '--as',
      'operator',
      '--db',
      db,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"url" must not carry credentials/);
    expect(r.stderr).not.toContain('secret');
    expect((await accord(['feed', 'list', '--json', '--db', db])).stdout).toBe('[]\n');
  });

  it('`feed run` of an unknown feed says so (exit 2)', async () => {
    const r = await accord(['feed', 'run', 'nope', '--db', db]);
    expect([r.code, r.stderr]).toEqual([2, 'accord: no feed "nope"\n']);
  });
});
