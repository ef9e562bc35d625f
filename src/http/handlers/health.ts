/**
 * /readyz: ready only when the store answers AND the store and the sharing log can be written
 * (a cheap real write: a full, locked or read-only file is not ready). 503 with Retry-After
 * otherwise, so a load balancer sends no reads to a server that could not log them.
 */
import type { RequestHandler, Response } from 'express';
import { UNAVAILABLE_RETRY_SECONDS } from '../../errors';
import type { AppContext } from '../context';

function unavailable(res: Response, reason: string): void {
  res.setHeader('Retry-After', String(UNAVAILABLE_RETRY_SECONDS));
  res.status(503).json({ status: 'unavailable', reason });
}

export function readiness(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    try {
      await ctx.store.ping();
    } catch {
      return unavailable(res, 'storage unreachable');
    }
    try {
      await ctx.audit.probe();
    } catch {
      return unavailable(res, 'storage or sharing log cannot be written');
    }
    if (!ctx.audit.healthy) return unavailable(res, 'sharing log cannot be written');
    res.json({ status: 'ready' });
  };
}
