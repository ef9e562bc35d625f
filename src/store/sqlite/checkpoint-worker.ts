/**
 * Worker thread that copies the WAL into the database file (PASSIVE checkpoints) with its own
 * connection, so the request thread's commits no longer pay for it (checkpointer.ts). PASSIVE
 * never waits for a reader or a writer: SQLite takes its checkpoint lock, so checkpointers of
 * several processes sharing the file (`accord serve --workers`) take turns, and one that finds
 * the lock taken (SQLITE_BUSY) tries again at its next turn.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

export type CheckpointReply = { ready: true } | { id: number; frames: number; copied: number } | { warning: string };

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const port = parentPort as NonNullable<typeof parentPort>;
const db = new Database(file);

/** Frames in the WAL and frames copied to the database file, after this checkpoint. */
function checkpoint(): { frames: number; copied: number } {
  const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
  return { frames: row?.log ?? 0, copied: row?.checkpointed ?? 0 };
}

let warned = false;
const timer = setInterval(() => {
  try {
    checkpoint();
  } catch (e) {
    // A full disk or an I/O error: said once; the WAL still grows no further than the request
    // thread's own checkpoints allow (database.ts).
    if (!warned) port.postMessage({ warning: (e as Error).message } satisfies CheckpointReply);
    warned = true;
  }
}, intervalMs);

port.on('message', (msg: { id?: number; close?: boolean }) => {
  if (msg.close) {
    clearInterval(timer);
    db.close();
    port.close();
    return;
  }
  port.postMessage({ id: msg.id as number, ...checkpoint() } satisfies CheckpointReply);
});
port.postMessage({ ready: true } satisfies CheckpointReply);
