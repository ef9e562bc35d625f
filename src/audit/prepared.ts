/**
 * A sharing-log event made ready to append where it was made (the request thread), so that
 * the log's writer (a worker thread for SQLite) neither parses nor re-serialises it: its
 * canonical text around the chain's fields, and the little the store's lookup rows and daily
 * summaries need. A read naming a page of 100 objects is ~10 KB of text but a handful of
 * strings to copy to the writer, where structured cloning its 100 refs, or parsing them from
 * JSON, cost more than writing its row.
 */
import { canonicalParts } from './chain';
import { idsIndexedOneByOne, queryFields, rangeIndexed, type AuditEventInput, type DateAddedRange, type QueryField } from './events';
import { formatTimestamp, type Micros } from '../time';

export interface PreparedEvent extends Pick<AuditEventInput, Exclude<QueryField, 'time'> | 'withheld'> {
  /** The canonical members of its fields, split where the chain's id, prev_hash and seq go (chain.ts linkParts). */
  parts: string[];
  /** When it happened, canonical, and in µs (checkpoints record the µs). */
  time: string;
  micros: Micros;
  /** The lookup rows it gets: its date_added span, or the ids it is indexed by one by one, and its agreements. */
  range?: { collection: string } & DateAddedRange;
  objectIds: string[];
  agreements: string[];
  /** How many objects it names (what the daily summaries add up). */
  objects: number;
}

export function prepareEvent(input: AuditEventInput): PreparedEvent {
  const time = formatTimestamp(input.time);
  return {
    parts: canonicalParts(input, time),
    time,
    micros: input.time,
    ...queryFields({ ...input, time }),
    action: input.action,
    outcome: input.outcome,
    ...(input.withheld !== undefined && { withheld: input.withheld }),
    ...(rangeIndexed(input) && { range: { collection: input.collection, ...input.date_added_range } }),
    objectIds: idsIndexedOneByOne(input),
    agreements: input.agreements ?? [],
    objects: input.objects?.length ?? 0,
  };
}
