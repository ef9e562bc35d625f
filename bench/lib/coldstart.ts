/**
 * Cold start: `accord serve` started afresh on the grown store, with 1 or N workers, three
 * times. How long until /readyz answers 200, then the first envelope each worker stores
 * against warm ones.
 * Node's cluster primary hands connections to workers in turn, so client i's connection is
 * served by worker i: each client's first envelope is its worker's first.
 */
import { Client, ingest } from './http';
import { startAccord } from './processes';
import type { Entry } from './report';
import type { RssSampler } from './rss';
import type { StixObject } from '../workload';

const ENVELOPE = 100;
const WARM_ENVELOPES = 10;
const RESTARTS = 3;

async function readyAfter(origin: string, started: number): Promise<number> {
  const deadline = started + 60_000;
  while (performance.now() < deadline) {
    const ok = await fetch(`${origin}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${origin}/readyz: not ready after 60 s`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const tenths = (x: number) => Math.round(x * 10) / 10;

/** One start: /readyz after ms, each worker's first envelope, and the warm ones after them. */
async function oneStart(
  db: string,
  workers: number,
  writerToken: string,
  objectsPath: string,
  stream: Iterator<StixObject>,
  rss: (pid: number) => RssSampler,
) {
  const started = performance.now();
  const server = await startAccord(db, workers);
  try {
    const ready = await readyAfter(server.origin, started);
    const sampler = rss(server.pid);
    sampler.start();
    const clients = Array.from({ length: workers }, () => new Client(server.origin, writerToken));
    const first: number[] = [];
    // Sequential, so each first envelope has the machine to itself.
    for (const c of clients) first.push((await ingest(c, objectsPath, stream, ENVELOPE, ENVELOPE)) * 1000);
    const warm: number[] = [];
    for (let i = 0; i < WARM_ENVELOPES; i++)
      warm.push((await ingest(clients[i % workers] as Client, objectsPath, stream, ENVELOPE, ENVELOPE)) * 1000);
    for (const c of clients) c.close();
    return { ready, first, warm, memory: sampler.stop() };
  } finally {
    await server.stop();
  }
}

/**
 * RESTARTS starts; per worker the median of its first envelopes, against the median of all
 * warm ones: one envelope is a few milliseconds, and on a shared machine a single start
 * measures the neighbours as much as the server.
 */
export async function coldStart(
  db: string,
  workers: number,
  writerToken: string,
  objectsPath: string,
  stream: Iterator<StixObject>,
  stored: number,
  sampler: (pid: number) => RssSampler,
): Promise<Entry> {
  const started = performance.now();
  const starts: Awaited<ReturnType<typeof oneStart>>[] = [];
  for (let i = 0; i < RESTARTS; i++) starts.push(await oneStart(db, workers, writerToken, objectsPath, stream, sampler));
  const first = Array.from({ length: workers }, (_, w) => median(starts.map((s) => s.first[w] as number)));
  const warm = median(starts.flatMap((s) => s.warm));
  return {
    scenario: 'coldstart',
    endpoint: 'POST objects',
    limit: null,
    connections: workers,
    workers,
    objects_in_store: stored + RESTARTS * ENVELOPE * (workers + WARM_ENVELOPES),
    duration_s: Math.round(performance.now() - started) / 1000,
    memory: starts[starts.length - 1]?.memory as Entry['memory'],
    envelope_objects: ENVELOPE,
    restarts: RESTARTS,
    first_ms: first.map(tenths),
    warm_ms: tenths(warm),
    ratio_first_to_warm: Math.round((Math.max(...first) / warm) * 100) / 100,
    ready_ms: Math.round(median(starts.map((s) => s.ready))),
  };
}
