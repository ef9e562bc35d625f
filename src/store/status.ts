import type { AddEnvelope, StatusDetail, StatusRecord } from './store';

/** The status of an envelope every store writes: complete at once (nothing is queued). */
export function completedStatus(env: AddEnvelope, successes: StatusDetail[], refused: StatusDetail[] = []): StatusRecord {
  const failures = refused.length ? [...env.failures, ...refused] : env.failures;
  return {
    id: env.statusId,
    apiRoot: env.apiRoot,
    accountId: env.accountId,
    partyId: env.partyId,
    status: 'complete',
    requestTimestamp: env.requestTimestamp,
    totalCount: successes.length + failures.length,
    successCount: successes.length,
    failureCount: failures.length,
    pendingCount: 0,
    successes,
    failures,
    pendings: [],
  };
}
