/**
 * The MongoDB store, for deployments where several Accord instances share one replica set.
 *
 * The query documents come from queries.ts and the write plans from writes.ts (pure, and
 * tested in-process against the SQLite reference); this class only sends them. Object writes
 * on a replica set (or through mongos) run in a transaction that also updates the single
 * date_added counter document: concurrent writers, in this process or another, conflict on
 * that document and retry, so transactions commit in counter order and a reader never sees a
 * later date_added before an earlier one. A standalone server has no transactions; what still
 * holds there is in docs/operations-mongodb.md.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  Binary,
  type ClientSession,
  type Collection,
  type Db,
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
import type { Checkpoint } from '../../audit/chain';
import { idsIndexedOneByOne, rangeIndexed, type AuditEvent, type AuditEventInput, type ObjectRef, type StoredAuditEvent } from '../../audit/events';
import { notFound, StoreUnavailable } from '../../errors';
import { formatTimestamp } from '../../time';
import { admitsEverything } from '../scope';
import type {
  AccountPatch,
  AccountRecord,
  AddEnvelope,
  AgreementRecord,
  ApiRootRecord,
  AuditHead,
  AuditQuery,
  ChangeRecord,
  CollectionRecord,
  ManifestRecord,
  Micros,
  ObjectQuery,
  ObjectPage,
  ObjectScope,
  Page,
  PartyRecord,
  Role,
  StatusRecord,
  Store,
  SummaryGroup,
  SummaryRow,
  TokenRecord,
  VersionSelector,
} from '../store';
import {
  type AuditDoc,
  auditFilter,
  chainEvents,
  CHANGES_FILTER,
  type CheckpointDoc,
  headOf,
  type SummaryGroupDoc,
  summaryPipeline,
  toAuditEvent,
  toCheckpoint,
  toSummaryRow,
} from './audit';
import { changeEvent, changeOf } from '../../audit/changes';
import { indexes } from './indexes';
import {
  deleteFilter,
  MANIFEST_PROJECTION,
  type ManifestDoc,
  OBJECT_PROJECTION,
  type ObjectDoc,
  pageQuery,
  toManifestRecord,
  toObjectPage,
  type WithheldGroup,
  withheldOf,
  withheldPipeline,
} from './queries';
import { databaseOf, hasOption, hostsOf } from './uri';
import {
  type CounterDoc,
  DATE_ADDED_COUNTER,
  dedupe,
  firstReserved,
  newCount,
  planAdd,
  refreshFlags,
  reserveDateAdded,
  STORED_JSON_PROJECTION,
  STORED_VERSION_PROJECTION,
  type StoredJson,
  type StoredVersion,
  storedJsonFilter,
  storedVersionsFilter,
} from './writes';
import { completedStatus } from '../status';
import { type FeedDoc, MongoFeeds } from './feeds';

/** For openStore(): whether a location is a MongoDB connection string. */
export { isMongoUri } from './uri';

interface ApiRootDoc {
  _id: string;
  title: string;
  description?: string;
  max_content_length: number;
  content_policy: ApiRootRecord['contentPolicy'];
  allowed_spec_versions: string[];
}

interface CollectionDoc {
  _id: string;
  api_root: string;
  title: string;
  description?: string;
  alias?: string;
  country?: string;
  media_types: string[];
}

interface PartyDoc {
  _id: string;
  name: string;
  kind: string;
  country?: string;
  identity_ref?: string;
}

interface AccountDoc {
  _id: string;
  name: string;
  party_id: string;
  roles: Role[];
  disabled: boolean;
  password_hash: string | null;
  created_at: Micros;
  updated_at: Micros;
}

interface TokenDoc {
  _id: string;
  account_id: string;
  hash: string;
  label: string;
  created_at: Micros;
  revoked_at: Micros | null;
}

/** Statuses and agreements are kept as their JSON text, like SQLite, so they read back exactly. */
interface StatusDoc {
  _id: string;
  created_at: Micros;
  body: string;
}

interface AgreementDoc {
  id: string;
  version: number;
  body: string;
}

