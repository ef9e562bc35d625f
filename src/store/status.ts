import type { AddEnvelope, StatusDetail, StatusRecord } from './object-store';

/** The status of an envelope every store writes: complete at once (nothing is queued). */
export function completedStatus(env: AddEnvelope, successes: StatusDetail[]): StatusRecord {
  const failureCount = env.failureCount ?? env.failures.length;
  return {
    id: env.statusId,
    apiRoot: env.apiRoot,
    accountId: env.accountId,
    status: 'complete',
    requestTimestamp: env.requestTimestamp,
    totalCount: successes.length + failureCount,
    successCount: successes.length,
    failureCount,
    pendingCount: 0,
    successes,
    failures: env.failures,
    pendings: [],
  };
}
