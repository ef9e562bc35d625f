/**
 * The write side of the MongoDB adapter as plain data: which stored rows an envelope needs
 * to know about, which of its objects are already stored, the documents to insert and the
 * flag updates that keep is_first / is_last / latest_spec right, the date_added
 * reservation, and the flag recomputation after a delete. MongoStore sends these to the
 * server unchanged; test/mongodb/ runs MongoStore over an in-process mingo double of the
 * driver and compares the outcome with the SQLite reference adapter, whose insertVersion() /
 * refreshFlags() this file mirrors step for step.
 *
 * Over 300 lines on purpose: the version-flag rules of an add and of a delete must agree, so they stay in one file.
 */
import type { AnyBulkWriteOperation, Document, Filter } from 'mongodb';
import { formatTimestamp, type Micros } from '../../time';
import { compareSpecVersions, newestSpecVersion } from '../spec-version';
import type { ObjectRef } from '../../audit/events';
import { addOutcome } from '../../access/ownership';
import { levelBit, levelMask } from '../scope';
import type { NewObject, ObjectScope, StatusDetail } from '../object-store';
import type { ObjectDoc } from './queries';

/** What the planner needs to know about one stored version. */
export type StoredVersion = Pick<ObjectDoc, 'id' | 'spec_version' | 'version' | 'tlp'>;
export type StoredJson = StoredVersion & Pick<ObjectDoc, 'json'>;

/** With the TLP level: whether the adding party may read a stored copy decides its outcome. */
export const STORED_VERSION_PROJECTION = { _id: 0, id: 1, spec_version: 1, version: 1, tlp: 1 } as const;
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

/**
 * One envelope object: new, already in the collection, a repeat of an earlier object of the
 * envelope, or refused by the rights of the adding party (judge()).
 */
export type Entry =
  | { obj: NewObject; kind: 'new' }
  | { obj: NewObject; kind: 'stored'; version: Micros; tlp: number }
  | { obj: NewObject; kind: 'repeat'; of: number }
  | { obj: NewObject; kind: 'refused'; message: string };

/**
 * Decides which objects are already stored, as SQLite's storedVersion() does: an object
 * with a version when (id, spec_version, version) is stored; one without when the identical
 * JSON is (SCO ids derive from their content, so a re-sent SCO must not add a version).
 * Objects earlier in the same envelope count as stored.
 */
export function dedupe(objects: readonly NewObject[], stored: readonly StoredVersion[], storedJson: readonly StoredJson[]): Entry[] {
  const versions = new Map(stored.map((s) => [versionKey(s.id, s.spec_version, s.version), s.tlp]));
  const jsons = new Map(storedJson.map((s) => [jsonKey(s.id, s.spec_version, s.json), s]));
  const newVersions = new Map<string, number>();
  const newJsons = new Map<string, number>();
  return objects.map((obj, i): Entry => {
    if (obj.version !== null) {
      const key = versionKey(obj.id, obj.specVersion, obj.version);
      const tlp = versions.get(key);
      if (tlp !== undefined) return { obj, kind: 'stored', version: obj.version, tlp };
      const earlier = newVersions.get(key);
      if (earlier !== undefined) return { obj, kind: 'repeat', of: earlier };
      newVersions.set(key, i);
    } else {
      const key = jsonKey(obj.id, obj.specVersion, obj.json);
      const found = jsons.get(key);
      if (found !== undefined) return { obj, kind: 'stored', version: found.version, tlp: found.tlp };
      const earlier = newJsons.get(key);
      if (earlier !== undefined) return { obj, kind: 'repeat', of: earlier };
    }
    newJsons.set(jsonKey(obj.id, obj.specVersion, obj.json), i);
    return { obj, kind: 'new' };
  });
}

/** One owner record (collection `object_owners`): the party that owns an object id in a collection. */
export interface OwnerDoc {
  coll: string;
  id: string;
  party: string;
}

