/**
 * Worker thread that appends read-side sharing-log events with its own connection to the
 * SQLite file, so hashing and inserting them never blocks request handling. SQLite's write
 * lock (BEGIN IMMEDIATE) orders these appends with the main thread's in-transaction ones,
 * exactly as it does between server processes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PreparedEvent } from '../../audit/prepared';
import { SqliteStore } from './sqlite-store';

// Each batch it commits answers reads that wait for it: synced to disk (group commit).
const store = new SqliteStore((workerData as { file: string }).file, true);
const port = parentPort as NonNullable<typeof parentPort>;
port.postMessage({ ready: true });

port.on('message', (msg: { id: number; events?: PreparedEvent[]; close?: boolean }) => {
  if (msg.close) {
    void store.close().then(() => port.close());
    return;
  }
  store.appendPrepared(msg.events ?? []).then(
    () => port.postMessage({ id: msg.id, ok: true }),
    (err: unknown) => port.postMessage({ id: msg.id, ok: false, message: (err as Error).message, code: (err as { code?: unknown }).code }),
  );
});
