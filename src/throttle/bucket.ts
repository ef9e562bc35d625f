/**
 * Token buckets, the one mechanism behind every rate limit (failed sign-ins per address and
 * per account, requests per account). A bucket holds up to `burst` tokens and refills at
 * `perSecond`; a request takes one, and is refused with the time until one is back when the
 * bucket is empty. Buckets live in memory here; with `--workers N` every worker asks the
 * cluster primary's table (src/throttle/cluster.ts), so the limit is the same as one process's.
 */
import type { Micros } from '../time';

export interface BucketSpec {
  /** Tokens added per second. */
  perSecond: number;
  /** Most tokens held (and so the largest burst allowed after a quiet spell). */
  burst: number;
}

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface Limiter {
  /**
   * Takes `cost` tokens (0: only looks whether one is there; negative: gives tokens back)
   * from bucket `key`, created full. Refused without taking anything when fewer than
   * max(cost, 1) are left; giving back is never refused.
   */
  take(key: string, spec: BucketSpec, cost: number, now: Micros): Promise<Verdict>;
}

interface Bucket {
  tokens: number;
  at: Micros;
}

/** Buckets in this process's memory, at most `maxBuckets` (the fullest-looking, oldest go first). */
export class BucketTable implements Limiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly maxBuckets = 100_000) {}

  take(key: string, spec: BucketSpec, cost: number, now: Micros): Promise<Verdict> {
    return Promise.resolve(this.takeNow(key, spec, cost, now));
  }

  takeNow(key: string, spec: BucketSpec, cost: number, now: Micros): Verdict {
    const b = this.buckets.get(key);
    const tokens = b ? Math.min(spec.burst, b.tokens + (Math.max(0, now - b.at) / 1e6) * spec.perSecond) : spec.burst;
    if (cost < 0) {
      this.put(key, { tokens: Math.min(spec.burst, tokens - cost), at: now });
      return { ok: true };
    }
    const need = Math.max(cost, 1);
    if (tokens < need) {
      // Remember the refill so far, so a refused caller does not restart the clock.
      this.put(key, { tokens, at: now });
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((need - tokens) / spec.perSecond)) };
    }
    if (cost > 0 || b) this.put(key, { tokens: tokens - cost, at: now });
    return { ok: true };
  }

  private put(key: string, bucket: Bucket): void {
    // Re-inserting keeps the Map in least-recently-used order, so the oldest key goes first.
    this.buckets.delete(key);
    if (this.buckets.size >= this.maxBuckets) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
    this.buckets.set(key, bucket);
  }

  get size(): number {
    return this.buckets.size;
  }
}
