/**
 * Sharing-log events: who did what to which STIX content, under which agreements, with what
 * outcome (docs/audit.md lists every field). Wire form is snake_case; `time` is canonical UTC
 * with microseconds. Secrets never appear: `credential` names the token id, not the token.
 */
import type { Micros } from '../time';

export type Outcome = 'success' | 'failure' | 'denied';

export interface ObjectRef {
  id: string;
  version: string;
  /** In adds and deletes: the version's date_added in its collection (where custody finds its reads). */
  date_added?: string;
}

/** The date_added span of a page that was read (its X-TAXII-Date-Added-First/-Last). */
export interface DateAddedRange {
  first: string;
  last: string;
}

/** An event before the log gives it its place in the chain. */
export interface AuditEventInput {
  /** When it happened (µs); written canonically. */
  time: Micros;
  action: string;
  outcome: Outcome;
  request_id?: string;
  account?: string;
  account_id?: string;
  party?: string;
  credential?: string;
  client?: string;
  user_agent?: string;
  method?: string;
  path?: string;
  query?: Record<string, string>;
  /** The request fields cut to their bound (`path`, `query`, `user_agent`): what a client sends is stored only so far. */
  truncated?: string[];
  api_root?: string;
  collection?: string;
  country?: string;
  agreements?: string[];
  objects?: ObjectRef[];
  /** On reads, the page's span; on adds, the span given to the new versions (rangeIndexed). */
  date_added_range?: DateAddedRange;
  withheld?: { count: number; reasons: Record<string, number> };
  http_status?: number;
  status_id?: string;
  duration_ms?: number;
  detail?: Record<string, unknown>;
}

/**
 * The fields auditor queries filter on. Stores keep a copy of each beside the event's body
 * (columns in SQLite, document fields in MongoDB), indexed without parsing the body.
 */
export const QUERY_FIELDS = ['time', 'action', 'outcome', 'party', 'account', 'collection', 'country'] as const;
export type QueryField = (typeof QUERY_FIELDS)[number];

/**
 * An event as stored, with what the store's lookup indexes say about it (which objects,
 * which collection range and which agreements it names, and its copies of the query
 * fields); verification checks that they agree with the event itself.
 */
export interface StoredAuditEvent {
  event: AuditEvent;
  indexed: {
    objectIds: string[];
    range?: { collection: string } & DateAddedRange;
    agreements: string[];
    fields: Partial<Record<QueryField, string>>;
  };
}

/** The query fields of an event or of a store's copy of them (absent where it has none; a NULL column is none). */
export function queryFields(source: { [K in QueryField]?: string | null }): Partial<Record<QueryField, string>> {
  const fields: Partial<Record<QueryField, string>> = {};
  for (const name of QUERY_FIELDS) {
    const value = source[name];
    if (value !== undefined && value !== null) fields[name] = value;
  }
  return fields;
}

/**
 * How an event's objects are indexed for custody queries. An event with a date_added_range
 * (a read of a page, or an add of new versions, which take consecutive date_added values)
 * is indexed once by its collection and that range, however many objects it names.
 */
export function rangeIndexed(
  e: Pick<AuditEventInput, 'collection' | 'date_added_range'>,
): e is { collection: string; date_added_range: DateAddedRange } {
  return e.collection !== undefined && e.date_added_range !== undefined;
}

/**
 * The object ids an event is indexed by one at a time: all it names when it has no range
 * (deletes, older events); for a range-indexed add, the versions it did not place (re-sent
 * ones, "already stored", which lie outside its range); none for a range-indexed read.
 */
export function idsIndexedOneByOne(e: Pick<AuditEventInput, 'action' | 'collection' | 'date_added_range' | 'objects'>): string[] {
  const refs = !rangeIndexed(e) ? (e.objects ?? []) : e.action === 'objects.add' ? (e.objects ?? []).filter((o) => o.date_added === undefined) : [];
  return [...new Set(refs.map((o) => o.id))].sort();
}

/** An event in the log: its fields plus id, sequence number and chain hashes. */
export interface AuditEvent extends Omit<AuditEventInput, 'time'> {
  seq: number;
  id: string;
  time: string;
  prev_hash: string;
  hash: string;
}
