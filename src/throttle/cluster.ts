/**
 * Rate limits that hold across `accord serve --workers N`: the workers keep no buckets of
 * their own but ask the cluster primary, which holds the one table (the primary serves no
 * requests, so the round trip over the IPC channel is its whole work). When the channel is
 * gone (the primary is stopping) a worker falls back on a table of its own rather than fail.
 */
import type { Micros } from '../time';
import { BucketTable, type BucketSpec, type Limiter, type Verdict } from './bucket';

export interface TakeMessage {
  accord: 'take';
  id: number;
  key: string;
  spec: BucketSpec;
  cost: number;
  now: Micros;
}

export interface TookMessage {
  accord: 'took';
  id: number;
  verdict: Verdict;
}

/** The channel to the primary (process.send / process.on('message') in a worker). */
export interface Channel {
  send(message: TakeMessage): boolean;
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'disconnect', listener: () => void): void;
  connected: boolean;
}

const isTook = (m: unknown): m is TookMessage => typeof m === 'object' && m !== null && (m as TookMessage).accord === 'took';

export class ClusterLimiter implements Limiter {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: Verdict) => void; locally: () => Verdict }>();
  private readonly fallback = new BucketTable();

  constructor(private readonly channel: Channel) {
    channel.on('message', (m) => {
      if (!isTook(m)) return;
      this.waiting.get(m.id)?.resolve(m.verdict);
      this.waiting.delete(m.id);
    });
    // Questions the primary will never answer: settle them from this process's own table.
    channel.on('disconnect', () => {
      for (const w of this.waiting.values()) w.resolve(w.locally());
      this.waiting.clear();
    });
  }

  take(key: string, spec: BucketSpec, cost: number, now: Micros): Promise<Verdict> {
    if (!this.channel.connected) return this.fallback.take(key, spec, cost, now);
    const id = this.next++;
    return new Promise<Verdict>((resolve) => {
      const locally = () => this.fallback.takeNow(key, spec, cost, now);
      this.waiting.set(id, { resolve, locally });
      try {
        this.channel.send({ accord: 'take', id, key, spec, cost, now });
      } catch {
        this.waiting.delete(id);
        resolve(locally());
      }
    });
  }
}

const isTake = (m: unknown): m is TakeMessage => typeof m === 'object' && m !== null && (m as TakeMessage).accord === 'take';

/** The primary's side: answers every worker's `take` from one table. */
export function answerTakes(table: BucketTable, message: unknown, reply: (m: TookMessage) => void): boolean {
  if (!isTake(message)) return false;
  reply({ accord: 'took', id: message.id, verdict: table.takeNow(message.key, message.spec, message.cost, message.now) });
  return true;
}
