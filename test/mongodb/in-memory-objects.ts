/**
 * The `objects` and `counters` collections of a MongoStore, held in memory, with the
 * adapter's own query documents and write plans (src/store/mongodb/queries.ts, writes.ts)
 * evaluated by mingo, an in-process implementation of MongoDB's query and update language.
 *
 * Each method takes the steps of the MongoStore method of the same purpose, in the same
 * order, with the same documents; only the executor differs (mingo instead of a server).
 * So this checks the adapter's query logic and write plans, not the driver, the server's
 * query planner, indexes or transactions: those need a MongoDB server (test/contract/).
 */
import { Aggregator, Query, updateMany, updateOne } from 'mingo';
import type { AnyObject } from 'mingo/types';
import type { AnyBulkWriteOperation, Document } from 'mongodb';
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
} from '../../src/store/mongodb/queries';
import { admitsEverything } from '../../src/store/scope';
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
} from '../../src/store/mongodb/writes';
import { completedStatus } from '../../src/store/status';
import type { AddEnvelope, ManifestRecord, ObjectPage, ObjectQuery, ObjectScope, StatusRecord, VersionSelector } from '../../src/store/object-store';
import type { Page } from '../../src/store/page';

function find<T>(docs: readonly object[], filter: Document, projection?: Record<string, 0 | 1>): T[] {
  return new Query(filter as AnyObject).find<AnyObject>(docs as AnyObject[], projection).all() as T[];
}

export class InMemoryObjects {
  docs: ObjectDoc[] = [];
  /** As MongoStore.prepare() leaves it. */
  readonly counters: CounterDoc[] = [{ _id: DATE_ADDED_COUNTER, last: 0 }];

  /** `known`: the collection ids upserted into the catalogue. */
  constructor(private readonly known: ReadonlySet<string>) {}

  /** MongoStore.addObjects; undefined where it throws "Collection not found". */
  add(env: AddEnvelope): StatusRecord | undefined {
    if (!this.known.has(env.collectionId)) return undefined;
    const stored = find<StoredVersion>(this.docs, storedVersionsFilter(env.collectionId, env.objects), STORED_VERSION_PROJECTION);
    const jsonFilter = storedJsonFilter(env.collectionId, env.objects);
    const storedJson = jsonFilter ? find<StoredJson>(this.docs, jsonFilter, STORED_JSON_PROJECTION) : [];
    const entries = dedupe(env.objects, stored, storedJson);
    const count = newCount(entries);
    let start = 0;
    if (count > 0) {
      const reserve = reserveDateAdded(env.now, count);
      updateOne(this.counters as unknown as AnyObject[], reserve.filter, reserve.update as Parameters<typeof updateOne>[2]);
      start = firstReserved((this.counters[0] as CounterDoc).last, count);
    }
    const plan = planAdd(env.collectionId, entries, stored, start);
    this.apply(plan.writes);
    return completedStatus(env, plan.successes);
  }

  /** MongoStore.deleteObject. */
  delete(collectionId: string, objectId: string, versions: VersionSelector, specVersions: string[] | undefined, scope?: ObjectScope): number {
    const query = new Query(deleteFilter(collectionId, objectId, versions, specVersions, scope) as AnyObject);
    const kept = this.docs.filter((d) => !query.test(d as unknown as AnyObject));
    const deleted = this.docs.length - kept.length;
    this.docs = kept;
    if (deleted === 0) return 0;
    const remaining = find<Omit<StoredVersion, 'id'>>(this.docs, { coll: collectionId, id: objectId }, { _id: 0, spec_version: 1, version: 1 });
    this.apply(refreshFlags(collectionId, objectId, remaining));
    return deleted;
  }

  /** MongoStore.queryManifest. */
  manifest(q: ObjectQuery): Page<ManifestRecord> {
    return this.page(q, MANIFEST_PROJECTION, toManifestRecord);
  }

  /** MongoStore.queryObjects. */
  objects(q: ObjectQuery): ObjectPage {
    return toObjectPage(this.page(q, OBJECT_PROJECTION, (d: ManifestDoc & Pick<ObjectDoc, 'json'>) => d));
  }

  private page<D extends ManifestDoc, T>(q: ObjectQuery, projection: Record<string, 0 | 1>, map: (d: D) => T): Page<T> {
    const { filter, sort, limit } = pageQuery(q);
    const docs = new Query(filter as AnyObject).find<AnyObject>(this.docs as unknown as AnyObject[], projection).sort(sort).limit(limit).all() as D[];
    const more = docs.length > q.limit;
    if (more) docs.pop();
    const page: Page<T> = { records: docs.map(map), more };
    if (q.scope && !admitsEverything(q.scope)) {
      const pipeline = withheldPipeline(q, more ? docs[docs.length - 1]?.date_added : undefined);
      const groups = new Aggregator(pipeline).run(this.docs as unknown as AnyObject[]) as unknown as WithheldGroup[];
      if (groups.length > 0 || this.known.has(q.collectionId)) page.withheld = withheldOf(q.scope, groups);
    }
    return page;
  }

  /** What `bulkWrite(writes, { ordered: true })` does, operation by operation. */
  private apply(writes: AnyBulkWriteOperation<ObjectDoc>[]): void {
    for (const w of writes) {
      if ('insertOne' in w) this.docs.push({ ...w.insertOne.document } as ObjectDoc);
      else if ('updateMany' in w) updateMany(this.docs as unknown as AnyObject[], w.updateMany.filter as AnyObject, w.updateMany.update as Parameters<typeof updateMany>[2]);
      else throw new Error(`the adapter planned a write this harness does not apply: ${Object.keys(w).join()}`);
    }
  }
}
