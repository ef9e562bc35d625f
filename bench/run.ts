/**
 * `npm run bench [-- --quick]`: the benchmark suite. Prepares a fresh SQLite file in-process
 * (bench/lib/setup.ts), runs `accord serve` on it as a child process, and measures, growing
 * one store by ingesting over HTTP between measurements:
 *   ingest  POST envelopes of 100, then 1,000 objects; at the end two pushers at once, with
 *           one server process and with `--workers 2`; the bodies are serialised before the
 *           clock runs (also alone, with a profile: npm run bench:ingest);
 *   growth  page reads at each store size, for a full-access and a 90%-withheld caller;
 *   crawl   the whole collection with `next`, at the largest size;
 *   poll    GET objects / manifest (limit 100, 1000) and object by id, 1 and 16 connections,
 *           each against a bare node:http and a one-route Express server replaying the same
 *           response, and, when `accord serve --workers` exists, with 2 workers;
 *   memory  peak RSS of the server process tree in every scenario.
 *   flood   a poller's p50/p99 and the database's growth, alone and while strangers and
 *           wrong passwords flood the server (bench/lib/flood.ts; also alone: npm run bench:flood).
 * Full run: 10k, 100k and 1M objects, 5 s load runs. --quick: 10k and 50k, 2 s runs.
 * Writes the tables to stdout and bench/results/{latest|quick}.{md,json}; progress to stderr.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, crawl, envelopes, ingest, post, round2, taxiiHeaders, timedReads } from './lib/http';
import { load, warmUp, type LoadFigures } from './lib/load';
import { coldStart } from './lib/coldstart';
import { compressionScenario } from './lib/compression';
import { smallResources } from './lib/small';
import { floodScenario } from './lib/flood';
import { accordHasWorkers, startAccord, startBaseline, startStorageBaseline, tempDir, type ServerProcess } from './lib/processes';
import { machine, markdown, save, type Entry, type Report } from './lib/report';
import { RssSampler, waitUntilIdle, type MemoryFigures } from './lib/rss';
import { COLLECTION_PATH, prepareStore, type Tokens } from './lib/setup';
import { evaluateTargets } from './lib/targets';
import type { RecordedResponse } from './baseline-server';
import { rng, stixObjects, take, type StixObject } from './workload';

const QUICK = process.argv.includes('--quick');
const PLAN = QUICK
  ? { mode: 'quick' as const, sizes: [10_000, 50_000], seconds: 2, warmupSeconds: 0.25, twoPushers: 6_000, twoPusherWarmup: 2_000, floodSeconds: 10 }
  : {
      mode: 'full' as const,
      sizes: [10_000, 100_000, 1_000_000],
      seconds: 5,
      warmupSeconds: 1,
      twoPushers: 100_000,
      twoPusherWarmup: 4_000,
      floodSeconds: 30,
    };
const SEED = 42;
const CONNECTIONS = [1, 16];
const GROWTH = { limit: 100, warmup: 30, requests: 300 };
const OBJECTS = `${COLLECTION_PATH}/objects/`;
const MANIFEST = `${COLLECTION_PATH}/manifest/`;

const n = (x: number) => x.toLocaleString('en-US');
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
const T0 = performance.now();
const progress = (line: string) => process.stderr.write(`bench [${Math.round((performance.now() - T0) / 1000)} s]: ${line}\n`);

/** Runs `fn` while sampling the server's memory (bench/lib/rss.ts). */
async function measured<T>(sampler: RssSampler, fn: () => Promise<T>): Promise<[T, MemoryFigures]> {
  sampler.start();
  try {
    return [await fn(), sampler.stop()];
  } catch (err) {
    sampler.stop();
    throw err;
  }
}

/** Runs `fn` on Accord, then waits until the server has finished whatever `fn` left it doing. */
async function settled<T>(run: Run, fn: () => Promise<T>): Promise<T> {
  return settledOn(run.server, fn);
}

async function settledOn<T>(server: ServerProcess, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await waitUntilIdle(server.pid);
  }
}

/** Uniform picks from `xs`, reproducible from the seed: every run reads the same page positions. */
function picker<T>(xs: readonly T[], seed: number): () => T {
  if (xs.length === 0) throw new Error('nothing to pick from: the crawl found no pages');
  const r = rng(seed);
  return () => xs[Math.floor(r() * xs.length)] as T;
}

