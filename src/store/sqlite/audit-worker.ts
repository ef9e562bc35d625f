/**
 * Worker thread that appends read-side sharing-log events with its own connection to the
 * SQLite file, so hashing and inserting them never blocks request handling. SQLite's write
 * lock (BEGIN IMMEDIATE) orders these appends with the main thread's in-transaction ones,
 * exactly as it does between server processes.
 *
 * Batches keep coming while one is committed (audit-appender.ts is `ordered`): every batch
 * that arrived during a commit goes into the next one, in arrival order, so one sync covers
 * them all, and each is answered in that order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PreparedEvent } from '../../audit/prepared';
import { SqliteStore } from './sqlite-store';

// Each batch it commits answers reads that wait for it: synced to disk (group commit).
const store = new SqliteStore((workerData as { file: string }).file, true);
const port = parentPort as NonNullable<typeof parentPort>;
port.postMessage({ ready: true });

let waiting: { id: number; events: PreparedEvent[] }[] = [];

/** Commits every batch received so far in one transaction, then answers each. */
async function commit(): Promise<void> {
  const batches = waiting;
  waiting = [];
  if (batches.length === 0) return;
  try {
    await store.appendPrepared(batches.flatMap((b) => b.events));
    for (const b of batches) port.postMessage({ id: b.id, ok: true });
  } catch (err) {
    for (const b of batches) port.postMessage({ id: b.id, ok: false, message: (err as Error).message, code: (err as { code?: unknown }).code });
  }
}

port.on('message', (msg: { id: number; events?: PreparedEvent[]; close?: boolean }) => {
  if (msg.close) {
    void commit()
      .then(() => store.close())
      .then(() => port.close());
    return;
  }
  waiting.push({ id: msg.id, events: msg.events ?? [] });
  // After the messages already waiting are taken: the port delivers them all before this runs.
  if (waiting.length === 1) setImmediate(() => void commit());
});
