/**
 * Writes read-side sharing-log events by group commit: events go into a bounded queue that is
 * appended in batches (one transaction per batch), and `record()` resolves only once its
 * event's batch is committed, so a read is answered only after it is on the record. A batch
 * starts `groupMs` after the first event waiting; events arriving while one batch is being
 * written form the next, so under load many reads share one commit. When the queue is full,
 * callers wait (back-pressure, nothing dropped). If the log cannot be written, the log turns
 * unhealthy: /readyz reports it and requests that would need the log are refused (fail
 * closed) until a flush succeeds. Write-side events do not pass here: they commit in the
 * store's transaction with the data they describe.
 */
import type { Logger } from 'pino';
import type { AuditAppender, AuditStore } from '../store/audit-store';
import type { Store } from '../store/store';
import type { Clock } from '../time';
import type { AuditEventInput } from './events';

export interface AuditLogOptions {
  /** Retry queued events at least this often (ms) after a failed flush. */
  flushMs: number;
  /** How long the first waiting event waits for others to share its commit (ms; 0: the next turn of the event loop). */
  groupMs: number;
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

export const AUDIT_DEFAULTS: AuditLogOptions = {
  flushMs: 200,
  groupMs: 1,
  batchSize: 500,
  queueLimit: 10_000,
  batchObjects: 20_000,
  queueObjects: 100_000,
  checkpointSeconds: 300,
};

const weight = (e: AuditEventInput) => e.objects?.length ?? 0;

/**
 * A queued event. `waiter` is the request waiting for its commit: on failure it is told (and
 * answers 503, logging that failure instead of the read), so its event is dropped; events
 * without one (refusals) stay queued and are retried.
 */
interface Entry {
  event: AuditEventInput;
  waiter?: { resolve: () => void; reject: (err: Error) => void };
}

export class AuditLog {
  private queue: Entry[] = [];
  /** Object refs named by the queued events. */
  private queuedObjects = 0;
  private flushing: Promise<void> | undefined;
  private grouping: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  /** `appender`: where queued events go (default: the store, on this thread). */
  constructor(
    private readonly store: AuditStore & Pick<Store, 'probeWrite'>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: AuditLogOptions = AUDIT_DEFAULTS,
    private readonly appender?: AuditAppender,
  ) {}

  /** Starts the flush and checkpoint timers (servers do; one-shot tools flush explicitly). */
  start(): void {
    this.timers.push(setInterval(() => void (this.failure ? this.probe() : this.flush()).catch(() => undefined), this.options.flushMs).unref());
    this.timers.push(
      setInterval(() => {
        this.store.checkpoint(this.clock()).catch((err: unknown) => this.log.error({ err }, 'audit checkpoint failed'));
      }, this.options.checkpointSeconds * 1000).unref(),
    );
  }

  get healthy(): boolean {
    return this.failure === undefined;
  }

  /** Appends an event; resolves once it is committed, rejects when it cannot be. */
  async record(event: AuditEventInput): Promise<void> {
    while (this.full(event)) await this.flush();
    // Queued in the same turn as the check above, so a burst cannot overfill the queue.
    await new Promise<void>((resolve, reject) => this.enqueue({ event, waiter: { resolve, reject } }));
  }

  /** Queues an event nobody waits for (a refusal): written with the next batch, retried until it is. */
  async note(event: AuditEventInput): Promise<void> {
    while (this.full(event)) await this.flush();
    this.enqueue({ event });
  }

  private full(event: AuditEventInput): boolean {
    return this.queue.length >= this.options.queueLimit || (this.queue.length > 0 && this.queuedObjects + weight(event) > this.options.queueObjects);
  }

  private enqueue(entry: Entry): void {
    this.queue.push(entry);
    this.queuedObjects += weight(entry.event);
    if (this.queue.length >= this.options.batchSize || this.queuedObjects >= this.options.batchObjects) void this.flush().catch(() => undefined);
    else this.grouping ??= setTimeout(() => void this.flush().catch(() => undefined), this.options.groupMs);
  }

  /**
   * Checks that the log can be written, with a real write where it is kept (/readyz). After a
   * failure this is how the log recovers when no event waits to be retried.
   */
  async probe(): Promise<void> {
    await this.store.probeWrite(this.clock());
    if (this.queue.length > 0) await this.flush();
    else this.failure = undefined;
  }

  /** Appends everything queued so far. Rejects (and turns unhealthy) when the store refuses. */
  flush(): Promise<void> {
    clearTimeout(this.grouping);
    this.grouping = undefined;
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
      while (
        take < this.queue.length &&
        take < this.options.batchSize &&
        (take === 0 || objects + weight((this.queue[take] as Entry).event) <= this.options.batchObjects)
      ) {
        objects += weight((this.queue[take] as Entry).event);
        take++;
      }
      const batch = this.queue.slice(0, take);
      const events = batch.map((e) => e.event);
      try {
        await (this.appender ? this.appender.append(events) : this.store.appendAuditEvents(events));
      } catch (err) {
        this.failure = err as Error;
        this.log.error({ err }, 'the sharing log cannot be written');
        // Every waiting request is answered 503 now rather than left hanging until a retry.
        const waiting = this.queue.filter((e) => e.waiter);
        this.queue = this.queue.filter((e) => !e.waiter);
        this.queuedObjects = this.queue.reduce((n, e) => n + weight(e.event), 0);
        for (const e of waiting) e.waiter?.reject(err as Error);
        throw err;
      }
      this.queue.splice(0, batch.length);
      this.queuedObjects -= objects;
      this.failure = undefined;
      for (const e of batch) e.waiter?.resolve();
    }
  }

  /** Stops the timers and writes what is queued (graceful shutdown). */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.grouping);
    try {
      await this.flush();
    } finally {
      await this.appender?.close();
    }
    await this.store.checkpoint(this.clock());
  }
}
