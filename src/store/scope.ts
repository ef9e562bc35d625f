/**
 * Object scope evaluation, shared by decide() (writes) and the stores (withheld counts).
 * An object is in scope when any clause admits its type and its TLP level.
 */
import type { ObjectScope, ScopeClause } from './object-store';

/** -1: no TLP marking (mirrors UNMARKED in src/stix/markings.ts). */
const UNMARKED_LEVEL = -1;
const ALL_LEVELS = [UNMARKED_LEVEL, 0, 1, 2, 3, 4];

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