/**
 * Page boundaries (X-TAXII-Date-Added-Last) to start reads from, leaving out the last tenth of
 * the collection: a page read from there is full, for the 90%-withheld caller too.
 */
const readablePositions = (boundaries: string[]) => boundaries.slice(0, Math.max(1, Math.floor(boundaries.length * 0.9)));

interface PollEndpoint {
  endpoint: string;
  limit: number | null;
  /** Accord's route for it, which the Express baseline registers. */
  route: string;
  path: () => string;
}

const describe = (e: PollEndpoint) => `${e.endpoint}${e.limit === null ? '' : ` limit=${e.limit}`}`;

async function growth(run: Run, stored: number, positions: string[]): Promise<void> {
  for (const [caller, token] of [
    ['full access', run.tokens.full],
    ['90% withheld', run.tokens.clear],
  ] as const) {
    progress(`growth: page reads at ${n(stored)} objects, ${caller}`);
    const client = new Client(run.server.origin, token);
    const pick = picker(positions, 7);
    const started = performance.now();
    const [latencies, memory] = await measured(run.sampler, () =>
      timedReads(client, () => `${OBJECTS}?limit=${GROWTH.limit}&added_after=${pick()}`, GROWTH.warmup, GROWTH.requests),
    );
    client.close();
    run.entries.push({
      scenario: 'growth',
      endpoint: 'GET objects',
      limit: GROWTH.limit,
      connections: 1,
      workers: 1,
      objects_in_store: stored,
      duration_s: round2((performance.now() - started) / 1000),
      memory,
      caller,
      ...latencies,
    });
  }
}

/**
 * One request of the scenario, asked of Accord, is what the baselines replay; ten requests
 * give the objects per response (pages start at positions with a full page after them).
 */
async function recordResponse(client: Client, e: PollEndpoint, file: string): Promise<{ perResponse: number; path: string; body: Buffer }> {
  let objects = 0;
  let first: { path: string; body: Buffer } | undefined;
  for (let i = 0; i < 10; i++) {
    const path = e.path();
    const reply = await client.get(path);
    first ??= { path, body: reply.body };
    objects += ((JSON.parse(reply.body.toString()) as { objects?: unknown[] }).objects ?? []).length;
    if (i > 0) continue;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.headers)) {
      // Connection-level headers are the server's own business; Node sets them itself.
      if (typeof value === 'string' && !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name))
        headers[name] = value;
    }
    const recorded: RecordedResponse = { route: e.route, headers, body_base64: reply.body.toString('base64') };
    writeFileSync(file, JSON.stringify(recorded));
  }
  return { perResponse: objects / 10, ...(first as NonNullable<typeof first>) };
}

/**
 * The storage-bound baseline must answer with Accord's bytes, or the ratio compares
 * different work: checked on the request the other baselines replay.
 */
async function checkStorageAnswers(storage: ServerProcess, run: Run, recorded: { path: string; body: Buffer }): Promise<void> {
  const client = new Client(storage.origin, run.tokens.full);
  const reply = await client.get(recorded.path);
  client.close();
  if (!reply.body.equals(recorded.body)) {
    throw new Error(`storage baseline: GET ${recorded.path} answered ${reply.body.length} bytes that differ from Accord's ${recorded.body.length}`);
  }
}

/** What the phases share: the database, the callers, the running server and the results. */
interface Run {
  dir: string;
  db: string;
  tokens: Tokens;
  server: ServerProcess;
  sampler: RssSampler;
  entries: Entry[];
}

/**
 * Grows the store through PLAN.sizes by ingesting over HTTP, measuring ingest and, at each
 * size, page reads for both callers; the crawl runs at the largest size. Returns the
 * positions and object ids the polls ask for.
 */
