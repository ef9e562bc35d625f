/**
 * `npm run bench:memory [-- --objects N] [--seconds S] [--endpoint objects|manifest] [--node-arg ARG]...`:
 * the issue 15 memory target on its own. Peak RSS of `accord serve` (one worker, sharing log
 * on, compression off) while 16 connections read 1,000-object pages at random positions of
 * a store of N objects (default 1,000,000), and what that memory is at the peak: the
 * process's anonymous and file-backed RSS, and per thread (the server and the sharing-log
 * writer) its V8 heap and the buffers outside it (bench/lib/memory-probe.ts). Throughput
 * and CPU per request (main thread and other threads) come with it, to check that saving
 * memory did not cost speed.
 *
 * The store is prepared once, by ingesting over HTTP as `npm run bench` does, into
 * `/tmp/accord-bench-memory/N.db` (with its tokens and page positions beside it) and kept
 * for the next run: only the first run pays the minutes of ingest. `--node-arg` passes V8
 * or Node options to the server (e.g. `--node-arg=--max-semi-space-size=4`), for trying them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Client, crawl, ingest, taxiiHeaders } from './lib/http';
import { load, warmUp } from './lib/load';
import type { ThreadMemory } from './lib/memory-probe';
import { startAccord, tempDir } from './lib/processes';
import { processTree, threadTicks, TICK_MS, waitUntilIdle } from './lib/rss';
import { COLLECTION_PATH, prepareStore, type Tokens } from './lib/setup';
import { stixObjects } from './workload';

const options = (name: string): string[] =>
  process.argv.flatMap((arg, i) =>
    arg === `--${name}` ? [process.argv[i + 1] ?? ''] : arg.startsWith(`--${name}=`) ? [arg.slice(name.length + 3)] : [],
  );
const option = (name: string): string | undefined => options(name)[0];

const OBJECTS_IN_STORE = Number(option('objects') ?? 1_000_000);
const SECONDS = Number(option('seconds') ?? 10);
const ENDPOINT = option('endpoint') ?? 'objects';
const NODE_ARGS = options('node-arg');
const CONNECTIONS = 16;
const LIMIT = 1000;
const STORE_DIR = '/tmp/accord-bench-memory';
const PROBE = join(__dirname, 'lib', 'memory-probe.js');
const MB = 1024 * 1024;
const mb = (bytes: number) => Math.round(bytes / MB);
const progress = (line: string) => process.stderr.write(`bench:memory: ${line}\n`);

interface Prepared {
  tokens: Tokens;
  /** X-TAXII-Date-Added-Last of the pages of a crawl, less the last tenth (full pages follow each). */
  positions: string[];
}

/** The N-object store and what the load needs of it, prepared on the first run and kept. */
async function preparedStore(): Promise<{ db: string; prepared: Prepared }> {
  const db = join(STORE_DIR, `${OBJECTS_IN_STORE}.db`);
  const meta = `${db}.json`;
  if (existsSync(db) && existsSync(meta)) return { db, prepared: JSON.parse(readFileSync(meta, 'utf8')) as Prepared };
  mkdirSync(STORE_DIR, { recursive: true, mode: 0o700 });
  // Built elsewhere and moved in when complete: an interrupted run leaves nothing half-made.
  const building = join(tempDir('accord-memory-'), 'store.db');
  const { store, tokens } = await prepareStore(building);
  await store.close();
  const server = await startAccord(building);
  const writer = new Client(server.origin, tokens.writer);
  progress(`preparing ${OBJECTS_IN_STORE.toLocaleString('en-US')} objects in ${db} (once; kept for the next runs)`);
  await ingest(writer, `${COLLECTION_PATH}/objects/`, stixObjects(42), OBJECTS_IN_STORE, 1000);
  writer.close();
  const full = new Client(server.origin, tokens.full);
  const { boundaries } = await crawl(full, `${COLLECTION_PATH}/objects/`, LIMIT);
  full.close();
  await server.stop();
  const prepared: Prepared = { tokens, positions: boundaries.slice(0, Math.max(1, Math.floor(boundaries.length * 0.9))) };
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(building + suffix)) renameSync(building + suffix, db + suffix);
  writeFileSync(meta, JSON.stringify(prepared), { mode: 0o600 });
  return { db, prepared };
}

/** RssAnon, RssFile and RssShmem of one process, MB. */
function rssParts(pid: number): Record<string, number> {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return {
      rss: Math.round(kb('VmRSS') / 1024),
      anon: Math.round(kb('RssAnon') / 1024),
      file: Math.round(kb('RssFile') / 1024),
      shmem: Math.round(kb('RssShmem') / 1024),
    };
  } catch {
    return {};
  }
}

function threadFigures(probeDir: string): ThreadMemory[] {
  return readdirSync(probeDir).flatMap((name) => {
    try {
      return [JSON.parse(readFileSync(join(probeDir, name), 'utf8')) as ThreadMemory];
    } catch {
      return []; // caught mid-write: the next sample has it
    }
  });
}

