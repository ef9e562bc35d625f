/**
 * What the console's overview, flows, map and withheld views show, computed from the daily
 * summaries (src/audit/daily.ts) of a range of days: a month is a few thousand rows, whatever
 * the size of the log. Pure functions; the auditor API (src/http/auditor/views.ts) serves them.
 */
import { CONTENT_READ_ACTIONS } from './changes';
import type { DailyRow, WithheldRow } from './daily';

const ADD = 'objects.add';
const delivers = (r: DailyRow) => r.outcome === 'success' && CONTENT_READ_ACTIONS.includes(r.action);
const stores = (r: DailyRow) => r.outcome === 'success' && r.action === ADD;

/** Every day from `from` to `to`, inclusive (YYYY-MM-DD, UTC). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export interface Overview {
  days: string[];
  /** Events per day for each action and outcome. */
  events: { action: string; outcome: string; perDay: number[]; total: number }[];
  /** Object versions delivered to readers and received from writers, per day. */
  delivered: number[];
  received: number[];
  withheld: number[];
  /** Refused (denied) and failed requests by action over the range, most first. */
  refusals: { action: string; outcome: string; events: number }[];
}

export function overview(rows: readonly DailyRow[], days: string[]): Overview {
  const index = new Map(days.map((d, i) => [d, i]));
  const zeros = () => days.map(() => 0);
  const series = new Map<string, Overview['events'][number]>();
  const delivered = zeros();
  const received = zeros();
  const withheld = zeros();
  const refusals = new Map<string, Overview['refusals'][number]>();
  for (const r of rows) {
    const i = index.get(r.day);
    if (i === undefined) continue;
    const key = `${r.action} ${r.outcome}`;
    const s = series.get(key) ?? { action: r.action, outcome: r.outcome, perDay: zeros(), total: 0 };
    s.perDay[i] = (s.perDay[i] ?? 0) + r.events;
    s.total += r.events;
    series.set(key, s);
    if (delivers(r)) delivered[i] = (delivered[i] ?? 0) + r.objects;
    if (stores(r)) received[i] = (received[i] ?? 0) + r.objects;
    withheld[i] = (withheld[i] ?? 0) + r.withheld;
    if (r.outcome !== 'success') {
      const f = refusals.get(key) ?? { action: r.action, outcome: r.outcome, events: 0 };
      f.events += r.events;
      refusals.set(key, f);
    }
  }
  return {
    days,
    events: [...series.values()].sort((a, b) => b.total - a.total),
    delivered,
    received,
    withheld,
    refusals: [...refusals.values()].sort((a, b) => b.events - a.events),
  };
}

export interface FlowLink {
  party: string;
  collection: string;
  country: string;
  objects: number;
  requests: number;
}

/** Who shared with whom: writers into collections (adds) and collections out to readers (reads). */
export interface Flows {
  pushed: FlowLink[];
  delivered: FlowLink[];
}

function links(rows: readonly DailyRow[], keep: (r: DailyRow) => boolean): FlowLink[] {
  const out = new Map<string, FlowLink>();
  for (const r of rows) {
    if (!keep(r) || r.objects === 0) continue;
    const key = `${r.party}\u0000${r.collection}`;
    const l = out.get(key) ?? { party: r.party, collection: r.collection, country: r.country, objects: 0, requests: 0 };
    l.objects += r.objects;
    l.requests += r.events;
    out.set(key, l);
  }
  return [...out.values()].sort((a, b) => b.objects - a.objects || a.party.localeCompare(b.party) || a.collection.localeCompare(b.collection));
}

export function flows(rows: readonly DailyRow[]): Flows {
  return { pushed: links(rows, stores), delivered: links(rows, delivers) };
}

export interface CountryCount {
  country: string;
  pushed: number;
  delivered: number;
}

/** Objects pushed into and delivered from each country's collections. */
export function byCountry(rows: readonly DailyRow[]): CountryCount[] {
  const out = new Map<string, CountryCount>();
  for (const r of rows) {
    if (r.country === '' || !(stores(r) || delivers(r))) continue;
    const c = out.get(r.country) ?? { country: r.country, pushed: 0, delivered: 0 };
    if (stores(r)) c.pushed += r.objects;
    else c.delivered += r.objects;
    out.set(r.country, c);
  }
  return [...out.values()].sort((a, b) => a.country.localeCompare(b.country));
}

export interface WithheldTotal {
  party: string;
  collection: string;
  country: string;
  reason: string;
  count: number;
}

/** What was withheld from which party, from which collection, and why, over the range. */
export function withheldTotals(rows: readonly WithheldRow[]): WithheldTotal[] {
  const out = new Map<string, WithheldTotal>();
  for (const r of rows) {
    const key = `${r.party}\u0000${r.collection}\u0000${r.reason}`;
    const w = out.get(key) ?? { party: r.party, collection: r.collection, country: r.country, reason: r.reason, count: 0 };
    w.count += r.count;
    out.set(key, w);
  }
  return [...out.values()].sort((a, b) => b.count - a.count || a.party.localeCompare(b.party));
}
