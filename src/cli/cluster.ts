/**
 * `accord serve --workers N`: N server processes sharing one port through node:cluster. The
 * primary owns the listening socket and hands each new connection to the next worker in turn
 * (round-robin); each worker opens its own store connection and runs startServer, exactly as
 * a single `accord serve` does. The primary opens no store and serves nothing: it starts the
 * workers, announces the server once all of them listen, replaces a worker that dies (backing
 * off, and giving up when replacements keep failing to start), and on SIGTERM or SIGINT has
 * every worker close gracefully before it exits.
 *
 * Messages over the cluster's IPC channel: a worker sends {accord: 'listening', url} once it
 * listens, or {accord: 'failed', message, exitCode} when it could not start; the primary sends
 * {accord: 'shutdown'}. Workers also ask the primary's one table of rate-limit buckets
 * ({accord: 'take'} → {accord: 'took'}, src/throttle/cluster.ts), so limits hold across them.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { BucketTable } from '../throttle/bucket';
import { answerTakes, type TookMessage } from '../throttle/cluster';
import { describeFailure, type Failure } from './failure';

/** Set in the environment of the workers this module forks (and only them). */
const WORKER_MARK = 'ACCORD_SERVE_WORKER';

type ToPrimary = { accord: 'listening'; url: string } | ({ accord: 'failed' } & Failure);
type ToWorker = { accord: 'shutdown' } | TookMessage;

/**
 * Whether this process is a worker forked by runPrimary. The mark tells it apart from a
 * process that some other supervisor (pm2's cluster mode, say) runs as a cluster worker.
 */
export function isServeWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_MARK] === '1';
}

/** Whether this process may fork workers (it is not itself a cluster worker). */
export function canFork(): boolean {
  return cluster.isPrimary;
}

/** Log bindings that tell the workers' lines apart. */
export function workerBindings(): { role: 'worker'; worker: number; pid: number } {
  return { role: 'worker', worker: cluster.worker?.id ?? 0, pid: process.pid };
}

/** Log bindings of the primary's lines. */
export function primaryBindings(): { role: 'primary'; pid: number } {
  return { role: 'primary', pid: process.pid };
}

export interface ClusterTimings {
  /** Delay before replacing a worker after one failure; doubles with each consecutive one. */
  backoffMs: number;
  maxBackoffMs: number;
  /** A worker started after the last failure that has listened this long ends a run of failures. */
  stableMs: number;
  /** Consecutive failures, the last one at start-up, after which the primary gives up. */
  maxFailures: number;
  /** Longest wait for the workers to finish at shutdown before they are killed. */
  shutdownMs: number;
}

export const CLUSTER_TIMINGS: ClusterTimings = { backoffMs: 100, maxBackoffMs: 10_000, stableMs: 10_000, maxFailures: 5, shutdownMs: 30_000 };

/** How the primary ends: its exit code and, for a failure, the line to print. */
export interface Outcome {
  exitCode: number;
  message?: string;
}

interface Member {
  worker: Worker;
  pid: number | undefined;
  /** When it reported listening (Date.now()), if it has. */
  listenedAt?: number;
  /** Why it could not start, as it reported. */
  failure?: Failure;
  /** The number of failures so far when it was forked. */
  failuresBefore: number;
  stableTimer?: NodeJS.Timeout;
}

function isMessage(msg: unknown): msg is ToPrimary {
  return typeof msg === 'object' && msg !== null && 'accord' in msg;
}

/**
 * Runs the primary until the cluster stops: after SIGTERM/SIGINT (exit code 0 when every
 * worker closed cleanly), or when workers cannot start (the first start, or `maxFailures`
 * consecutive failures of replacements). `onListening` is called once, when all `count`
 * workers listen.
 */