interface AtPeak {
  processes: Record<string, number>[];
  threads: ThreadMemory[];
}

/** Samples the tree's RSS every 100 ms; at each new peak, what the memory is made of. */
class PeakSampler {
  peakMb = 0;
  atPeak: AtPeak | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly root: number,
    private readonly probeDir: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), 100);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    const processes = processTree(this.root).map(rssParts);
    const total = processes.reduce((sum, p) => sum + (p.rss ?? 0), 0);
    if (total <= this.peakMb) return;
    this.peakMb = total;
    this.atPeak = { processes, threads: threadFigures(this.probeDir) };
  }
}

function describeThread(t: ThreadMemory): string {
  const u = t.usage;
  const spaces = Object.entries(t.spaces)
    .filter(([, size]) => size >= MB)
    .map(([space, size]) => `${space} ${mb(size)}`)
    .join(', ');
  return (
    `${t.thread}: heap committed ${mb(t.total_physical_size)} MB (used ${mb(u.heapUsed)}; ${spaces}), ` +
    `external ${mb(u.external)} MB (array buffers ${mb(u.arrayBuffers)}), malloced by V8 ${mb(t.malloced_memory)} MB`
  );
}

async function main(): Promise<void> {
  const { db, prepared } = await preparedStore();
  const probeDir = tempDir('accord-memory-probe-');
  process.env.BENCH_MEMORY_PROBE_DIR = probeDir;
  const server = await startAccord(db, 1, 'off', ['-r', PROBE, ...NODE_ARGS]);
  const treeMb = () => processTree(server.pid).reduce((sum, pid) => sum + (rssParts(pid).rss ?? 0), 0);
  const startedMb = treeMb();
  const positions = prepared.positions;
  let k = 0;
  const path = `${COLLECTION_PATH}/${ENDPOINT}/`;
  const opts = {
    origin: server.origin,
    headers: taxiiHeaders(prepared.tokens.full),
    // The same walk of page positions every run, so runs compare.
    path: () => `${path}?limit=${LIMIT}&added_after=${positions[(k = (k + 7919) % positions.length)]}`,
    connections: CONNECTIONS,
    seconds: SECONDS,
  };
  progress(`server ${server.pid} ${NODE_ARGS.join(' ')}: warm-up, then ${SECONDS} s of GET ${ENDPOINT} limit=${LIMIT}, ${CONNECTIONS} connections`);
  await warmUp({ ...opts, seconds: 2 }, 2);
  await waitUntilIdle(server.pid);
  const idleMb = treeMb();
  const sampler = new PeakSampler(server.pid, probeDir);
  const ticks = threadTicks(server.pid);
  sampler.start();
  const figures = await load(opts);
  sampler.stop();
  await waitUntilIdle(server.pid);
  const after = threadTicks(server.pid);
  await server.stop();
  rmSync(probeDir, { recursive: true, force: true });

  const perRequest = (t: number) => Math.round(((t * TICK_MS) / figures.requests) * 100) / 100;
  const report = {
    load_average: loadavg().map((x) => Math.round(x * 100) / 100),
    objects_in_store: OBJECTS_IN_STORE,
    endpoint: `GET ${ENDPOINT}`,
    limit: LIMIT,
    connections: CONNECTIONS,
    node_args: NODE_ARGS,
    rss_at_start_mb: startedMb,
    rss_before_load_mb: idleMb,
    rss_peak_mb: sampler.peakMb,
    rps: figures.rps,
    p50_ms: figures.p50_ms,
    p99_ms: figures.p99_ms,
    cpu_ms_per_request: { main: perRequest(after.main - ticks.main), other_threads: perRequest(after.others - ticks.others) },
    at_peak: sampler.atPeak,
  };
  process.stdout.write(
    `GET ${ENDPOINT} limit=${LIMIT}, ${CONNECTIONS} connections, ${OBJECTS_IN_STORE.toLocaleString('en-US')} objects${NODE_ARGS.length ? `, node ${NODE_ARGS.join(' ')}` : ''}\n` +
      `peak RSS ${report.rss_peak_mb} MB (${startedMb} MB at start, ${idleMb} MB after the warm-up); ${figures.rps} req/s, p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms; ` +
      `CPU per request ${report.cpu_ms_per_request.main} ms main thread, ${report.cpu_ms_per_request.other_threads} ms other threads\n` +
      `at the peak: ${(sampler.atPeak?.processes ?? []).map((p) => `RSS ${p.rss} MB = anonymous ${p.anon} + file ${p.file} + shmem ${p.shmem}`).join('; ')}\n` +
      (sampler.atPeak?.threads ?? []).map((t) => `  ${describeThread(t)}\n`).join('') +
      `${JSON.stringify(report)}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:memory failed: ${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
