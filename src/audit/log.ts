/**
 * Writes read-side sharing-log events without slowing reads: events go into a bounded queue
 * that is appended in batches (one transaction per batch). When the queue is full, callers
 * wait for a flush (back-pressure, nothing dropped). If the log cannot be written, the log
 * turns unhealthy: /readyz reports it and requests that would need the log are refused
 * (fail closed) until a flush succeeds. Write-side events do not pass here: they commit in
 * the store's transaction with the data they describe.
 */
import type { Logger } from 'pino';
import type { AuditAppender, AuditStore } from '../store/audit-store';
import type { Clock } from '../time';
import type { AuditEventInput } from './events';

export interface AuditLogOptions {
  /** Flush at least this often (ms). */
  flushMs: number;
  /** Flush as soon as this many events wait. */
  batchSize: number;
  /** Most events held in memory; producers wait beyond it. */
  queueLimit: number;
  /**
   * The same two limits counted in object versions named: a read of a 1,000-object page is
   * one event but a thousand refs, and 10,000 such events held a gigabyte.
   */
  batchObjects: number;
  queueObjects: number;
  /** Record a checkpoint at least this often (seconds), when events were added. */
  checkpointSeconds: number;
}

export const AUDIT_DEFAULTS: AuditLogOptions = { flushMs: 200, batchSize: 500, queueLimit: 10_000, batchObjects: 20_000, queueObjects: 100_000, checkpointSeconds: 300 };

const weight = (e: AuditEventInput) => e.objects?.length ?? 0;

export class AuditLog {
  private queue: AuditEventInput[] = [];
  /** Object refs named by the queued events. */
  private queuedObjects = 0;
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  /** `appender`: where queued events go (default: the store, on this thread). */
  constructor(
    private readonly store: AuditStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: AuditLogOptions = AUDIT_DEFAULTS,
    private readonly appender?: AuditAppender,
  ) {}

  /** Starts the flush and checkpoint timers (servers do; one-shot tools flush explicitly). */
  start(): void {
    this.timers.push(setInterval(() => void this.flush().catch(() => undefined), this.options.flushMs).unref());
    this.timers.push(
      setInterval(() => {
        this.store.checkpoint(this.clock()).catch((err: unknown) => this.log.error({ err }, 'audit checkpoint failed'));
      }, this.options.checkpointSeconds * 1000).unref(),
    );
  }

  get healthy(): boolean {
    return this.failure === undefined;
  }

  /** Queues an event; waits when the queue is full. */
  async record(event: AuditEventInput): Promise<void> {
    while (this.queue.length >= this.options.queueLimit || (this.queue.length > 0 && this.queuedObjects + weight(event) > this.options.queueObjects)) await this.flush();
    this.queue.push(event);
    this.queuedObjects += weight(event);
    if (this.queue.length >= this.options.batchSize || this.queuedObjects >= this.options.batchObjects) void this.flush().catch(() => undefined);
  }

  /** Appends everything queued so far. Rejects (and turns unhealthy) when the store refuses. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      // At least one event, however large; then up to either limit.
      let take = 0;
      let objects = 0;
      while (take < this.queue.length && take < this.options.batchSize && (take === 0 || objects + weight(this.queue[take] as AuditEventInput) <= this.options.batchObjects)) {
        objects += weight(this.queue[take] as AuditEventInput);
        take++;
      }
      const batch = this.queue.slice(0, take);
      try {
        await (this.appender ? this.appender.append(batch) : this.store.appendAuditEvents(batch));
      } catch (err) {
        this.failure = err as Error;
        this.log.error({ err }, 'the sharing log cannot be written');
        throw err;
      }
      this.queue.splice(0, batch.length);
      this.queuedObjects -= objects;
      this.failure = undefined;
    }
  }

  /** Stops the timers and writes what is queued (graceful shutdown). */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    try {
      await this.flush();
    } finally {
      await this.appender?.close();
    }
    await this.store.checkpoint(this.clock());
  }
}
