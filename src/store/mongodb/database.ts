/**
 * One MongoDB connection with what every role class (catalog.ts, objects.ts, audit.ts) needs:
 * start-up (server version check, collections, indexes, the date_added counter), a lost
 * server reported as StoreUnavailable, and writes queued and run as transactions.
 */
import {
  Binary,
  type ClientSession,
  type Collection,
  type Db,
  type Document,
  MongoClient,
  MongoClientClosedError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type ObjectId,
  type TransactionOptions,
} from 'mongodb';
import { AccordError, storeUnavailable } from '../../errors';
import { indexes } from './indexes';
import {
  correctedTlp,
  type LevelsBackfill,
  NEWER_LEVELS,
  NEWER_LEVELS_BACKFILL,
  OLDER_LEVELS,
  OLDER_LEVELS_BACKFILL,
  OWNERS_BACKFILLED,
  ownersFromAdds,
  TLP_ANY_CASE,
  UPPER_CASE_MARKINGS,
  VERSION_TEXT,
} from './migrations';
import type { ObjectDoc } from './queries';
import { databaseOf, hasOption, hostsOf } from './uri';
import { type CounterDoc, DATE_ADDED_COUNTER, type OwnerDoc, refreshFlags, type StoredVersion, versionTextOf } from './writes';

const COLLECTIONS = [
  'objects',
  'object_owners',
  'counters',
  'statuses',
  'api_roots',
  'collections',
  'parties',
  'accounts',
  'tokens',
  'meta',
  'agreements',
  'revisions',
  'audit_events',
  'audit_checkpoints',
  'audit_daily',
  'audit_daily_withheld',
  'sessions',
  'feeds',
];

/** Fail fast when no server answers, unless the connection string says otherwise. */
const SERVER_SELECTION_TIMEOUT_MS = 5000;

/** MongoDB 5.0 (wire version 13) is the first to accept objects_added and objects_default side by side. */
const MIN_WIRE_VERSION = 13;

/**
 * Snapshot reads and journaled majority commits: a committed envelope survives a fail-over
 * whole, and a read is answered only after its sharing-log event is on disk (src/audit/log.ts).
 */
const TRANSACTION: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority', journal: true },
  readPreference: 'primary',
};

/**
 * Server errors that mean "not now" rather than "never": out of disk space (14031), no
 * writable primary (10107, 13435, 189), shutting down (91, 11600), write concern not met (64).
 * Answered 503 with Retry-After, as SQLite's full or locked file is.
 */
const SERVER_FAULTS = new Set([14031, 10107, 13435, 189, 91, 11600, 64]);

