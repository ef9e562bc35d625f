/**
 * WAL checkpoints off the request thread (issue 15). An ingested 1,000-object envelope writes
 * several MB to the WAL, and SQLite's automatic checkpoint copies them into the database file
 * (and syncs it) inside the commit of whichever request crosses the threshold. Here a worker
 * thread (checkpoint-worker.ts) runs a PASSIVE checkpoint every CHECKPOINT_INTERVAL_MS,
 * and the request thread's connection checkpoints only if the WAL outgrows a bound (the worker
 * fell behind or stopped): the WAL stays bounded either way. Durability does not change:
 * a commit is synced in the WAL before it is acknowledged, checkpointed or not.
 *
 * Under a steady ingest the WAL does reach that bound: SQLite starts it over only when a
 * commit finds every frame copied, and a checkpoint racing the next commits rarely has; the
 * request thread's checkpoint then copies only what the thread has not (once every ~20
 * envelopes). Tried and not kept: a checkpoint after each commit, to copy all before the next
 * one: no less request-thread CPU, and 14.1 KB written per object at 300k against 10.6 (each
 * page of the id index copied once per envelope instead of once per interval).
 */
import type { Worker } from 'node:worker_threads';
import type { CheckpointReply } from './checkpoint-worker';
import { startThread } from './threads';

/** Under a steady ingest, about as much WAL per checkpoint as SQLite's threshold used to be. */
export const CHECKPOINT_INTERVAL_MS = 500;

export class SqliteCheckpointer {
  private readonly worker: Worker;
  private next = 1;
  private readonly waiting = new Map<number, (result: { frames: number; copied: number }) => void>();
  private exited = false;
  /** Resolves true once the worker runs, false if it could not start. */
  readonly started: Promise<boolean>;

  /** `execArgv` passes a require hook when running from TypeScript sources. */
  constructor(file: string, warn: (message: string) => void, options: { intervalMs?: number; execArgv?: string[] } = {}) {
    ({ worker: this.worker, started: this.started } = startThread(
      'checkpoint-worker',
      { file, intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS },
      (err) => warn(`WAL checkpoint thread unavailable (${err.message}); checkpoints stay on the request thread`),
      options.execArgv && { execArgv: options.execArgv },
    ));
    // Not before it is ready: a process whose only pending work is awaiting this start
    // (bench/audit-server.ts with the log off) would otherwise end there, silently.
    void this.started.then(() => this.worker.unref());
    this.worker.on('message', (msg: CheckpointReply) => {
      if ('warning' in msg) warn(`WAL checkpoint failed: ${msg.warning}`);
      if (!('id' in msg)) return;
      this.waiting.get(msg.id)?.(msg);
      this.waiting.delete(msg.id);
    });
    this.worker.on('exit', () => {
      this.exited = true;
      for (const settle of this.waiting.values()) settle({ frames: 0, copied: 0 });
      this.waiting.clear();
    });
  }

  /** A checkpoint now, on the worker: the WAL's frames and how many are in the database file. */
  async checkpointNow(): Promise<{ frames: number; copied: number }> {
    if (!(await this.started) || this.exited) return { frames: 0, copied: 0 };
    return new Promise((resolve) => {
      const id = this.next++;
      this.waiting.set(id, resolve);
      this.worker.postMessage({ id });
    });
  }

  async close(): Promise<void> {
    if (this.exited || !(await this.started)) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ close: true });
    await exited;
  }
}
