/**
 * One-time upgrades of a MongoDB database, the equivalents of SQLite's migrations for
 * rights and provenance (src/store/sqlite/migrations.ts): the owner of every object id
 * already stored, from the sharing log's adds (the first party that added a version of it
 * owns it), TLP levels recomputed for marking references written in upper case, and the
 * newer_levels / older_levels of every version ("last" and "first" in a scope). Each is
 * plain data here so that test/mongodb/ runs it in-process; MongoStore.prepare() applies
 * them once, remembered in `meta` (an owner already recorded is left as it is).
 */
import type { Document, Filter } from 'mongodb';
import { tlpOf } from '../../stix/markings';
import type { ObjectDoc } from './queries';

export const OWNERS_BACKFILLED = 'owners_backfilled';
export const TLP_ANY_CASE = 'tlp_any_case';
export const NEWER_LEVELS = 'newer_levels';
/** Each version's text as the object states it (issue 13 item 2), for documents stored before version_text. */
export const VERSION_TEXT = 'version_text';

/** "first" as each caller sees it (issue #12): older_levels, as newer_levels is kept for "last". */
export const OLDER_LEVELS = 'older_levels';

/**
 * A levels field to fill in: each (id, spec_version)'s newest (oldest) version has no newer
 * (older) one, so its newer_levels (older_levels) is 0; the others are recomputed per object.
 */
export interface LevelsBackfill {
  field: 'newer_levels' | 'older_levels';
  edge: Filter<ObjectDoc>;
  others: Filter<ObjectDoc>;
}

export const NEWER_LEVELS_BACKFILL: LevelsBackfill = { field: 'newer_levels', edge: { is_last: true }, others: { is_last: false } };
export const OLDER_LEVELS_BACKFILL: LevelsBackfill = { field: 'older_levels', edge: { is_first: true }, others: { is_first: false } };

/** Owner records from the log's adds, in log order: the first party to place a version wins. */
export function ownersFromAdds(): Document[] {
  return [
    { $match: { action: 'objects.add', party: { $type: 'string' } } },
    { $sort: { _id: 1 } },
    { $unwind: '$objects' },
    { $match: { 'objects.date_added': { $type: 'string' } } },
    { $group: { _id: { coll: '$collection', id: '$objects.id' }, party: { $first: '$party' } } },
    { $project: { _id: 0, coll: '$_id.coll', id: '$_id.id', party: 1 } },
  ];
}

/** Objects whose marking references hold upper-case hex digits: their TLP level may be too low. */
export const UPPER_CASE_MARKINGS: Filter<ObjectDoc> = { json: { $regex: 'marking-definition--[0-9a-f-]*[A-F]' } };

/** The corrected level of such an object, or undefined when it was right. */
export function correctedTlp(doc: Pick<ObjectDoc, 'json' | 'tlp'>): number | undefined {
  const level = tlpOf(JSON.parse(doc.json) as Record<string, unknown>);
  return level > doc.tlp ? level : undefined;
}
