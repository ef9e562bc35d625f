/**
 * Sharing-log events for TAXII requests (docs/audit.md). Each content route declares its
 * action (`audited('objects.read')`); handlers record what was returned, the store commits
 * write-side events with the data, and refusals are recorded where they are decided.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuditEventInput, Outcome } from '../audit/events';
import { AccordError } from '../errors';
import type { AppContext } from './context';
import { STATUS_OF_KIND } from './errors';

interface AuditLocals {
  auditAction?: string;
  audited?: boolean;
  startedAt?: number;
  startedHr?: bigint;
  apiRoot?: { path: string };
  collection?: { id: string; country?: string };
  decision?: { basis: string[] };
}

const locals = (res: Response) => res.locals as AuditLocals;

/** Marks a route as one whose every request is logged, under this action name. */
export function audited(action: string): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    locals(res).auditAction = action;
    next();
  };
}

export function markStart(ctx: AppContext, res: Response): void {
  locals(res).startedAt = ctx.clock();
  locals(res).startedHr = process.hrtime.bigint();
}

/** Bounds on what a request can make an event hold (a stranger chooses these fields). */
export const EVENT_BOUNDS = { path: 512, queryKeys: 16, key: 64, value: 256, userAgent: 300 };

const cut = (text: string, max: number, cuts: Set<string>, field: string) => {
  if (text.length <= max) return text;
  cuts.add(field);
  return text.slice(0, max);
};

function query(req: Request, cuts: Set<string>): Record<string, string> | undefined {
  const all = Object.entries(req.query as Record<string, unknown>);
  if (all.length > EVENT_BOUNDS.queryKeys) cuts.add('query');
  const entries = all
    .slice(0, EVENT_BOUNDS.queryKeys)
    .map(([k, v]) => [cut(k, EVENT_BOUNDS.key, cuts, 'query'), cut(Array.isArray(v) ? v.join(',') : String(v), EVENT_BOUNDS.value, cuts, 'query')] as const);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** The fields every request event has: who, from where, what, on which collection, under what. */
export function baseEvent(ctx: AppContext, req: Request, res: Response, action: string, outcome: Outcome, httpStatus: number): AuditEventInput {
  const l = locals(res);
  const p = req.user;
  const cuts = new Set<string>();
  const q = query(req, cuts);
  const path = cut(req.path, EVENT_BOUNDS.path, cuts, 'path');
  const ua = req.headers['user-agent'];
  return {
    time: l.startedAt ?? ctx.clock(),
    action,
    outcome,
    request_id: req.id,
    ...(p && { account: p.accountName, account_id: p.accountId, party: p.partyId, credential: p.credential }),
    ...(req.ip !== undefined && { client: req.ip }),
    ...(typeof ua === 'string' && { user_agent: cut(ua, EVENT_BOUNDS.userAgent, cuts, 'user_agent') }),
    method: req.method,
    path,
    ...(q && { query: q }),
    ...(cuts.size > 0 && { truncated: [...cuts].sort() }),
    ...(l.apiRoot && { api_root: l.apiRoot.path }),
    ...(l.collection && { collection: l.collection.id }),
    ...(l.collection?.country !== undefined && { country: l.collection.country }),
    ...(l.decision && { agreements: l.decision.basis }),
    http_status: httpStatus,
    ...(l.startedHr !== undefined && { duration_ms: Number(process.hrtime.bigint() - l.startedHr) / 1e6 }),
  };
}

/**
 * Records a successful read before its response is sent: resolves once the event is
 * committed (group commit, src/audit/log.ts). Fails closed: when the log cannot be written,
 * the caller gets 503 and no content.
 */
export async function recordRead(ctx: AppContext, req: Request, res: Response, extra: Partial<AuditEventInput>): Promise<void> {
  const unavailable = () => new AccordError('unavailable', 'Sharing log unavailable', 'content is not served while the sharing log cannot be written');
  if (!ctx.audit.healthy) throw unavailable();
  const l = locals(res);
  try {
    await ctx.audit.record({ ...baseEvent(ctx, req, res, l.auditAction ?? 'unknown', 'success', 200), ...extra });
  } catch {
    throw unavailable();
  }
  l.audited = true;
}

/** Marks a request whose event the store committed with the data (adds, deletes). */
export function markAudited(res: Response): void {
  locals(res).audited = true;
}

export function auditActionOf(res: Response): string | undefined {
  return locals(res).auditAction;
}

/**
 * Records a refused or failed request that has not been logged yet (never throws). Refusals
 * nobody is accountable for (no valid credentials) and throttled requests are aggregated per
 * source and interval (src/audit/aggregate.ts), so a flood cannot grow the log without bound.
 */
export function recordRefusal(ctx: AppContext, req: Request, res: Response, action: string, outcome: Outcome, httpStatus: number, reason: string): void {
  const l = locals(res);
  if (l.audited) return;
  l.audited = true;
  const detail = { reason, ...(l.auditAction !== undefined && action !== l.auditAction && { attempted: l.auditAction }) };
  const event = { ...baseEvent(ctx, req, res, action, outcome, httpStatus), detail };
  if (!req.user || httpStatus === 429) ctx.refusals.offer(event);
  else ctx.audit.note(event).catch(() => undefined);
}

/** Error middleware: logs a failed content request that nothing logged yet, then passes the error on. */
export function auditFailures(ctx: AppContext) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    const action = auditActionOf(res);
    if (action !== undefined) {
      const status = err instanceof AccordError ? STATUS_OF_KIND[err.kind] : 500;
      recordRefusal(ctx, req, res, action, status === 403 || status === 404 ? 'denied' : 'failure', status, err instanceof AccordError ? err.title : 'internal error');
    }
    next(err);
  };
}
