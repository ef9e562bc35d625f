/**
 * The sharing log in MongoDB as plain data: chaining new events onto the head, the documents
 * stored for them, and the filter of an auditor query, mirroring the SQLite adapter's
 * appendLocked() and queryAuditEvents() (audit.ts sends them). Collection `audit_events` holds one document per
 * event, `_id` its sequence number: the event exactly as hashed (`body`, canonical JSON) and
 * copies of the fields queries filter on, which readAuditEvents() hands to verification as
 * "what the indexes say", as SQLite's audit_objects / audit_agreements tables are.
 */
import type { Document, Filter } from 'mongodb';
import { chainLink, GENESIS_HASH, type Checkpoint } from '../../audit/chain';
import { queryFields, type AuditEvent, type AuditEventInput, type ObjectRef } from '../../audit/events';
import { CHECKPOINT_EVERY, CONTENT_READ_ACTIONS } from '../../audit/changes';
import { formatTimestamp, type Micros } from '../../time';
import type { AuditHead, AuditQuery, SummaryGroup, SummaryRow } from '../audit-store';

export interface AuditDoc {
  _id: number;
  /** The event without `hash`, as canonical JSON: exactly what the hash covers. */
  body: string;
  hash: string;
  time: string;
  action: string;
  outcome: string;
  party?: string;
  account?: string;
  collection?: string;
  country?: string;
  /** Distinct, sorted: the lookup copies of the event's objects and agreements. */
  objects?: ObjectRef[];
  agreements?: string[];
  /** How many objects the event names, repeats included (what summaries add up). */
  object_count?: number;
}

export interface CheckpointDoc {
  _id: number;
  hash: string;
  time: Micros;
}

export const GENESIS: AuditHead = { seq: 0, hash: GENESIS_HASH };

/** Chains `inputs` after `head`: the documents to insert, the events as returned, and any checkpoints due. */
export function chainEvents(
  head: AuditHead,
  inputs: readonly AuditEventInput[],
  newId: () => string,
): { docs: AuditDoc[]; events: AuditEvent[]; checkpoints: CheckpointDoc[] } {
  const docs: AuditDoc[] = [];
  const events: AuditEvent[] = [];
  const checkpoints: CheckpointDoc[] = [];
  let prev: Checkpoint = head;
  for (const input of inputs) {
    const { event, body } = chainLink(prev, input, newId());
    const objects = distinctSorted(input.objects ?? [], (o) => `${o.id}\u0000${o.version}`);
    const agreements = distinctSorted(input.agreements ?? [], (a) => a);
    docs.push({
      _id: event.seq,
      body,
      hash: event.hash,
      ...queryFields(event),
      time: event.time,
      action: input.action,
      outcome: input.outcome,
      ...(objects.length > 0 && { objects }),
      ...(agreements.length > 0 && { agreements }),
      ...(input.objects !== undefined && input.objects.length > 0 && { object_count: input.objects.length }),
    });
    if (event.seq % CHECKPOINT_EVERY === 0) checkpoints.push({ _id: event.seq, hash: event.hash, time: input.time });
    events.push(event);
    prev = event;
  }
  return { docs, events, checkpoints };
}

/** The filter of queryAuditEvents (sorted by `_id`, the sequence number). */
export function auditFilter(q: AuditQuery): Filter<AuditDoc> {
  const filter: Filter<AuditDoc> = {};
  const and: Filter<AuditDoc>[] = [];
  const time: { $gte?: string; $lt?: string } = {};
  // Canonical times have one width, so text order is time order (as in SQLite).
  if (q.from !== undefined) time.$gte = formatTimestamp(q.from);
  if (q.to !== undefined) time.$lt = formatTimestamp(q.to);
  if (time.$gte !== undefined || time.$lt !== undefined) filter.time = time;
  if (q.party !== undefined) filter.party = q.party;
  if (q.account !== undefined) filter.account = q.account;
  if (q.collection !== undefined) filter.collection = q.collection;
  if (q.country !== undefined) filter.country = q.country;
  if (q.outcome !== undefined) filter.outcome = q.outcome;
  // "objects" matches objects.read and objects.add; an exact action name matches itself.
  if (q.action !== undefined) and.push({ $or: [{ action: q.action }, { action: { $gte: `${q.action}.`, $lt: `${q.action}/` } }] });
  if (q.agreement !== undefined) {
    // `id@version` names one version; a bare id every version of that agreement.
    filter.agreements = q.agreement.includes('@') ? q.agreement : { $elemMatch: { $gte: `${q.agreement}@`, $lt: `${q.agreement}A` } };
  }
  if (q.objectId !== undefined) filter['objects.id'] = q.objectId;
  if (q.afterSeq !== undefined) filter._id = q.newestFirst ? { $lt: q.afterSeq } : { $gt: q.afterSeq };
  if (and.length) filter.$and = and;
  return filter;
}

/**
 * Successful reads per UTC day and per agreement, country or party, as SQLite's
 * summarizeAudit() counts them: an event counts once for each distinct agreement it names.
 */
export function summaryPipeline(group: SummaryGroup, from?: Micros, to?: Micros): Document[] {
  const match: Filter<AuditDoc> = { action: { $in: [...CONTENT_READ_ACTIONS] }, outcome: 'success' };
  const time: { $gte?: string; $lt?: string } = {};
  if (from !== undefined) time.$gte = formatTimestamp(from);
  if (to !== undefined) time.$lt = formatTimestamp(to);
  if (time.$gte !== undefined || time.$lt !== undefined) match.time = time;
  const field = group === 'agreement' ? 'agreements' : group;
  return [
    { $match: { ...match, [field]: { $exists: true, $ne: null } } },
    ...(group === 'agreement' ? [{ $unwind: '$agreements' }] : []),
    { $group: { _id: { day: { $substrCP: ['$time', 0, 10] }, key: `$${field}` }, objects: { $sum: '$object_count' }, requests: { $sum: 1 } } },
    { $sort: { '_id.day': 1, '_id.key': 1 } },
  ];
}

export interface SummaryGroupDoc {
  _id: { day: string; key: string };
  objects: number;
  requests: number;
}

export function toSummaryRow(d: SummaryGroupDoc): SummaryRow {
  return { day: d._id.day, key: d._id.key, objects: d.objects, requests: d.requests };
}

/** Catalogue changes are the events whose action starts with `catalog.`. */
export const CHANGES_FILTER: Filter<AuditDoc> = { action: { $gte: 'catalog.', $lt: 'catalog/' } };

export function toAuditEvent(d: Pick<AuditDoc, 'body' | 'hash'>): AuditEvent {
  return { ...(JSON.parse(d.body) as Omit<AuditEvent, 'hash'>), hash: d.hash };
}

export function headOf(d: Pick<AuditDoc, '_id' | 'hash'> | null): AuditHead {
  return d ? { seq: d._id, hash: d.hash } : GENESIS;
}

export function toCheckpoint(d: CheckpointDoc): Checkpoint & { time: Micros } {
  return { seq: d._id, hash: d.hash, time: d.time };
}

function distinctSorted<T>(items: readonly T[], key: (t: T) => string): T[] {
  const byKey = new Map(items.map((t) => [key(t), t]));
  return [...byKey.keys()].sort().map((k) => byKey.get(k) as T);
}