async function growStore(run: Run): Promise<{ stored: number; positions: string[]; ids: string[] }> {
  const stream = stixObjects(SEED);
  const writer = new Client(run.server.origin, run.tokens.writer);
  const full = new Client(run.server.origin, run.tokens.full);
  let stored = 0;
  let positions: string[] = [];
  let ids: string[] = [];
  for (const [i, size] of PLAN.sizes.entries()) {
    const envelope = i === 0 ? 100 : 1000;
    progress(`ingest: ${n(size - stored)} objects in ${n(envelope)}-object envelopes`);
    const [seconds, memory] = await settled(run, () => measured(run.sampler, () => ingest(writer, OBJECTS, stream, size - stored, envelope)));
    run.entries.push({
      scenario: 'ingest',
      endpoint: 'POST objects',
      limit: null,
      connections: 1,
      workers: 1,
      objects_in_store: size,
      duration_s: round2(seconds),
      memory,
      envelope_objects: envelope,
      objects: size - stored,
      objects_per_s: Math.round((size - stored) / seconds),
    });
    stored = size;

    if (i < PLAN.sizes.length - 1) {
      // Enough pages for ~100 distinct positions (page size 100 to 1,000).
      positions = readablePositions((await crawl(full, OBJECTS, Math.min(1000, Math.max(100, Math.round(size / 100))))).boundaries);
    } else {
      progress(`crawl: ${n(size)} objects`);
      const [c, memory] = await measured(run.sampler, () => crawl(full, OBJECTS, 1000));
      run.entries.push({
        scenario: 'crawl',
        endpoint: 'GET objects (next)',
        limit: 1000,
        connections: 1,
        workers: 1,
        objects_in_store: size,
        duration_s: round2(c.seconds),
        memory,
        objects: c.objects,
        pages: c.boundaries.length,
        objects_per_s: Math.round(c.objects / c.seconds),
      });
      positions = readablePositions(c.boundaries);
      ids = c.ids;
    }
    await growth(run, stored, positions);
  }
  writer.close();
  full.close();
  return { stored, positions, ids };
}

/** Per poll endpoint, its 16-connection figures: what the 2-worker runs are compared with. */
type OneWorker = Map<PollEndpoint, { accord: LoadFigures; node: LoadFigures; express: LoadFigures; storage: LoadFigures; perResponse: number }>;

const loadOptions = (run: Run, origin: string, e: PollEndpoint, connections: number) => ({
  origin,
  headers: taxiiHeaders(run.tokens.full),
  path: e.path,
  connections,
  seconds: PLAN.seconds,
});

async function poll(run: Run, endpoints: PollEndpoint[], stored: number): Promise<OneWorker> {
  const full = new Client(run.server.origin, run.tokens.full);
  const oneWorker: OneWorker = new Map();
  const storageServer = await startStorageBaseline(run.db);
  try {
    for (const [k, e] of endpoints.entries()) {
      const file = join(run.dir, `response-${k}.json`);
      const { perResponse, ...recorded } = await recordResponse(full, e, file);
      await checkStorageAnswers(storageServer, run, recorded);
      const [nodeServer, expressServer] = await Promise.all([startBaseline('node', file), startBaseline('express', file)]);
      try {
        // Once per server and endpoint: what warms up (JIT, page cache) is the same at any concurrency.
        await settled(run, () => warmUp(loadOptions(run, run.server.origin, e, 16), PLAN.warmupSeconds));
        for (const baseline of [storageServer, nodeServer, expressServer]) await warmUp(loadOptions(run, baseline.origin, e, 16), PLAN.warmupSeconds);
        for (const connections of CONNECTIONS) {
          progress(`poll: ${describe(e)}, ${connections} connection(s): Accord, storage, node, express`);
          const [accord, memory] = await settled(run, () => measured(run.sampler, () => load(loadOptions(run, run.server.origin, e, connections))));
          const storage = await settledOn(storageServer, () => load(loadOptions(run, storageServer.origin, e, connections)));
          const node = await load(loadOptions(run, nodeServer.origin, e, connections));
          const express = await load(loadOptions(run, expressServer.origin, e, connections));
          run.entries.push({
            scenario: 'poll',
            endpoint: e.endpoint,
            limit: e.limit,
            connections,
            workers: 1,
            objects_in_store: stored,
            duration_s: PLAN.seconds,
            memory,
            ...accord,
            objects_per_response: perResponse,
            objects_per_s: Math.round(accord.rps * perResponse),
            ratio_to_node: ratio(accord.rps, node.rps),
            ratio_to_express: ratio(accord.rps, express.rps),
            ratio_to_storage: ratio(accord.rps, storage.rps),
            node,
            express,
            storage,
          });
          if (connections === 16) oneWorker.set(e, { accord, node, express, storage, perResponse });
        }
      } finally {
        await Promise.all([nodeServer.stop(), expressServer.stop()]);
      }
    }
  } finally {
    await storageServer.stop();
  }
  full.close();
  return oneWorker;
}

