/**
 * The targets the bench is judged against, each with what was measured and whether it is met.
 * A quick run checks the same targets at its smaller sizes (named in each target's text).
 */
import type { Entry, Target } from './report';

const n = (x: number) => x.toLocaleString('en-US');

type Of<S extends Entry['scenario']> = Extract<Entry, { scenario: S }>;
const of = <S extends Entry['scenario']>(entries: Entry[], scenario: S) => entries.filter((e): e is Of<S> => e.scenario === scenario);

function check(target: string, value: number | undefined, ok: (v: number) => boolean, describe: (v: number) => string): Target {
  return value === undefined ? { target, measured: 'not measured', met: undefined } : { target, measured: describe(value), met: ok(value) };
}

export function evaluateTargets(entries: Entry[], workersNote: string | undefined): Target[] {
  const polls = of(entries, 'poll');
  const poll16 = (endpoint: string, limit: number) =>
    polls.find((p) => p.endpoint === endpoint && p.limit === limit && p.connections === 16 && p.workers === 1);
  const objects1000 = poll16('GET objects', 1000);
  const objects100 = poll16('GET objects', 100);

  // The single-pusher 1,000-object envelope rows at every store size; the slowest is the one judged.
  const ingest = of(entries, 'ingest').filter((i) => i.envelope_objects === 1000 && i.connections === 1);
  const bothCores = of(entries, 'ingest').find((i) => i.connections === 2 && i.workers === 2);
  const slowestIngest = ingest.length ? Math.min(...ingest.map((i) => i.objects_per_s)) : undefined;

  const growth = of(entries, 'growth');
  const sizes = [...new Set(growth.map((g) => g.objects_in_store))].sort((a, b) => a - b);
  const [small, large] = [sizes[0] ?? 0, sizes[sizes.length - 1] ?? 0];
  const growthRatio = (caller: Of<'growth'>['caller']) => {
    const at = (size: number) => growth.find((g) => g.caller === caller && g.objects_in_store === size);
    const [a, b] = [at(small), at(large)];
    return a && b ? { ratio: b.p50_ms / a.p50_ms, a, b } : undefined;
  };
  const full = growthRatio('full access');
  const withheld = growthRatio('90% withheld');

  const crawl = of(entries, 'crawl')[0];

  const gains = polls.filter((p) => p.gain_vs_1_worker !== undefined);
  const toStorage = (label: string, p: Of<'poll'> | undefined, min: number) =>
    check(
      `${label}, 16 connections: ≥ ${min}× the storage-bound baseline`,
      p?.ratio_to_storage,
      (v) => v >= min,
      (v) => `${v.toFixed(2)}× (${n(Math.round(p?.rps ?? 0))} vs ${n(Math.round(p?.storage.rps ?? 0))} req/s)`,
    );
  return [
    toStorage('GET objects limit=100', objects100, 0.6),
    toStorage('GET objects limit=1000', objects1000, 0.7),
    toStorage('GET manifest limit=100', poll16('GET manifest', 100), 0.6),
    toStorage('GET manifest limit=1000', poll16('GET manifest', 1000), 0.6),
    toStorage(
      'GET object by id',
      polls.find((p) => p.endpoint === 'GET object by id' && p.connections === 16 && p.workers === 1),
      0.5,
    ),
    ...of(entries, 'coldstart').map((x) =>
      check(
        `cold start, ${x.workers} worker(s): the first envelope after start ≤ 2× a warm one, in every worker`,
        x.ratio_first_to_warm,
        (v) => v <= 2,
        (v) => `${v.toFixed(2)}× (first ${x.first_ms.map((f) => f.toFixed(1)).join(' / ')} ms, warm ${x.warm_ms.toFixed(1)} ms)`,
      ),
    ),
    ...of(entries, 'small').map((x) =>
      check(
        `${x.endpoint}, 16 connections: ≥ 0.5× a one-route Express app replaying it`,
        x.ratio_to_express,
        (v) => v >= 0.5,
        (v) => `${v.toFixed(2)}× (${n(Math.round(x.rps))} vs ${n(Math.round(x.express.rps))} req/s)`,
      ),
    ),
    check(
      'ingest (1,000-object envelopes, one process): ≥ 25,000 objects/s',
      slowestIngest,
      (v) => v >= 25_000,
      (v) => `${n(v)} objects/s (slowest of ${ingest.map((i) => `${n(i.objects_per_s)} to ${n(i.objects_in_store)}`).join(', ')})`,
    ),
    check(
      'peak RSS serving the largest store under 16 concurrent 1,000-object pages: < 300 MB',
      objects1000?.memory.rss_peak_mb,
      (v) => v < 300,
      (v) => `${v} MB`,
    ),
    check(
      'ingest with both cores (2 pushers, `--workers 2`, 1,000-object envelopes): ≥ 25,000 objects/s',
      bothCores?.objects_per_s,
      (v) => v >= 25_000,
      (v) => `${n(v)} objects/s (${n((bothCores?.objects_in_store ?? 0) - (bothCores?.objects ?? 0))} → ${n(bothCores?.objects_in_store ?? 0)})`,
    ),
    check(
      `growth: p50 at ${n(large)} objects ≤ 1.5× p50 at ${n(small)} (full access)`,
      full?.ratio,
      (v) => v <= 1.5,
      (v) => `${v.toFixed(2)}× (${full?.b.p50_ms} vs ${full?.a.p50_ms} ms)`,
    ),
    check(
      `growth: p50 at ${n(large)} objects ≤ 1.5× p50 at ${n(small)} (90% withheld)`,
      withheld?.ratio,
      (v) => v <= 1.5,
      (v) => `${v.toFixed(2)}× (${withheld?.b.p50_ms} vs ${withheld?.a.p50_ms} ms)`,
    ),
    check(
      'crawl (limit=1000, one connection): ≥ 50,000 objects/s',
      crawl?.objects_per_s,
      (v) => v >= 50_000,
      (v) => `${n(v)} objects/s`,
    ),
    workersNote !== undefined
      ? { target: 'workers: 2 workers serve more req/s than 1 (16 connections)', measured: workersNote, met: undefined }
      : check(
          'workers: 2 workers serve more req/s than 1 (16 connections)',
          gains.length ? Math.min(...gains.map((g) => g.gain_vs_1_worker as number)) : undefined,
          (v) => v > 1,
          () => gains.map((g) => `${g.endpoint}${g.limit ? ` limit=${g.limit}` : ''} ${(g.gain_vs_1_worker as number).toFixed(2)}×`).join(', '),
        ),
  ];
}
