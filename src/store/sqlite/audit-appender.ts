/**
 * The main-thread side of audit-worker.ts: batches go to the worker, replies settle them.
 * If the worker cannot start (e.g. running from TypeScript sources without a loader), the
 * appender says so and appends on this thread instead: slower, never lossy.
 */
import type { ResourceLimits, Worker } from 'node:worker_threads';
import type { AuditEventInput } from '../../audit/events';
import { prepareEvent } from '../../audit/prepared';
import type { AuditAppender } from '../audit-store';
import { startThread } from './threads';

/**
 * The writer thread's young generation (two semi-spaces and the new large-object space), MB.
 * V8's default grows it to 48 MB, of which 32 MB stay resident once grown: the thread
 * allocates fast (every read's page of refs) but keeps little, so a small one costs a few
 * more scavenges and saves ~25 MB of the server's RSS under load (npm run bench:memory).
 * Only the young generation is bounded: a bound on the old one could stop the log's writer.
 */
const WRITER_YOUNG_GENERATION_MB = 12;

type Reply = { ready: true } | { id: number; ok: boolean; message?: string; code?: string };

export class SqliteAuditWorker implements AuditAppender {
  /** The worker commits batches in the order they were posted and answers them in that order. */
  readonly ordered = true;
  private readonly worker: Worker;
  private next = 1;
  private exited = false;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  /** Resolves true once the worker runs, false if it could not start. */
  private readonly started: Promise<boolean>;

  /**
   * `fallback` appends on this thread when the worker cannot start; `execArgv` passes a
   * require hook when running from TypeScript sources.
   */
  constructor(
    file: string,
    private readonly fallback: (events: AuditEventInput[]) => Promise<unknown>,
    private readonly warn: (message: string) => void,
    execArgv?: string[],
  ) {
    ({ worker: this.worker, started: this.started } = startThread(
      'audit-worker',
      { file },
      (err) => this.warn(`sharing-log writer thread unavailable (${err.message}); appending on the main thread`),
      { resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB }, ...(execArgv && { execArgv }) },
    ));
    this.worker.on('message', (msg: Reply) => {
      if ('ready' in msg) return;
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (msg.ok) w?.resolve();
      // The code (e.g. SQLITE_FULL) travels too: a storage fault answers 503, not 500.
      else w?.reject(Object.assign(new Error(`the sharing log cannot be written: ${msg.message ?? 'unknown error'}`), { code: msg.code }));
    });
    this.worker.on('exit', () => {
      this.exited = true;
      for (const w of this.waiting.values()) w.reject(new Error('the sharing-log writer stopped'));
      this.waiting.clear();
    });
  }

  /** The V8 limits the writer thread runs with (empty once it has stopped). */
  get resourceLimits(): ResourceLimits {
    return this.worker.resourceLimits ?? {};
  }

  async append(events: AuditEventInput[]): Promise<void> {
    if (!(await this.started) || this.exited) {
      await this.fallback(events);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const id = this.next++;
      this.waiting.set(id, { resolve, reject });
      // Prepared here (audit/prepared.ts): a few strings per event to clone, where
      // structured cloning a read's page of {id, version} took ~0.17 ms of this thread, and
      // sending it as JSON made the writer parse and re-serialise it before hashing.
      this.worker.postMessage({ id, events: events.map(prepareEvent) });
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ close: true });
    await exited;
  }
}
