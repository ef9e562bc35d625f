/**
 * The read side of the MongoDB adapter as plain data: the filter, sort and limit of every
 * object query, built from an `ObjectQuery` exactly as the SQLite adapter's `selection()`
 * builds its SQL. Nothing here talks to a server; test/mongodb/ runs MongoStore with these
 * documents evaluated in process (a mingo double of the driver) against the SQLite reference.
 */
import type { Document, Filter } from 'mongodb';
import { admits, admitsEverything, hiddenOnlyMasks, typeGroups, withheldReason } from '../scope';
import type { Micros } from '../../time';
import type { ManifestRecord, ObjectPage, ObjectQuery, ObjectScope, VersionSelector } from '../object-store';
import type { Page } from '../page';

/**
 * One stored object version (collection `objects`). `coll` is the collection id; the flags
 * are maintained on every write (writes.ts) so that TAXII's default selection is an
 * indexed predicate, as in the SQLite schema.
 */
export interface ObjectDoc {
  coll: string;
  id: string;
  type: string;
  spec_version: string;
  version: Micros;
  /** The version as the object states it (its modified or created text); null without either. */
  version_text?: string | null;
  date_added: Micros;
  /** Oldest / newest version of (coll, id, spec_version). */
  is_first: boolean;
  is_last: boolean;
  /** A row of the object's newest spec_version. */
  latest_spec: boolean;
  tlp: number;
  /** The levels of the newer versions of (coll, id, spec_version), as levelBit()s: "last" in a scope. */
  newer_levels: number;
  /** The levels of its older versions, likewise: "first" in a scope. */
  older_levels: number;
  /** The object exactly as received, sent back as-is. */
  json: string;
}

export interface PageQuery {
  filter: Filter<ObjectDoc>;
  sort: { date_added: 1 };
  /** One more than the page size: the extra record only tells whether `more` is true. */
  limit: number;
}

export const MANIFEST_PROJECTION = { _id: 0, id: 1, type: 1, spec_version: 1, version: 1, version_text: 1, date_added: 1, tlp: 1 } as const;
export const OBJECT_PROJECTION = { ...MANIFEST_PROJECTION, json: 1 } as const;

export type ManifestDoc = Pick<ObjectDoc, 'id' | 'type' | 'spec_version' | 'version' | 'version_text' | 'date_added' | 'tlp'>;

/** The page query of queryObjects / queryManifest: keyset paging on date_added. */
export function pageQuery(q: ObjectQuery): PageQuery {
  return { filter: { ...range(q), ...selection(q.versions, q.specVersions, q.scope) }, sort: { date_added: 1 }, limit: q.limit + 1 };
}

/** Collection, paging position, ids and types: the part of a page query that is not selection. */
export function range(q: ObjectQuery, upTo?: Micros): Filter<ObjectDoc> {
  const filter: Filter<ObjectDoc> = { coll: q.collectionId };
  const after = Math.max(q.addedAfter ?? -Infinity, q.after ?? -Infinity);
  const added: { $gt?: Micros; $lte?: Micros } = {};
  if (after !== -Infinity) added.$gt = after;
  if (upTo !== undefined) added.$lte = upTo;
  if (added.$gt !== undefined || added.$lte !== undefined) filter.date_added = added;
  if (q.ids?.length) filter.id = { $in: q.ids };
  if (q.types?.length) filter.type = { $in: q.types };
  return filter;
}

/**
 * For a scoped page: the records the query matches without its scope in the page's range
 * (up to `upTo`, the last record returned, when there are more; to the end otherwise),
 * counted per (tlp, type). The caller keeps the groups the scope does not admit: what it
 * withheld. SQLite's withheld() runs the same count.
 */
export function withheldPipeline(q: ObjectQuery, upTo: Micros | undefined): Document[] {
  return [
    { $match: { ...range(q, upTo), ...selection(q.versions, q.specVersions, undefined) } },
    { $group: { _id: { tlp: '$tlp', type: '$type' }, n: { $sum: 1 } } },
  ];
}

export interface WithheldGroup {
  _id: { tlp: number; type: string };
  n: number;
}

/** What the scope kept out of the counted groups, by reason. */
export function withheldOf(scope: ObjectScope, groups: readonly WithheldGroup[]): { count: number; reasons: Record<string, number> } {
  const out = { count: 0, reasons: {} as Record<string, number> };
  for (const { _id, n } of groups) {
    if (admits(scope, _id.type, _id.tlp)) continue;
    const reason = withheldReason(scope, _id.type, _id.tlp);
    out.count += n;
    out.reasons[reason] = (out.reasons[reason] ?? 0) + n;
  }
  return out;
}

