/**
 * The embedded default store: one SQLite file (WAL mode) through better-sqlite3.
 *
 * Reads walk indexes only: the default TAXII selection (latest version of each object's
 * newest spec version) is a partial index on (collection, date_added), and paging is a
 * keyset on date_added, so a page costs the same at a million objects as at a thousand.
 *
 * The roles share one connection (database.ts): the catalogue (catalog.ts), objects
 * (objects.ts, paging.ts) and the sharing log (audit.ts).
 */
import { JoinedStore } from '../joined-store';
import { SqliteAudit } from './audit';
import { SqliteCatalog } from './catalog';
import { SqliteDatabase } from './database';
import { SqliteObjects } from './objects';

export class SqliteStore extends JoinedStore {
  private readonly db: SqliteDatabase;

  /** `file` is a path, or `:memory:` for a private in-memory database; `syncEveryCommit`: see SqliteDatabase. */
  constructor(file: string, syncEveryCommit = false) {
    const db = new SqliteDatabase(file, syncEveryCommit);
    const audit = new SqliteAudit(db);
    super(new SqliteCatalog(db, audit), new SqliteObjects(db, audit), audit);
    this.db = db;
  }

  async ping(): Promise<void> {
    this.db.ping();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