/**
 * Two pushers at once, into the grown store: what one server process ingests when clients
 * overlap, and (called again after the restart) what `--workers 2` adds. New objects, from
 * another seed, so nothing is "already stored".
 */
async function ingestTwoPushers(run: Run, workers: number, stream: Iterator<StixObject>, stored: number): Promise<number> {
  const total = PLAN.twoPushers;
  progress(`ingest: ${n(total)} objects, 2 pushers, ${workers} worker(s)`);
  const pushers = [new Client(run.server.origin, run.tokens.writer), new Client(run.server.origin, run.tokens.writer)];
  // Unmeasured: a freshly started worker compiles its validators and JIT-compiles the add path.
  await Promise.all(pushers.map((c) => ingest(c, OBJECTS, stream, PLAN.twoPusherWarmup / 2, 1000)));
  stored += PLAN.twoPusherWarmup;
  // Both pushers' bodies are serialised before the clock starts (as ingest() does for one).
  const bodies = pushers.map(() => envelopes(stream, total / 2, 1000));
  const [seconds, memory] = await settled(run, () =>
    measured(run.sampler, async () => {
      const started = performance.now();
      await Promise.all(pushers.map((c, i) => post(c, OBJECTS, bodies[i] ?? [])));
      return (performance.now() - started) / 1000;
    }),
  );
  for (const c of pushers) c.close();
  run.entries.push({
    scenario: 'ingest',
    endpoint: 'POST objects',
    limit: null,
    connections: 2,
    workers,
    objects_in_store: stored + total,
    duration_s: round2(seconds),
    memory,
    envelope_objects: 1000,
    objects: total,
    objects_per_s: Math.round(total / seconds),
  });
  return stored + total;
}

/** The 16-connection polls again, on the same database, served by `accord serve --workers 2`. */
async function pollWithWorkers(run: Run, oneWorker: OneWorker, stored: number): Promise<void> {
  await run.server.stop();
  run.server = await startAccord(run.db, 2);
  run.sampler = new RssSampler(run.server.pid);
  for (const [e, base] of oneWorker) {
    progress(`workers: ${describe(e)}, 16 connections, 2 workers`);
    await settled(run, () => warmUp(loadOptions(run, run.server.origin, e, 16), PLAN.warmupSeconds));
    const [accord, memory] = await settled(run, () => measured(run.sampler, () => load(loadOptions(run, run.server.origin, e, 16))));
    run.entries.push({
      scenario: 'poll',
      endpoint: e.endpoint,
      limit: e.limit,
      connections: 16,
      workers: 2,
      objects_in_store: stored,
      duration_s: PLAN.seconds,
      memory,
      ...accord,
      objects_per_response: base.perResponse,
      objects_per_s: Math.round(accord.rps * base.perResponse),
      ratio_to_node: ratio(accord.rps, base.node.rps),
      ratio_to_express: ratio(accord.rps, base.express.rps),
      ratio_to_storage: ratio(accord.rps, base.storage.rps),
      node: base.node,
      express: base.express,
      storage: base.storage,
      gain_vs_1_worker: ratio(accord.rps, base.accord.rps),
    });
  }
}

