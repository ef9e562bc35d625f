/**
 * Sharing-log events for TAXII requests (docs/audit.md). Each content route declares its
 * action (`audited('objects.read')`); the exchange service logs each exchange (the request is
 * its origin), and refusals and failures are recorded here, where they are decided.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuditEventInput, Outcome } from '../audit/events';
import { AccordError, fail } from '../errors';
import type { DoorFields, Origin } from '../exchange/actor';
import { whoAndWhere } from '../exchange/events';
import type { AppContext } from './context';
import { statusOf } from './errors';

const locals = (res: Response) => res.locals;

/** The actions of the TAXII routes (docs/audit.md). */
export type AuditAction = 'objects.read' | 'object.read' | 'manifest.read' | 'versions.read' | 'status.read' | 'objects.add' | 'object.delete';

/** Marks a route as one whose every request is logged, under this action name. */
export function audited(action: AuditAction): RequestHandler {
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
    .map(
      ([k, v]) =>
        [cut(k, EVENT_BOUNDS.key, cuts, 'query'), cut(Array.isArray(v) ? v.join(',') : String(v), EVENT_BOUNDS.value, cuts, 'query')] as const,
    );
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** What the request adds to an event (DoorFields, src/exchange/actor.ts): where it came from and what it asked. */
function requestFields(ctx: AppContext, req: Request, res: Response, httpStatus: number): DoorFields {
  const l = locals(res);
  const cuts = new Set<string>();
  const q = query(req, cuts);
  const path = cut(req.path, EVENT_BOUNDS.path, cuts, 'path');
  const ua = req.headers['user-agent'];
  return {
    time: l.startedAt ?? ctx.clock(),
    request_id: req.id,
    ...(req.ip !== undefined && { client: req.ip }),
    ...(typeof ua === 'string' && { user_agent: cut(ua, EVENT_BOUNDS.userAgent, cuts, 'user_agent') }),
    method: req.method,
    path,
    ...(q && { query: q }),
    ...(cuts.size > 0 && { truncated: [...cuts].sort() }),
    http_status: httpStatus,
    ...(l.startedHr !== undefined && { duration_ms: Number(process.hrtime.bigint() - l.startedHr) / 1e6 }),
  };
}

/** The request as the origin of an exchange: its fields, and the mark that its event is on the record. */
export function doorOrigin(ctx: AppContext, req: Request, res: Response, successStatus: number): Origin {
  return {
    fields: () => requestFields(ctx, req, res, successStatus),
    delivers: req.method !== 'HEAD',
    recorded: () => {
      locals(res).audited = true;
    },
  };
}

/** The fields every request event has: who, from where, what, on which collection, under what. */
export function baseEvent(ctx: AppContext, req: Request, res: Response, action: string, outcome: Outcome, httpStatus: number): AuditEventInput {
  const l = locals(res);
  return {
    ...requestFields(ctx, req, res, httpStatus),
    action,
    outcome,
    ...whoAndWhere(req.user, {
      ...(l.apiRoot && { apiRoot: l.apiRoot }),
      ...(l.collection && { collection: l.collection }),
      ...(l.decision && { basis: l.decision.basis }),
    }),
  };
}

/**
 * Records a successful read of something that is not STIX content (a status resource; the
 * exchange service logs content reads) before its response is sent: resolves once the event
 * is committed (group commit, src/audit/log.ts). Fails closed: when the log cannot be
 * written, the caller gets 503 and no content.
 */
export async function recordRead(ctx: AppContext, req: Request, res: Response, extra: Partial<AuditEventInput>): Promise<void> {
  const unavailable = () => fail('sharing-log-unavailable', 'content is not served while the sharing log cannot be written');
  if (!ctx.audit.healthy) throw unavailable();
  const l = locals(res);
  const action = l.auditAction ?? 'unknown';
  // A HEAD answer delivers no content: logged (its headers tell what exists) as `*.head`,
  // without the versions a GET would have delivered, so summaries do not count it.
  const head = req.method === 'HEAD';
  const { objects: _delivered, withheld: _withheld, ...fields } = extra;
  try {
    await ctx.audit.record({
      ...baseEvent(ctx, req, res, head ? action.replace(/\.read$/, '.head') : action, 'success', 200),
      ...(head ? fields : extra),
    });
  } catch {
    throw unavailable();
  }
  l.audited = true;
}

export function auditActionOf(res: Response): string | undefined {
  return locals(res).auditAction;
}

/**
 * Records a refused or failed request that has not been logged yet (never throws). Refusals
 * nobody is accountable for (no valid credentials) and throttled requests are aggregated per
 * source and interval (src/audit/aggregate.ts), so a flood cannot grow the log without bound.
 */
export function recordRefusal(
  ctx: AppContext,
  req: Request,
  res: Response,
  action: string,
  outcome: Outcome,
  httpStatus: number,
  reason: string,
): void {
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
      const status = err instanceof AccordError ? statusOf(err) : 500;
      recordRefusal(
        ctx,
        req,
        res,
        action,
        status === 403 || status === 404 ? 'denied' : 'failure',
        status,
        err instanceof AccordError ? err.title : 'internal error',
      );
    }
    next(err);
  };
}
