/**
 * Query parameters of the auditor API: unknown or repeated ones are a 400; times are RFC 3339,
 * days YYYY-MM-DD (UTC).
 */
import type { Request, RequestHandler, Response } from 'express';
import type { DayRange } from '../../audit/daily';
import type { ExportFilters } from '../../audit/export';
import { formatTimestamp, parseTimestamp, type Clock } from '../../time';
import { fail } from '../../errors';

const badInput = (description: string) => fail('invalid-request', description);

export const FILTERS = ['from', 'to', 'party', 'account', 'agreement', 'collection', 'country', 'object', 'action', 'outcome'] as const;
export const MAX_LIMIT = 1000;

export function params(req: Request, accepted: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
    if (!accepted.includes(name)) throw badInput(`"${name}" is not a parameter of this endpoint; it accepts ${accepted.join(', ')}`);
    if (typeof value !== 'string' || value === '') throw badInput(`"${name}" must be given once, with a value`);
    out[name] = value;
  }
  return out;
}

export function time(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const t = parseTimestamp(value);
  if (t === undefined) throw badInput(`"${name}" must be an RFC 3339 timestamp`);
  return t;
}

export function filters(p: Record<string, string>): ExportFilters {
  const from = time(p.from, 'from');
  const to = time(p.to, 'to');
  return {
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
    ...(p.party !== undefined && { party: p.party }),
    ...(p.account !== undefined && { account: p.account }),
    ...(p.agreement !== undefined && { agreement: p.agreement }),
    ...(p.collection !== undefined && { collection: p.collection }),
    ...(p.country !== undefined && { country: p.country.toUpperCase() }),
    ...(p.object !== undefined && { objectId: p.object }),
    ...(p.action !== undefined && { action: p.action }),
    ...(p.outcome !== undefined && { outcome: p.outcome }),
  };
}

export const wrap =
  (fn: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  (req, res, next) =>
    fn(req, res).catch(next);

/** Most days one summary request may cover (bounded work per request). */
export const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

/** `from`/`to` as days, inclusive; by default the 30 days up to today. */
export function dayRange(p: Record<string, string>, clock: Clock): Required<DayRange> {
  for (const name of ['from', 'to'] as const) {
    const v = p[name];
    if (v !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))))
      throw badInput(`"${name}" must be a day, YYYY-MM-DD`);
  }
  const to = p.to ?? formatTimestamp(clock()).slice(0, 10);
  const from = p.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (days < 1) throw badInput('"from" must not be after "to"');
  if (days > MAX_DAYS) throw badInput(`a summary covers at most ${MAX_DAYS} days`);
  return { from, to };
}
