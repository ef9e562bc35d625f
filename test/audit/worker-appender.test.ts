import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { AUDIT_DEFAULTS, AuditLog } from '../../src/audit/log';
import { verifyStoreLog } from '../../src/audit/verify';
import { SqliteAuditWorker } from '../../src/store/sqlite/audit-appender';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { systemClock } from '../../src/time';

// The worker runs the TypeScript sources too, so it needs the same require hook as the CLI tests.
const SWC = ['-r', join(__dirname, '..', 'support', 'swc-register.js')];

const fail = (message: string) => {
  throw new Error(`the worker should have started: ${message}`);
};

describe('sharing log: read events appended off the request thread', () => {
  it('a worker thread and the main thread appending at once keep one linear, complete chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-worker-'));
    const file = join(dir, 'a.db');
    const store = new SqliteStore(file);
    try {
      const log = new AuditLog(
        store,
        systemClock,
        pino({ level: 'silent' }),
        { ...AUDIT_DEFAULTS, batchSize: 25 },
        new SqliteAuditWorker(file, (events) => store.appendAuditEvents(events), fail, SWC),
      );
      const reads = Array.from({ length: 300 }, (_, i) =>
        log.record({
          time: systemClock(),
          action: 'objects.read',
          outcome: 'success',
          objects: [{ id: `indicator--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, version: '2026-01-01T00:00:00.000000Z' }],
        }),
      );
      // Meanwhile the main thread appends write-side events, as adds and deletes do.
      for (let i = 0; i < 40; i++) await store.appendAuditEvents([{ time: systemClock(), action: 'objects.add', outcome: 'success' }]);
      await Promise.all(reads);
      await log.close();
      const result = await verifyStoreLog(store);
      expect(result).toMatchObject({ ok: true, events: 340 });
      expect((await store.queryAuditEvents({ action: 'objects.read', limit: 1000 })).records).toHaveLength(300);
      expect((await store.queryAuditEvents({ objectId: 'indicator--00000000-0000-4000-8000-000000000299', limit: 10 })).records).toHaveLength(1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('issue 15: the writer thread has a small young generation, and appends read events of 1,000-object pages far larger than it, every one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-worker-'));
    const file = join(dir, 'a.db');
    const store = new SqliteStore(file);
    try {
      const writer = new SqliteAuditWorker(file, (events) => store.appendAuditEvents(events), fail, SWC);
      const log = new AuditLog(store, systemClock, pino({ level: 'silent' }), AUDIT_DEFAULTS, writer);
      // 60 pages of 1,000 refs: ~6 MB of events as JSON, several times the young generation.
      const page = (p: number) =>
        Array.from({ length: 1000 }, (_, i) => ({
          id: `indicator--00000000-0000-4000-8000-${String(p * 1000 + i).padStart(12, '0')}`,
          version: '2026-01-01T00:00:00.000000Z',
        }));
      await Promise.all(
        Array.from({ length: 60 }, (_, p) => log.record({ time: systemClock(), action: 'objects.read', outcome: 'success', objects: page(p) })),
      );
      expect(writer.resourceLimits.maxYoungGenerationSizeMb).toBeLessThanOrEqual(12);
      await log.close();
      expect(await verifyStoreLog(store)).toMatchObject({ ok: true, events: 60 });
      expect((await store.queryAuditEvents({ objectId: 'indicator--00000000-0000-4000-8000-000000059999', limit: 10 })).records).toHaveLength(1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the worker cannot write, the flush fails and the log turns unhealthy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-worker-'));
    const file = join(dir, 'a.db');
    const store = new SqliteStore(file);
    try {
      const log = new AuditLog(
        store,
        systemClock,
        pino({ level: 'silent' }),
        AUDIT_DEFAULTS,
        new SqliteAuditWorker(file, (events) => store.appendAuditEvents(events), fail, SWC),
      );
      const raw = new Database(file);
      raw.exec('DROP TABLE audit_events');
      raw.close();
      // Not toThrow(): errors from the native SQLite module are not always `instanceof Error` in jest's sandbox.
      await expect(log.record({ time: systemClock(), action: 'objects.read', outcome: 'success' })).rejects.toMatchObject({
        message: expect.stringMatching(/no such table: audit_events/),
      });
      expect(log.healthy).toBe(false);
      await log.close().catch(() => undefined);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a worker that cannot start hands its appends to the main thread, with a warning, and loses nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-worker-'));
    const file = join(dir, 'a.db');
    const store = new SqliteStore(file);
    try {
      const warnings: string[] = [];
      // No require hook: the worker cannot load the TypeScript sources.
      const appender = new SqliteAuditWorker(
        file,
        (events) => store.appendAuditEvents(events),
        (m) => warnings.push(m),
        [],
      );
      const log = new AuditLog(store, systemClock, pino({ level: 'silent' }), AUDIT_DEFAULTS, appender);
      for (let i = 0; i < 5; i++) await log.record({ time: systemClock(), action: 'objects.read', outcome: 'success' });
      await log.close();
      expect(warnings).toEqual([expect.stringMatching(/^sharing-log writer thread unavailable .*; appending on the main thread$/)]);
      expect(await verifyStoreLog(store)).toMatchObject({ ok: true, events: 5 });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
