/**
 * The read side of the mingo double (mingo-double.ts): a `find()` cursor and the copies the
 * driver hands out. Filters and projections are evaluated by mingo.
 */
import { Query } from 'mingo';
import type { AnyObject } from 'mingo/types';

export type Doc = AnyObject;
export type Filter = AnyObject;
export type Sort = Record<string, 1 | -1>;
export type Projection = Record<string, 0 | 1>;
export interface FindOptions {
  sort?: Sort;
  limit?: number;
  projection?: Projection;
  /** An index name: checked by the double (MingoCollection.find), which then answers as without it. */
  hint?: string;
}

/**
 * What the driver does to a document on its way to the server and back: a copy. Values that
 * are not plain objects or arrays (Binary, Buffer) are kept as they are.
 */
export function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
  }
  return value;
}

/** A `find()` cursor: sort, limit and projection in any order, applied when read. */
export class MingoCursor<T> {
  constructor(
    private readonly docs: () => Doc[],
    private readonly filter: Filter,
    private options: FindOptions,
  ) {}

  sort(sort: Sort): this {
    this.options = { ...this.options, sort };
    return this;
  }

  limit(limit: number): this {
    this.options = { ...this.options, limit };
    return this;
  }

  project<P>(projection: Projection): MingoCursor<P> {
    return new MingoCursor<P>(this.docs, this.filter, { ...this.options, projection });
  }

  /** `for await` over a cursor, as the driver's: here the whole answer, one document at a time. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    yield* await this.toArray();
  }

  async toArray(): Promise<T[]> {
    const { sort, limit, projection } = this.options;
    const candidates = narrow(this.docs(), this.filter);
    const [only, ...more] = Object.entries(sort ?? {});
    if (only && more.length === 0 && limit && candidates.every((d) => typeof d[only[0]] === 'number')) {
      // A page (one numeric sort key and a limit) is the first `limit` matches in key order:
      // the same answer as mingo's filter-sort-limit, without testing and sorting every
      // document for each page of a long walk.
      const [field, direction] = only;
      const query = new Query(this.filter);
      const page: Doc[] = [];
      for (const doc of [...candidates].sort((a, b) => ((a[field] as number) - (b[field] as number)) * direction)) {
        if (!query.test(doc)) continue;
        page.push(doc);
        if (page.length === limit) break;
      }
      return copy(new Query({}).find<Doc>(page, projection).all()) as T[];
    }
    let cursor = new Query(this.filter).find<Doc>(candidates, projection);
    if (sort) cursor = cursor.sort(sort);
    if (limit) cursor = cursor.limit(limit);
    return copy(cursor.all()) as T[];
  }
}

/**
 * The documents that may match `filter`, by its cheap necessary conditions (top-level
 * equalities on scalars, numeric bounds) checked in plain JavaScript; mingo still decides
 * for every document kept. (mingo tests a few thousand documents a millisecond, and a
 * paging walk queries a collection hundreds of times.)
 */
export function narrow(docs: Doc[], filter: Filter): Doc[] {
  const tests: ((doc: Doc) => boolean)[] = [];
  for (const [field, condition] of Object.entries(filter)) {
    if (field.startsWith('$') || field.includes('.')) continue;
    if (typeof condition === 'string' || typeof condition === 'number' || typeof condition === 'boolean') {
      // An array or document value is left to mingo (an array matches by its elements).
      tests.push((doc) => (typeof doc[field] === 'object' && doc[field] !== null) || doc[field] === condition);
    } else if (isNumericRange(condition)) {
      const { $gt, $gte, $lt, $lte } = condition;
      tests.push((doc) => {
        const v = doc[field];
        if (typeof v !== 'number') return true;
        return (
          ($gt === undefined || v > $gt) && ($gte === undefined || v >= $gte) && ($lt === undefined || v < $lt) && ($lte === undefined || v <= $lte)
        );
      });
    }
  }
  return tests.length === 0 ? docs : docs.filter((doc) => tests.every((test) => test(doc)));
}

function isNumericRange(condition: unknown): condition is { $gt?: number; $gte?: number; $lt?: number; $lte?: number } {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) return false;
  const entries = Object.entries(condition);
  return entries.length > 0 && entries.every(([op, v]) => ['$gt', '$gte', '$lt', '$lte'].includes(op) && typeof v === 'number');
}
