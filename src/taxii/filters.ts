/**
 * TAXII 2.1 "Query Parameters" (§3.4): which endpoint takes which parameter, how each is
 * parsed, and the defaults. Anything unknown or malformed is a 400, never silently ignored.
 */
import { fail } from '../errors';
import type { ObjectQuery, VersionSelector } from '../store/object-store';
import { type Micros, parseTimestamp } from '../time';
import { decodeCursor } from './cursor';

export type Endpoint = 'objects' | 'manifest' | 'object' | 'versions' | 'delete';

const ACCEPTS: Record<Endpoint, readonly string[]> = {
  objects: ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]'],
  manifest: ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]'],
  object: ['added_after', 'limit', 'next', 'match[version]', 'match[spec_version]'],
  versions: ['added_after', 'limit', 'next', 'match[spec_version]'],
  delete: ['match[version]', 'match[spec_version]'],
};

/** The query parameters of a request, as the store takes them (collection and scope are the route's). */
export type Filters = Omit<ObjectQuery, 'collectionId' | 'scope'>;

export type RawQuery = Record<string, unknown>;

// All linear: single character classes, no nested or overlapping repetition.
const IDENTIFIER = /^[a-z0-9][a-z0-9-]{0,249}--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TYPE_NAME = /^[a-z0-9][a-z0-9-]{0,249}$/;
const SPEC_VERSION = /^\d{1,3}\.\d{1,3}$/;
const LIMIT = /^[1-9]\d{0,8}$/;

function single(query: RawQuery, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
    throw fail(
      'repeated-parameter',
      `"${name}" may appear only once${name.startsWith('match[') ? '; give several values as one comma-separated list' : ''}`,
    );
  }
  throw fail('malformed-parameter', `"${name}" is malformed`);
}

/**
 * `match[...]` values: one comma-separated list. The standard gives several values that way
 * only: the same filter given twice is a malformed request (400), as for any parameter.
 */
function list(query: RawQuery, name: string, check: (item: string) => boolean, what: string): string[] | undefined {
  const v = single(query, name);
  if (v === undefined) return undefined;
  const items: string[] = [];
  for (const p of v.split(',')) {
    const item = p.trim();
    if (!item || !check(item)) {
      throw fail('malformed-parameter', `"${name}" must be a comma-separated list of ${what}; "${p}" is not one`);
    }
    if (!items.includes(item)) items.push(item);
  }
  return items;
}

function versionSelector(query: RawQuery, defaults: VersionSelector): VersionSelector {
  const items = list(
    query,
    'match[version]',
    (i) => i === 'first' || i === 'last' || i === 'all' || parseTimestamp(i) !== undefined,
    '"first", "last", "all" or timestamps',
  );
  if (!items) return defaults;
  // "all" already names every version: combined with anything else the request contradicts itself.
  if (items.includes('all') && items.length > 1) {
    throw fail('malformed-parameter', '"match[version]=all" selects every version and cannot be combined with other values');
  }
  const sel: VersionSelector = { all: false, first: false, last: false, at: [] };
  for (const i of items) {
    if (i === 'all' || i === 'first' || i === 'last') sel[i] = true;
    else {
      // One instant may be written several ways (offsets, fraction digits): keep it once.
      const at = parseTimestamp(i) as Micros;
      if (!sel.at.includes(at)) sel.at.push(at);
    }
  }
  return sel;
}

export interface FilterOptions {
  /** Largest page the server returns (and the page size when `limit` is absent). */
  pageCap: number;
  /** Identifies the query a `next` cursor must belong to (collection, object, filters). */
  scope: string;
}

const LAST: VersionSelector = { all: false, first: false, last: true, at: [] };
/** Every version of each object (match[version]=all). */
export const ALL_VERSIONS: VersionSelector = { all: true, first: false, last: false, at: [] };

export function parseFilters(endpoint: Endpoint, query: RawQuery, options: FilterOptions): Filters {
  for (const name of Object.keys(query)) {
    if (!ACCEPTS[endpoint].includes(name)) {
      throw fail('unknown-parameter', `"${name}" is not a parameter of this endpoint; it accepts ${ACCEPTS[endpoint].join(', ') || 'none'}`);
    }
  }
  const filters: Filters = {
    // Versions and Delete select every version unless told otherwise (docs/conformance.md).
    versions: versionSelector(query, endpoint === 'versions' || endpoint === 'delete' ? ALL_VERSIONS : LAST),
    limit: options.pageCap,
  };
  const ids = list(query, 'match[id]', (i) => IDENTIFIER.test(i), 'STIX identifiers');
  if (ids) filters.ids = ids;
  const types = list(query, 'match[type]', (i) => TYPE_NAME.test(i), 'STIX type names');
  if (types) filters.types = types;
  const specs = list(query, 'match[spec_version]', (i) => SPEC_VERSION.test(i), 'spec versions such as 2.1');
  if (specs) filters.specVersions = specs;
  const addedAfter = single(query, 'added_after');
  if (addedAfter !== undefined) {
    const t = parseTimestamp(addedAfter);
    if (t === undefined) throw fail('malformed-parameter', `"added_after" must be an RFC 3339 timestamp; "${addedAfter}" is not one`);
    filters.addedAfter = t;
  }
  const limit = single(query, 'limit');
  if (limit !== undefined) {
    if (!LIMIT.test(limit)) throw fail('malformed-parameter', `"limit" must be a positive integer; "${limit}" is not one`);
    filters.limit = Math.min(Number(limit), options.pageCap);
  }
  const next = single(query, 'next');
  if (next !== undefined) filters.after = decodeCursor(next, cursorScope(options.scope, filters));
  return filters;
}

/** What a `next` cursor is bound to: the same collection/object and the same filters. */
export function cursorScope(scope: string, f: Filters): string {
  const sorted = (xs?: readonly (string | number)[]) => (xs ? [...xs].sort() : null);
  return JSON.stringify([
    scope,
    sorted(f.ids),
    sorted(f.types),
    f.versions.all,
    f.versions.first,
    f.versions.last,
    sorted(f.versions.at),
    sorted(f.specVersions),
    f.addedAfter ?? null,
  ]);
}
