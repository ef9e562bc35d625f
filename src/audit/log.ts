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
  /** Its place in the order events were queued (flush() waits up to a place). */
  n: number;
  event: AuditEventInput;
  waiter?: { resolve: () => void; reject: (err: Error) => void };
}

export class AuditLog {
  /** Events not yet handed to the store. */
  private queue: Entry[] = [];
  /** Object refs named by the queued events. */
  private queuedObjects = 0;
  /** Events, batches and refs handed to the store and not yet settled (held in memory too). */
  private inFlightEvents = 0;
  private inFlightBatches = 0;
  private inFlightObjects = 0;
  /** Places given and settled so far: batches settle in the order they were sent. */
  private queued = 0;
  private settled = 0;
  /** flush() callers waiting for everything queued before them (up to `upTo`) to settle. */
  private drainWaiters: { upTo: number; resolve: () => void; reject: (err: Error) => void }[] = [];
  private grouping: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  /**
   * How many batches may be in flight at once. An appender that commits in the order it is
   * handed batches (the SQLite writer thread) gets the next batch while it syncs the last,
   * so a commit's fsync never waits for this thread to notice the previous one ended; the
   * store itself appends one batch at a time (MongoDB transactions would conflict on the head).
   */
  private readonly maxInFlight: number;

  /** `appender`: where queued events go (default: the store, on this thread). */
  constructor(
    private readonly store: AuditStore & Pick<Store, 'probeWrite'>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: AuditLogOptions = AUDIT_DEFAULTS,
    private readonly appender?: AuditAppender,
  ) {
    this.maxInFlight = appender?.ordered ? Infinity : 1;
  }

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
    await new Promise<void>((resolve, reject) => this.enqueue({ n: ++this.queued, event, waiter: { resolve, reject } }));
  }

  /** Queues an event nobody waits for (a refusal): written with the next batch, retried until it is. */
  async note(event: AuditEventInput): Promise<void> {
    while (this.full(event)) await this.flush();
    this.enqueue({ n: ++this.queued, event });
  }

  private full(event: AuditEventInput): boolean {
    const held = this.queue.length + this.inFlightEvents;
    return held >= this.options.queueLimit || (held > 0 && this.queuedObjects + this.inFlightObjects + weight(event) > this.options.queueObjects);
  }

  private enqueue(entry: Entry): void {
    this.queue.push(entry);
    this.queuedObjects += weight(entry.event);
    if (this.queue.length >= this.options.batchSize || this.queuedObjects >= this.options.batchObjects) this.pump();
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

  /**
   * Hands everything queued so far to the store and resolves once it is committed (events
   * queued later are not waited for). Rejects (and turns unhealthy) when the store refuses.
   */
  flush(): Promise<void> {
    clearTimeout(this.grouping);
    this.grouping = undefined;
    this.pump();
    if (this.queue.length === 0 && this.inFlightBatches === 0) return this.failure ? Promise.reject(this.failure) : Promise.resolve();
    return new Promise<void>((resolve, reject) => this.drainWaiters.push({ upTo: this.queued, resolve, reject }));
  }

  /** Sends batches while the appender takes more: at least one event each, however large, then up to either limit. */
  private pump(): void {
    while (this.queue.length > 0 && this.inFlightBatches < this.maxInFlight) {
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
      this.queuedObjects -= objects;
      this.send(this.queue.splice(0, take), objects);
    }
  }

  private send(batch: Entry[], objects: number): void {
    this.inFlightBatches++;
    this.inFlightEvents += batch.length;
    this.inFlightObjects += objects;
    const events = batch.map((e) => e.event);
    const settle = () => {
      this.inFlightBatches--;
      this.inFlightEvents -= batch.length;
      this.inFlightObjects -= objects;
    };
    (this.appender ? this.appender.append(events) : this.store.appendAuditEvents(events)).then(
      () => {
        settle();
        this.failure = undefined;
        this.settled = Math.max(this.settled, ...batch.map((e) => e.n));
        for (const e of batch) e.waiter?.resolve();
        this.pump();
        const idle = this.queue.length === 0 && this.inFlightBatches === 0;
        const done = this.drainWaiters.filter((w) => idle || w.upTo <= this.settled);
        this.drainWaiters = this.drainWaiters.filter((w) => !done.includes(w));
        for (const w of done) w.resolve();
      },
      (err: Error) => {
        settle();
        this.failure = err;
        this.log.error({ err }, 'the sharing log cannot be written');
        // Every waiting request is answered 503 now rather than left hanging until a retry;
        // events nobody waits for (refusals) go back to the front of the queue, to be retried.
        const waiting = [...batch, ...this.queue].filter((e) => e.waiter);
        this.queue = [...batch, ...this.queue].filter((e) => !e.waiter);
        this.queuedObjects = this.queue.reduce((n, e) => n + weight(e.event), 0);
        for (const e of waiting) e.waiter?.reject(err);
        for (const w of this.drainWaiters.splice(0)) w.reject(err);
      },
    );
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