async function main(): Promise<void> {
  const host = machine();
  const dir = tempDir('accord-bench-');
  const db = join(dir, 'bench.db');
  const { store, tokens } = await prepareStore(db);
  await store.close();
  const server = await startAccord(db);
  const run: Run = { dir, db, tokens, server, sampler: new RssSampler(server.pid), entries: [] };

  const { stored, positions, ids } = await growStore(run);
  const position = picker(positions, 11);
  const id = picker(ids, 13);
  const endpoints: PollEndpoint[] = [
    ...[100, 1000].map((limit) => ({
      endpoint: 'GET objects',
      limit,
      route: '/:root/collections/:collection/objects/',
      path: () => `${OBJECTS}?limit=${limit}&added_after=${position()}`,
    })),
    ...[100, 1000].map((limit) => ({
      endpoint: 'GET manifest',
      limit,
      route: '/:root/collections/:collection/manifest/',
      path: () => `${MANIFEST}?limit=${limit}&added_after=${position()}`,
    })),
    { endpoint: 'GET object by id', limit: null, route: '/:root/collections/:collection/objects/:objectId/', path: () => `${OBJECTS}${id()}/` },
  ];
  const oneWorker = await poll(run, endpoints, stored);
  progress('compression: GET objects limit=1000, 16 connections, identity / gzip / br');
  const page1000 = endpoints[1] as PollEndpoint;
  run.entries.push(
    ...(await compressionScenario(
      run.server.pid,
      run.sampler,
      loadOptions(run, run.server.origin, page1000, 16),
      { endpoint: page1000.endpoint, limit: 1000, objects_in_store: stored, duration_s: PLAN.seconds },
      () => waitUntilIdle(run.server.pid),
    )),
  );
  progress('small resources: discovery, API root, collections, collection, status');
  const statusWriter = new Client(run.server.origin, run.tokens.writer);
  // An object already stored: the status is small, and the store does not grow.
  const statusId = (
    JSON.parse((await statusWriter.request('POST', OBJECTS, JSON.stringify({ objects: take(stixObjects(SEED), 1) }))).body.toString()) as {
      id: string;
    }
  ).id;
  statusWriter.close();
  const settle = () => waitUntilIdle(run.server.pid);
  run.entries.push(
    ...(await smallResources(
      {
        server: run.server,
        sampler: run.sampler,
        dir: run.dir,
        seconds: PLAN.seconds,
        warmupSeconds: PLAN.warmupSeconds,
        objectsInStore: stored,
        settle,
      },
      { partner: run.tokens.clear, writer: run.tokens.writer },
      statusId,
    )),
  );
  // Peak over every one-worker scenario at the largest size; 16 connections reading
  // 1,000-object pages is the heaviest.
  const memoryServing = {
    objects: stored,
    rss_mb: run.sampler.current(),
    peak_mb: Math.max(...run.entries.filter((x) => x.objects_in_store === stored && x.scenario !== 'ingest').map((x) => x.memory.rss_peak_mb)),
  };

  const notes: string[] = [];
  let workersNote: string | undefined;
  const extra = stixObjects(SEED + 1);
  const grown = await ingestTwoPushers(run, 1, extra, stored);
  if (accordHasWorkers()) {
    // Polls first, so they run on the store the one-worker polls ran on, plus the
    // two-pusher ingest's objects (page costs do not depend on size: see growth).
    await pollWithWorkers(run, oneWorker, grown);
    await ingestTwoPushers(run, 2, extra, grown);
  } else {
    workersNote = 'not available: this build of `accord serve` has no --workers option; the 2-worker rows were skipped';
    notes.push(`workers: ${workersNote}.`);
  }
  await run.server.stop();
  const coldStream = stixObjects(SEED + 2);
  for (const workers of [1, 2]) {
    progress(`cold start: ${workers} worker(s)`);
    run.entries.push(await coldStart(db, workers, tokens.writer, OBJECTS, coldStream, grown, (pid) => new RssSampler(pid)));
  }

  progress(`flood: a poller alone, then under a flood from ${PLAN.floodSeconds} s of strangers and wrong passwords`);
  const flood = await floodScenario(db, OBJECTS, tokens.full, PLAN.floodSeconds);

  const report: Report = {
    mode: PLAN.mode,
    machine: host,
    settings: {
      seed: SEED,
      sizes: PLAN.sizes,
      load_seconds: PLAN.seconds,
      warmup_seconds: PLAN.warmupSeconds,
      connections: CONNECTIONS,
      growth: GROWTH,
    },
    total_seconds: Math.round((performance.now() - T0) / 1000),
    memory_serving: memoryServing,
    notes,
    scenarios: run.entries,
    flood,
    targets: evaluateTargets(run.entries, workersNote),
  };
  const md = markdown(report);
  process.stdout.write(md);
  save(join(__dirname, '..', '..', 'bench', 'results'), QUICK ? 'quick' : 'latest', report, md);
  progress(`done in ${report.total_seconds} s`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
