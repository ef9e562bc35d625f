import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import type { AuditEventInput } from '../../src/audit/events';
import { AUDIT_DEFAULTS, AuditLog } from '../../src/audit/log';
import { verifyStoreLog } from '../../src/audit/verify';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { systemClock } from '../../src/time';
import { createHarness, envelope, indicator, TAXII } from '../support/harness';
import { get, objectsUrl } from '../http/wire';
import request from 'supertest';

describe('sharing log: no event lost, fail closed', () => {
  it('a graceful shutdown with a full queue writes every queued event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-durable-'));
    try {
      const store = new SqliteStore(join(dir, 'a.db'));
      // A queue far smaller than the events sent: producers must wait, nothing may be dropped.
      const log = new AuditLog(store, systemClock, pino({ level: 'silent' }), {
        ...AUDIT_DEFAULTS,
        flushMs: 60_000,
        batchSize: 7,
        queueLimit: 20,
        checkpointSeconds: 3600,
      });
      await Promise.all(
        Array.from({ length: 250 }, (_, i) => log.record({ time: systemClock(), action: 'objects.read', outcome: 'success', detail: { i } })),
      );
      await log.close();
      await store.close();
      const reopened = new SqliteStore(join(dir, 'a.db'));
      const r = await verifyStoreLog(reopened);
      expect(r).toMatchObject({ ok: true, events: 250 });
      const details = (await reopened.queryAuditEvents({ limit: 1000 })).records.map((e) => (e.detail as { i: number }).i).sort((a, b) => a - b);
      expect(details).toEqual(Array.from({ length: 250 }, (_, i) => i));
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('holds a bounded number of object refs in memory: a producer waits beyond queueObjects, batches stay within batchObjects', async () => {
    const batches: number[][] = [];
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const appender = {
      append: async (events: AuditEventInput[]) => {
        batches.push(events.map((e) => e.objects?.length ?? 0));
        await gate;
      },
      close: async () => undefined,
    };
    const store = new SqliteStore(':memory:');
    const log = new AuditLog(
      store,
      systemClock,
      pino({ level: 'silent' }),
      { ...AUDIT_DEFAULTS, flushMs: 60_000, batchObjects: 2000, queueObjects: 3000 },
      appender,
    );
    const read = (n: number): AuditEventInput => ({
      time: systemClock(),
      action: 'objects.read',
      outcome: 'success',
      objects: Array.from({ length: n }, (_, i) => ({
        id: `indicator--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        version: '2026-01-01T00:00:00.000000Z',
      })),
    });
    let written = 0;
    const recorded = Array.from({ length: 6 }, () => log.record(read(1000)).then(() => written++));
    await new Promise((resolve) => setImmediate(resolve));
    // Nothing is acknowledged before its commit; the first batch stops at 2,000 refs.
    expect([written, batches]).toEqual([0, [[1000, 1000]]]);
    release();
    await Promise.all(recorded);
    // While the first batch was written only a third read fitted in 3,000 refs: it went
    // alone, and the other three waited for room.
    expect(batches).toEqual([[1000, 1000], [1000], [1000, 1000], [1000]]);
    for (const b of batches) expect(b.reduce((a, x) => a + x, 0)).toBeLessThanOrEqual(2000);
    await store.close();
  });

  it('when the log cannot be written: adds store nothing, reads are refused with 503, /readyz reports it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-closed-'));
    const h = await createHarness({ storeFile: join(dir, 'b.db') });
    try {
      // Break the log for real, from a second connection to the same database file.
      const raw = new Database(join(dir, 'b.db'));
      raw.exec('DROP TABLE audit_events');
      raw.close();
      const c = h.collections.alpha;
      const post = await request(h.app)
        .post(objectsUrl(c))
        .set('Authorization', h.accounts.writer.auth)
        .set('Content-Type', TAXII)
        .send(envelope([indicator(1)]));
      expect(post.status).toBe(500);
      const page = await h.store.queryManifest({ collectionId: c.id, versions: { all: true, first: false, last: false, at: [] }, limit: 10 });
      expect(page.records).toEqual([]);
      // A read is answered only once its event is written: it cannot be, so no content goes out.
      const served = await get(h, objectsUrl(c), h.accounts.reader.auth);
      expect(served.status).toBe(503);
      expect(h.ctx.audit.healthy).toBe(false);
      expect((await get(h, objectsUrl(c), h.accounts.reader.auth)).status).toBe(503);
      expect((await request(h.app).get('/readyz')).status).toBe(503);
    } finally {
      await h.close().catch(() => undefined); // the queued events cannot be written: that is the point
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
