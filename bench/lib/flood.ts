/**
 * The flood scenario (issue 12): a legitimate poller reads a page every 50 ms, first alone,
 * then while strangers flood the server from 16 connections (12 without credentials and
 * with an 8 KB query string, 4 guessing passwords). Each phase runs on a freshly started
 * `accord serve` with the default limits (sign-in throttling, aggregation of refusals), on
 * 127.0.0.1 only, for a fixed time; the database file is measured after each server has
 * shut down (so the sharing log's queued and aggregated events are written).
 */
import { statSync } from 'node:fs';
import http from 'node:http';
import { Client, percentile, round2, TAXII } from './http';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { startAccord } from './processes';

export interface FloodFigures {
  phase: 'poller alone' | 'poller under flood';
  seconds: number;
  poller_requests: number;
  p50_ms: number;
  p99_ms: number;
  /** Requests the flood made, by HTTP status. */
  flood_statuses: Record<string, number>;
  flood_rps: number;
  /** Database file (and WAL) growth over the phase, bytes. */
  db_growth_bytes: number;
  /** Sharing-log events the phase added for refusals (auth.failure, rate.limited), and their size as JSON. */
  refusal_events: number;
  refusal_event_bytes: number;
}

/** The refusal events logged after `afterSeq`, and their size. */
async function refusals(db: string, afterSeq: number): Promise<{ events: number; bytes: number }> {
  const store = new SqliteStore(db);
  try {
    let events = 0;
    let bytes = 0;
    for (const action of ['auth.failure', 'rate.limited']) {
      const page = await store.queryAuditEvents({ action, afterSeq, limit: 100_000 });
      events += page.records.length;
      bytes += page.records.reduce((n, e) => n + JSON.stringify(e).length, 0);
    }
    return { events, bytes };
  } finally {
    await store.close();
  }
}

async function head(db: string): Promise<number> {
  const store = new SqliteStore(db);
  try {
    return (await store.auditHead()).seq;
  } finally {
    await store.close();
  }
}

const FLOODERS = 16;
/** Of the flooders, how many guess passwords (the others send no credentials). */
const GUESSERS = 4;
const POLL_EVERY_MS = 50;

const bytesOf = (db: string) => [db, `${db}-wal`].reduce((n, f) => n + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);

/** One flooding connection until `until`: counts statuses into `statuses`. */
async function flooder(origin: string, k: number, until: number, statuses: Map<number, number>): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const query = `?match[type]=${'x'.repeat(8192)}`;
  for (let i = 0; performance.now() < until; i++) {
    const guessing = k < GUESSERS;
    const headers: Record<string, string> = { Accept: TAXII };
    if (guessing) headers.Authorization = `Basic ${Buffer.from(`${i % 3 === 0 ? 'full' : `user${k}-${i}`}:guess-${i}`).toString('base64')}`;
    const status = await new Promise<number>((resolve) => {
      const req = http.get(`${origin}/bench/collections/any/objects/${guessing ? '' : query}`, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      // A connection the server closed (a cap, a timeout) is a result too.
      req.on('error', () => resolve(0));
    });
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  agent.destroy();
}

async function phase(db: string, objectsPath: string, token: string, seconds: number, flood: boolean): Promise<FloodFigures> {
  const seq = await head(db);
  const server = await startAccord(db, 1, 'defaults');
  const before = bytesOf(db);
  const poller = new Client(server.origin, token);
  const until = performance.now() + seconds * 1000;
  const statuses = new Map<number, number>();
  const flooders = flood ? Array.from({ length: FLOODERS }, (_, k) => flooder(server.origin, k, until, statuses)) : [];
  const times: number[] = [];
  while (performance.now() < until) {
    const t0 = performance.now();
    await poller.get(`${objectsPath}?limit=100`);
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
  }
  await Promise.all(flooders);
  poller.close();
  await server.stop();
  times.sort((a, b) => a - b);
  const logged = await refusals(db, seq);
  const floodRequests = [...statuses.values()].reduce((a, b) => a + b, 0);
  return {
    phase: flood ? 'poller under flood' : 'poller alone',
    seconds,
    poller_requests: times.length,
    p50_ms: round2(percentile(times, 50)),
    p99_ms: round2(percentile(times, 99)),
    flood_statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b).map(([s, c]) => [String(s), c])),
    flood_rps: Math.round(floodRequests / seconds),
    db_growth_bytes: bytesOf(db) - before,
    refusal_events: logged.events,
    refusal_event_bytes: logged.bytes,
  };
}

export async function floodScenario(db: string, objectsPath: string, token: string, seconds: number): Promise<FloodFigures[]> {
  return [await phase(db, objectsPath, token, seconds, false), await phase(db, objectsPath, token, seconds, true)];
}