export function ownersFilter(collectionId: string, objects: readonly NewObject[]): Filter<OwnerDoc> {
  return { coll: collectionId, id: { $in: unique(objects.map((o) => o.id)) } };
}

/**
 * The rights of the adding party (src/access/ownership.ts addOutcome, as SQLite applies it
 * object by object): a stored copy it may not read, or an id another party owns, is refused.
 * A repeat follows the entry it repeats.
 */
export function judge(
  entries: readonly Entry[],
  stored: readonly StoredVersion[],
  owners: readonly OwnerDoc[],
  party: string,
  visible: ObjectScope | undefined,
): Entry[] {
  const ownerOf = new Map(owners.map((o) => [o.id, o.party]));
  const known = new Set(stored.map((s) => s.id));
  const judged: Entry[] = [];
  for (const entry of entries) {
    if (entry.kind === 'repeat') {
      const earlier = judged[entry.of] as Entry;
      judged.push(earlier.kind === 'refused' ? { obj: entry.obj, kind: 'refused', message: earlier.message } : entry);
      continue;
    }
    const storedTlp = entry.kind === 'stored' ? entry.tlp : undefined;
    const outcome = addOutcome(entry.obj, { party, owner: ownerOf.get(entry.obj.id), known: known.has(entry.obj.id), storedTlp, visible });
    judged.push(outcome.kind === 'fail' ? { obj: entry.obj, kind: 'refused', message: outcome.message } : entry);
  }
  return judged;
}

/** The owner records an add creates: one per id without an owner that it stores. */
export function newOwners(collectionId: string, entries: readonly Entry[], owners: readonly OwnerDoc[], party: string): OwnerDoc[] {
  const owned = new Set(owners.map((o) => o.id));
  const out: OwnerDoc[] = [];
  for (const e of entries) {
    if (e.kind !== 'new' || owned.has(e.obj.id)) continue;
    owned.add(e.obj.id);
    out.push({ coll: collectionId, id: e.obj.id, party });
  }
  return out;
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
  /** Objects the adding party's rights refused. */
  refused: StatusDetail[];
}

/**
 * The documents and flag updates for an envelope's new objects, which receive the
 * date_added values `start`, `start + 1`, … in envelope order. Flags follow SQLite's
 * insertVersion(): the new version is last (first) when it is newer (older) than every
 * stored version of its (id, spec_version), and the rows it displaces lose the flag; a
 * newer spec_version takes latest_spec from the object's other rows.
 */
