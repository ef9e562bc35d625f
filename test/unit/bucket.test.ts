/**
 * Issue 12 §8 and §10: the token buckets behind every rate limit, and the way workers share
 * the primary's buckets (src/throttle/cluster.ts) over a channel like the cluster's IPC.
 */
import { EventEmitter } from 'node:events';
import { BucketTable } from '../../src/throttle/bucket';
import { answerTakes, ClusterLimiter, type Channel, type TakeMessage } from '../../src/throttle/cluster';

const spec = { perSecond: 2, burst: 3 };

describe('token buckets', () => {
  it('a bucket starts full, refuses when empty with the seconds until a token is back, and refills with time', () => {
    const t = new BucketTable();
    for (let i = 0; i < 3; i++) expect(t.takeNow('a', spec, 1, 0)).toEqual({ ok: true });
    expect(t.takeNow('a', spec, 1, 0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(t.takeNow('b', spec, 1, 0)).toEqual({ ok: true });
    expect(t.takeNow('a', spec, 1, 500_000)).toEqual({ ok: true });
    expect(t.takeNow('a', spec, 1, 500_000)).toMatchObject({ ok: false });
  });

  it('looking (cost 0) takes nothing; giving back (negative cost) never overfills', () => {
    const t = new BucketTable();
    expect(t.takeNow('a', spec, 0, 0)).toEqual({ ok: true });
    for (let i = 0; i < 3; i++) t.takeNow('a', spec, 1, 0);
    expect(t.takeNow('a', spec, 0, 0)).toMatchObject({ ok: false });
    t.takeNow('a', spec, -1, 0);
    expect(t.takeNow('a', spec, 0, 0)).toEqual({ ok: true });
    for (let i = 0; i < 10; i++) t.takeNow('b', spec, -1, 0);
    for (let i = 0; i < 3; i++) expect(t.takeNow('b', spec, 1, 0)).toEqual({ ok: true });
    expect(t.takeNow('b', spec, 1, 0)).toMatchObject({ ok: false });
  });

  it('holds at most maxBuckets, dropping the least recently used', () => {
    const t = new BucketTable(2);
    for (const k of ['a', 'b', 'c']) t.takeNow(k, spec, 1, 0);
    expect(t.size).toBe(2);
  });
});

/** A worker's end of a channel whose other end is a primary answering from `table`. */
function channelTo(table: BucketTable): Channel & { cut(): void } {
  const worker = new EventEmitter();
  let connected = true;
  return {
    get connected() {
      return connected;
    },
    on: (event: string, listener: (message: unknown) => void) => void worker.on(event, listener),
    send: (m: TakeMessage) => answerTakes(table, m, (reply) => setImmediate(() => worker.emit('message', reply))),
    cut: () => {
      connected = false;
      worker.emit('disconnect');
    },
  } as Channel & { cut(): void };
}

describe('buckets shared by workers through the primary', () => {
  it('two workers draw from one bucket: together they get the burst, not twice it', async () => {
    const primary = new BucketTable();
    const [w1, w2] = [new ClusterLimiter(channelTo(primary)), new ClusterLimiter(channelTo(primary))];
    const verdicts = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? w1 : w2).take('account:x', spec, 1, 0)));
    expect(verdicts.filter((v) => v.ok)).toHaveLength(3);
  });

  it('without the primary a worker falls back on its own table', async () => {
    const channel = channelTo(new BucketTable());
    const w = new ClusterLimiter(channel);
    channel.cut();
    for (let i = 0; i < 3; i++) expect(await w.take('k', spec, 1, 0)).toEqual({ ok: true });
    expect(await w.take('k', spec, 1, 0)).toMatchObject({ ok: false });
  });
});
