/**
 * STIX objects in MongoDB: adding an envelope (de-duplication, date_added reserved from the
 * counter document, version flags: the plans of writes.ts), pages and manifests (the queries
 * of queries.ts), statuses, and deleting versions. Adds and deletes append their
 * sharing-log event in the same transaction.
 */
import type { ClientSession, Collection, ObjectId } from 'mongodb';
import { changeEvent } from '../../audit/changes';
import type { ChangeRecord } from '../../catalog/types';
import type { AuditEventInput, ObjectRef } from '../../audit/events';
import { fail } from '../../errors';
import { formatTimestamp, type Micros } from '../../time';
import type { AddEnvelope, ManifestRecord, ObjectPage, ObjectQuery, ObjectScope, ObjectStore, StatusRecord, VersionSelector } from '../object-store';
import type { Page } from '../page';
import { admitsEverything } from '../scope';
import { completedStatus } from '../status';
import { mergeByDateAdded, type ScopedQuery, walkArms, walksByLevel, withheldCounts } from './scoped-walk';
import type { MongoAudit } from './audit';
import type { CollectionDoc } from './catalog-docs';
import type { MongoDatabase } from './database';
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
import {
  type CounterDoc,
  DATE_ADDED_COUNTER,
  dedupe,
  firstReserved,
  judge,
  newCount,
  newOwners,
  type OwnerDoc,
  ownersFilter,
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

type Withheld = NonNullable<Page<unknown>['withheld']>;

/** Statuses are kept as their JSON text, like SQLite, so they read back exactly. */
interface StatusDoc {
  _id: string;
  created_at: Micros;
  body: string;
}

export class MongoObjects implements ObjectStore {
  private readonly objects: Collection<ObjectDoc>;
  private readonly owners: Collection<OwnerDoc>;
  private readonly counters: Collection<CounterDoc>;
  private readonly statuses: Collection<StatusDoc>;
  private readonly collections: Collection<CollectionDoc>;

  constructor(
    private readonly db: MongoDatabase,
    /** The sharing log: adds and deletes append their event inside their own write. */
    private readonly audit: MongoAudit,
  ) {
    this.objects = db.collection('objects');
    this.owners = db.collection('object_owners');
    this.counters = db.collection('counters');
    this.statuses = db.collection('statuses');
    this.collections = db.collection('collections');
  }

  async addObjects(env: AddEnvelope): Promise<StatusRecord> {
    return this.db.write(async (session) => {
      const { stored, owners, entries } = await this.lookUp(env, session);
      const count = newCount(entries);
      // Nothing new (every object already stored): no date_added is handed out, so `start` is unused.
      let start = 0;
      if (count > 0) {
        const reserve = reserveDateAdded(env.now, count);
        const counter = (await this.counters.findOneAndUpdate(reserve.filter, reserve.update, { session, returnDocument: 'after' })) as CounterDoc;
        start = firstReserved(counter.last, count);
      }
      const plan = planAdd(env.collectionId, entries, stored, start, env.requestTimestamp);
      const claimed = newOwners(env.collectionId, entries, owners, env.partyId);
      if (claimed.length) await this.owners.insertMany(claimed, { session });
      if (plan.writes.length) await this.objects.bulkWrite(plan.writes, { session, ordered: true });
      const status = completedStatus(env, plan.successes, plan.refused);
      await this.statuses.insertOne({ _id: status.id, created_at: env.now, body: JSON.stringify(status) }, { session });
      await this.audit.appendLocked([env.audit(status, plan.refs)], session);
      return status;
    });
  }

  /**
   * The add's lookups and plan, without its writes (a standalone server cannot undo them):
   * date_added values are planned from the clock, as an add on an idle collection would.
   */
  async rehearseAdd(env: AddEnvelope): Promise<StatusRecord> {
    const { stored, owners, entries } = await this.db.guard(() => this.lookUp(env, undefined));
    const plan = planAdd(env.collectionId, entries, stored, env.now, env.requestTimestamp);
    newOwners(env.collectionId, entries, owners, env.partyId);
    const status = completedStatus(env, plan.successes, plan.refused);
    env.audit(status, plan.refs);
    return status;
  }

  /** What an add must know of the collection: the stored versions and owners of the envelope's ids, and each object's outcome. */
  private async lookUp(env: AddEnvelope, session: ClientSession | undefined) {
    const known = await this.collections.findOne({ _id: env.collectionId }, { session, projection: { _id: 1 } });
    if (!known) throw fail('missing-collection', `no collection ${env.collectionId}`);
    const stored = await this.objects
      .find(storedVersionsFilter(env.collectionId, env.objects), { session })
      .project<StoredVersion>(STORED_VERSION_PROJECTION)
      .toArray();
    const jsonFilter = storedJsonFilter(env.collectionId, env.objects);
    const storedJson = jsonFilter ? await this.objects.find(jsonFilter, { session }).project<StoredJson>(STORED_JSON_PROJECTION).toArray() : [];
    const owners = await this.owners
      .find(ownersFilter(env.collectionId, env.objects), { session })
      .project<OwnerDoc>({ _id: 0, coll: 1, id: 1, party: 1 })
      .toArray();
    return { stored, owners, entries: judge(dedupe(env.objects, stored, storedJson), stored, owners, env.partyId, env.visible) };
  }

  async getStatus(id: string): Promise<StatusRecord | undefined> {
    const doc = await this.db.guard(() => this.statuses.findOne({ _id: id }));
    return doc ? (JSON.parse(doc.body) as StatusRecord) : undefined;
  }

  async ownerOf(collectionId: string, objectId: string): Promise<string | undefined> {
    const doc = await this.db.guard(() => this.owners.findOne({ coll: collectionId, id: objectId }));
    return doc?.party;
  }

  async setOwner(collectionId: string, objectId: string, party: string, change: ChangeRecord): Promise<boolean> {
    return this.db.write(async (session) => {
      if (!(await this.objects.findOne({ coll: collectionId, id: objectId }, { session, projection: { _id: 1 } }))) return false;
      await this.owners.updateOne({ coll: collectionId, id: objectId }, { $set: { party } }, { session, upsert: true });
      await this.audit.appendLocked([changeEvent(change)], session);
      return true;
    });
  }

  async queryObjects(q: ObjectQuery): Promise<ObjectPage> {
    return toObjectPage(await this.page(q, OBJECT_PROJECTION, (d: ManifestDoc & Pick<ObjectDoc, 'json'>) => d));
  }

  async queryManifest(q: ObjectQuery): Promise<Page<ManifestRecord>> {
    return this.page(q, MANIFEST_PROJECTION, toManifestRecord);
  }

  private async page<D extends ManifestDoc, T>(q: ObjectQuery, projection: Record<string, 0 | 1>, map: (d: D) => T): Promise<Page<T>> {
    const byLevel = walksByLevel(q);
    const docs = byLevel ? await this.walk<D>(q, projection) : await this.find<D>(q, projection);
    const more = docs.length > q.limit;
    if (more) docs.pop();
    const page: Page<T> = { records: docs.map(map), more };
    if (q.scope && !admitsEverything(q.scope)) {
      const { scope } = q;
      const upTo = more ? docs[docs.length - 1]?.date_added : undefined;
      const withheld = byLevel ? await this.withheldByLevel(q, upTo) : await this.withheld(q, scope, upTo);
      // As SQLite: a collection that does not exist gives a bare empty page, without a count.
      if (withheld.count > 0 || (await this.db.guard(() => this.collections.countDocuments({ _id: q.collectionId }, { limit: 1 }))) > 0) {
        page.withheld = withheld;
      }
    }
    return page;
  }

  /** One find of the page query (queries.ts pageQuery), one beyond the page. */
  private async find<D extends ManifestDoc>(q: ObjectQuery, projection: Record<string, 0 | 1>): Promise<D[]> {
    const { filter, sort, limit } = pageQuery(q);
    return this.db.guard(() => this.objects.find(filter, { sort, limit }).project<D>(projection).toArray());
  }

  /**
   * The per-level walk (scoped-walk.ts): its arms run concurrently (each a bounded walk of
   * objects_visible, named by hint so no plan can widen it), merged by date_added.
   */
  private async walk<D extends ManifestDoc>(q: ScopedQuery, projection: Record<string, 0 | 1>): Promise<D[]> {
    const pages = await Promise.all(
      walkArms(q).map(({ filter, sort, limit, hint }) =>
        this.db.guard(() => this.objects.find(filter, { sort, limit, hint }).project<D>(projection).toArray()),
      ),
    );
    return mergeByDateAdded(pages, q.limit + 1);
  }

  /** What the scope withheld in the page's range, grouped by (tlp, type) in one aggregation. */
  private async withheld(q: ObjectQuery, scope: ObjectScope, upTo: Micros | undefined): Promise<Withheld> {
    const groups = await this.db.guard(() => this.objects.aggregate<WithheldGroup>(withheldPipeline(q, upTo)).toArray());
    return withheldOf(scope, groups);
  }

  /** The same for a walked page: one count per level and reason on objects_visible, run concurrently. */
  private async withheldByLevel(q: ScopedQuery, upTo: Micros | undefined): Promise<Withheld> {
    const counts = withheldCounts(q, upTo);
    const ns = await Promise.all(counts.map(({ filter, hint }) => this.db.guard(() => this.objects.countDocuments(filter, { hint }))));
    const out: Withheld = { count: 0, reasons: {} };
    counts.forEach(({ reason }, i) => {
      const n = ns[i] as number;
      if (n === 0) return;
      out.count += n;
      out.reasons[reason] = (out.reasons[reason] ?? 0) + n;
    });
    return out;
  }

  async deleteObject(
    collectionId: string,
    objectId: string,
    versions: VersionSelector,
    specVersions: string[] | undefined,
    scope: ObjectScope | undefined,
    audit: (removed: ObjectRef[]) => AuditEventInput,
  ): Promise<number> {
    return this.db.write(async (session) => {
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
        .project<Pick<StoredVersion, 'spec_version' | 'version' | 'tlp'>>({ _id: 0, spec_version: 1, version: 1, tlp: 1 })
        .toArray();
      const writes = refreshFlags(collectionId, objectId, remaining);
      if (writes.length) await this.objects.bulkWrite(writes, { session, ordered: true });
      const removed = doomed.map((d) => ({ id: objectId, version: formatTimestamp(d.version), date_added: formatTimestamp(d.date_added) }));
      await this.audit.appendLocked([audit(removed)], session);
      return deletedCount;
    });
  }
}