/** The versions deleteObject removes. */
export function deleteFilter(
  collectionId: string,
  objectId: string,
  versions: VersionSelector,
  specVersions: string[] | undefined,
  scope?: ObjectScope,
): Filter<ObjectDoc> {
  return { coll: collectionId, id: objectId, ...selection(versions, specVersions, scope) };
}

/**
 * TAXII's version and spec_version selection and the caller's agreement scope, term for
 * term as SQLite's `selection()`. The default (`last`, no spec_version) comes out as
 * `{ is_last: true, latest_spec: true }`, the partial filter of the `objects_default`
 * index, so the server walks that index.
 */
function selection(versions: VersionSelector, specVersions: string[] | undefined, scope: ObjectScope | undefined): Filter<ObjectDoc> {
  const filter: Filter<ObjectDoc> = {};
  // Each list is one OR; several lists are ANDed (a filter has a single top-level $or).
  const alternatives: Filter<ObjectDoc>[][] = [];
  if (scope) alternatives.push(scopeClauses(scope));
  if (!versions.all) {
    const terms: Filter<ObjectDoc>[] = [];
    const scoped = scope !== undefined && !admitsEverything(scope);
    if (versions.last) terms.push(scoped ? scopedEdge('newer_levels', scope) : { is_last: true });
    if (versions.first) terms.push(scoped ? scopedEdge('older_levels', scope) : { is_first: true });
    if (versions.at.length) terms.push({ version: { $in: versions.at } });
    const only = terms.length === 1 ? (terms[0] as Filter<ObjectDoc>) : undefined;
    if (only?.$or) alternatives.push(only.$or);
    else if (only) Object.assign(filter, only);
    else alternatives.push(terms);
  }
  if (specVersions === undefined) filter.latest_spec = true;
  else filter.spec_version = { $in: specVersions };
  if (alternatives.length === 1) filter.$or = alternatives[0];
  else if (alternatives.length > 1) filter.$and = alternatives.map(($or) => ({ $or }));
  return filter;
}

/**
 * "last" (`newer_levels`) or "first" (`older_levels`) as the caller sees it (issue #12, as
 * SQLite's scopedEdge()): a version with no newer (older) version at a level the caller may
 * see for its type.
 */
function scopedEdge(field: 'newer_levels' | 'older_levels', scope: ObjectScope): Filter<ObjectDoc> {
  const terms = typeGroups(scope).map((g): Filter<ObjectDoc> => ({
    ...(g.in && { type: { $in: g.in } }),
    ...(g.notIn && { type: { $nin: g.notIn } }),
    // The values themselves, not $bitsAllClear: point intervals of objects_visible for "last".
    [field]: { $in: hiddenOnlyMasks(g.levels) },
  }));
  return { $or: terms.length ? terms : [{ tlp: { $in: [] } }] };
}

/** An object is in scope when any clause admits its TLP level and its type; no clause admits nothing. */
function scopeClauses(scope: ObjectScope): Filter<ObjectDoc>[] {
  const clauses = scope.clauses
    .filter((c) => c.tlpLevels.length > 0)
    .map((c) => {
      const clause: Filter<ObjectDoc> = { tlp: { $in: c.tlpLevels } };
      const type: { $in?: string[]; $nin?: string[] } = {};
      if (c.allowTypes) type.$in = c.allowTypes;
      if (c.denyTypes?.length) type.$nin = c.denyTypes;
      if (type.$in || type.$nin) clause.type = type;
      return clause;
    });
  // `$or: []` is not a valid filter; an empty `$in` matches no document.
  return clauses.length ? clauses : [{ tlp: { $in: [] } }];
}

export function toManifestRecord(d: ManifestDoc): ManifestRecord {
  return {
    id: d.id,
    type: d.type,
    specVersion: d.spec_version,
    version: d.version,
    ...(typeof d.version_text === 'string' && { versionText: d.version_text }),
    dateAdded: d.date_added,
    tlp: d.tlp,
  };
}

/** queryObjects' answer from a page of documents with their JSON: the records, and the JSON joined for sending. */
export function toObjectPage({ records, ...rest }: Page<ManifestDoc & Pick<ObjectDoc, 'json'>>): ObjectPage {
  return { ...rest, records: records.map(toManifestRecord), json: Buffer.from(records.map((d) => d.json).join(','), 'utf8') };
}
