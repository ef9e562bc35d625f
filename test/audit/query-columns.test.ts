/**
 * The sharing log's query fields as indexed columns (issue 12 §15: the cost of logging reads).
 * An append no longer parses the event's body once per expression index; a log written
 * before gets the columns filled from its bodies, and auditor queries use their indexes.
 */
import Database from 'better-sqlite3';
import type { AuditEventInput } from '../../src/audit/events';
import { verifyStoreLog } from '../../src/audit/verify';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { afterMigration } from '../support/sqlite-rollback';

const T0 = Date.UTC(2026, 0, 1) * 1000;

const read = (i: number, party: string): AuditEventInput => ({
  time: T0 + i * 86_400_000_000,
  action: i % 3 ? 'objects.read' : 'catalog.party.update',
  outcome: i % 4 ? 'success' : 'denied',
  party,
  account: `${party}-siem`,
  country: party.slice(0, 2).toUpperCase(),
  ...(i % 3 && { collection: 'c1', objects: [{ id: `indicator--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, version: 'v' }] }),
});

async function seed(store: SqliteStore): Promise<void> {
  for (let i = 1; i <= 12; i++) await store.appendAuditEvents([read(i, i % 2 ? 'fr-police' : 'de-bka')]);
}

describe('sharing log query columns (issue 12 §15)', () => {
  it('a log written before the columns gets them from its bodies: filters, summaries, changes and verification agree', async () => {
    await afterMigration('ALTER TABLE audit_events ADD COLUMN time', seed, async (store, file) => {
      const raw = new Database(file, { readonly: true });
      try {
        const plan = raw.prepare("EXPLAIN QUERY PLAN SELECT seq FROM audit_events WHERE party = 'x' ORDER BY seq").all() as { detail: string }[];
        expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX audit_party/);
        // No expression index is left to parse each appended body.
        const sql = raw.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events' AND sql IS NOT NULL").all() as {
          sql: string;
        }[];
        expect(sql.length).toBe(6);
        for (const s of sql) expect(s.sql).not.toMatch(/json_extract/);
      } finally {
        raw.close();
      }
      const fr = await store.queryAuditEvents({ party: 'fr-police', limit: 100 });
      expect(fr.records.map((e) => e.seq)).toEqual([1, 3, 5, 7, 9, 11]);
      const reads = await store.queryAuditEvents({ action: 'objects', outcome: 'success', limit: 100 });
      expect(reads.records.map((e) => e.seq)).toEqual([1, 2, 5, 7, 10, 11]);
      const febOn = await store.queryAuditEvents({ from: T0 + 31 * 86_400_000_000, country: 'DE', limit: 100 });
      expect(febOn.records.map((e) => e.seq)).toEqual([]);
      const janDe = await store.queryAuditEvents({ to: T0 + 7 * 86_400_000_000, country: 'DE', limit: 100 });
      expect(janDe.records.map((e) => e.seq)).toEqual([2, 4, 6]);
      expect((await store.listChanges(100)).map((c) => c.seq)).toEqual([3, 6, 9, 12]);
      expect(await store.summarizeAudit('party')).toEqual([
        { day: '2026-01-02', key: 'fr-police', objects: 1, requests: 1 },
        { day: '2026-01-03', key: 'de-bka', objects: 1, requests: 1 },
        { day: '2026-01-06', key: 'fr-police', objects: 1, requests: 1 },
        { day: '2026-01-08', key: 'fr-police', objects: 1, requests: 1 },
        { day: '2026-01-11', key: 'de-bka', objects: 1, requests: 1 },
        { day: '2026-01-12', key: 'fr-police', objects: 1, requests: 1 },
      ]);
      expect(await verifyStoreLog(store)).toMatchObject({ ok: true, events: 12 });
      // New appends fill the columns too.
      await store.appendAuditEvents([read(13, 'de-bka')]);
      expect((await store.queryAuditEvents({ account: 'de-bka-siem', limit: 100 })).records.map((e) => e.seq)).toEqual([2, 4, 6, 8, 10, 12, 13]);
    });
  });
});
