import type { AddEnvelope, StatusDetail, StatusRecord } from './object-store';

/** The status of an envelope every store writes: complete at once (nothing is queued). */
export function completedStatus(env: AddEnvelope, successes: StatusDetail[]): StatusRecord {
  return {
    id: env.statusId,
    apiRoot: env.apiRoot,
    accountId: env.accountId,
    status: 'complete',
    requestTimestamp: env.requestTimestamp,
    totalCount: successes.length + env.failures.length,
    successCount: successes.length,
    failureCount: env.failures.length,
    pendingCount: 0,
    successes,
    failures: env.failures,
    pendings: [],
  };
}
