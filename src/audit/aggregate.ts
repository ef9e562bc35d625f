/**
 * Keeps strangers from flooding the sharing log. A refusal nobody is accountable for (no
 * credentials, wrong ones, a throttled caller) is logged in full the first time its source
 * causes it in an interval; the repeats are counted, and when the interval ends one event per
 * source says how many there were and over what span. The number of sources tracked at once
 * is bounded: beyond it, the newcomers of the interval are counted together under
 * `client: "(other sources)"` with how many events they caused, so a flood from many
 * addresses costs no more than one from a few.
 */
import type { Micros } from '../time';
import { formatTimestamp } from '../time';
import type { AuditEventInput } from './events';

export interface AggregatorOptions {
  intervalSeconds: number;
  /** Most sources tracked in one interval. */
  maxSources: number;
}

interface Window {
  first: AuditEventInput;
  repeats: number;
  last: Micros;
}

export const OTHER_SOURCES = '(other sources)';

export class RefusalAggregator {
  private windows = new Map<string, Window>();
  private started: Micros | undefined;

  constructor(
    private readonly record: (event: AuditEventInput) => void,
    private readonly options: AggregatorOptions,
  ) {}

  /** Logs `event` when it is the first of its kind from its source in this interval; counts it otherwise. */
  offer(event: AuditEventInput): void {
    this.roll(event.time);
    const kind = `${event.action}|${event.http_status ?? ''}`;
    let key = `${event.client ?? ''}|${event.account ?? ''}|${kind}`;
    if (!this.windows.has(key) && this.windows.size >= this.options.maxSources) {
      key = `${OTHER_SOURCES}|${kind}`;
      if (!this.windows.has(key)) {
        // The first newcomer past the bound stands for all of them: it is logged without its source.
        const { client: _client, user_agent: _ua, account: _a, account_id: _id, ...rest } = event;
        event = { ...rest, client: OTHER_SOURCES };
      }
    }
    const w = this.windows.get(key);
    if (w) {
      w.repeats++;
      w.last = event.time;
      return;
    }
    this.windows.set(key, { first: event, repeats: 0, last: event.time });
    this.record(event);
  }

  /** Ends the interval when it is over (`force`: now): one summary event per source that repeated. */
  roll(now: Micros, force = false): void {
    this.started ??= now;
    if (!force && now < this.started + this.options.intervalSeconds * 1e6) return;
    for (const w of this.windows.values()) {
      if (w.repeats === 0) continue;
      const f = w.first;
      this.record({
        time: w.last,
        action: f.action,
        outcome: f.outcome,
        ...(f.client !== undefined && { client: f.client }),
        ...(f.account !== undefined && { account: f.account }),
        ...(f.http_status !== undefined && { http_status: f.http_status }),
        detail: { repeated: w.repeats, first: formatTimestamp(f.time), last: formatTimestamp(w.last), first_request_id: f.request_id ?? null },
      });
    }
    this.windows = new Map();
    this.started = now;
  }
}
