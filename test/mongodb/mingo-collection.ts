/**
 * A stand-in for a driver `Collection`, for the few calls MongoFeeds makes (findOne, find with
 * sort, updateOne with upsert and $setOnInsert, deleteOne), evaluated by mingo, an in-process
 * implementation of MongoDB's query and update language. It runs the adapter's own filters
 * and updates; the driver, indexes and the server's atomicity are not tested by it.
 */
import { Query, updateOne } from 'mingo';
import type { AnyObject } from 'mingo/types';
import type { Collection, Document } from 'mongodb';

export function mingoCollection<T extends Document>(): Collection<T> {
  let docs: AnyObject[] = [];
  const matching = (filter: Document) => new Query(filter as AnyObject).find<AnyObject>(docs).all();
  // JSON, not structuredClone: under jest that makes objects of another realm, which mingo
  // does not take for plain objects.
  const copy = <D>(d: D): D => (d === null ? d : (JSON.parse(JSON.stringify(d)) as D));
  const double = {
    findOne: async (filter: Document) => copy(matching(filter)[0] ?? null),
    find: (filter: Document) => ({
      sort: (spec: Record<string, 1 | -1>) => ({
        toArray: async () => {
          const [[field, dir]] = Object.entries(spec) as [[string, 1 | -1]];
          return copy(matching(filter)).sort((a, b) => (String(a[field]) < String(b[field]) ? -dir : String(a[field]) > String(b[field]) ? dir : 0));
        },
      }),
    }),
    updateOne: async (filter: Document, update: Document, options?: { upsert?: boolean }) => {
      const { $setOnInsert, ...rest } = update as { $setOnInsert?: AnyObject };
      if (matching(filter).length === 0) {
        if (!options?.upsert) return { matchedCount: 0, modifiedCount: 0, upsertedCount: 0 };
        docs.push({ _id: (filter as { _id: unknown })._id, ...copy($setOnInsert ?? {}) });
        return { matchedCount: 0, modifiedCount: 0, upsertedCount: 1 };
      }
      const r = Object.keys(rest).length > 0 ? updateOne(docs, filter as AnyObject, copy(rest) as never) : { matchedCount: 1, modifiedCount: 0 };
      return { matchedCount: r.matchedCount, modifiedCount: r.modifiedCount, upsertedCount: 0 };
    },
    deleteOne: async (filter: Document) => {
      const [hit] = matching(filter);
      docs = docs.filter((d) => d !== hit);
      return { deletedCount: hit ? 1 : 0 };
    },
  };
  return double as unknown as Collection<T>;
}
