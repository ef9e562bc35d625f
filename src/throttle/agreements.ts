/**
 * Request rates set by agreements (docs/agreements.md, "Request rates"). A request that rests
 * on agreements stating a rate takes one token from the grantee party's bucket of each: one
 * bucket per (agreement, party), shared by all the party's accounts, so more accounts buy no
 * more requests. When any bucket is empty the request is refused and takes nothing from the
 * others. The buckets are the limiter's: the cluster primary's under `--workers`, so the rate
 * holds across workers. The spec is read from the agreement on every request, so a changed
 * term applies to the next one.
 */
import type { AgreementRate } from '../access/decide';
import type { RateTerm } from '../catalog/types';
import type { Micros } from '../time';
import type { BucketSpec, Limiter } from './bucket';

/** Which agreement's rate refused a request, and when its bucket has a token again. */
export interface RateRefusal {
  agreement: string;
  rate: RateTerm;
  retryAfterSeconds: number;
}

/** The bucket of one grantee party under one agreement (every version of it: a revision keeps the count). */
export function agreementBucketKey(agreement: string, partyId: string): string {
  return JSON.stringify(['agreement', agreement, partyId]);
}

export function rateSpec(rate: RateTerm): BucketSpec {
  return { perSecond: rate.requestsPerMinute / 60, burst: rate.burst };
}

/**
 * Takes a token for `partyId` from the bucket of each rate; undefined when every bucket had
 * one. Otherwise the tokens taken are given back and the refusal that waits longest is
 * returned, so Retry-After names a time when every bucket has a token again (at the
 * earliest: other requests may take them first).
 */
export async function takeAgreementRates(
  limiter: Limiter,
  partyId: string,
  rates: readonly AgreementRate[],
  now: Micros,
): Promise<RateRefusal | undefined> {
  const taken = await Promise.all(
    rates.map(async (r) => ({ ...r, verdict: await limiter.take(agreementBucketKey(r.agreement, partyId), rateSpec(r.rate), 1, now) })),
  );
  let refusal: RateRefusal | undefined;
  for (const t of taken) {
    if (!t.verdict.ok && (refusal === undefined || t.verdict.retryAfterSeconds > refusal.retryAfterSeconds))
      refusal = { agreement: t.agreement, rate: t.rate, retryAfterSeconds: t.verdict.retryAfterSeconds };
  }
  if (refusal === undefined) return undefined;
  await Promise.all(taken.filter((t) => t.verdict.ok).map((t) => limiter.take(agreementBucketKey(t.agreement, partyId), rateSpec(t.rate), -1, now)));
  return refusal;
}
