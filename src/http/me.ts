/**
 * /me/: what the signed-in account may do and what it did, for any role (the console's
 * "My access" view; API clients may use it too). `/me/access` lists the agreements naming
 * the account's party (src/access/my-access.ts); `/me/submissions` the account's latest adds
 * from the sharing log, each with its status resource's counts.
 */
import { Router, type RequestHandler } from 'express';
import { accessOf } from '../access/my-access';
import { fail } from '../errors';
import { adminErrorHandler } from './admin/errors';
import type { AppContext } from './context';
import { params, wrap } from './auditor/params';
import { principalOf } from './routing';

const MAX_SUBMISSIONS = 100;

export function meRouter(ctx: AppContext, auth: RequestHandler): Router {
  const router = Router();
  router.use(auth);

  router.get(
    '/access',
    wrap(async (req, res) => {
      params(req, []);
      const principal = principalOf(req);
      const [agreements, collections] = await Promise.all([ctx.store.listAgreements(), ctx.store.listCollections()]);
      res.json({
        account: principal.accountName,
        party: principal.partyId,
        roles: principal.roles,
        access: accessOf(principal, agreements, collections, ctx.clock()),
      });
    }),
  );

  router.get(
    '/submissions',
    wrap(async (req, res) => {
      const p = params(req, ['limit']);
      if (p.limit !== undefined && !/^[1-9]\d{0,2}$/.test(p.limit)) throw fail('invalid-request', '"limit" must be a positive integer');
      const principal = principalOf(req);
      const page = await ctx.store.queryAuditEvents({
        account: principal.accountName,
        action: 'objects.add',
        newestFirst: true,
        limit: Math.min(Number(p.limit ?? 20), MAX_SUBMISSIONS),
      });
      const submissions = await Promise.all(
        page.records.map(async (e) => {
          const status = e.status_id !== undefined ? await ctx.store.getStatus(e.status_id) : undefined;
          return {
            time: e.time,
            collection: e.collection,
            country: e.country,
            outcome: e.outcome,
            http_status: e.http_status,
            objects: e.objects?.length ?? 0,
            // Only the account's own statuses (an account renamed since may share the name).
            ...(status &&
              status.accountId === principal.accountId && {
                status: {
                  id: status.id,
                  status: status.status,
                  total_count: status.totalCount,
                  success_count: status.successCount,
                  failure_count: status.failureCount,
                  pending_count: status.pendingCount,
                },
              }),
          };
        }),
      );
      res.json({ submissions });
    }),
  );

  router.use((_req, _res, next) => next(fail('not-found', 'no such resource under /me/')));
  router.use(adminErrorHandler);
  return router;
}
