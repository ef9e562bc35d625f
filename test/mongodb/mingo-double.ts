/**
 * An in-memory stand-in for the part of the MongoDB driver's `MongoClient` / `Db` /
 * `Collection` API that MongoStore uses, with every filter, update and pipeline evaluated by
 * mingo (an in-process implementation of MongoDB's query, update and aggregation language).
 * MongoStore itself runs over it unchanged: its role classes, its query documents and write
 * plans, its queued writes and "transactions".
 *
 * What this checks is MongoStore's LOGIC, not MongoDB: no wire protocol, no server query
 * planner, no real indexes (createIndexes only records them; unique ones are enforced here
 * so that duplicate-key paths run), no concurrency between instances. A transaction runs
 * its work directly and, if the work throws, restores every collection as it was before
 * (all-or-nothing, which is what a server transaction promises). The real-server suite is
 * test/contract/mongodb.test.ts (MONGODB_URI).
 */
import { Aggregator, Query, updateOne } from 'mingo';
import type { AnyObject } from 'mingo/types';
import { type IndexDescription, type MongoClient, MongoServerError, ObjectId } from 'mongodb';
import { copy, type Doc, type Filter, type FindOptions, MingoCursor, narrow } from './mingo-cursor';

type Update = AnyObject | AnyObject[];

function duplicateKey(collection: string, index: string): MongoServerError {
  return new MongoServerError({ message: `E11000 duplicate key error collection: ${collection} index: ${index}`, code: 11000 });
}

export class MingoCollection {
  docs: Doc[] = [];
  readonly indexes: IndexDescription[] = [];
  /** Per unique index (and `_id`), by name, the keys present; rebuilt after anything but an insert. */
  private keys: Map<string, Set<string>> | undefined;

  constructor(readonly name: string) {}

  find<T = Doc>(filter: Filter = {}, options: FindOptions = {}): MingoCursor<T> {
    this.checkHint(filter, options.hint);
    return new MingoCursor<T>(() => this.docs, filter, options);
  }

  /**
   * As the server refuses it: a hint that names no index of the collection, or a partial index
   * whose filter the query does not imply (here: state as equalities).
   */
  private checkHint(filter: Filter, hint: string | undefined): void {
    if (hint === undefined) return;
    const index = this.indexes.find((i) => i.name === hint);
    const partial = Object.entries((index?.partialFilterExpression ?? {}) as Filter);
    if (!index || !partial.every(([field, value]) => filter[field] === value)) {
      throw new MongoServerError({ message: `hint provided does not correspond to an existing index: ${hint}`, code: 2 });
    }
  }

  async findOne<T = Doc>(filter: Filter = {}, options: FindOptions = {}): Promise<T | null> {
    const [first] = await this.find<T>(filter, { ...options, limit: 1 }).toArray();
    return first ?? null;
  }

  async countDocuments(filter: Filter = {}, options: { limit?: number; hint?: string } = {}): Promise<number> {
    return (await this.find(filter, { ...(options.limit && { limit: options.limit }), ...(options.hint && { hint: options.hint }) }).toArray())
      .length;
  }

  aggregate<T = Doc>(pipeline: AnyObject[]): { toArray(): Promise<T[]> } {
    return { toArray: async () => copy(new Aggregator(pipeline).run(this.docs)) as T[] };
  }

  /** Puts back the documents a failed transaction started from. */
  restore(docs: Doc[]): void {
    this.docs = docs;
    this.keys = undefined;
  }

  async createIndexes(specs: IndexDescription[]): Promise<string[]> {
    for (const spec of specs) if (!this.indexes.some((i) => i.name === spec.name)) this.indexes.push(spec);
    this.keys = undefined;
    return specs.map((s) => s.name as string);
  }

  async insertOne(doc: Doc): Promise<{ acknowledged: true; insertedId: unknown }> {
    // As the driver does: a document without `_id` gets a new ObjectId.
    const stored = { _id: doc._id ?? new ObjectId(), ...copy(doc) };
    this.insert(stored);
    return { acknowledged: true, insertedId: stored._id };
  }

  async insertMany(docs: Doc[]): Promise<{ acknowledged: true; insertedCount: number }> {
    // Ordered: the documents before a duplicate stay inserted, as with the driver's default.
    for (const doc of docs) await this.insertOne(doc);
    return { acknowledged: true, insertedCount: docs.length };
  }

  async replaceOne(filter: Filter, doc: Doc, options: { upsert?: boolean } = {}): Promise<{ matchedCount: number; upsertedCount: number }> {
    const { matchedCount } = this.modify(filter, (found) => ({ _id: found._id, ...copy(doc) }), false);
    if (matchedCount === 0 && options.upsert) this.insert({ _id: new ObjectId(), ...seedOf(filter), ...copy(doc) });
    return { matchedCount, upsertedCount: matchedCount === 0 && options.upsert ? 1 : 0 };
  }

