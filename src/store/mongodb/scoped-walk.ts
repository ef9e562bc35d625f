/**
 * A scoped page of the default selection in MongoDB, walked per TLP level as SQLite walks it
 * (src/store/sqlite/paging.ts scopedByLevel, withheldByLevel), as plain data: one `find` per
 * arm (type group, visible level, set of newer levels the caller may not see), each an
 * equality prefix of `objects_visible` walked in date_added order for at most a page (for the
 * types a scope names one by one, one walk of `objects_type` per type), merged here by
 * date_added; and what the scope withheld counted per level on `objects_visible`. A
 * scoped page then reads about a page per arm however much is withheld, instead of leaving
 * a `$or` of point intervals to the planner. test/mongodb/scoped-walk.test.ts checks these
 * documents with mingo against the plain filter (queries.ts pageQuery) and SQLite.
 */
import type { Filter } from 'mongodb';
import type { Micros } from '../../time';
import type { ObjectQuery, ObjectScope, ScopeClause } from '../object-store';
import { admitsEverything, ALL_LEVELS, hiddenOnlyMasks, typeGroups, type TypeGroup, type WithheldReason } from '../scope';
import { type ObjectDoc, range } from './queries';

/** The index of the level arms and of every count: { coll, tlp, newer_levels, date_added }, partial { latest_spec: true }. */
export const VISIBLE_INDEX = 'objects_visible';
/** The index of the arms of types a scope names one by one: { coll, type, date_added }. */
export const TYPE_INDEX = 'objects_type';

/** One ordered index walk of at most `limit` documents. */
export interface WalkArm {
  filter: Filter<ObjectDoc>;
  sort: { date_added: 1 };
  limit: number;
  hint: typeof VISIBLE_INDEX | typeof TYPE_INDEX;
}

/** One count of withheld newest versions: at one TLP level, for one reason. */
export interface WithheldCount {
  reason: WithheldReason;
  filter: Filter<ObjectDoc>;
  hint: typeof VISIBLE_INDEX;
}

export type ScopedQuery = ObjectQuery & { scope: ObjectScope };

/**
 * Whether a page is walked per level: SQLite's condition (the default selection, no ids, a
 * scope that withholds something). Other pages are one find of queries.ts pageQuery().
 */
export function walksByLevel(q: ObjectQuery): q is ScopedQuery {
  const v = q.versions;
  const defaultSelection = v.last && !v.first && !v.all && v.at.length === 0 && q.specVersions === undefined;
  return defaultSelection && q.scope !== undefined && !q.ids?.length && !admitsEverything(q.scope);
}

/**
 * The arms of the walk: every document an arm meets is the newest version the caller may see
 * of its object (its newer versions are all at levels hidden from it), so no arm reads past
 * one page (`limit` is the page size plus one, as pageQuery's).
 */
export function walkArms(q: ScopedQuery): WalkArm[] {
  const arms: WalkArm[] = [];
  for (const group of typeGroups(q.scope)) {
    const type = groupTypes(group, q.types);
    if (type === null) continue;
    if (group.in) {
      // Types named one by one (every read scope names the marking definitions, seen at every
      // level): one walk of objects_type per type, as SQLite does. On objects_visible the type
      // is not in the key before date_added, so a type rare at a level would be looked for
      // through every document of that level after the cursor.
      const levels = { tlp: { $in: group.levels }, newer_levels: { $in: hiddenOnlyMasks(group.levels) } };
      for (const t of (type as { $in: string[] }).$in) {
        arms.push({ filter: { ...range(q), type: t, latest_spec: true, ...levels }, sort: { date_added: 1 }, limit: q.limit + 1, hint: TYPE_INDEX });
      }
      continue;
    }
    for (const tlp of group.levels) {
      for (const newer of hiddenOnlyMasks(group.levels)) {
        const filter: Filter<ObjectDoc> = { ...range(q), tlp, newer_levels: newer, latest_spec: true, ...(type !== undefined && { type }) };
        arms.push({ filter, sort: { date_added: 1 }, limit: q.limit + 1, hint: VISIBLE_INDEX });
      }
    }
  }
  return arms;
}

/**
 * The group's types within match[type]: undefined when any type will do, null when none can
 * (the arm is not run).
 */
function groupTypes(group: TypeGroup, types: string[] | undefined): { $in: string[] } | { $nin: string[] } | undefined | null {
  if (!types?.length) return group.in ? { $in: group.in } : group.notIn ? { $nin: group.notIn } : undefined;
  const kept = types.filter((t) => (group.in ? group.in.includes(t) : !(group.notIn ?? []).includes(t)));
  return kept.length ? { $in: kept } : null;
}

/** The arms' answers as one page: the first `n` documents by date_added (unique, so the order is total). */
export function mergeByDateAdded<D extends { date_added: Micros }>(pages: readonly (readonly D[])[], n: number): D[] {
  return pages
    .flat()
    .sort((a, b) => a.date_added - b.date_added)
    .slice(0, n);
}

/**
 * What the scope withheld in the page's range (to `upTo`, the last record returned, when there
 * are more), as SQLite's withheldByLevel(): per TLP level, the newest versions (newer_levels 0,
 * which is is_last) whose type no clause admits ('type'), then those some clause admits but
 * none at that level ('unmarked' or 'tlp'). Each count stays within one level's index range.
 */
export function withheldCounts(q: ScopedQuery, upTo: Micros | undefined): WithheldCount[] {
  const anyType = admittedTypes(q.scope.clauses);
  const counts: WithheldCount[] = [];
  for (const tlp of ALL_LEVELS) {
    const base: Filter<ObjectDoc> = { ...range(q, upTo), tlp, newer_levels: 0, latest_spec: true };
    const atLevel = admittedTypes(q.scope.clauses.filter((c) => c.tlpLevels.includes(tlp)));
    if (anyType !== 'all') counts.push({ reason: 'type', filter: { ...base, ...none(anyType) }, hint: VISIBLE_INDEX });
    if (atLevel === 'all' || (anyType !== 'all' && anyType.length === 0)) continue;
    const terms = [...(anyType === 'all' ? [] : [{ $or: anyType }]), ...(atLevel.length ? [none(atLevel)] : [])];
    counts.push({ reason: tlp === -1 ? 'unmarked' : 'tlp', filter: terms.length ? { ...base, $and: terms } : base, hint: VISIBLE_INDEX });
  }
  return counts;
}

/** The types the clauses admit: 'all', or one alternative per clause (none: no type). */
function admittedTypes(clauses: readonly ScopeClause[]): 'all' | Filter<ObjectDoc>[] {
  if (clauses.some((c) => c.allowTypes === undefined && !c.denyTypes?.length)) return 'all';
  return clauses.map((c) => ({ type: { ...(c.allowTypes && { $in: c.allowTypes }), ...(c.denyTypes?.length && { $nin: c.denyTypes }) } }));
}

/** A type none of the alternatives admits (with no alternative, any type). */
function none(alternatives: Filter<ObjectDoc>[]): Filter<ObjectDoc> {
  return alternatives.length ? { $nor: alternatives } : {};
}
