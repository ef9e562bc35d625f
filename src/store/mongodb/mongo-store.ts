/**
 * The MongoDB store, for deployments where several Accord instances share one replica set.
 *
 * The query documents come from queries.ts and the write plans from writes.ts (pure, and
 * tested in-process against the SQLite reference). Object writes on a replica set (or
 * through mongos) run in a transaction that also updates the single date_added counter
 * document: concurrent writers, in this process or another, conflict on that document and
 * retry, so transactions commit in counter order and a reader never sees a later date_added
 * before an earlier one. A standalone server has no transactions; what still holds there is
 * in docs/operations-mongodb.md.
 *
 * The roles share one connection (database.ts): the catalogue (catalog.ts), objects
 * (objects.ts) and the sharing log (audit.ts).
 */
import { JoinedStore } from '../joined-store';
import { MongoAudit } from './audit';
import { MongoCatalog } from './catalog';
import { MongoDatabase } from './database';
import { type FeedDoc, MongoFeeds } from './feeds';
import { MongoObjects } from './objects';
import { databaseOf } from './uri';

/** For openStore(): whether a location is a MongoDB connection string. */
export { isMongoUri } from './uri';

export class MongoStore extends JoinedStore {
  private readonly db: MongoDatabase;
  private readonly feedStore: MongoFeeds;

  /** Over a database already opened (MongoDatabase.open: checked, collections and indexes in place). */
  constructor(db: MongoDatabase) {
    const audit = new MongoAudit(db);
    const catalog = new MongoCatalog(db, audit);
    super(catalog, new MongoObjects(db, audit), audit);
    this.db = db;
    this.feedStore = new MongoFeeds(
      db.collection<FeedDoc>('feeds'),
      (fn) => db.guard(fn),
      (change, write, recorded) => catalog.changing(change, write, recorded),
    );
  }

  /**
   * Connects, checks the server, and creates the collections, indexes and counter it needs
   * (idempotent: several instances may start at once). `database` defaults to the one named
   * in the connection string, else `accord`. Fails with StoreUnavailable naming the hosts.
   */
  static async connect(uri: string, database = databaseOf(uri)): Promise<MongoStore> {
    const db = await MongoDatabase.connect(uri, database);
    try {
      await new MongoAudit(db).backfillDaily();
    } catch (e) {
      await db.close();
      throw e;
    }
    return new MongoStore(db);
  }

  async ping(): Promise<void> {
    await this.db.ping();
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** The MongoDB server checkpoints its own storage: nothing to move. */
  async startBackgroundCheckpoints(_warn: (message: string) => void): Promise<void> {}

  feeds(): MongoFeeds {
    return this.feedStore;
  }
}
