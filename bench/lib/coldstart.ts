/**
 * Cold start: `accord serve` started afresh on the grown store, with 1 or N workers. How long
 * until /readyz answers 200, then the first envelope each worker stores against warm ones.
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
  const server = await startAccord(db, workers);
  try {
    const ready = await readyAfter(server.origin, started);
    const rss = sampler(server.pid);
    rss.start();
    const clients = Array.from({ length: workers }, () => new Client(server.origin, writerToken));
    const first: number[] = [];
    // Sequential, so each first envelope has the machine to itself.
    for (const c of clients) first.push((await ingest(c, objectsPath, stream, ENVELOPE, ENVELOPE)) * 1000);
    const warm: number[] = [];
    for (let i = 0; i < WARM_ENVELOPES; i++)
      warm.push((await ingest(clients[i % workers] as Client, objectsPath, stream, ENVELOPE, ENVELOPE)) * 1000);
    for (const c of clients) c.close();
    warm.sort((a, b) => a - b);
    const median = warm[Math.floor(warm.length / 2)] as number;
    return {
      scenario: 'coldstart',
      endpoint: 'POST objects',
      limit: null,
      connections: workers,
      workers,
      objects_in_store: stored + ENVELOPE * (workers + WARM_ENVELOPES),
      duration_s: Math.round(performance.now() - started) / 1000,
      memory: rss.stop(),
      envelope_objects: ENVELOPE,
      first_ms: first.map((f) => Math.round(f * 10) / 10),
      warm_ms: Math.round(median * 10) / 10,
      ratio_first_to_warm: Math.round((Math.max(...first) / median) * 100) / 100,
      ready_ms: Math.round(ready),
    };
  } finally {
    await server.stop();
  }
}
