/**
 * The sharing log's daily summaries in SQLite: a database whose log was written before the
 * summaries existed gets them filled by the migration, equal to what appends maintain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DAILY_KEYS, WITHHELD_KEYS } from '../../src/audit/daily';
import type { AuditEventInput } from '../../src/audit/events';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { rollBackTo } from '../support/sqlite-rollback';

const T0 = Date.UTC(2026, 2, 1) * 1000;
const HOUR = 3_600_000_000;

function events(): AuditEventInput[] {
  const out: AuditEventInput[] = [];
  for (let i = 0; i < 200; i++) {
    out.push({
      time: T0 + i * HOUR,
      action: ['objects.read', 'objects.add', 'object.read', 'auth.failure'][i % 4] as string,
      outcome: i % 7 === 0 ? 'denied' : 'success',
      ...(i % 4 !== 3 && {
        party: ['fr-ncb', 'acme'][i % 2],
        collection: ['c-fr', 'c-br', 'c-global'][i % 3],
        ...(i % 3 !== 2 && { country: ['FR', 'BR'][i % 3] }),
      }),
      objects: Array.from({ length: i % 5 }, (_, k) => ({ id: `indicator--${k}`, version: '2026-03-01T00:00:00.000Z' })),
      ...(i % 6 === 0 && { withheld: { count: 4, reasons: { tlp: 3, unmarked: 1 } } }),
    });
  }
  return out;
}

describe('sharing-log daily summaries in SQLite', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'accord-daily-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the migration fills the summaries of a log written before them, equal to those appends maintain', async () => {
    const file = join(dir, 'a.db');
    const store = new SqliteStore(file);
    await store.appendAuditEvents(events());
    const daily = await store.auditDaily({}, DAILY_KEYS);
    const withheld = await store.auditWithheldDaily({}, WITHHELD_KEYS);
    await store.close();
    expect(daily.reduce((n, r) => n + r.events, 0)).toBe(200);
    expect(withheld.reduce((n, r) => n + r.count, 0)).toBe(34 * 4);

    // Back to the schema before the summaries, then open again: the migration runs on the old log.
    const db = new Database(file);
    rollBackTo(db, 'CREATE TABLE audit_daily ');
    db.close();
    const reopened = new SqliteStore(file);
    try {
      expect(await reopened.auditDaily({}, DAILY_KEYS)).toEqual(daily);
      expect(await reopened.auditWithheldDaily({}, WITHHELD_KEYS)).toEqual(withheld);
    } finally {
      await reopened.close();
    }
  });
});
