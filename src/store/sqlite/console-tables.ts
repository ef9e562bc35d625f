/**
 * The SQLite tables behind the console: the sharing log's daily summaries (updated inside the
 * append's transaction, src/audit/daily.ts) and console sign-ins. Functions of a statement
 * cache, so SqliteStore stays the one owner of the connection.
 */
import type Database from 'better-sqlite3';
import {
  DAILY_KEYS,
  dailyTotals,
  WITHHELD_KEYS,
  type DailyKey,
  type DailyRow,
  type DayRange,
  type WithheldKey,
  type WithheldRow,
} from '../../audit/daily';
import type { SessionRecord } from '../../catalog/types';
import type { Micros } from '../../time';

type Stmt = (sql: string) => Database.Statement;
type Row = Record<string, unknown>;

/** Adds a batch of events to the daily summaries (dailyTotals); the caller holds the write lock. */
export function addToDaily(stmt: Stmt, events: Parameters<typeof dailyTotals>[0]): void {
  const { rows, withheld } = dailyTotals(events);
  for (const row of rows.values()) {
    stmt(
      `INSERT INTO audit_daily (day, action, outcome, party, coll, country, events, objects, withheld) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (day, action, outcome, party, coll) DO UPDATE SET
         events = events + excluded.events, objects = objects + excluded.objects, withheld = withheld + excluded.withheld`,
    ).run(row.day, row.action, row.outcome, row.party, row.collection, row.country, row.events, row.objects, row.withheld);
  }
  for (const w of withheld.values()) {
    stmt(
      `INSERT INTO audit_daily_withheld (day, party, coll, country, reason, count) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (day, party, coll, reason) DO UPDATE SET count = count + excluded.count`,
    ).run(w.day, w.party, w.collection, w.country, w.reason, w.count);
  }
}

function dayWhere(range: DayRange): { where: string; params: string[] } {
  const terms: string[] = [];
  const params: string[] = [];
  if (range.from !== undefined) {
    terms.push('day >= ?');
    params.push(range.from);
  }
  if (range.to !== undefined) {
    terms.push('day <= ?');
    params.push(range.to);
  }
  return { where: terms.length ? `WHERE ${terms.join(' AND ')}` : '', params };
}

const DAILY_COLUMN: Record<DailyKey, string> = {
  day: 'day',
  action: 'action',
  outcome: 'outcome',
  party: 'party',
  collection: 'coll',
  country: 'country',
};
const WITHHELD_COLUMN: Record<WithheldKey, string> = { day: 'day', party: 'party', collection: 'coll', country: 'country', reason: 'reason' };

/** SELECT … GROUP BY the chosen keys (from a fixed list: never caller text), the others as ''. */
function grouped<K extends string>(
  table: string,
  columns: Record<K, string>,
  all: readonly K[],
  by: readonly K[],
  sums: string,
  range: DayRange,
): { sql: string; params: string[] } {
  const keys = all.filter((k) => by.includes(k));
  if (keys.length === 0) throw new Error('a summary query groups by at least one key');
  const { where, params } = dayWhere(range);
  const select = all.map((k) => (keys.includes(k) ? `${columns[k]} AS ${k}` : `'' AS ${k}`)).join(', ');
  const group = keys.map((k) => columns[k]).join(', ');
  return { sql: `SELECT ${select}, ${sums} FROM ${table} ${where} GROUP BY ${group} ORDER BY ${group}`, params };
}

export function readDaily(stmt: Stmt, range: DayRange, by: readonly DailyKey[]): DailyRow[] {
  const { sql, params } = grouped(
    'audit_daily',
    DAILY_COLUMN,
    DAILY_KEYS,
    by,
    'SUM(events) AS events, SUM(objects) AS objects, SUM(withheld) AS withheld',
    range,
  );
  return stmt(sql).all(...params) as DailyRow[];
}

export function readWithheld(stmt: Stmt, range: DayRange, by: readonly WithheldKey[]): WithheldRow[] {
  const { sql, params } = grouped('audit_daily_withheld', WITHHELD_COLUMN, WITHHELD_KEYS, by, 'SUM(count) AS count', range);
  return stmt(sql).all(...params) as WithheldRow[];
}

export function insertSession(stmt: Stmt, s: SessionRecord): void {
  stmt('INSERT INTO sessions (id_hash, csrf_hash, account_id, credential, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    s.idHash,
    s.csrfHash,
    s.accountId,
    s.credential,
    s.createdAt,
    s.lastSeenAt,
  );
}

export function selectSession(stmt: Stmt, idHash: string): SessionRecord | undefined {
  const r = stmt('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as Row | undefined;
  return r
    ? {
        idHash: r.id_hash as string,
        csrfHash: r.csrf_hash as string,
        accountId: r.account_id as string,
        credential: r.credential as string,
        createdAt: r.created_at as number,
        lastSeenAt: r.last_seen_at as number,
      }
    : undefined;
}

export function updateSessionSeen(stmt: Stmt, idHash: string, lastSeenAt: Micros): void {
  stmt('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(lastSeenAt, idHash);
}

export function removeSession(stmt: Stmt, idHash: string): void {
  stmt('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
}

export function removeExpiredSessions(stmt: Stmt, idleBefore: Micros, createdBefore: Micros): number {
  return stmt('DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?').run(idleBefore, createdBefore).changes;
}
