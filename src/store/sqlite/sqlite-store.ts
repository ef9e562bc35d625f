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
import type { PreparedEvent } from '../../audit/prepared';
import { JoinedStore } from '../joined-store';
import { SqliteAudit } from './audit';
import { SqliteCatalog } from './catalog';
import { SqliteCheckpointer } from './checkpointer';
import { SqliteDatabase } from './database';
import { SqliteFeeds } from './feeds';
import { SqliteObjects } from './objects';

export class SqliteStore extends JoinedStore {
  private readonly db: SqliteDatabase;
  private readonly feedStore: SqliteFeeds;
  private checkpointer: SqliteCheckpointer | undefined;
  private readonly log: SqliteAudit;

  /** `file` is a path, or `:memory:` for a private in-memory database; `syncEveryCommit`: see SqliteDatabase. */
  constructor(file: string, syncEveryCommit = false) {
    const db = new SqliteDatabase(file, syncEveryCommit);
    const audit = new SqliteAudit(db);
    const catalog = new SqliteCatalog(db, audit);
    super(catalog, new SqliteObjects(db, audit), audit);
    this.db = db;
    this.log = audit;
    this.feedStore = new SqliteFeeds(db, (change, write, recorded) => catalog.changing(change, write, recorded));
  }

  /** Whether content commits are synced to disk before they are acknowledged (docs/operations.md, "Durability"). */
  get synchronous(): 'full' | 'normal' {
    return this.db.synchronous();
  }

  /** Appends sharing-log events prepared on the request thread (the log writer thread's path, audit-worker.ts). */
  appendPrepared(events: readonly PreparedEvent[]): Promise<void> {
    return this.log.appendPrepared(events);
  }

  async ping(): Promise<void> {
    this.db.ping();
  }

  /**
   * WAL checkpoints by a worker thread with its own connection (checkpointer.ts); a private
   * in-memory database has no WAL. `execArgv`: a require hook when running from TypeScript sources.
   */
  async startBackgroundCheckpoints(warn: (message: string) => void, options: { intervalMs?: number; execArgv?: string[] } = {}): Promise<void> {
    if (this.db.file === ':memory:' || this.db.file === '' || this.checkpointer) return;
    this.checkpointer = new SqliteCheckpointer(this.db.file, warn, options);
    if (await this.checkpointer.started) this.db.checkpointsElsewhere();
  }

  /** A checkpoint by the background thread now (tests): the WAL's frames and how many are in the database file. */
  async checkpointNow(): Promise<{ frames: number; copied: number } | undefined> {
    return this.checkpointer?.checkpointNow();
  }

  async close(): Promise<void> {
    await this.checkpointer?.close();
    this.db.close();
  }

  feeds(): SqliteFeeds {
    return this.feedStore;
  }
}