interface MetaDoc {
  _id: string;
  value: Binary;
}

interface RevisionDoc {
  _id: string;
  value: number;
}

const COLLECTIONS = [
  'objects',
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
  'feeds',
];

/** Fail fast when no server answers, unless the connection string says otherwise. */
const SERVER_SELECTION_TIMEOUT_MS = 5000;

/** MongoDB 5.0 (wire version 13) is the first to accept objects_added and objects_default side by side. */
const MIN_WIRE_VERSION = 13;

/** Snapshot reads and majority commits: a committed envelope survives a fail-over whole. */
const TRANSACTION: TransactionOptions = { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' };

const SECRET_KEY = 'secret_key';
const AGREEMENTS_REVISION = 'agreements';

export class MongoStore implements Store {
  private readonly objects: Collection<ObjectDoc>;
  private readonly counters: Collection<CounterDoc>;
  private readonly statuses: Collection<StatusDoc>;
  private readonly apiRoots: Collection<ApiRootDoc>;
  private readonly collections: Collection<CollectionDoc>;
  private readonly parties: Collection<PartyDoc>;
  private readonly accounts: Collection<AccountDoc>;
  private readonly tokens: Collection<TokenDoc>;
  private readonly meta: Collection<MetaDoc>;
  private readonly agreements: Collection<AgreementDoc>;
  private readonly revisions: Collection<RevisionDoc>;
  private readonly auditEvents: Collection<AuditDoc>;
  private readonly checkpoints: Collection<CheckpointDoc>;
  /** The last write of this process: writes queue behind it (see write()). */
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    /** For messages: the connection string's hosts, never its credentials. */
    private readonly hosts: string,
    /** Replica set or mongos: multi-document transactions are available. */
    private readonly transactions: boolean,
  ) {
    this.objects = db.collection('objects');
    this.counters = db.collection('counters');
    this.statuses = db.collection('statuses');
    this.apiRoots = db.collection('api_roots');
    this.collections = db.collection('collections');
    this.parties = db.collection('parties');
    this.accounts = db.collection('accounts');
    this.tokens = db.collection('tokens');
    this.meta = db.collection('meta');
    this.agreements = db.collection('agreements');
    this.revisions = db.collection('revisions');
    this.auditEvents = db.collection('audit_events');
    this.checkpoints = db.collection('audit_checkpoints');
  }

  /**
   * Connects, checks the server, and creates the collections, indexes and counter it needs
   * (idempotent: several instances may start at once). `database` defaults to the one named
   * in the connection string, else `accord`. Fails with StoreUnavailable naming the hosts.
   */
  static async connect(uri: string, database = databaseOf(uri)): Promise<MongoStore> {
    const hosts = hostsOf(uri);
    const client = new MongoClient(uri, {
      appName: 'accord',
      ...(!hasOption(uri, 'serverSelectionTimeoutMS') && { serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS }),
    });
    try {
      await client.connect();
      const db = client.db(database);
      const hello = await db.command({ hello: 1 });
      if (typeof hello.maxWireVersion !== 'number' || hello.maxWireVersion < MIN_WIRE_VERSION) {
        throw new StoreUnavailable(`the MongoDB server at ${hosts} is older than 5.0, the oldest Accord supports`);
      }
      const sharded = hello.msg === 'isdbgrid';
      const store = new MongoStore(client, db, hosts, sharded || hello.setName !== undefined);
      await store.prepare(sharded);
      return store;
    } catch (e) {
      await client.close();
      if (e instanceof StoreUnavailable) throw e;
      throw new StoreUnavailable(`cannot use MongoDB at ${hosts} (database "${database}"): ${(e as Error).message}`);
    }
  }

  /** `sharded`: connected through mongos. */
  private async prepare(sharded: boolean): Promise<void> {
    const existing = new Set((await this.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    // Created up front: a transaction should not be the first to write a collection.
    for (const name of COLLECTIONS) if (!existing.has(name)) await ignoreConflict(() => this.db.createCollection(name));
    for (const [name, specs] of Object.entries(indexes(sharded))) await this.db.collection(name).createIndexes(specs);
    await ignoreConflict(() => this.counters.updateOne({ _id: DATE_ADDED_COUNTER }, { $setOnInsert: { last: 0 } }, { upsert: true }));
  }

  async ping(): Promise<void> {
    try {
      await this.db.command({ ping: 1 });
    } catch (e) {
      throw new StoreUnavailable(`MongoDB at ${this.hosts} does not answer: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Runs an operation, turning a lost server into StoreUnavailable (503) instead of an internal error. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
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
  private write<T>(work: (session: ClientSession | undefined) => Promise<T>): Promise<T> {
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
      e instanceof MongoClientClosedError;
    return lost ? new StoreUnavailable(`MongoDB at ${this.hosts}: ${e.message}`) : e;
  }

  async secretKey(): Promise<Buffer> {
    return this.guard(async () => {
      const found = await this.meta.findOne({ _id: SECRET_KEY });
      if (found) return Buffer.from(found.value.buffer);
      // Insert if absent, then re-read: two instances starting together agree on one key.
      await ignoreConflict(() => this.meta.updateOne({ _id: SECRET_KEY }, { $setOnInsert: { value: new Binary(randomBytes(32)) } }, { upsert: true }));
      const doc = (await this.meta.findOne({ _id: SECRET_KEY })) as MetaDoc;
      return Buffer.from(doc.value.buffer);
    });
  }

  // ---- API roots and collections -------------------------------------------------------

  async upsertApiRoot(r: ApiRootRecord): Promise<void> {
    const doc: ApiRootDoc = {
      _id: r.path,
      title: r.title,
      ...(r.description !== undefined && { description: r.description }),
      max_content_length: r.maxContentLength,
      content_policy: r.contentPolicy,
      allowed_spec_versions: r.allowedSpecVersions,
    };
    await this.guard(() => this.apiRoots.replaceOne({ _id: r.path }, doc, { upsert: true }));
  }

  async listApiRoots(): Promise<ApiRootRecord[]> {
    return (await this.guard(() => this.apiRoots.find().sort({ _id: 1 }).toArray())).map(toApiRoot);
  }

  async getApiRoot(path: string): Promise<ApiRootRecord | undefined> {
    const doc = await this.guard(() => this.apiRoots.findOne({ _id: path }));
    return doc ? toApiRoot(doc) : undefined;
  }

  async upsertCollection(c: CollectionRecord): Promise<void> {
    const doc: CollectionDoc = {
      _id: c.id,
      api_root: c.apiRoot,
      title: c.title,
      ...(c.description !== undefined && { description: c.description }),
      ...(c.alias !== undefined && { alias: c.alias }),
      ...(c.country !== undefined && { country: c.country }),
      media_types: c.mediaTypes,
    };
    await this.guard(() => this.collections.replaceOne({ _id: c.id }, doc, { upsert: true }));
  }

  async listCollections(apiRoot?: string): Promise<CollectionRecord[]> {
    const docs = await this.guard(() =>
      (apiRoot === undefined ? this.collections.find().sort({ api_root: 1, title: 1 }) : this.collections.find({ api_root: apiRoot }).sort({ title: 1 })).toArray(),
    );
    return docs.map(toCollection);
  }

  async getCollection(apiRoot: string, idOrAlias: string): Promise<CollectionRecord | undefined> {
    const docs = await this.guard(() => this.collections.find({ api_root: apiRoot, $or: [{ _id: idOrAlias }, { alias: idOrAlias }] }).toArray());
    // An id wins over another collection whose alias is that id.
    const doc = docs.find((d) => d._id === idOrAlias) ?? docs[0];
    return doc ? toCollection(doc) : undefined;
  }

  // ---- parties, accounts, tokens -------------------------------------------------------

  async upsertParty(p: PartyRecord): Promise<void> {
    const doc: PartyDoc = {
      _id: p.id,
      name: p.name,
      kind: p.kind,
      ...(p.country !== undefined && { country: p.country }),
      ...(p.identityRef !== undefined && { identity_ref: p.identityRef }),
    };
    await this.guard(() => this.parties.replaceOne({ _id: p.id }, doc, { upsert: true }));
  }

  async listParties(): Promise<PartyRecord[]> {
    return (await this.guard(() => this.parties.find().sort({ _id: 1 }).toArray())).map(toParty);
  }

  async getParty(id: string): Promise<PartyRecord | undefined> {
    const doc = await this.guard(() => this.parties.findOne({ _id: id }));
    return doc ? toParty(doc) : undefined;
  }

  async createAccount(a: AccountRecord): Promise<void> {
    await this.guard(() =>
      this.accounts.insertOne({
        _id: a.id,
        name: a.name,
        party_id: a.partyId,
        roles: a.roles,
        disabled: a.disabled,
        password_hash: a.passwordHash,
        created_at: a.createdAt,
        updated_at: a.updatedAt,
      }),
    );
  }

  async getAccount(id: string): Promise<AccountRecord | undefined> {
    const doc = await this.guard(() => this.accounts.findOne({ _id: id }));
    return doc ? toAccount(doc) : undefined;
  }

  async getAccountByName(name: string): Promise<AccountRecord | undefined> {
    const doc = await this.guard(() => this.accounts.findOne({ name }));
    return doc ? toAccount(doc) : undefined;
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return (await this.guard(() => this.accounts.find().sort({ name: 1 }).toArray())).map(toAccount);
  }

  async updateAccount(id: string, patch: AccountPatch, now: Micros): Promise<AccountRecord | undefined> {
    const set: Partial<AccountDoc> = { updated_at: now };
    if (patch.roles !== undefined) set.roles = patch.roles;
    if (patch.disabled !== undefined) set.disabled = patch.disabled;
    if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
    if (patch.partyId !== undefined) set.party_id = patch.partyId;
    const doc = await this.guard(() => this.accounts.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' }));
    return doc ? toAccount(doc) : undefined;
  }

  async createToken(t: TokenRecord): Promise<void> {
    await this.guard(() =>
      this.tokens.insertOne({ _id: t.id, account_id: t.accountId, hash: t.hash, label: t.label, created_at: t.createdAt, revoked_at: t.revokedAt }),
    );
  }

  async getTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const doc = await this.guard(() => this.tokens.findOne({ hash }));
    return doc ? toToken(doc) : undefined;
  }

  async listTokens(accountId: string): Promise<TokenRecord[]> {
    return (await this.guard(() => this.tokens.find({ account_id: accountId }).sort({ created_at: 1 }).toArray())).map(toToken);
  }

  async revokeToken(id: string, now: Micros): Promise<boolean> {
    const result = await this.guard(() => this.tokens.updateOne({ _id: id, revoked_at: null }, { $set: { revoked_at: now } }));
    return result.modifiedCount > 0;
  }

  // ---- objects ---------------------------------------------------------------------------

  async addObjects(env: AddEnvelope): Promise<StatusRecord> {
    return this.write(async (session) => {
      const known = await this.collections.findOne({ _id: env.collectionId }, { session, projection: { _id: 1 } });
      if (!known) throw notFound('Collection not found', `no collection ${env.collectionId}`);
      const stored = await this.objects
        .find(storedVersionsFilter(env.collectionId, env.objects), { session })
        .project<StoredVersion>(STORED_VERSION_PROJECTION)
        .toArray();
      const jsonFilter = storedJsonFilter(env.collectionId, env.objects);
      const storedJson = jsonFilter ? await this.objects.find(jsonFilter, { session }).project<StoredJson>(STORED_JSON_PROJECTION).toArray() : [];
      const entries = dedupe(env.objects, stored, storedJson);
      const count = newCount(entries);
      // Nothing new (every object already stored): no date_added is handed out, so `start` is unused.
      let start = 0;
      if (count > 0) {
        const reserve = reserveDateAdded(env.now, count);
        const counter = (await this.counters.findOneAndUpdate(reserve.filter, reserve.update, { session, returnDocument: 'after' })) as CounterDoc;
        start = firstReserved(counter.last, count);
      }
      const plan = planAdd(env.collectionId, entries, stored, start);
      if (plan.writes.length) await this.objects.bulkWrite(plan.writes, { session, ordered: true });
      const status = completedStatus(env, plan.successes);
      await this.statuses.insertOne({ _id: status.id, created_at: env.now, body: JSON.stringify(status) }, { session });
      if (env.audit) await this.appendLocked([env.audit(status, plan.refs)], session);
      return status;
    });
  }

  async getStatus(id: string): Promise<StatusRecord | undefined> {
    const doc = await this.guard(() => this.statuses.findOne({ _id: id }));
    return doc ? (JSON.parse(doc.body) as StatusRecord) : undefined;
  }

  async queryObjects(q: ObjectQuery): Promise<ObjectPage> {
    return toObjectPage(await this.page(q, OBJECT_PROJECTION, (d: ManifestDoc & Pick<ObjectDoc, 'json'>) => d));
  }

  async queryManifest(q: ObjectQuery): Promise<Page<ManifestRecord>> {
    return this.page(q, MANIFEST_PROJECTION, toManifestRecord);
  }

  private async page<D extends ManifestDoc, T>(q: ObjectQuery, projection: Record<string, 0 | 1>, map: (d: D) => T): Promise<Page<T>> {
    const { filter, sort, limit } = pageQuery(q);
    const docs = await this.guard(() => this.objects.find(filter, { sort, limit }).project<D>(projection).toArray());
    const more = docs.length > q.limit;
    if (more) docs.pop();
    const page: Page<T> = { records: docs.map(map), more };
    if (q.scope && !admitsEverything(q.scope)) {
      const { scope } = q;
      const pipeline = withheldPipeline(q, more ? docs[docs.length - 1]?.date_added : undefined);
      const groups = await this.guard(() => this.objects.aggregate<WithheldGroup>(pipeline).toArray());
      // As SQLite: a collection that does not exist gives a bare empty page, without a count.
      if (groups.length > 0 || (await this.guard(() => this.collections.countDocuments({ _id: q.collectionId }, { limit: 1 }))) > 0) {
        page.withheld = withheldOf(scope, groups);
      }
    }
    return page;
  }

  async deleteObject(
    collectionId: string,
    objectId: string,
    versions: VersionSelector,
    specVersions: string[] | undefined,
    scope?: ObjectScope,
    audit?: (removed: ObjectRef[]) => AuditEventInput,
  ): Promise<number> {
    return this.write(async (session) => {
      // Read first: the audit event names the removed versions, in date_added order.
      const doomed = await this.objects
        .find(deleteFilter(collectionId, objectId, versions, specVersions, scope), { session, sort: { date_added: 1 } })
        .project<Pick<ObjectDoc, 'version' | 'date_added'> & { _id: ObjectId }>({ _id: 1, version: 1, date_added: 1 })
        .toArray();
      if (doomed.length === 0) return 0;
      const { deletedCount } = await this.objects.deleteMany({ _id: { $in: doomed.map((d) => d._id) } }, { session });
      // Touch the counter so that this transaction conflicts with any concurrent add: without
      // it, an add of a version of this object could commit beside the flag recomputation
      // below, each blind to the other, and leave two versions marked last.
      await this.counters.updateOne({ _id: DATE_ADDED_COUNTER }, { $inc: { deletes: 1 } }, { session });
      const remaining = await this.objects
        .find({ coll: collectionId, id: objectId }, { session })
        .project<Omit<StoredVersion, 'id'>>({ _id: 0, spec_version: 1, version: 1 })
        .toArray();
      const writes = refreshFlags(collectionId, objectId, remaining);
      if (writes.length) await this.objects.bulkWrite(writes, { session, ordered: true });
      if (audit) {
        const removed = doomed.map((d) => ({ id: objectId, version: formatTimestamp(d.version), date_added: formatTimestamp(d.date_added) }));
        await this.appendLocked([audit(removed)], session);
      }
      return deletedCount;
    });
  }

  // ---- agreements --------------------------------------------------------------------------

  async saveAgreement(a: AgreementRecord): Promise<void> {
    await this.write(async (session) => {
      await this.agreements.updateOne({ id: a.id, version: a.version }, { $set: { body: JSON.stringify(a) } }, { upsert: true, session });
      await this.revisions.updateOne({ _id: AGREEMENTS_REVISION }, { $inc: { value: 1 } }, { upsert: true, session });
    });
  }

  async getAgreement(id: string, version?: number): Promise<AgreementRecord | undefined> {
    const doc = await this.guard(() => this.agreements.findOne(version === undefined ? { id } : { id, version }, { sort: { version: -1 } }));
    return doc ? (JSON.parse(doc.body) as AgreementRecord) : undefined;
  }

  async listAgreements(): Promise<AgreementRecord[]> {
    const docs = await this.guard(() =>
      this.agreements
        .aggregate<{ body: string }>([{ $sort: { id: 1, version: -1 } }, { $group: { _id: '$id', body: { $first: '$body' } } }, { $sort: { _id: 1 } }])
        .toArray(),
    );
    return docs.map((d) => JSON.parse(d.body) as AgreementRecord);
  }

  async listAgreementVersions(id: string): Promise<AgreementRecord[]> {
    const docs = await this.guard(() => this.agreements.find({ id }).sort({ version: 1 }).toArray());
    return docs.map((d) => JSON.parse(d.body) as AgreementRecord);
  }

  async agreementsRevision(): Promise<number> {
    const doc = await this.guard(() => this.revisions.findOne({ _id: AGREEMENTS_REVISION }));
    return doc?.value ?? 0;
  }

  // ---- the sharing log ------------------------------------------------------------------------

  async recordChange(c: ChangeRecord): Promise<void> {
    await this.appendAuditEvents([changeEvent(c)]);
  }

  async listChanges(limit: number, afterSeq = 0): Promise<(ChangeRecord & { seq: number })[]> {
    const docs = await this.guard(() => this.auditEvents.find({ ...CHANGES_FILTER, _id: { $gt: afterSeq } }).sort({ _id: 1 }).limit(limit).toArray());
    return docs.map((d) => changeOf(toAuditEvent(d)));
  }

  async appendAuditEvents(events: AuditEventInput[]): Promise<AuditEvent[]> {
    return this.write((session) => this.appendLocked(events, session));
  }

  /**
   * Chains events onto the head and inserts them, inside the caller's write. On a replica
   * set two instances appending at once both insert the next sequence number as `_id`: one
   * transaction conflicts and is retried on the new head, so the chain never forks.
   */
  private async appendLocked(inputs: AuditEventInput[], session: ClientSession | undefined): Promise<AuditEvent[]> {
    if (inputs.length === 0) return [];
    const head = headOf(await this.auditEvents.findOne({}, { session, sort: { _id: -1 }, projection: { _id: 1, hash: 1 } }));
    const { docs, events, checkpoints } = chainEvents(head, inputs, randomUUID);
    await this.auditEvents.insertMany(docs, { session });
    if (checkpoints.length) await this.checkpoints.insertMany(checkpoints, { session });
    return events;
  }

  async auditHead(): Promise<AuditHead> {
    return headOf(await this.guard(() => this.auditEvents.findOne({}, { sort: { _id: -1 }, projection: { _id: 1, hash: 1 } })));
  }

  async summarizeAudit(group: SummaryGroup, from?: Micros, to?: Micros): Promise<SummaryRow[]> {
    const docs = await this.guard(() => this.auditEvents.aggregate<SummaryGroupDoc>(summaryPipeline(group, from, to)).toArray());
    return docs.map(toSummaryRow);
  }

  async queryAuditEvents(q: AuditQuery): Promise<Page<AuditEvent>> {
    const docs = await this.guard(() => this.auditEvents.find(auditFilter(q), { sort: { _id: 1 }, limit: q.limit + 1 }).toArray());
    const more = docs.length > q.limit;
    if (more) docs.pop();
    return { records: docs.map(toAuditEvent), more };
  }

  async readAuditEvents(afterSeq: number, limit: number): Promise<StoredAuditEvent[]> {
    const docs = await this.guard(() => this.auditEvents.find({ _id: { $gt: afterSeq } }, { sort: { _id: 1 }, limit }).toArray());
    return docs.map((d) => {
      const event = toAuditEvent(d);
      // The document's own _id is what orders the log: a body moved to another document must not pass.
      if (event.seq !== d._id) event.seq = d._id;
      // The indexes here are on the event's own fields; reported as SQLite files them, for verifyStoreLog.
      const range = rangeIndexed(event) ? { collection: event.collection, ...event.date_added_range } : undefined;
      return { event, indexed: { objectIds: idsIndexedOneByOne(event), ...(range && { range }), agreements: d.agreements ?? [] } };
    });
  }

  async listCheckpoints(): Promise<(Checkpoint & { time: Micros })[]> {
    return (await this.guard(() => this.checkpoints.find().sort({ _id: 1 }).toArray())).map(toCheckpoint);
  }

  feeds(): MongoFeeds {
    return new MongoFeeds(this.db.collection<FeedDoc>('feeds'), (fn) => this.guard(fn));
  }

  /** The driver's I/O is asynchronous already: appends need no thread of their own. */
  backgroundAuditAppender(_warn: (message: string) => void): undefined {
    return undefined;
  }

  async checkpoint(now: Micros): Promise<Checkpoint | undefined> {
    return this.write(async (session) => {
      const head = headOf(await this.auditEvents.findOne({}, { session, sort: { _id: -1 }, projection: { _id: 1, hash: 1 } }));
      const last = await this.checkpoints.findOne({}, { session, sort: { _id: -1 } });
      if (head.seq === 0 || (last?._id ?? 0) >= head.seq) return undefined;
      await this.checkpoints.insertOne({ _id: head.seq, hash: head.hash, time: now }, { session });
      return head;
    });
  }
}

/**
 * Runs a create-if-absent that another instance may be running at the same moment: losing
 * that race (duplicate key, or the collection already exists) is success.
 */
async function ignoreConflict(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const NAMESPACE_EXISTS = 48;
    const DUPLICATE_KEY = 11000;
    if (!(e instanceof MongoServerError) || (e.code !== NAMESPACE_EXISTS && e.code !== DUPLICATE_KEY)) throw e;
  }
}

function toApiRoot(d: ApiRootDoc): ApiRootRecord {
  return {
    path: d._id,
    title: d.title,
    ...(d.description !== undefined && { description: d.description }),
    maxContentLength: d.max_content_length,
    contentPolicy: d.content_policy,
    allowedSpecVersions: d.allowed_spec_versions,
  };
}

function toCollection(d: CollectionDoc): CollectionRecord {
  return {
    id: d._id,
    apiRoot: d.api_root,
    title: d.title,
    ...(d.description !== undefined && { description: d.description }),
    ...(d.alias !== undefined && { alias: d.alias }),
    ...(d.country !== undefined && { country: d.country }),
    mediaTypes: d.media_types,
  };
}

function toParty(d: PartyDoc): PartyRecord {
  return {
    id: d._id,
    name: d.name,
    kind: d.kind,
    ...(d.country !== undefined && { country: d.country }),
    ...(d.identity_ref !== undefined && { identityRef: d.identity_ref }),
  };
}

function toAccount(d: AccountDoc): AccountRecord {
  return {
    id: d._id,
    name: d.name,
    partyId: d.party_id,
    roles: d.roles,
    disabled: d.disabled,
    passwordHash: d.password_hash,
    createdAt: d.created_at,
    updatedAt: d.updated_at,
  };
}

function toToken(d: TokenDoc): TokenRecord {
  return { id: d._id, accountId: d.account_id, hash: d.hash, label: d.label, createdAt: d.created_at, revokedAt: d.revoked_at };
}
