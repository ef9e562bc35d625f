/**
 * Group commit with an appender that takes the next batch while it commits the last (the
 * SQLite writer thread): issue 12 §15, a read is answered only once its event is committed,
 * and the cost of logging stays small because a commit's sync never waits for the request
 * thread to notice that the previous one ended.
 */
import pino from 'pino';
import type { AuditEventInput } from '../../src/audit/events';
import { AUDIT_DEFAULTS, AuditLog } from '../../src/audit/log';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { systemClock } from '../../src/time';

/** An ordered appender whose batches the test settles one by one. */
function gatedAppender() {
  const batches: { details: number[]; settle: (err?: Error) => void }[] = [];
  return {
    batches,
    appender: {
      ordered: true,
      append: (events: AuditEventInput[]) =>
        new Promise<void>((resolve, reject) => {
          batches.push({ details: events.map((e) => (e.detail as { i: number }).i), settle: (err) => (err ? reject(err) : resolve()) });
        }),
      close: async () => undefined,
    },
  };
}

const event = (i: number, action = 'objects.read'): AuditEventInput => ({ time: systemClock(), action, outcome: 'success', detail: { i } });
// After the group timer (groupMs 0 is a 1 ms timer) that a queued event set: timers fire in order.
const turn = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('sharing log: batches in flight with an ordered appender (issue 12 §15)', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  it('sends the next batch before the last is committed, and answers each read only when its own batch is', async () => {
    const { batches, appender } = gatedAppender();
    const log = new AuditLog(store, systemClock, pino({ level: 'silent' }), { ...AUDIT_DEFAULTS, groupMs: 0 }, appender);
    const done: number[] = [];
    const first = [0, 1].map((i) => log.record(event(i)).then(() => done.push(i)));
    await turn();
    const second = [2, 3, 4].map((i) => log.record(event(i)).then(() => done.push(i)));
    await turn();
    expect(batches.map((b) => b.details)).toEqual([
      [0, 1],
      [2, 3, 4],
    ]);
    expect(done).toEqual([]);
    batches[0]?.settle();
    await Promise.all(first);
    await turn();
    expect(done).toEqual([0, 1]);
    batches[1]?.settle();
    await Promise.all(second);
    expect(done).toEqual([0, 1, 2, 3, 4]);
  });

  it('flush() waits for what was queued before it, not for what comes after', async () => {
    const { batches, appender } = gatedAppender();
    const log = new AuditLog(store, systemClock, pino({ level: 'silent' }), { ...AUDIT_DEFAULTS, groupMs: 60_000 }, appender);
    void log.note(event(0, 'auth.failure'));
    let flushed = false;
    const flushing = log.flush().then(() => (flushed = true));
    void log.note(event(1, 'auth.failure'));
    void log.flush();
    await turn();
    expect(batches.map((b) => b.details)).toEqual([[0], [1]]);
    batches[0]?.settle();
    await flushing;
    expect(flushed).toBe(true);
    batches[1]?.settle();
  });

  it('a batch the store refuses: its reads and the queued ones answer the failure, refusals are retried, the log reports unhealthy until a batch commits', async () => {
    const { batches, appender } = gatedAppender();
    const log = new AuditLog(store, systemClock, pino({ level: 'silent' }), { ...AUDIT_DEFAULTS, groupMs: 60_000 }, appender);
    const read0 = log.record(event(0));
    void log.note(event(1, 'auth.failure'));
    void log.flush().catch(() => undefined);
    await turn();
    const read2 = log.record(event(2));
    expect(batches.map((b) => b.details)).toEqual([[0, 1]]);
    batches[0]?.settle(Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' }));
    await expect(read0).rejects.toThrow('disk full');
    await expect(read2).rejects.toThrow('disk full');
    expect(log.healthy).toBe(false);
    // The refusal is sent again with the next flush, alone; once it commits, the log is healthy.
    const retry = log.flush();
    await turn();
    expect(batches.map((b) => b.details)).toEqual([[0, 1], [1]]);
    batches[1]?.settle();
    await retry;
    expect(log.healthy).toBe(true);
  });

  it('an appender that is not ordered gets one batch at a time', async () => {
    const { batches, appender } = gatedAppender();
    const log = new AuditLog(store, systemClock, pino({ level: 'silent' }), { ...AUDIT_DEFAULTS, groupMs: 0 }, { ...appender, ordered: false });
    const reads = [log.record(event(0))];
    await turn();
    reads.push(log.record(event(1)), log.record(event(2)));
    await turn();
    expect(batches.map((b) => b.details)).toEqual([[0]]);
    batches[0]?.settle();
    await reads[0];
    await turn();
    expect(batches.map((b) => b.details)).toEqual([[0], [1, 2]]);
    batches[1]?.settle();
    await Promise.all(reads);
  });
});
