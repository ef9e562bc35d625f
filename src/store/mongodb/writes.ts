/**
 * The write side of the MongoDB adapter as plain data: which stored rows an envelope needs
 * to know about, which of its objects are already stored, the documents to insert and the
 * flag updates that keep is_first / is_last / latest_spec right, the date_added
 * reservation, and the flag recomputation after a delete. MongoStore sends these to the
 * server unchanged; test/mongodb/ runs MongoStore over an in-process mingo double of the
 * driver and compares the outcome with the SQLite reference adapter, whose insertVersion() /
 * refreshFlags() this file mirrors step for step.
 */
import type { AnyBulkWriteOperation, Document, Filter } from 'mongodb';
import { formatTimestamp, type Micros } from '../../time';
import { compareSpecVersions, newestSpecVersion } from '../spec-version';
import type { ObjectRef } from '../../audit/events';
import type { NewObject, StatusDetail } from '../object-store';
import type { ObjectDoc } from './queries';

/** What the planner needs to know about one stored version. */
export type StoredVersion = Pick<ObjectDoc, 'id' | 'spec_version' | 'version'>;
export type StoredJson = StoredVersion & Pick<ObjectDoc, 'json'>;

/** Covered by the unique index (coll, id, spec_version, version): no document is fetched. */
export const STORED_VERSION_PROJECTION = { _id: 0, id: 1, spec_version: 1, version: 1 } as const;
export const STORED_JSON_PROJECTION = { ...STORED_VERSION_PROJECTION, json: 1 } as const;

/** Every stored version of the envelope's objects: for de-duplication and the flags. */
export function storedVersionsFilter(collectionId: string, objects: readonly NewObject[]): Filter<ObjectDoc> {
  return { coll: collectionId, id: { $in: unique(objects.map((o) => o.id)) } };
}

/**
 * Stored rows whose JSON may equal one of the envelope's objects without a version (SCOs
 * with neither `modified` nor `created`), or undefined when it has none. A superset: the
 * (id, spec_version, json) triple is matched in dedupe().
 */
export function storedJsonFilter(collectionId: string, objects: readonly NewObject[]): Filter<ObjectDoc> | undefined {
  const versionless = objects.filter((o) => o.version === null);
  if (versionless.length === 0) return undefined;
  return { coll: collectionId, id: { $in: unique(versionless.map((o) => o.id)) }, json: { $in: unique(versionless.map((o) => o.json)) } };
}

/** One envelope object: new, already in the collection, or a repeat of an earlier object of the envelope. */
export type Entry =
  | { obj: NewObject; kind: 'new' }
  | { obj: NewObject; kind: 'stored'; version: Micros }
  | { obj: NewObject; kind: 'repeat'; of: number };

/**
 * Decides which objects are already stored, as SQLite's storedVersion() does: an object
 * with a version when (id, spec_version, version) is stored; one without when the identical
 * JSON is (SCO ids derive from their content, so a re-sent SCO must not add a version).
 * Objects earlier in the same envelope count as stored.
 */
export function dedupe(objects: readonly NewObject[], stored: readonly StoredVersion[], storedJson: readonly StoredJson[]): Entry[] {
  const versions = new Set(stored.map((s) => versionKey(s.id, s.spec_version, s.version)));
  const jsons = new Map(storedJson.map((s) => [jsonKey(s.id, s.spec_version, s.json), s.version]));
  const newVersions = new Map<string, number>();
  const newJsons = new Map<string, number>();
  return objects.map((obj, i): Entry => {
    if (obj.version !== null) {
      const key = versionKey(obj.id, obj.specVersion, obj.version);
      if (versions.has(key)) return { obj, kind: 'stored', version: obj.version };
      const earlier = newVersions.get(key);
      if (earlier !== undefined) return { obj, kind: 'repeat', of: earlier };
      newVersions.set(key, i);
    } else {
      const key = jsonKey(obj.id, obj.specVersion, obj.json);
      const version = jsons.get(key);
      if (version !== undefined) return { obj, kind: 'stored', version };
      const earlier = newJsons.get(key);
      if (earlier !== undefined) return { obj, kind: 'repeat', of: earlier };
    }
    newJsons.set(jsonKey(obj.id, obj.specVersion, obj.json), i);
    return { obj, kind: 'new' };
  });
}

export function newCount(entries: readonly Entry[]): number {
  return entries.filter((e) => e.kind === 'new').length;
}

export interface AddPlan {
  /** In order: an insert's flag updates precede it, and later inserts may update earlier ones. */
  writes: AnyBulkWriteOperation<ObjectDoc>[];
  successes: StatusDetail[];
  /** The sharing-log event's versions, in status order; each newly placed one with its date_added. */
  refs: ObjectRef[];
}

/**
 * The documents and flag updates for an envelope's new objects, which receive the
 * date_added values `start`, `start + 1`, … in envelope order. Flags follow SQLite's
 * insertVersion(): the new version is last (first) when it is newer (older) than every
 * stored version of its (id, spec_version), and the rows it displaces lose the flag; a
 * newer spec_version takes latest_spec from the object's other rows.
 */
