import { compactFailures } from '../taxii/failures';
import type { AddEnvelope, StatusDetail, StatusRecord } from './object-store';

/**
 * The status of an envelope every store writes: complete at once (nothing is queued).
 * `refused`: objects the store itself refused (the adding party's rights), after the
 * envelope's own failures, kept as small as those (src/taxii/failures.ts).
 */
export function completedStatus(env: AddEnvelope, successes: StatusDetail[], refused: StatusDetail[] = []): StatusRecord {
  const failureCount = (env.failureCount ?? env.failures.length) + refused.length;
  return {
    id: env.statusId,
    apiRoot: env.apiRoot,
    accountId: env.accountId,
    partyId: env.partyId,
    status: 'complete',
    requestTimestamp: env.requestTimestamp,
    totalCount: successes.length + failureCount,
    successCount: successes.length,
    failureCount,
    pendingCount: 0,
    successes,
    failures: refused.length ? [...env.failures, ...compactFailures(refused)] : env.failures,
    pendings: [],
  };
}
