/**
 * Results: one JSON entry per scenario (bench/results/<name>.json) and the same figures as
 * markdown tables (stdout and bench/results/<name>.md), ending with the targets, each with
 * its measured value and whether it is met.
 */
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadFigures } from './load';
import type { Latencies } from './http';
import type { FloodFigures } from './flood';
import type { MemoryFigures } from './rss';

interface Common {
  endpoint: string;
  limit: number | null;
  connections: number;
  workers: number;
  objects_in_store: number;
  duration_s: number;
  memory: MemoryFigures;
}

export type Entry =
  | (Common & { scenario: 'ingest'; envelope_objects: number; objects: number; objects_per_s: number })
  | (Common & { scenario: 'crawl'; objects: number; pages: number; objects_per_s: number })
  | (Common & { scenario: 'growth'; caller: 'full access' | '90% withheld' } & Latencies)
  | (Common & { scenario: 'small'; node: LoadFigures; express: LoadFigures; ratio_to_node: number; ratio_to_express: number } & LoadFigures)
  | (Common & {
      scenario: 'coldstart';
      envelope_objects: number;
      /** Starts measured; the figures below are medians over them. */
      restarts: number;
      /** The first envelope each worker stored after start, ms (median over the starts). */
      first_ms: number[];
      /** Median of the envelopes after those, ms. */
      warm_ms: number;
      /** Slowest first over warm. */
      ratio_first_to_warm: number;
      /** From spawn to /readyz answering 200, ms. */
      ready_ms: number;
    })
  | (Common & {
      scenario: 'compression';
      coding: 'identity' | 'gzip' | 'br';
      cpu_ms_per_request: number;
      ratio_to_identity_bytes: number;
    } & LoadFigures)
  | (Common & {
      scenario: 'poll';
      objects_per_response: number;
      objects_per_s: number;
      ratio_to_node: number;
      ratio_to_express: number;
      /** Over the storage-bound baseline (bench/storage-server.ts): the same query, no server logic. */
      ratio_to_storage: number;
      node: LoadFigures;
      express: LoadFigures;
      storage: LoadFigures;
      /** req/s with these workers over req/s with one; only in runs with --workers. */
      gain_vs_1_worker?: number;
    } & LoadFigures);

export interface Target {
  target: string;
  measured: string;
  /** undefined: could not be measured in this run (the reason is in `measured`). */
  met: boolean | undefined;
}

export interface Report {
  mode: 'full' | 'quick';
  machine: { cpus: number; cpu_model: string; memory_gb: number; node: string; os: string; date: string; load_average_at_start: number[] };
  settings: Record<string, unknown>;
  total_seconds: number;
  /** The one-worker server holding the largest store: RSS between scenarios, and its peak in them (MB). */
  memory_serving: { objects: number; rss_mb: number; peak_mb: number };
  notes: string[];
  scenarios: Entry[];
  /** A poller's latency and the database's growth, alone and while strangers flood the server. */
  flood?: FloodFigures[];
  targets: Target[];
}

