/**
 * Object scope evaluation, shared by decide() (writes) and the stores (withheld counts).
 * An object is in scope when any clause admits its type and its TLP level.
 */
import type { ObjectScope, ScopeClause } from './object-store';

/** -1: no TLP marking (mirrors UNMARKED in src/stix/markings.ts). */
const UNMARKED_LEVEL = -1;
export const ALL_LEVELS = [UNMARKED_LEVEL, 0, 1, 2, 3, 4];

/** The scope of a caller that may see everything (the operator's own tools, such as import). */
export const EVERYTHING: ObjectScope = { clauses: [{ tlpLevels: ALL_LEVELS }] };

export type WithheldReason = 'type' | 'tlp' | 'unmarked';

function admitsType(c: ScopeClause, type: string): boolean {
  return (c.allowTypes === undefined || c.allowTypes.includes(type)) && !(c.denyTypes?.includes(type) ?? false);
}

export function admits(scope: ObjectScope, type: string, tlp: number): boolean {
  return scope.clauses.some((c) => admitsType(c, type) && c.tlpLevels.includes(tlp));
}

/** Whether nothing can fall outside the scope (so withheld counts need no query). */
export function admitsEverything(scope: ObjectScope): boolean {
  return scope.clauses.some((c) => c.allowTypes === undefined && !c.denyTypes?.length && ALL_LEVELS.every((l) => c.tlpLevels.includes(l)));
}

/** Why an object is outside the scope: its type, its TLP level, or its lack of a TLP marking. */
export function withheldReason(scope: ObjectScope, type: string, tlp: number): WithheldReason {
  if (!scope.clauses.some((c) => admitsType(c, type))) return 'type';
  return tlp === UNMARKED_LEVEL ? 'unmarked' : 'tlp';
}

/**
 * The bit of a TLP level in a `newer_levels` mask: the stores keep, on every stored version,
 * the set of levels of the newer versions of its (collection, id, spec_version).
 */
export const levelBit = (level: number): number => 1 << (level + 1);

export function levelMask(levels: readonly number[]): number {
  return levels.reduce((m, l) => m | levelBit(l), 0);
}

/**
 * Every newer_levels value a version can have and still be the newest its caller may see:
 * each set of levels outside `visible` (0 included). At most 32, one index walk each.
 */
export function hiddenOnlyMasks(visible: readonly number[]): number[] {
  const hidden = levelMask(ALL_LEVELS) & ~levelMask(visible);
  const out: number[] = [];
  for (let m = hidden; ; m = (m - 1) & hidden) {
    out.push(m);
    if (m === 0) return out;
  }
}

/** Types with the same set of visible levels: `in` the named ones, or every type `notIn` them. */
export interface TypeGroup {
  in?: string[];
  notIn?: string[];
  levels: number[];
}

/**
 * The scope as disjoint groups of types, each with every level a clause admits for those
 * types. "last" for a caller (issue #12: no inference across endpoints) is the newest version
 * whose level is in its type's group, i.e. a version with no newer one in `levels`.
 */
export function typeGroups(scope: ObjectScope): TypeGroup[] {
  const named = [...new Set(scope.clauses.flatMap((c) => [...(c.allowTypes ?? []), ...(c.denyTypes ?? [])]))].sort();
  const levelsOf = (type: string | undefined) =>
    [
      ...new Set(scope.clauses.filter((c) => (type === undefined ? c.allowTypes === undefined : admitsType(c, type))).flatMap((c) => c.tlpLevels)),
    ].sort((a, b) => a - b);
  const byLevels = new Map<string, string[]>();
  for (const t of named) {
    const key = levelsOf(t).join(',');
    byLevels.set(key, [...(byLevels.get(key) ?? []), t]);
  }
  const groups: TypeGroup[] = [...byLevels].filter(([key]) => key !== '').map(([key, types]) => ({ in: types, levels: key.split(',').map(Number) }));
  const others = levelsOf(undefined);
  if (others.length > 0) groups.push({ ...(named.length > 0 && { notIn: named }), levels: others });
  return groups;
}