export class MongoDatabase {
  /** The last write of this process: writes queue behind it (see write()). */
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    /** For messages: the connection string's hosts, never its credentials. */
    private readonly hosts: string,
    /** Replica set or mongos: multi-document transactions are available. */
    private readonly transactions: boolean,
  ) {}

  /**
   * Connects, checks the server, and creates the collections, indexes and counter it needs
   * (idempotent: several instances may start at once). `database` defaults to the one named
   * in the connection string, else `accord`. Fails with StoreUnavailable naming the hosts.
   */
  static async connect(uri: string, database = databaseOf(uri)): Promise<MongoDatabase> {
    const client = new MongoClient(uri, {
      appName: 'accord',
      ...(!hasOption(uri, 'serverSelectionTimeoutMS') && { serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS }),
    });
    return MongoDatabase.open(client, database, hostsOf(uri));
  }

  /** connect() on a client already made; closes it on failure. */
  static async open(client: MongoClient, database: string, hosts: string): Promise<MongoDatabase> {
    try {
      await client.connect();
      const db = client.db(database);
      const hello = await db.command({ hello: 1 });
      if (typeof hello.maxWireVersion !== 'number' || hello.maxWireVersion < MIN_WIRE_VERSION) {
        throw storeUnavailable(`the MongoDB server at ${hosts} is older than 5.0, the oldest Accord supports`);
      }
      const sharded = hello.msg === 'isdbgrid';
      const opened = new MongoDatabase(client, db, hosts, sharded || hello.setName !== undefined);
      await opened.prepare(sharded);
      return opened;
    } catch (e) {
      await client.close();
      if (e instanceof AccordError && e.code === 'storage-unavailable') throw e;
      throw storeUnavailable(`cannot use MongoDB at ${hosts} (database "${database}"): ${(e as Error).message}`);
    }
  }

  /** `sharded`: connected through mongos. */
  private async prepare(sharded: boolean): Promise<void> {
    const existing = new Set((await this.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    // Created up front: a transaction should not be the first to write a collection.
    for (const name of COLLECTIONS) if (!existing.has(name)) await ignoreConflict(() => this.db.createCollection(name));
    for (const [name, specs] of Object.entries(indexes(sharded))) await this.db.collection(name).createIndexes(specs);
    const counters = this.collection<CounterDoc>('counters');
    await ignoreConflict(() => counters.updateOne({ _id: DATE_ADDED_COUNTER }, { $setOnInsert: { last: 0 } }, { upsert: true }));
    await this.once(OWNERS_BACKFILLED, async () => {
      const owners = this.collection<OwnerDoc>('object_owners');
      for (const o of await this.collection('audit_events').aggregate<OwnerDoc>(ownersFromAdds()).toArray()) {
        await owners.updateOne({ coll: o.coll, id: o.id }, { $setOnInsert: { party: o.party } }, { upsert: true });
      }
    });
    await this.once(TLP_ANY_CASE, async () => {
      const objects = this.collection<ObjectDoc>('objects');
      const suspects = await objects
        .find(UPPER_CASE_MARKINGS)
        .project<Pick<ObjectDoc, 'json' | 'tlp'> & { _id: ObjectId }>({ _id: 1, json: 1, tlp: 1 })
        .toArray();
      for (const doc of suspects) {
        const tlp = correctedTlp(doc);
        if (tlp !== undefined) await objects.updateOne({ _id: doc._id }, { $set: { tlp } });
      }
    });
    // After the TLP levels are right: newer_levels and older_levels are made of them.
    await this.once(NEWER_LEVELS, () => this.backfillLevels(NEWER_LEVELS_BACKFILL));
    await this.once(VERSION_TEXT, () => this.backfillVersionText());
    await this.once(OLDER_LEVELS, () => this.backfillLevels(OLDER_LEVELS_BACKFILL));
  }

  /**
   * Object versions stored before `version_text` existed take it from their JSON, a batch at
   * a time (a version without modified or created gets null, so each is visited once; two
   * instances starting together write the same values).
   */
  private async backfillVersionText(): Promise<void> {
    const objects = this.collection<ObjectDoc>('objects');
    for (;;) {
      const docs = await objects
        .find({ version_text: { $exists: false } })
        .project<ObjectDoc>({ _id: 0, coll: 1, id: 1, spec_version: 1, version: 1, json: 1 })
        .limit(1000)
        .toArray();
      if (docs.length === 0) return;
      await objects.bulkWrite(
        docs.map((d) => ({
          updateOne: {
            filter: { coll: d.coll, id: d.id, spec_version: d.spec_version, version: d.version },
            update: { $set: { version_text: versionTextOf(d.json) } },
          },
        })),
      );
    }
  }

  /**
   * newer_levels or older_levels for databases written before the field existed: 0 on each
   * newest (oldest) version (set explicitly: a filter on a value matches no document without
   * the field), recomputed per object for the others (refreshFlags() sets both fields, and
   * latest_spec: so it is given every version of the object, of every spec_version).
   */
  private async backfillLevels({ field, edge, others }: LevelsBackfill): Promise<void> {
    const objects = this.collection<ObjectDoc>('objects');
    await objects.updateMany(edge, { $set: { [field]: 0 } });
    const old = await objects.find(others).project<Pick<ObjectDoc, 'coll' | 'id'>>({ _id: 0, coll: 1, id: 1 }).toArray();
    const groups = new Map(old.map((o) => [JSON.stringify([o.coll, o.id]), o]));
    for (const g of groups.values()) {
      const versions = await objects
        .find({ coll: g.coll, id: g.id })
        .project<Pick<StoredVersion, 'spec_version' | 'version' | 'tlp'>>({ _id: 0, spec_version: 1, version: 1, tlp: 1 })
        .toArray();
      const writes = refreshFlags(g.coll, g.id, versions);
      if (writes.length) await objects.bulkWrite(writes, { ordered: true });
    }
  }

  /** Runs an upgrade (migrations.ts) unless `meta` records it as done; idempotent, so two instances may both run it. */
  private async once(name: string, upgrade: () => Promise<unknown>): Promise<void> {
    const meta = this.collection<{ _id: string; value: Binary }>('meta');
    if (await meta.findOne({ _id: name })) return;
    await upgrade();
    await ignoreConflict(() => meta.insertOne({ _id: name, value: new Binary(Buffer.alloc(0)) }));
  }

  collection<T extends Document>(name: string): Collection<T> {
    return this.db.collection<T>(name);
  }

  async ping(): Promise<void> {
    try {
      await this.db.command({ ping: 1 });
    } catch (e) {
      throw storeUnavailable(`MongoDB at ${this.hosts} does not answer: ${(e as Error).message}`);
    }
  }

  /** Written as the sharing log is: in a (journaled, majority) write. */
  async probeWrite(now: number): Promise<void> {
    await this.write((session) =>
      this.collection<{ _id: string; value: number }>('meta').updateOne({ _id: 'write_probe' }, { $set: { value: now } }, { upsert: true, session }),
    );
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Runs an operation, turning a lost server into StoreUnavailable (503) instead of an internal error. */
  async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.unavailable(e);
    }
  }

  /**
   * Runs a write of objects, agreements or the sharing log. This process's writes queue one
   * behind the other: they would conflict on the counter document or the log's head anyway,
   * and queueing spares them the retries. On a replica set each write is one transaction,
   * retried by the driver on a conflict with another instance.
   */
  write<T>(work: (session: ClientSession | undefined) => Promise<T>): Promise<T> {
    const run = this.writes.then(() => (this.transactions ? this.inTransaction(work) : work(undefined)));
    this.writes = run.catch(() => undefined);
    return this.guard(() => run);
  }

  private async inTransaction<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
    const session = this.client.startSession();
    try {
      return await session.withTransaction(() => work(session), TRANSACTION);
    } finally {
      await session.endSession();
    }
  }

  private unavailable(e: unknown): unknown {
    const lost =
      e instanceof MongoNetworkError ||
      e instanceof MongoServerSelectionError ||
      e instanceof MongoTopologyClosedError ||
      e instanceof MongoNotConnectedError ||
      e instanceof MongoClientClosedError ||
      (e instanceof MongoServerError && typeof e.code === 'number' && SERVER_FAULTS.has(e.code));
    return lost ? storeUnavailable(`MongoDB at ${this.hosts}: ${e.message}`) : e;
  }
}

/**
 * Runs a create-if-absent that another instance may be running at the same moment: losing
 * that race (duplicate key, or the collection already exists) is success.
 */
export async function ignoreConflict(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const NAMESPACE_EXISTS = 48;
    const DUPLICATE_KEY = 11000;
    if (!(e instanceof MongoServerError) || (e.code !== NAMESPACE_EXISTS && e.code !== DUPLICATE_KEY)) throw e;
  }
}
