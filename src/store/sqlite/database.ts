/**
 * One SQLite connection (better-sqlite3) with Accord's settings: WAL, a busy timeout for
 * several processes sharing the file, the schema migrations, and a cache of prepared
 * statements. The role classes (catalog.ts, objects.ts, audit.ts) all go through it.
 */
import Database from 'better-sqlite3';
import { storeUnavailable } from '../../errors';
import { createPrivate } from '../../files';
import { MIGRATIONS } from './migrations';

export type Row = Record<string, unknown>;

const STATEMENT_CACHE_LIMIT = 500;
/**
 * WAL frames (pages) after which a commit checkpoints: ~40 MB. An ingested 1,000-object
 * envelope writes several MB, so SQLite's default (1,000) checkpointed (and synced) after
 * nearly every commit. Measured: 15% less CPU per ingested object; recovery replays at most ~40 MB.
 */
const AUTOCHECKPOINT_FRAMES = 10_000;
/**
 * The same when a checkpoint thread does that work (checkpointer.ts): the request thread's
 * commits checkpoint only if the WAL outgrows this (~160 MB), the thread having fallen behind.
 */
const BACKSTOP_FRAMES = 40_000;
/** How long a connection waits for another's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;
/** Thrown inside rehearse()'s transaction so that better-sqlite3 rolls it back. */
class Undo extends Error {}

export class SqliteDatabase {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  /**
   * `file` is a path, or `:memory:` for a private in-memory database. `syncEveryCommit`:
   * fsync the WAL at each commit (the sharing-log writer, whose commits answer reads, and
   * served stores unless `sqliteSynchronous` is `normal`); otherwise a commit survives a
   * crash of the process but not of the machine.
   */
  constructor(
    readonly file: string,
    syncEveryCommit = false,
  ) {
    try {
      if (file !== ':memory:' && file !== '') createPrivate(file);
      this.db = new Database(file);
    } catch (e) {
      throw storeUnavailable(`cannot open SQLite database ${file}: ${(e as Error).message}`);
    }
    try {
      this.configure(file, syncEveryCommit);
    } catch (e) {
      // A read-only mount, a file that is not a database, a locked file: one clear line for
      // the operator (src/cli/failure.ts), not a driver stack.
      this.db.close();
      throw storeUnavailable(`cannot use SQLite database ${file}: ${(e as Error).message}`);
    }
  }

  private configure(file: string, syncEveryCommit: boolean): void {
    // Several server processes may share one file (accord serve --workers): wait for the
    // write lock instead of failing at once.
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (file !== ':memory:') this.enableWal();
    this.db.pragma(`synchronous = ${syncEveryCommit ? 'FULL' : 'NORMAL'}`);
    this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_FRAMES}`);
    this.db.pragma('foreign_keys = ON');
    this.migrate();
  }

  /**
   * Switching a new file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at
   * once instead of waiting for it (two processes creating the file together, or any other
   * writer): retry for as long as busy_timeout waits. A file already in WAL mode needs no lock.
   */
  private enableWal(): void {
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (;;) {
      try {
        this.db.pragma('journal_mode = WAL');
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      }
    }
  }

  private migrate(): void {
    const version = () => this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version(); v < MIGRATIONS.length; v++) {
      this.db
        .transaction(() => {
          // Re-read under the write lock: another process opening the same file may have
          // applied this migration since.
          if (version() > v) return;
          this.db.exec(MIGRATIONS[v] as string);
          this.db.pragma(`user_version = ${v + 1}`);
        })
        .immediate();
    }
  }

  /**
   * Another thread checkpoints the WAL (checkpointer.ts): from now on this connection's
   * commits checkpoint only past the backstop bound.
   */
  checkpointsElsewhere(): void {
    this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_FRAMES}`);
  }

  /** A prepared statement, cached by its SQL text. */
  stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /**
   * Runs `work` in an IMMEDIATE transaction: it takes the write lock before reading, so what
   * it reads (the date_added clock, the log's head) cannot change before it commits, even
   * when other processes write to the same file.
   */
  write<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /**
   * Runs `work` as write() does and rolls it back: whatever it wrote is undone, whatever it
   * returned is returned.
   */
  rehearse<T>(work: () => T): T {
    let result: { value: T } | undefined;
    try {
      this.db
        .transaction(() => {
          result = { value: work() };
          throw new Undo('rehearsal: undone');
        })
        .immediate();
    } catch (e) {
      if (!(e instanceof Undo)) throw e;
    }
    return (result as { value: T }).value;
  }

  ping(): void {
    if (!this.db.open) throw storeUnavailable('the SQLite database is closed');
    this.stmt('SELECT 1').get();
  }

  /** How this connection commits: `full` syncs every commit to disk (PRAGMA synchronous 2). */
  synchronous(): 'full' | 'normal' {
    return this.db.pragma('synchronous', { simple: true }) === 2 ? 'full' : 'normal';
  }

  probeWrite(now: number): void {
    this.write(() =>
      this.stmt("INSERT INTO meta (key, value) VALUES ('write_probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(now)),
    );
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}