  async updateOne(
    filter: Filter,
    update: Update,
    options: { upsert?: boolean } = {},
  ): Promise<{ matchedCount: number; modifiedCount: number; upsertedCount: number }> {
    const result = this.modify(filter, (doc) => updated(doc, update), false);
    const upsert = result.matchedCount === 0 && options.upsert === true;
    if (upsert) this.insert(upserted(filter, update));
    return { ...result, upsertedCount: upsert ? 1 : 0 };
  }

  async updateMany(filter: Filter, update: Update): Promise<{ matchedCount: number; modifiedCount: number }> {
    return this.modify(filter, (doc) => updated(doc, update), true);
  }

  async deleteMany(filter: Filter): Promise<{ acknowledged: true; deletedCount: number }> {
    const query = new Query(filter);
    const kept = this.docs.filter((d) => !query.test(d));
    const deletedCount = this.docs.length - kept.length;
    this.docs = kept;
    this.keys = undefined;
    return { acknowledged: true, deletedCount };
  }

  /** As the driver (v6 and later) returns it: the document itself, before or after the update. */
  async findOneAndUpdate(
    filter: Filter,
    update: Update,
    options: FindOptions & { returnDocument?: 'before' | 'after'; upsert?: boolean } = {},
  ): Promise<Doc | null> {
    const found = new Query(filter).find<Doc>(this.docs);
    const [target] = (options.sort ? found.sort(options.sort) : found).limit(1).all();
    if (!target) {
      if (!options.upsert) return null;
      const doc = upserted(filter, update);
      this.insert(doc);
      return options.returnDocument === 'after' ? copy(doc) : null;
    }
    this.modify({ _id: target._id }, (doc) => updated(doc, update), false);
    return options.returnDocument === 'after' ? this.findOne({ _id: target._id }) : copy(target);
  }

  /** Ordered bulk writes of the kinds MongoStore plans (writes.ts). */
  async bulkWrite(operations: AnyObject[]): Promise<{ ok: 1 }> {
    for (const op of operations) {
      if ('insertOne' in op) await this.insertOne((op.insertOne as { document: Doc }).document);
      else if ('updateMany' in op) await this.updateMany(...filterAndUpdate(op.updateMany));
      else if ('updateOne' in op)
        await this.updateOne(...filterAndUpdate(op.updateOne), { upsert: (op.updateOne as { upsert?: boolean }).upsert === true });
      else if ('deleteMany' in op) await this.deleteMany((op.deleteMany as { filter: Filter }).filter);
      else throw new Error(`the mingo double has no bulk operation ${Object.keys(op).join()}`);
    }
    return { ok: 1 };
  }

  private uniqueIndexes(): IndexDescription[] {
    return [{ name: '_id_', key: { _id: 1 } }, ...this.indexes.filter((i) => i.unique)];
  }

  /** The document's key in a unique index, or undefined when the index's partial filter leaves it out. */
  private static keyOf(index: IndexDescription, doc: Doc): string | undefined {
    if (index.partialFilterExpression && !new Query(index.partialFilterExpression as Filter).test(doc)) return undefined;
    return JSON.stringify(Object.keys(index.key).map((field) => doc[field] ?? null));
  }

  /** Adds a document, failing as the server does (duplicate key) when a unique index already holds its key. */
  private insert(doc: Doc): void {
    const keys = this.keys ?? this.indexKeys(this.docs);
    const found = this.uniqueIndexes().map((index) => [index, MingoCollection.keyOf(index, doc)] as const);
    for (const [index, key] of found)
      if (key !== undefined && keys.get(index.name as string)?.has(key)) throw duplicateKey(this.name, index.name as string);
    for (const [index, key] of found) if (key !== undefined) keys.get(index.name as string)?.add(key);
    this.keys = keys;
    this.docs.push(doc);
  }

  /**
   * Changes the matching documents (the first only, unless `many`): each changed one is a new
   * object put in its place, never edited in place, so a transaction's snapshot of the list
   * keeps the documents as they were. Fails as the server does (duplicate key), changing
   * nothing, when the result breaks a unique index.
   */
  private modify(filter: Filter, change: (doc: Doc) => Doc | undefined, many: boolean): { matchedCount: number; modifiedCount: number } {
    const query = new Query(filter);
    const candidates = new Set(narrow(this.docs, filter));
    const next = this.docs.slice();
    const changes: [before: Doc, after: Doc][] = [];
    let matchedCount = 0;
    for (let i = 0; i < next.length; i++) {
      const doc = next[i] as Doc;
      if (!candidates.has(doc) || !query.test(doc)) continue;
      matchedCount++;
      const changed = change(doc);
      if (changed) {
        next[i] = changed;
        changes.push([doc, changed]);
      }
      if (!many) break;
    }
    if (changes.length > 0) {
      this.keys = this.rekeyed(changes);
      this.docs = next;
    }
    return { matchedCount, modifiedCount: changes.length };
  }