export function planAdd(
  collectionId: string,
  entries: readonly Entry[],
  stored: readonly StoredVersion[],
  start: Micros,
  requestTimestamp: Micros,
): AddPlan {
  const ranges = new Map<string, { min: Micros; max: Micros }>();
  const specs = new Map<string, Set<string>>();
  // Every version of each (id, spec_version) with its level, for newer_levels.
  const levels = new Map<string, { version: Micros; tlp: number }[]>();
  const remember = (id: string, spec: string, version: Micros, tlp: number) => {
    const key = groupKey(id, spec);
    const r = ranges.get(key);
    ranges.set(key, r ? { min: Math.min(r.min, version), max: Math.max(r.max, version) } : { min: version, max: version });
    const s = specs.get(id) ?? new Set<string>();
    s.add(spec);
    specs.set(id, s);
    levels.set(key, [...(levels.get(key) ?? []), { version, tlp }]);
  };
  for (const s of stored) remember(s.id, s.spec_version, s.version, s.tlp);

  const writes: AnyBulkWriteOperation<ObjectDoc>[] = [];
  const successes: StatusDetail[] = [];
  const refs: ObjectRef[] = [];
  const refused: StatusDetail[] = [];
  const assigned = new Map<number, Micros>();
  let dateAdded = start;
  entries.forEach((entry, i) => {
    const { obj } = entry;
    if (entry.kind === 'refused') {
      refused.push({ id: obj.id, version: formatTimestamp(obj.version ?? requestTimestamp), message: `${obj.id}: ${entry.message}` });
      return;
    }
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
    // newer_levels / older_levels, as SQLite keeps them: the older versions gain this one's
    // level among their newer ones, the newer versions among their older ones.
    const known = levels.get(groupKey(obj.id, obj.specVersion)) ?? [];
    if (known.some((k) => k.version < version))
      writes.push({ updateMany: { filter: { ...same, version: { $lt: version } }, update: { $bit: { newer_levels: { or: levelBit(obj.tlp) } } } } });
    if (known.some((k) => k.version > version))
      writes.push({ updateMany: { filter: { ...same, version: { $gt: version } }, update: { $bit: { older_levels: { or: levelBit(obj.tlp) } } } } });
    const document: ObjectDoc = {
      ...same,
      type: obj.type,
      version,
      version_text: obj.versionText ?? null,
      date_added: dateAdded,
      is_first: isFirst,
      is_last: isLast,
      latest_spec: latestSpec,
      tlp: obj.tlp,
      newer_levels: levelMask(known.filter((k) => k.version > version).map((k) => k.tlp)),
      older_levels: levelMask(known.filter((k) => k.version < version).map((k) => k.tlp)),
      json: obj.json,
    };
    writes.push({ insertOne: { document } });
    remember(obj.id, obj.specVersion, version, obj.tlp);
    const detail = { id: obj.id, version: formatTimestamp(version) };
    successes.push(detail);
    // Keys in canonical order: the log hashes the event's canonical JSON, and a list already in
    // order is written whole (src/audit/chain.ts), not object by object.
    refs.push({ date_added: formatTimestamp(dateAdded), ...detail });
    dateAdded++;
  });
  return { writes, successes, refs, refused };
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
 * the rows of the newest spec_version). One update per remaining spec_version, and one per
 * remaining version for its newer_levels and older_levels.
 */
export function refreshFlags(
  collectionId: string,
  objectId: string,
  remaining: readonly Pick<StoredVersion, 'spec_version' | 'version' | 'tlp'>[],
): AnyBulkWriteOperation<ObjectDoc>[] {
  const ranges = new Map<string, { min: Micros; max: Micros }>();
  for (const r of remaining) {
    const range = ranges.get(r.spec_version);
    ranges.set(
      r.spec_version,
      range ? { min: Math.min(range.min, r.version), max: Math.max(range.max, r.version) } : { min: r.version, max: r.version },
    );
  }
  const newest = newestSpecVersion(ranges.keys());
  const flags: AnyBulkWriteOperation<ObjectDoc>[] = [...ranges].map(([spec, { min, max }]) => ({
    updateMany: {
      filter: { coll: collectionId, id: objectId, spec_version: spec },
      update: [{ $set: { is_first: { $eq: ['$version', min] }, is_last: { $eq: ['$version', max] }, latest_spec: spec === newest } }],
    },
  }));
  // newer_levels / older_levels of every remaining version, from the versions newer / older than it.
  const levelsOf = (r: (typeof remaining)[number], side: (o: Micros) => boolean) =>
    levelMask(remaining.filter((o) => o.spec_version === r.spec_version && side(o.version)).map((o) => o.tlp));
  const levels = remaining.map((r) => ({
    updateOne: {
      filter: { coll: collectionId, id: objectId, spec_version: r.spec_version, version: r.version },
      update: { $set: { newer_levels: levelsOf(r, (v) => v > r.version), older_levels: levelsOf(r, (v) => v < r.version) } },
    },
  }));
  return [...flags, ...levels];
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

/** An object's version as it states it (modified, else created), from its stored JSON; null without either. */
export function versionTextOf(json: string): string | null {
  const o = JSON.parse(json) as { modified?: unknown; created?: unknown };
  return typeof o.modified === 'string' ? o.modified : typeof o.created === 'string' ? o.created : null;
}