export function runPrimary(
  count: number,
  log: Logger,
  onListening: (url: string) => void,
  timings: ClusterTimings = CLUSTER_TIMINGS,
): Promise<Outcome> {
  // Round-robin distribution by the primary, on every platform (Windows defaults otherwise).
  cluster.schedulingPolicy = cluster.SCHED_RR;
  return new Promise<Outcome>((resolve) => {
    const members = new Map<number, Member>();
    const buckets = new BucketTable();
    const pendingForks = new Set<NodeJS.Timeout>();
    let announced = false;
    /**
     * Workers that failed to start or died young (`failures` of them since a worker started
     * after the last of them stayed up for `stableMs`; `failed` in all).
     */
    let failures = 0;
    let failed = 0;
    let stopping: Outcome | undefined;
    let forced = false;
    let deadline: NodeJS.Timeout | undefined;

    const tell = (worker: Worker, msg: ToWorker) => {
      if (worker.isConnected()) worker.send(msg, () => undefined);
    };

    const fork = () => {
      const worker = cluster.fork({ [WORKER_MARK]: '1' });
      const m: Member = { worker, pid: worker.process.pid, failuresBefore: failed };
      members.set(worker.id, m);
      worker.on('message', (msg: unknown) => {
        if (!answerTakes(buckets, msg, (reply) => tell(worker, reply))) onMessage(m, msg);
      });
      worker.on('error', (err: Error) => log.warn({ err, worker: worker.id, workerPid: m.pid }, 'worker channel error'));
      worker.on('exit', (code: number | null, signal: string | null) => {
        // Handle the exit once the channel has closed, so every message the worker sent
        // (its start-up error in particular) has been read.
        const done = () => onExit(m, code, signal);
        if (worker.isConnected()) worker.once('disconnect', done);
        else done();
      });
    };

    const onMessage = (m: Member, msg: unknown) => {
      if (!isMessage(msg)) return;
      if (msg.accord === 'failed') {
        m.failure = { message: msg.message, exitCode: msg.exitCode };
        return;
      }
      m.listenedAt = Date.now();
      m.stableTimer = setTimeout(() => {
        // Workers that were already running prove nothing about those that keep failing.
        if (m.failuresBefore === failed) failures = 0;
      }, timings.stableMs).unref();
      const listening = [...members.values()].filter((x) => x.listenedAt !== undefined).length;
      if (!announced && !stopping && listening >= count) {
        announced = true;
        log.info({ url: msg.url, workers: count }, 'all workers listening');
        onListening(msg.url);
      }
    };

    const onExit = (m: Member, code: number | null, signal: string | null) => {
      members.delete(m.worker.id);
      clearTimeout(m.stableTimer);
      const who = { worker: m.worker.id, workerPid: m.pid, code, signal };
      if (stopping) {
        if (m.failure) log.error({ ...who, reason: m.failure.message }, 'worker failed to start');
        else if (code !== 0 && !forced) {
          log.error(who, 'worker did not stop cleanly');
          if (stopping.exitCode === 0) stopping.exitCode = 1;
        } else log.info(who, 'worker stopped');
        if (members.size === 0) finish();
        return;
      }
      const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
      if (m.listenedAt === undefined) {
        const message = m.failure?.message ?? `a worker ${how} before it listened`;
        const exitCode = m.failure?.exitCode ?? 1;
        log.error({ ...who, reason: message }, 'worker failed to start');
        // At the first start an error is the configuration's or the environment's (database,
        // port): retrying would only repeat it.
        if (!announced) return stop({ exitCode, message }, 'a worker could not start: stopping the others');
        failures += 1;
        failed += 1;
        if (failures >= timings.maxFailures) {
          return stop(
            { exitCode, message: `workers keep failing to start (${failures} times in a row): ${message}` },
            'giving up on replacing workers: stopping the others',
          );
        }
      } else {
        log.error(who, `worker died (${how})`);
        if (Date.now() - m.listenedAt < timings.stableMs) {
          failures += 1;
          failed += 1;
        }
      }
      const delayMs = failures === 0 ? 0 : Math.min(timings.backoffMs * 2 ** (failures - 1), timings.maxBackoffMs);
      log.info({ delayMs, failures }, 'starting a replacement worker');
      const timer = setTimeout(() => {
        pendingForks.delete(timer);
        fork();
      }, delayMs);
      pendingForks.add(timer);
    };

    const stop = (outcome: Outcome, why: string) => {
      if (stopping) return;
      stopping = outcome;
      for (const t of pendingForks) clearTimeout(t);
      pendingForks.clear();
      log.info({ workers: members.size }, why);
      for (const m of members.values()) tell(m.worker, { accord: 'shutdown' });
      deadline = setTimeout(() => force(`workers still running after ${timings.shutdownMs / 1000} s`), timings.shutdownMs);
      if (members.size === 0) finish();
    };

    const force = (why: string) => {
      if (forced || !stopping) return;
      forced = true;
      log.error({ workerPids: [...members.values()].map((m) => m.pid) }, `${why}: killing the workers`);
      if (stopping.exitCode === 0) stopping = { exitCode: 1, message: `${why}: workers killed` };
      for (const m of members.values()) m.worker.process.kill('SIGKILL');
      if (members.size === 0) finish();
    };

    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) force(`${signal} during shutdown`);
      else stop({ exitCode: 0 }, `${signal}: stopping the workers (in-flight requests finish first)`);
    };

    const finish = () => {
      clearTimeout(deadline);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(stopping ?? { exitCode: 0 });
    };

    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    log.info({ workers: count }, 'starting workers');
    for (let i = 0; i < count; i++) fork();
  });
}

export interface Closable {
  url: string;
  close(): Promise<void>;
}

function send(msg: ToPrimary): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(msg, undefined, {}, () => resolve());
  });
}

/**
 * Runs one worker: `start` opens the store and listens. The worker tells the primary its URL
 * or why it could not start, and closes gracefully when the primary says so (or on SIGTERM /
 * SIGINT, which a terminal's Ctrl-C sends to the whole process group).
 */
export async function runWorker(start: () => Promise<Closable>, log: Logger): Promise<void> {
  let server: Closable | undefined;
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    // Not listening yet: nothing to drain.
    if (!server) process.exit(0);
    log.info(`${why}: finishing in-flight requests`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'graceful shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('message', (msg: unknown) => {
    if (typeof msg === 'object' && msg !== null && (msg as ToWorker).accord === 'shutdown') stop('shutdown requested by the primary');
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    server = await start();
  } catch (err) {
    const failure = describeFailure(err);
    await send({ accord: 'failed', ...failure });
    process.exit(failure.exitCode);
  }
  await send({ accord: 'listening', url: server.url });
}