export function machine(): Report['machine'] {
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${type()} ${release()}`,
    date: new Date().toISOString(),
    // Anything else running competes with server and load generator for the same cores.
    load_average_at_start: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

const n = (x: number) => x.toLocaleString('en-US');
/** Requests per second: whole numbers, but a tenth where a slow endpoint manages only a few. */
const rate = (x: number) => (x >= 100 ? n(Math.round(x)) : x.toFixed(1));
const ms = (x: number) => x.toFixed(2);
const ratio = (x: number) => (x < 0.1 ? x.toFixed(3) : x.toFixed(2));

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const of = <S extends Entry['scenario']>(entries: Entry[], scenario: S) =>
  entries.filter((e): e is Extract<Entry, { scenario: S }> => e.scenario === scenario);

export function markdown(report: Report): string {
  const e = report.scenarios;
  const m = report.machine;
  const out: string[] = [
    `Accord benchmark (${report.mode} run), ${m.date.slice(0, 10)}: ${m.cpus} × ${m.cpu_model}, ${m.memory_gb} GB, Node ${m.node}, ${m.os}. ` +
      `Load average at start ${m.load_average_at_start.join(', ')}. Total ${Math.round(report.total_seconds)} s. Peak RSS: highest sum of VmRSS over the server process tree, sampled every 100 ms.`,
    '',
    '**Ingest** (POST, validation and sharing log on; each pusher sends one envelope at a time)',
    '',
    table(
      ['envelope', 'pushers', 'workers', 'objects in store', 'objects posted', 'objects/s', 'peak RSS MB'],
      of(e, 'ingest').map((x) => [
        `${n(x.envelope_objects)} objects`,
        x.connections,
        x.workers,
        `${n(x.objects_in_store - x.objects)} → ${n(x.objects_in_store)}`,
        n(x.objects),
        n(x.objects_per_s),
        x.memory.rss_peak_mb,
      ]),
    ),
    '',
    '**Poll** (autocannon, fixed duration, random `added_after` page positions and object ids; node and express replay the same response bytes; storage runs the same page query on the same file and writes the same bytes)',
    '',
    table(
      [
        'endpoint',
        'limit',
        'conns',
        'workers',
        'req/s',
        'objects/s',
        'p50 ms',
        'p99 ms',
        'bytes/resp',
        'non-2xx',
        'storage req/s',
        'node req/s',
        'express req/s',
        '× storage',
        '× node',
        '× express',
        'gain vs 1 worker',
        'peak RSS MB',
      ],
      of(e, 'poll').map((x) => [
        x.endpoint,
        x.limit ?? '–',
        x.connections,
        x.workers,
        rate(x.rps),
        n(x.objects_per_s),
        ms(x.p50_ms),
        ms(x.p99_ms),
        n(x.bytes_per_response),
        x.non2xx,
        rate(x.storage.rps),
        rate(x.node.rps),
        rate(x.express.rps),
        ratio(x.ratio_to_storage),
        ratio(x.ratio_to_node),
        ratio(x.ratio_to_express),
        x.gain_vs_1_worker === undefined ? '–' : ratio(x.gain_vs_1_worker),
        x.memory.rss_peak_mb,
      ]),
    ),
    '',
    "**Small resources** (16 connections; read by a caller who sees 1 of the catalogue's 196 collections; baselines replay the same bytes)",
    '',
    table(
      ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'bytes/resp', 'node req/s', 'express req/s', '× node', '× express'],
      of(e, 'small').map((x) => [
        x.endpoint,
        rate(x.rps),
        ms(x.p50_ms),
        ms(x.p99_ms),
        n(x.bytes_per_response),
        rate(x.node.rps),
        rate(x.express.rps),
        ratio(x.ratio_to_node),
        ratio(x.ratio_to_express),
      ]),
    ),
    '',
    '**Cold start** (`accord serve` started afresh on the grown store, 3 times, medians; 100-object envelopes, one client per worker)',
    '',
    table(
      ['workers', '/readyz 200 after ms', 'first envelope ms (per worker)', 'warm envelope ms (median)', 'first ÷ warm'],
      of(e, 'coldstart').map((x) => [
        x.workers,
        n(x.ready_ms),
        x.first_ms.map((f) => f.toFixed(1)).join(' / '),
        x.warm_ms.toFixed(1),
        x.ratio_first_to_warm.toFixed(2),
      ]),
    ),
    '',
    '**Compression** (GET objects limit=1000, 16 connections, by Accept-Encoding; CPU: the server process, all threads, per response)',
    '',
    table(
      ['coding', 'bytes/resp', '× identity bytes', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'peak RSS MB'],
      of(e, 'compression').map((x) => [
        x.coding,
        n(x.bytes_per_response),
        ratio(x.ratio_to_identity_bytes),
        rate(x.rps),
        ms(x.p50_ms),
        ms(x.p99_ms),
        ms(x.cpu_ms_per_request),
        x.memory.rss_peak_mb,
      ]),
    ),
    '',
    '**Crawl** (`next` paging through the whole collection, one connection)',
    '',
    table(
      ['objects in store', 'limit', 'pages', 'objects returned', 'objects/s', 'peak RSS MB'],
      of(e, 'crawl').map((x) => [n(x.objects_in_store), x.limit ?? '–', n(x.pages), n(x.objects), n(x.objects_per_s), x.memory.rss_peak_mb]),
    ),
    '',
    '**Growth** (GET objects limit=100 at random positions, sequential on one connection, after a warm-up)',
    '',
    table(
      ['objects in store', 'caller', 'requests', 'objects/page', 'p50 ms', 'p99 ms', 'peak RSS MB'],
      of(e, 'growth').map((x) => [n(x.objects_in_store), x.caller, x.requests, x.objects_per_page, ms(x.p50_ms), ms(x.p99_ms), x.memory.rss_peak_mb]),
    ),
    '',
    `**Memory**: the server serving the ${n(report.memory_serving.objects)}-object store (one worker): ${report.memory_serving.rss_mb} MB RSS between scenarios, ` +
      `${report.memory_serving.peak_mb} MB at peak (crawl, growth reads, polls).`,
    '',
    ...(report.flood
      ? [
          "**Flood** (a poller reads a 100-object page every 50 ms on 127.0.0.1; under flood, 16 more connections send requests, 12 without credentials with an 8 KB query string, 4 with wrong passwords; default limits; database measured after each phase's server shut down)",
          '',
          table(
            ['phase', 's', 'poller requests', 'p50 ms', 'p99 ms', 'flood req/s', 'flood statuses', 'DB growth KB', 'refusal events', 'their bytes'],
            report.flood.map((f) => [
              f.phase,
              f.seconds,
              f.poller_requests,
              ms(f.p50_ms),
              ms(f.p99_ms),
              f.flood_rps,
              Object.entries(f.flood_statuses)
                .map(([st, c]) => `${st}: ${n(c)}`)
                .join(', ') || '–',
              n(Math.round(f.db_growth_bytes / 1024)),
              f.refusal_events,
              n(f.refusal_event_bytes),
            ]),
          ),
          '',
        ]
      : []),
    ...report.notes.map((note) => `Note: ${note}`),
    ...(report.notes.length ? [''] : []),
    '**Targets**',
    '',
    table(
      ['target', 'measured', 'result'],
      report.targets.map((t) => [t.target, t.measured, t.met === undefined ? 'not measured' : t.met ? 'met' : '**not met**']),
    ),
  ];
  return out.join('\n') + '\n';
}

/** Writes <name>.json and <name>.md under bench/results/, each replaced whole (write, then rename). */
export function save(dir: string, name: string, report: Report, md: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [ext, text] of [
    ['json', JSON.stringify(report, null, 2) + '\n'],
    ['md', md],
  ] as const) {
    const file = join(dir, `${name}.${ext}`);
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  }
}
