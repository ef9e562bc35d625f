/**
 * Migration tests take a database back to the schema before their migration and open it
 * again. Every migration after it must then run again, so its effect is undone too: this is
 * the one list of how, in migration order (each found by the text that identifies it).
 * Migrations not listed are idempotent (CREATE … IF NOT EXISTS, data fixes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { QUERY_FIELDS } from '../../src/audit/events';
import { MIGRATIONS } from '../../src/store/sqlite/migrations';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

const UNDO: [marker: string, sql: string][] = [
  ['ADD COLUMN version_text', 'ALTER TABLE objects DROP COLUMN version_text'],
  ['CREATE TABLE audit_daily ', 'DROP TABLE audit_daily; DROP TABLE audit_daily_withheld; DROP TABLE sessions'],
  ['CREATE TABLE feeds', 'DROP TABLE feeds'],
  ['ADD COLUMN unmarked_as', 'ALTER TABLE collections DROP COLUMN unmarked_as'],
  ['ADD COLUMN older_levels', 'ALTER TABLE objects DROP COLUMN older_levels'],
  [
    'ADD COLUMN owner',
    'INSERT OR IGNORE INTO object_owners (coll, id, party) SELECT coll, id, MAX(owner) FROM objects WHERE owner IS NOT NULL GROUP BY coll, id; ALTER TABLE objects DROP COLUMN owner',
  ],
  [
    'ALTER TABLE audit_events ADD COLUMN time',
    `${['time', 'party', 'account', 'collection', 'country', 'action'].map((c) => `DROP INDEX audit_${c};`).join(' ')}
     ${QUERY_FIELDS.map((c) => `ALTER TABLE audit_events DROP COLUMN ${c};`).join(' ')}
     CREATE INDEX audit_time ON audit_events(json_extract(body, '$.time'));
     ${['party', 'account', 'collection', 'country', 'action'].map((c) => `CREATE INDEX audit_${c} ON audit_events(json_extract(body, '$.${c}'), seq);`).join(' ')}`,
  ],
];

/** The index of the migration whose SQL contains `marker`. */
export function migrationIndex(marker: string): number {
  const i = MIGRATIONS.findIndex((m) => m.includes(marker));
  if (i < 0) throw new Error(`no migration contains ${marker}`);
  return i;
}

/** Undoes the migration containing `marker` and every later one listed above; user_version says it has not run. */
export function rollBackTo(db: Database.Database, marker: string): void {
  const target = migrationIndex(marker);
  for (const [m, sql] of [...UNDO].reverse()) if (migrationIndex(m) >= target) db.exec(sql);
  db.pragma(`user_version = ${target}`);
}

/**
 * A database file written by `seed`, taken back to the schema before the migration containing
 * `marker`, and opened again (which runs it): `check` looks at the reopened store.
 */
export async function afterMigration(
  marker: string,
  seed: (s: SqliteStore) => Promise<void>,
  check: (s: SqliteStore, file: string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'accord-migration-'));
  const file = join(dir, 'a.db');
  try {
    const store = new SqliteStore(file);
    await seed(store);
    await store.close();
    const raw = new Database(file);
    rollBackTo(raw, marker);
    raw.close();
    const reopened = new SqliteStore(file);
    try {
      await check(reopened, file);
    } finally {
      await reopened.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
