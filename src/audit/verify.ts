/**
 * Verifies the whole sharing log in the store: the hash chain, the checkpoints, and that the
 * lookup indexes (objects and agreements per event, the copies of query fields) say what the
 * events say, so a query cannot be made to hide an event without verification noticing.
 */
import type { AuditStore } from '../store/audit-store';
import { ChainVerifier, type ChainedEvent, type VerifyResult } from './chain';
import { idsIndexedOneByOne, QUERY_FIELDS, rangeIndexed, type StoredAuditEvent } from './events';

const BATCH = 2000;

function indexProblem(s: StoredAuditEvent): string | undefined {
  const e = s.event;
  const expectRange = rangeIndexed(e) ? `${e.collection} ${e.date_added_range.first} ${e.date_added_range.last}` : '';
  const haveRange = s.indexed.range ? `${s.indexed.range.collection} ${s.indexed.range.first} ${s.indexed.range.last}` : '';
  if (expectRange !== haveRange) return `the read-range index of event ${e.seq} does not match the event`;
  const expectObjects = idsIndexedOneByOne(e);
  const haveObjects = [...s.indexed.objectIds].sort();
  if (expectObjects.join('\n') !== haveObjects.join('\n')) return `the object index of event ${s.event.seq} does not match the event`;
  const expectAgreements = [...new Set(s.event.agreements ?? [])].sort();
  if (expectAgreements.join('\n') !== [...s.indexed.agreements].sort().join('\n'))
    return `the agreement index of event ${s.event.seq} does not match the event`;
  for (const name of QUERY_FIELDS)
    if (s.event[name] !== s.indexed.fields[name]) return `the ${name} copied from event ${s.event.seq} for queries does not match the event`;
  return undefined;
}

export async function verifyStoreLog(store: AuditStore): Promise<VerifyResult & { checkpoints: number }> {
  const checkpoints = await store.listCheckpoints();
  const verifier = new ChainVerifier(checkpoints);
  let after = 0;
  for (;;) {
    const batch = await store.readAuditEvents(after, BATCH);
    if (batch.length === 0) break;
    for (const stored of batch) {
      if (!verifier.add(stored.event as unknown as ChainedEvent)) return { ...verifier.result(), checkpoints: checkpoints.length };
      const problem = indexProblem(stored);
      if (problem) return { ok: false, events: verifier.result().events, brokenAt: stored.event.seq, problem, checkpoints: checkpoints.length };
    }
    after = (batch[batch.length - 1] as StoredAuditEvent).event.seq;
  }
  return { ...verifier.result(), checkpoints: checkpoints.length };
}