  /** The unique-index keys after `changes`, or a duplicate-key error (keys as they were). */
  private rekeyed(changes: readonly (readonly [Doc, Doc])[]): Map<string, Set<string>> {
    const keys = new Map(this.keys ?? this.indexKeys(this.docs));
    for (const index of this.uniqueIndexes()) {
      const name = index.name as string;
      const moves = changes
        .map(([before, after]) => [MingoCollection.keyOf(index, before), MingoCollection.keyOf(index, after)] as const)
        .filter(([a, b]) => a !== b);
      if (moves.length === 0) continue;
      const set = new Set(keys.get(name));
      for (const [old] of moves) if (old !== undefined) set.delete(old);
      for (const [, key] of moves) {
        if (key === undefined) continue;
        if (set.has(key)) throw duplicateKey(this.name, name);
        set.add(key);
      }
      keys.set(name, set);
    }
    return keys;
  }

  private indexKeys(docs: readonly Doc[]): Map<string, Set<string>> {
    const keys = new Map<string, Set<string>>();
    for (const index of this.uniqueIndexes()) {
      const seen = new Set<string>();
      for (const doc of docs) {
        const key = MingoCollection.keyOf(index, doc);
        if (key === undefined) continue;
        if (seen.has(key)) throw duplicateKey(this.name, index.name as string);
        seen.add(key);
      }
      keys.set(index.name as string, seen);
    }
    return keys;
  }
}

function filterAndUpdate(op: unknown): [Filter, Update] {
  const { filter, update } = op as { filter: Filter; update: Update };
  return [filter, update];
}

/** The equality fields of a filter: what an upsert's new document starts from. */
function seedOf(filter: Filter): Doc {
  return Object.fromEntries(
    Object.entries(filter).filter(([k, v]) => !k.startsWith('$') && (v === null || typeof v !== 'object' || Array.isArray(v))),
  );
}

/** A copy of `doc` with the update applied by mingo, or undefined when it changes nothing. $setOnInsert only applies to an upsert's insert. */
function updated(doc: Doc, update: Update): Doc | undefined {
  const target = [copy(doc)];
  const modifier = Array.isArray(update) ? update : (({ $setOnInsert: _onInsert, ...rest }) => rest)(update);
  return updateOne(target, {}, modifier as Parameters<typeof updateOne>[2]).modifiedCount > 0 ? target[0] : undefined;
}

function upserted(filter: Filter, update: Update): Doc {
  const doc = [{ _id: new ObjectId(), ...seedOf(filter) }];
  if (Array.isArray(update)) updateOne(doc, {}, update as Parameters<typeof updateOne>[2]);
  else {
    const { $setOnInsert, ...rest } = update;
    const changes = { ...rest, $set: { ...(rest.$set as AnyObject | undefined), ...($setOnInsert as AnyObject | undefined) } };
    updateOne(doc, {}, changes as Parameters<typeof updateOne>[2]);
  }
  return doc[0] as Doc;
}

export class MingoDb {
  readonly collections = new Map<string, MingoCollection>();

  collection(name: string): MingoCollection {
    let c = this.collections.get(name);
    if (!c) {
      c = new MingoCollection(name);
      this.collections.set(name, c);
    }
    return c;
  }

  listCollections(): { toArray(): Promise<{ name: string }[]> } {
    return { toArray: async () => [...this.collections.keys()].map((name) => ({ name })) };
  }

  async createCollection(name: string): Promise<MingoCollection> {
    if (this.collections.has(name)) throw new MongoServerError({ message: `Collection ${name} already exists`, code: 48 });
    return this.collection(name);
  }

  /** `hello` answers as a replica-set member (so MongoStore uses transactions); `ping` answers. */
  async command(command: AnyObject): Promise<AnyObject> {
    if ('hello' in command) return { isWritablePrimary: true, maxWireVersion: 21, setName: 'mingo-double' };
    if ('ping' in command) return { ok: 1 };
    throw new Error(`the mingo double has no command ${Object.keys(command).join()}`);
  }

  /** Every collection's list of documents (never edited in place, see modify()), to restore when a transaction fails. */
  snapshot(): () => void {
    const saved = new Map([...this.collections.values()].map((c) => [c, c.docs.slice()]));
    return () => {
      // A collection first written in the transaction goes back to empty.
      for (const c of this.collections.values()) c.restore(saved.get(c) ?? []);
    };
  }
}

/** A stand-in MongoClient with one database, whatever name is asked for. */
export class MingoClient {
  readonly database = new MingoDb();
  closed = false;

  async connect(): Promise<this> {
    return this;
  }

  db(_name?: string): MingoDb {
    return this.database;
  }

  startSession(): { withTransaction<T>(work: () => Promise<T>): Promise<T>; endSession(): Promise<void> } {
    return {
      withTransaction: async <T>(work: () => Promise<T>): Promise<T> => {
        const restore = this.database.snapshot();
        try {
          return await work();
        } catch (e) {
          restore();
          throw e;
        }
      },
      endSession: async () => undefined,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** For MongoStore, which takes a driver client: the parts it calls are implemented above. */
  asDriver(): MongoClient {
    return this as unknown as MongoClient;
  }
}
