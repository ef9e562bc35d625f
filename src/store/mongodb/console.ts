/**
 * The MongoDB documents behind the console, as plain data (tested with mingo, as audit.ts):
 * the sharing log's daily summaries, `audit_daily` and `audit_daily_withheld`, one document
 * per key of src/audit/daily.ts with counters that each append increments ($inc upserts in
 * the append's transaction); and console sign-ins in `sessions`, `_id` the id's keyed hash.
 */
import type { AnyBulkWriteOperation, Document, Filter } from 'mongodb';
import {
  DAILY_KEYS,
  dailyTotals,
  WITHHELD_KEYS,
  type DailyKey,
  type DailyRow,
  type DayRange,
  type WithheldKey,
  type WithheldRow,
} from '../../audit/daily';
import type { AuditEvent } from '../../audit/events';
import type { SessionRecord } from '../../catalog/types';

export interface DailyDoc extends DailyRow {
  _id: string;
}

export interface WithheldDoc extends WithheldRow {
  _id: string;
}

export interface SessionDoc {
  _id: string;
  csrf_hash: string;
  account_id: string;
  credential: string;
  created_at: number;
  last_seen_at: number;
}

/**
 * The summary increments of a batch of events, summed per key first (a page of reads by one
 * caller is one upsert, not one per event): the bulk writes for each collection.
 */
export function dailyWrites(
  events: readonly Pick<AuditEvent, 'time' | 'action' | 'outcome' | 'party' | 'collection' | 'country' | 'objects' | 'withheld'>[],
): {
  daily: AnyBulkWriteOperation<DailyDoc>[];
  withheld: AnyBulkWriteOperation<WithheldDoc>[];
} {
  const { rows, withheld: reasons } = dailyTotals(events.map((e) => ({ event: { ...e, objects: e.objects?.length ?? 0 }, time: e.time })));
  return {
    daily: [...rows].map(([_id, { events: e, objects, withheld, ...key }]) => ({
      updateOne: { filter: { _id }, update: { $setOnInsert: key, $inc: { events: e, objects, withheld } }, upsert: true },
    })),
    withheld: [...reasons].map(([_id, { count, ...key }]) => ({
      updateOne: { filter: { _id }, update: { $setOnInsert: key, $inc: { count } }, upsert: true },
    })),
  };
}

/** Days are YYYY-MM-DD, so text order is day order. */
function dayFilter(range: DayRange): Filter<DailyDoc> & Filter<WithheldDoc> {
  const day: { $gte?: string; $lte?: string } = {};
  if (range.from !== undefined) day.$gte = range.from;
  if (range.to !== undefined) day.$lte = range.to;
  return day.$gte !== undefined || day.$lte !== undefined ? { day } : {};
}

/** A group's key fields and its sums, as the $group stage of the pipelines below leaves them. */
export interface GroupedDoc {
  _id: Record<string, string>;
  [sum: string]: unknown;
}

/** $match on the days, $group by the chosen keys summing the counters, $sort by the keys (as SQLite's GROUP BY … ORDER BY). */
function grouped(all: readonly string[], by: readonly string[], sums: readonly string[], range: DayRange): Document[] {
  const keys = all.filter((k) => by.includes(k));
  if (keys.length === 0) throw new Error('a summary query groups by at least one key');
  return [
    { $match: dayFilter(range) },
    { $group: { _id: Object.fromEntries(keys.map((k) => [k, `$${k}`])), ...Object.fromEntries(sums.map((s) => [s, { $sum: `$${s}` }])) } },
    { $sort: Object.fromEntries(keys.map((k) => [`_id.${k}`, 1])) },
  ];
}

export const dailyPipeline = (range: DayRange, by: readonly DailyKey[]) => grouped(DAILY_KEYS, by, ['events', 'objects', 'withheld'], range);
export const withheldPipeline = (range: DayRange, by: readonly WithheldKey[]) => grouped(WITHHELD_KEYS, by, ['count'], range);

function keyed(all: readonly string[], by: readonly string[], d: GroupedDoc): Record<string, string> {
  return Object.fromEntries(all.map((k) => [k, by.includes(k) ? (d._id[k] ?? '') : '']));
}

export function toDailyRow(d: GroupedDoc, by: readonly DailyKey[]): DailyRow {
  return {
    ...(keyed(DAILY_KEYS, by, d) as Pick<DailyRow, DailyKey>),
    events: d.events as number,
    objects: d.objects as number,
    withheld: d.withheld as number,
  };
}

export function toWithheldRow(d: GroupedDoc, by: readonly WithheldKey[]): WithheldRow {
  return { ...(keyed(WITHHELD_KEYS, by, d) as Pick<WithheldRow, WithheldKey>), count: d.count as number };
}

export function toSessionDoc(s: SessionRecord): SessionDoc {
  return {
    _id: s.idHash,
    csrf_hash: s.csrfHash,
    account_id: s.accountId,
    credential: s.credential,
    created_at: s.createdAt,
    last_seen_at: s.lastSeenAt,
  };
}

export function toSession(d: SessionDoc): SessionRecord {
  return {
    idHash: d._id,
    csrfHash: d.csrf_hash,
    accountId: d.account_id,
    credential: d.credential,
    createdAt: d.created_at,
    lastSeenAt: d.last_seen_at,
  };
}

export function expiredSessions(idleBefore: number, createdBefore: number): Filter<SessionDoc> {
  return { $or: [{ last_seen_at: { $lt: idleBefore } }, { created_at: { $lt: createdBefore } }] };
}