export function planAdd(collectionId: string, entries: readonly Entry[], stored: readonly StoredVersion[], start: Micros): AddPlan {
  const ranges = new Map<string, { min: Micros; max: Micros }>();
  const specs = new Map<string, Set<string>>();
  const remember = (id: string, spec: string, version: Micros) => {
    const key = groupKey(id, spec);
    const r = ranges.get(key);
    ranges.set(key, r ? { min: Math.min(r.min, version), max: Math.max(r.max, version) } : { min: version, max: version });
    const s = specs.get(id) ?? new Set<string>();
    s.add(spec);
    specs.set(id, s);
  };
  for (const s of stored) remember(s.id, s.spec_version, s.version);

  const writes: AnyBulkWriteOperation<ObjectDoc>[] = [];
  const successes: StatusDetail[] = [];
  const refs: ObjectRef[] = [];
  const assigned = new Map<number, Micros>();
  let dateAdded = start;
  entries.forEach((entry, i) => {
    const { obj } = entry;
    if (entry.kind !== 'new') {
      const version = entry.kind === 'stored' ? entry.version : (assigned.get(entry.of) as Micros);
      successes.push({ id: obj.id, version: formatTimestamp(version), message: 'already stored' });
      refs.push({ id: obj.id, version: formatTimestamp(version) });
      return;
    }
    const version = obj.version ?? dateAdded;
    assigned.set(i, version);
    const group = ranges.get(groupKey(obj.id, obj.specVersion));
    const isLast = group === undefined || version > group.max;
    const isFirst = group === undefined || version < group.min;
    const same = { coll: collectionId, id: obj.id, spec_version: obj.specVersion };
    if (isLast && group) writes.push({ updateMany: { filter: { ...same, is_last: true }, update: { $set: { is_last: false } } } });
    if (isFirst && group) writes.push({ updateMany: { filter: { ...same, is_first: true }, update: { $set: { is_first: false } } } });
    const newest = newestSpecVersion(specs.get(obj.id) ?? []);
    const latestSpec = newest === undefined || compareSpecVersions(obj.specVersion, newest) >= 0;
    if (newest !== undefined && compareSpecVersions(obj.specVersion, newest) > 0) {
      writes.push({ updateMany: { filter: { coll: collectionId, id: obj.id, latest_spec: true }, update: { $set: { latest_spec: false } } } });
    }
    const document: ObjectDoc = {
      ...same,
      type: obj.type,
      version,
      date_added: dateAdded,
      is_first: isFirst,
      is_last: isLast,
      latest_spec: latestSpec,
      tlp: obj.tlp,
      json: obj.json,
    };
    writes.push({ insertOne: { document } });
    remember(obj.id, obj.specVersion, version);
    const detail = { id: obj.id, version: formatTimestamp(version) };
    successes.push(detail);
    refs.push({ ...detail, date_added: formatTimestamp(dateAdded) });
    dateAdded++;
  });
  return { writes, successes, refs };
}

/**
 * The counter of date_added values: one document for the whole deployment, like SQLite's
 * clock row, so date_added is unique and increasing across all collections of the store.
 */
export const DATE_ADDED_COUNTER = 'date_added';

/** A document of the `counters` collection: `last` is the latest value handed out. */
export interface CounterDoc {
  _id: string;
  last: number;
  /** Bumped by every delete, so that a delete conflicts with concurrent adds (MongoStore.deleteObject). */
  deletes?: number;
}

/**
 * Reserves `count` consecutive date_added values in one atomic update: the first is
 * max(now, last + 1), exactly what SQLite hands out one object at a time, so `last`
 * becomes max(now + count - 1, last + count). An aggregation-pipeline update so the server
 * computes the maximum: two writers can never reserve overlapping ranges.
 */
export function reserveDateAdded(now: Micros, count: number): { filter: { _id: string }; update: Document[] } {
  return { filter: { _id: DATE_ADDED_COUNTER }, update: [{ $set: { last: { $max: [now + count - 1, { $add: ['$last', count] }] } } }] };
}

/** The first value of the range that reserveDateAdded() left ending at `last`. */
export function firstReserved(last: Micros, count: number): Micros {
  return last - count + 1;
}

/**
 * After versions of one object were deleted: recompute its flags from the versions that
 * remain, as SQLite's refreshFlags() does (first / last per spec_version; latest_spec on
 * the rows of the newest spec_version). One update per remaining spec_version.
 */
export function refreshFlags(collectionId: string, objectId: string, remaining: readonly Omit<StoredVersion, 'id'>[]): AnyBulkWriteOperation<ObjectDoc>[] {
  const ranges = new Map<string, { min: Micros; max: Micros }>();
  for (const r of remaining) {
    const range = ranges.get(r.spec_version);
    ranges.set(r.spec_version, range ? { min: Math.min(range.min, r.version), max: Math.max(range.max, r.version) } : { min: r.version, max: r.version });
  }
  const newest = newestSpecVersion(ranges.keys());
  return [...ranges].map(([spec, { min, max }]) => ({
    updateMany: {
      filter: { coll: collectionId, id: objectId, spec_version: spec },
      update: [{ $set: { is_first: { $eq: ['$version', min] }, is_last: { $eq: ['$version', max] }, latest_spec: spec === newest } }],
    },
  }));
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function versionKey(id: string, spec: string, version: Micros): string {
  return JSON.stringify([id, spec, version]);
}

function jsonKey(id: string, spec: string, json: string): string {
  return JSON.stringify([id, spec, json]);
}

function groupKey(id: string, spec: string): string {
  return JSON.stringify([id, spec]);
}
