/**
 * Daily summaries of the sharing log, maintained by every store as it appends events (in the
 * same transaction), so the console's overview, flows and map read a few thousand rows for
 * a month instead of walking millions of events. One row per (UTC day, action, outcome,
 * party, collection); withheld objects per (day, party, collection, reason) beside it.
 * Fields an event lacks are '' in the key, so every row has one identity.
 */
import type { AuditEventInput } from './events';

export interface DailyRow {
  /** YYYY-MM-DD (UTC). */
  day: string;
  action: string;
  outcome: string;
  party: string;
  collection: string;
  country: string;
  /** Events. */
  events: number;
  /** Objects the events name (delivered on reads, stored on adds, removed on deletes). */
  objects: number;
  /** Objects withheld from the events' callers (reads). */
  withheld: number;
}

export interface WithheldRow {
  day: string;
  party: string;
  collection: string;
  country: string;
  reason: string;
  count: number;
}

/** What a summary query groups by; the other fields are summed over, and '' in its rows. */
export type DailyKey = 'day' | 'action' | 'outcome' | 'party' | 'collection' | 'country';
export const DAILY_KEYS: readonly DailyKey[] = ['day', 'action', 'outcome', 'party', 'collection', 'country'];
export type WithheldKey = 'day' | 'party' | 'collection' | 'country' | 'reason';
export const WITHHELD_KEYS: readonly WithheldKey[] = ['day', 'party', 'collection', 'country', 'reason'];

/** Which days a summary query covers, inclusive; absent: open. */
export interface DayRange {
  from?: string;
  to?: string;
}

/** What the summaries count of an event: its keys, how many objects it names, what was withheld. */
export type DailySource = Pick<AuditEventInput, 'action' | 'outcome' | 'party' | 'collection' | 'country' | 'withheld'> & { objects: number };

/** The rows one event adds to (as increments), with `day` from its canonical time. */
function dailyIncrements(e: DailySource, time: string): { row: DailyRow; withheld: WithheldRow[] } {
  const day = time.slice(0, 10);
  const key = { day, party: e.party ?? '', collection: e.collection ?? '', country: e.country ?? '' };
  return {
    row: { ...key, action: e.action, outcome: e.outcome, events: 1, objects: e.objects, withheld: e.withheld?.count ?? 0 },
    withheld: Object.entries(e.withheld?.reasons ?? {})
      .filter(([, count]) => count > 0)
      .map(([reason, count]) => ({ ...key, reason, count })),
  };
}

/**
 * What a batch of events adds to the summaries: one increment per daily row and per
 * withheld row it touches, keyed by their identities. A batch of reads by one party of one
 * collection is then one row update, not one per read.
 */
export function dailyTotals(events: readonly { event: DailySource; time: string }[]): {
  rows: Map<string, DailyRow>;
  withheld: Map<string, WithheldRow>;
} {
  const rows = new Map<string, DailyRow>();
  const withheld = new Map<string, WithheldRow>();
  for (const { event, time } of events) {
    const inc = dailyIncrements(event, time);
    const key = dailyKey(inc.row);
    const row = rows.get(key);
    if (row) {
      row.events += inc.row.events;
      row.objects += inc.row.objects;
      row.withheld += inc.row.withheld;
    } else rows.set(key, inc.row);
    for (const w of inc.withheld) {
      const wk = withheldKey(w);
      const have = withheld.get(wk);
      if (have) have.count += w.count;
      else withheld.set(wk, w);
    }
  }
  return { rows, withheld };
}

/** The identity of a daily row (what the stores' primary keys are made of). */
export function dailyKey(r: Pick<DailyRow, 'day' | 'action' | 'outcome' | 'party' | 'collection'>): string {
  return [r.day, r.action, r.outcome, r.party, r.collection].join('\u0000');
}

export function withheldKey(r: Pick<WithheldRow, 'day' | 'party' | 'collection' | 'reason'>): string {
  return [r.day, r.party, r.collection, r.reason].join('\u0000');
}
