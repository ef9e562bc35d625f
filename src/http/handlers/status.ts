/**
 * TAXII 2.1 §4.3 Get Status. A status is readable only by the account (of the party) that
 * made the request (src/access/rights.ts statusReadable); auditors read any through /audit/statuses/.
 */
import type { RequestHandler } from 'express';
import { statusReadable } from '../../access/rights';
import { fail } from '../../errors';
import type { StatusRecord } from '../../store/object-store';
import { formatTimestamp } from '../../time';
import { recordRead } from '../audit';
import type { AppContext } from '../context';
import { sendTaxiiJson } from '../respond';
import { apiRootOf, principalOf } from '../routing';

export function statusResource(s: StatusRecord) {
  return {
    id: s.id,
    status: s.status,
    request_timestamp: formatTimestamp(s.requestTimestamp),
    total_count: s.totalCount,
    success_count: s.successCount,
    ...(s.successes.length > 0 && { successes: s.successes }),
    failure_count: s.failureCount,
    ...(s.failures.length > 0 && { failures: s.failures }),
    pending_count: s.pendingCount,
    ...(s.pendings.length > 0 && { pendings: s.pendings }),
  };
}

export function getStatus(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(req);
    const status = await ctx.store.getStatus(String(req.params.statusId));
    if (!status || status.apiRoot !== apiRootOf(res).path || !statusReadable(status, principal)) {
      throw fail('status-not-found', 'no such status resource, or not one you may read');
    }
    await recordRead(ctx, req, res, { status_id: status.id });
    sendTaxiiJson(res, 200, statusResource(status));
  };
}
