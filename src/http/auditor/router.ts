/**
 * The auditor API (/audit/…): JSON, for accounts with the `auditor` role only. Auditors see
 * the sharing log, never STIX content (that would need an agreement like anyone else's).
 * Queries by time range, party, account, agreement, collection, country, object, action and
 * outcome with cursor paging; chain of custody; daily summaries; verification; exports.
 */
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { custodyOf } from '../../audit/custody';
import { exportEvents, type ExportFormat } from '../../audit/export';
import { verifyStoreLog } from '../../audit/verify';
import type { AuditQuery, SummaryGroup } from '../../store/audit-store';
import { adminErrorHandler } from '../admin/errors';
import { baseEvent } from '../audit';
import type { AppContext } from '../context';
import { statusResource } from '../handlers/status';
import { principalOf } from '../routing';
import { fail } from '../../errors';
import { FILTERS, filters, MAX_LIMIT, params, time, wrap } from './params';
import { consoleViews } from './views';

function auditorOnly(req: Request, _res: Response, next: NextFunction): void {
  if (principalOf(req).roles.includes('auditor')) return next();
  next(fail('wrong-role', 'the sharing log is for accounts with the auditor role'));
}

export function auditorRouter(ctx: AppContext, auth: RequestHandler): Router {
  const router = Router();
  router.use(auth, auditorOnly);

  router.get(
    '/events',
    wrap(async (req, res) => {
      const p = params(req, [...FILTERS, 'limit', 'next', 'order']);
      if (p.limit !== undefined && !/^[1-9]\d{0,5}$/.test(p.limit)) throw fail('invalid-request', '"limit" must be a positive integer');
      if (p.next !== undefined && !/^\d{1,15}$/.test(p.next)) throw fail('invalid-request', '"next" is not a value this server issued');
      if (p.order !== undefined && p.order !== 'asc' && p.order !== 'desc')
        throw fail('invalid-request', '"order" is asc (oldest first, the default) or desc');
      const query: AuditQuery = {
        ...filters(p),
        limit: Math.min(Number(p.limit ?? 100), MAX_LIMIT),
        ...(p.next !== undefined && { afterSeq: Number(p.next) }),
        ...(p.order === 'desc' && { newestFirst: true }),
      };
      const page = await ctx.store.queryAuditEvents(query);
      const last = page.records[page.records.length - 1];
      res.json({ more: page.more, ...(page.more && last && { next: String(last.seq) }), events: page.records });
    }),
  );

  router.get(
    '/objects/:id/custody',
    wrap(async (req, res) => {
      params(req, []);
      const custody = await custodyOf(ctx.store, String(req.params.id));
      if (custody.versions.length === 0) throw fail('not-found', 'the sharing log names no version of this object');
      res.json(custody);
    }),
  );

  // Status resources are their party's; auditors review every one here (TAXII 2.1 §4.3 form).
  router.get(
    '/statuses/:id',
    wrap(async (req, res) => {
      params(req, []);
      const status = await ctx.store.getStatus(String(req.params.id));
      if (!status) throw fail('not-found', 'no such status resource');
      res.json({
        ...statusResource(status),
        api_root: status.apiRoot,
        account_id: status.accountId,
        ...(status.partyId !== undefined && { party: status.partyId }),
      });
    }),
  );

  router.get(
    '/summary',
    wrap(async (req, res) => {
      const p = params(req, ['group', 'from', 'to']);
      const group = (p.group ?? 'agreement') as SummaryGroup;
      if (!['agreement', 'country', 'party'].includes(group)) throw fail('invalid-request', '"group" is agreement, country or party');
      res.json({ group, rows: await ctx.store.summarizeAudit(group, time(p.from, 'from'), time(p.to, 'to')) });
    }),
  );

  router.get(
    '/verify',
    wrap(async (req, res) => {
      params(req, []);
      const result = await verifyStoreLog(ctx.store);
      // Verifications are logged, so the console can say when the log was last checked and by whom.
      const detail = result.ok ? { events: result.events } : { events: result.events, broken_at: result.brokenAt, problem: result.problem };
      await ctx.audit.record({ ...baseEvent(ctx, req, res, 'audit.verify', result.ok ? 'success' : 'failure', 200), detail });
      await ctx.audit.flush();
      res.json(result);
    }),
  );

  router.get(
    '/export',
    wrap(async (req, res) => {
      const p = params(req, [...FILTERS, 'format']);
      const format = (p.format ?? 'ndjson') as ExportFormat;
      if (format !== 'ndjson' && format !== 'csv') throw fail('invalid-request', '"format" is ndjson or csv');
      const lines = exportEvents(ctx.store, filters(p), format);
      // Read the header before committing to a 200, so a store failure is still a clean error.
      const first = await lines.next();
      res.status(200);
      res.setHeader('Content-Type', format === 'ndjson' ? 'application/x-ndjson' : 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="accord-audit.${format === 'ndjson' ? 'ndjson' : 'csv'}"`);
      if (!first.done) res.write(first.value);
      for await (const line of lines) {
        if (!res.write(line)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    }),
  );

  consoleViews(router, ctx);
  router.use((_req, _res, next) => next(fail('not-found', 'no such audit resource')));
  router.use(adminErrorHandler);
  return router;
}
