/**
 * Throttles failed console sign-ins: after `limit` failures within `windowSeconds` from one
 * client address, or for one account name, further attempts are refused (429) until the
 * oldest failure leaves the window. Kept in memory: with --workers N each process counts its
 * own, so an attacker gets at most N × limit tries per window (docs/console.md).
 */
import type { Clock } from '../time';

export interface ThrottleOptions {
  limit: number;
  windowSeconds: number;
  /** Most keys remembered; the oldest is dropped beyond it (bounded memory under a spray). */
  maxKeys: number;
}

export const THROTTLE_DEFAULTS: ThrottleOptions = { limit: 5, windowSeconds: 900, maxKeys: 10_000 };

export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly options: ThrottleOptions = THROTTLE_DEFAULTS,
  ) {}

  private recent(key: string): number[] {
    const since = this.clock() - this.options.windowSeconds * 1e6;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  /** Seconds to wait before another attempt for any of these keys, or 0 when allowed. */
  retryAfter(keys: readonly string[]): number {
    let wait = 0;
    for (const key of keys) {
      const times = this.recent(key);
      if (times.length >= this.options.limit) {
        const oldest = times[times.length - this.options.limit] as number;
        wait = Math.max(wait, Math.ceil((oldest + this.options.windowSeconds * 1e6 - this.clock()) / 1e6));
      }
    }
    return wait;
  }

  fail(keys: readonly string[]): void {
    for (const key of keys) {
      const times = this.recent(key);
      times.push(this.clock());
      this.failures.delete(key);
      this.failures.set(key, times.slice(-this.options.limit));
      if (this.failures.size > this.options.maxKeys) this.failures.delete(this.failures.keys().next().value as string);
    }
  }
}
