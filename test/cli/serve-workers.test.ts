/**
 * `accord serve --workers N` (src/cli/cluster.ts): N processes serve one port, the primary
 * opens nothing and announces the server once; both workers answer and write to one SQLite
 * file without forking the sharing log's hash chain; SIGTERM stops every worker gracefully;
 * a dead worker is replaced; workers that cannot start end the primary with their error.
 * Every check observes the real processes: their exit codes, their logs, the database.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { accord, randomIndicator, startAccord, type LogLine, type RunningCli } from '../support/cli';
import { call, callAs, prepareDatabase } from '../support/serve';

/** Logs on (the tests read them), a fresh port each time. */
const SERVE_ENV = { ACCORD_LOG_LEVEL: 'info' };

const workerListening = (l: LogLine) => l.role === 'worker' && l.msg === 'listening';

/** Pids of the workers that have logged that they listen, in order. */
function workerPids(server: RunningCli): number[] {
  return server
    .logs()
    .filter(workerListening)
    .map((l) => l.pid as number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

/** Starts `serve --workers N` and waits for its announcement; returns the port. */
async function serve(db: string, workers: number, env: NodeJS.ProcessEnv = {}): Promise<{ server: RunningCli; port: number; announcement: string }> {
  const server = startAccord(['serve', '--db', db, '--port', '0', '--workers', String(workers)], { env: { ...SERVE_ENV, ...env } });
  const match = await server.until(() => /^Accord is listening on http:\/\/127\.0\.0\.1:(\d+)\/taxii2\/ \((\d+) workers\)$/m.exec(server.stdout()));
  return { server, port: Number(match[1]), announcement: match[0] };
}

/** Both workers answered requests; SIGTERM then ends the server cleanly. */
async function bothServedThenStop(server: RunningCli): Promise<void> {
  const servedBy = new Set(
    server
      .logs()
      .filter((l) => l.msg === 'request')
      .map((l) => l.pid),
  );
  expect(servedBy.size).toBe(2);
  server.signal('SIGTERM');
  expect((await server.ended).code).toBe(0);
}

describe('accord serve --workers', () => {
  let dir: string;
  let db: string;
  let token: string;
  const started: RunningCli[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-workers-'));
    ({ db, token } = await prepareDatabase(join(dir, 'main')));
  });
  afterEach(() => {
    // A failed test must not leave servers behind.
    for (const s of started.splice(0)) s.signal('SIGKILL');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function start(
    workers: number,
    database = db,
    env: NodeJS.ProcessEnv = {},
  ): Promise<{ server: RunningCli; port: number; announcement: string }> {
    const s = await serve(database, workers, env);
    started.push(s.server);
    return s;
  }

  it('two workers answer on one port: concurrent POSTs on separate connections all succeed, handled by both, with distinct date_added; SIGTERM exits 0 and leaves no worker; audit verify accepts the log both wrote', async () => {
    const { server, port, announcement } = await start(2);
    // Announced once, after both workers listen; the primary is neither of them.
    expect(server.stdout().split(announcement)).toHaveLength(2);
    const pids = await server.until(() => (workerPids(server).length === 2 ? workerPids(server) : undefined));
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(server.pid);

    const objects = Array.from({ length: 40 }, randomIndicator);
    const replies = await Promise.all(
      objects.map((o) => call(port, 'POST', '/exchange/collections/fr/objects/', token, JSON.stringify({ objects: [o] }))),
    );
    expect(replies.map((r) => r.status)).toEqual(objects.map(() => 202));
    expect(replies.map((r) => (JSON.parse(r.body) as { success_count: number }).success_count)).toEqual(objects.map(() => 1));

    // Each worker logged some of the POSTs it answered.
    const posts = await server.until(() => {
      const lines = server.logs().filter((l) => l.msg === 'request' && l.method === 'POST');
      return lines.length === objects.length ? lines : undefined;
    });
    expect(new Set(posts.map((l) => l.pid))).toEqual(new Set(pids));

    // Both processes took date_added from the shared clock: 40 distinct values.
    const manifest = await call(port, 'GET', '/exchange/collections/fr/manifest/', token);
    expect(manifest.status).toBe(200);
    const records = (JSON.parse(manifest.body) as { objects: { id: string; date_added: string }[] }).objects;
    expect(new Set(records.map((r) => r.id))).toEqual(new Set(objects.map((o) => o.id)));
    expect(new Set(records.map((r) => r.date_added)).size).toBe(objects.length);

    server.signal('SIGTERM');
    const result = await server.ended;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(
      server
        .logs()
        .filter((l) => l.role === 'primary' && l.msg === 'worker stopped')
        .map((l) => l.workerPid),
    ).toEqual(expect.arrayContaining(pids));
    expect(pids.filter(alive)).toEqual([]);

    const verify = await accord(['audit', 'verify', '--db', db]);
    expect(verify.stdout).toMatch(/^sharing log intact: \d+ events/);
    expect(verify.code).toBe(0);
    const events = Number(/intact: (\d+) events/.exec(verify.stdout)?.[1]);
    expect(events).toBeGreaterThanOrEqual(objects.length);
  });

  it('a worker killed with SIGKILL is logged and replaced, and the server keeps answering through the replacement', async () => {
    const { server, port } = await start(2);
    const [victim, survivor] = await server.until(() => (workerPids(server).length === 2 ? workerPids(server) : undefined));
    process.kill(victim as number, 'SIGKILL');

    const died = await server.until(() =>
      server.logs().find((l) => l.role === 'primary' && l.msg?.startsWith('worker died') && l.workerPid === victim),
    );
    expect(died).toMatchObject({ signal: 'SIGKILL', level: 50 });
    const replacement = await server.until(() => workerPids(server)[2]);
    expect([victim, survivor]).not.toContain(replacement);

    const replies = await Promise.all(Array.from({ length: 10 }, () => call(port, 'GET', '/exchange/collections/fr/objects/', token)));
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    const servedBy = await server.until(() => {
      const lines = server.logs().filter((l) => l.msg === 'request' && l.method === 'GET');
      return lines.length === replies.length ? new Set(lines.map((l) => l.pid)) : undefined;
    });
    expect(servedBy).toEqual(new Set([survivor, replacement]));

    server.signal('SIGTERM');
    expect((await server.ended).code).toBe(0);
    expect([victim, survivor, replacement].filter((pid) => alive(pid as number))).toEqual([]);
  });

  it('a second SIGTERM during shutdown kills the workers that have not finished and exits 1', async () => {
    const { server } = await start(2);
    const [stuck, other] = await server.until(() => (workerPids(server).length === 2 ? workerPids(server) : undefined));
    // A stopped process cannot act on the shutdown request: it stands for a hung worker.
    process.kill(stuck as number, 'SIGSTOP');
    server.signal('SIGTERM');
    await server.until(() => server.logs().some((l) => l.role === 'primary' && l.msg === 'worker stopped' && l.workerPid === other));
    expect(alive(stuck as number)).toBe(true);
    server.signal('SIGTERM');
    const result = await server.ended;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^accord: SIGTERM during shutdown: workers killed$/m);
    expect(alive(stuck as number)).toBe(false);
  });

  it('when workers cannot start (port in use) the primary stops the others and exits 2 with the error, printed once', async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as { port: number }).port;
    try {
      const server = startAccord(['serve', '--db', db, '--port', String(busy), '--workers', '2'], { env: SERVE_ENV });
      started.push(server);
      const result = await server.ended;
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^accord: .*EADDRINUSE.*${busy}\\n$`));
      expect(result.stdout).not.toMatch(/Accord is listening/);
      const forked = new Set(
        server
          .logs()
          .filter((l) => l.role === 'primary' && l.workerPid !== undefined)
          .map((l) => l.workerPid as number),
      );
      expect(forked.size).toBe(2);
      expect([...forked].filter(alive)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('when replacements keep failing to start (database gone), the primary backs off, gives up, stops the survivor and exits 2 with the error', async () => {
    const own = await prepareDatabase(join(dir, 'doomed'));
    const { server } = await start(2, own.db);
    const [victim, survivor] = await server.until(() => (workerPids(server).length === 2 ? workerPids(server) : undefined));
    renameSync(join(dir, 'doomed'), join(dir, 'doomed-moved'));
    process.kill(victim as number, 'SIGKILL');
    const result = await server.ended;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^accord: workers keep failing to start \(5 times in a row\): .*cannot open SQLite database .*doomed.*directory does not exist\n$/,
    );
    const logs = server.logs().filter((l) => l.role === 'primary');
    // Back-off: each replacement waited twice as long as the one before.
    const delays = logs.filter((l) => l.msg === 'starting a replacement worker').map((l) => l.delayMs);
    expect(delays).toEqual([100, 200, 400, 800]);
    expect(logs.filter((l) => l.msg === 'worker failed to start')).toHaveLength(4);
    expect(logs.find((l) => l.msg === 'worker stopped')).toMatchObject({ workerPid: survivor, code: 0 });
    expect([victim, survivor].filter((pid) => alive(pid as number))).toEqual([]);
  });

  it.each([
    ['a new file', 'delete'],
    ['a new file already in WAL mode', 'wal'],
  ])(
    'workers opening %s at once all start: each waits for the write lock to switch to WAL and to migrate, and skips migrations another applied meanwhile',
    async (_, journal) => {
      const file = join(dir, `fresh-${journal}.db`);
      // Hold the write lock on an empty database, so that both workers reach the point where
      // they need it (the switch to WAL, or the first migration) before either can go on.
      const holder = new Database(file);
      holder.pragma(`journal_mode = ${journal}`);
      holder.exec('BEGIN IMMEDIATE');
      const server = startAccord(['serve', '--db', file, '--port', '0', '--workers', '2'], { env: SERVE_ENV });
      started.push(server);
      try {
        await server.until(() => server.logs().some((l) => l.msg === 'starting workers'));
        // Time for both to load and block on the lock (shorter than their 5 s busy timeout);
        // should they not get there, the test cannot fail, it only proves less.
        await new Promise((resolve) => setTimeout(resolve, 1500));
      } finally {
        holder.exec('COMMIT');
        holder.close();
      }
      await server.until(() => /^Accord is listening on .* \(2 workers\)$/m.test(server.stdout()));
      server.signal('SIGTERM');
      const result = await server.ended;
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
  );

  it.each([
    [['--workers', '0'], {}, /^accord: --workers 0: must be a positive whole number or auto$/m],
    [['--workers', 'many'], {}, /^accord: --workers many: must be a positive whole number or auto$/m],
    [['--workers', '1.5'], {}, /^accord: --workers 1\.5: must be a positive whole number or auto$/m],
    [['--workers', '5000'], {}, /"workers" must be <= 1024 \(from the command line\)/],
    [[], { ACCORD_WORKERS: 'lots' }, /^accord: ACCORD_WORKERS=lots: must be a whole number or auto$/m],
    [[], { ACCORD_WORKERS: '0' }, /"workers" must be >= 1 \(from ACCORD_WORKERS\)/],
    [['--workers', '2', '--db', ':memory:'], {}, /^accord: --workers 2 needs a shared database: ":memory:" is private to one process$/m],
  ])('serve %j %j is refused with exit code 2 and a plain message', async (args, env, message) => {
    const res = await accord(['serve', '--db', db, '--port', '0', ...args], { env });
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/at .*\.ts/);
    expect(res.code).toBe(2);
  });

  it('"workers" in the config file is read and validated like every setting', async () => {
    const file = join(dir, 'workers.json');
    writeFileSync(file, JSON.stringify({ workers: 'lots' }));
    const res = await accord(['serve', '--config', file, '--db', db, '--port', '0']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/"workers" .*in config file/);
  });

  it('serve --help documents --workers', async () => {
    const res = await accord(['serve', '--help']);
    expect(res.stdout).toMatch(/--workers <n>/);
    expect(res.stdout).toMatch(/password\s+cache and agreement cache/);
  });

  it('without --workers, serve is one process as before: no primary, no workers, the plain announcement', async () => {
    const server = startAccord(['serve', '--db', db, '--port', '0'], { env: SERVE_ENV });
    started.push(server);
    await server.until(() => /^Accord is listening on http:\/\/127\.0\.0\.1:\d+\/taxii2\/$/m.test(server.stdout()));
    expect(server.logs().filter((l) => l.role !== undefined)).toEqual([]);
    server.signal('SIGTERM');
    expect((await server.ended).code).toBe(0);
  });

  it('issue 12 §8 and §10: the sign-in throttle and the rate limit hold across workers (the primary keeps the buckets)', async () => {
    const env = {
      ...SERVE_ENV,
      ACCORD_SIGNIN_ADDRESS_BURST: '0',
      ACCORD_SIGNIN_ACCOUNT_BURST: '3',
      ACCORD_SIGNIN_ACCOUNT_PER_MINUTE: '1',
      ACCORD_RATE_LIMIT_BURST: '4',
      ACCORD_RATE_LIMIT_PER_SECOND: '1',
    };
    const server = startAccord(['serve', '--db', db, '--port', '0', '--workers', '2'], { env });
    started.push(server);
    const port = Number((await server.until(() => /listening on http:\/\/127\.0\.0\.1:(\d+)\/taxii2\/ \(2 workers\)/.exec(server.stdout())))[1]);
    const wrong = `Basic ${Buffer.from('feed:not the password').toString('base64')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await callAs(port, 'GET', '/exchange/collections/', wrong)).status);
    // Each worker on its own would allow 3: 6 in all.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(4);
    expect(statuses.slice(4)).toEqual([429, 429, 429, 429]);

    const readsStarted = Date.now();
    const reads: number[] = [];
    for (let i = 0; i < 12; i++) reads.push((await call(port, 'GET', '/exchange/collections/', token)).status);
    const refill = Math.ceil((Date.now() - readsStarted) / 1000);
    expect(reads.filter((s) => s === 200).length).toBeLessThanOrEqual(4 + refill);
    expect(reads).toContain(429);
    await bothServedThenStop(server);
  });

  it("issue #12 item 10: an agreement's rate holds across workers for all its party's accounts together (the primary keeps the buckets)", async () => {
    const own = await prepareDatabase(join(dir, 'rated'));
    const rated = join(dir, 'rated', 'rated.json');
    writeFileSync(
      rated,
      JSON.stringify({
        title: 'Polling limited by its terms',
        instrument: 'test',
        parties: ['operator'],
        valid_from: '2020-01-01T00:00:00Z',
        status: 'active',
        terms: { rate_limit: { requests_per_minute: 1, burst: 4 } },
        grants: [{ party: 'operator', actions: ['read'], collections: { aliases: ['fr'] }, max_tlp: 'red' }],
      }),
    );
    expect((await accord(['agreement', 'create', rated, '--db', own.db])).stderr).toBe('');
    const second = /^token: (\S+)$/m.exec((await accord(['account', 'add', 'poller', '--role', 'reader', '--token', '--db', own.db])).stdout)?.[1];
    if (!second) throw new Error('no token for the second account');
    // The per-account limit off: only the agreement's term limits.
    const { server, port } = await start(2, own.db, { ACCORD_RATE_LIMIT_BURST: '0' });
    const replies = [];
    for (let i = 0; i < 12; i++) replies.push(await call(port, 'GET', '/exchange/collections/fr/objects/', i % 2 ? own.token : second));
    // Each worker on its own would allow 4, and each account on its own 4: 8 either way. One token a minute refills nothing here.
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, ...Array.from({ length: 8 }, () => 429)]);
    expect(JSON.parse(replies[11]?.body ?? '{}')).toMatchObject({
      http_status: '429',
      description: expect.stringMatching(/^agreement "[^"]+" allows your organisation 1 request a minute \(bursts of 4\)/),
    });
    await bothServedThenStop(server);
  });
});
