/**
 * `npm run bench:console [-- --events N] [-- --quick]`: how fast the console's summaries answer
 * on a big sharing log. Fills a SQLite store with N events (default 1,000,000) spread over 60
 * days — reads by 15 police services of their own country's collection and the worldwide one,
 * pushes by 5 vendors to any of 200 country collections, refusals and catalogue changes —
 * appended through the store as the server appends them (daily summaries maintained on the
 * way) — then serves it and times GET /audit/overview, /flows, /map and /withheld for the last
 * month (30 days), and, for comparison, /audit/summary (which walks the events themselves).
 * Writes bench/results/console.md.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { CatalogCache } from '../src/access/catalog-cache';
import { createApp } from '../src/app';
import { RefusalAggregator } from '../src/audit/aggregate';
import { AuditLog } from '../src/audit/log';
import type { AuditEventInput } from '../src/audit/events';
import { Authenticator } from '../src/auth/authenticator';
import { addAccount, issueToken } from '../src/catalog/accounts';
import { loadConfig } from '../src/config/config';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import { BucketTable } from '../src/throttle/bucket';
import { formatTimestamp, systemClock } from '../src/time';

const DAY = 86_400_000_000;
/** Who the bench's catalogue changes are recorded as. */
const BENCH = 'cli:bench';
const quick = process.argv.includes('--quick');
const i = process.argv.indexOf('--events');
const TOTAL = i > 0 ? Number(process.argv[i + 1]) : quick ? 100_000 : 1_000_000;
const DAYS = 60;
const RUNS = quick ? 5 : 20;

/** A deterministic stream of events (xorshift), in time order. */
function* events(total: number, start: number): Generator<AuditEventInput> {
  let x = 2463534242;
  const rnd = (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const step = (DAYS * DAY) / total;
  for (let k = 0; k < total; k++) {
    const time = Math.floor(start + k * step);
    // 15 police services read their own country's collection and the worldwide one; 5 vendors
    // push to any of the 200 country collections (as the demo's story, at scale).
    const r = rnd(100);
    const pushes = r >= 70 && r < 85;
    const p = pushes ? 15 + rnd(5) : rnd(15);
    const party = `party-${p}`;
    const c = pushes ? rnd(200) : rnd(3) === 0 ? 200 : (p * 13) % 200;
    const where =
      c === 200
        ? { collection: 'collection-global' }
        : { collection: `collection-${c}`, country: String.fromCharCode(65 + (c % 26), 65 + Math.floor(c / 26)) };
    const who = { party, account: `${party}-siem`, credential: 'password', client: '10.0.0.1' };
    const refs = (n: number) => Array.from({ length: n }, (_, j) => ({ id: `indicator--${k}-${j}`, version: formatTimestamp(time) }));
    if (r < 70) {
      yield {
        time,
        action: 'objects.read',
        outcome: 'success',
        ...who,
        ...where,
        http_status: 200,
        agreements: [`agr-${party}@1`],
        objects: refs(rnd(5)),
        ...(rnd(4) === 0 && { withheld: { count: 1 + rnd(9), reasons: { tlp: 1 + rnd(4), type: rnd(3) } } }),
      };
    } else if (r < 85)
      yield {
        time,
        action: 'objects.add',
        outcome: 'success',
        ...who,
        ...where,
        http_status: 202,
        agreements: [`agr-${party}@1`],
        objects: refs(1 + rnd(4)),
      };
    else if (r < 92) yield { time, action: 'manifest.read', outcome: 'success', ...who, ...where, http_status: 200 };
    else if (r < 97)
      yield { time, action: 'access.denied', outcome: 'denied', ...who, ...where, http_status: 404, detail: { reason: 'no agreement in force' } };
    else if (r < 99) yield { time, action: 'auth.failure', outcome: 'denied', client: '10.0.0.9', http_status: 401 };
    else
      yield {
        time,
        action: 'catalog.agreement.revise',
        outcome: 'success',
        account_id: 'admin',
        detail: { entity: 'agreement', entity_id: `agr-${party}` },
      };
  }
}

async function timed(url: string, token: string): Promise<{ p50: number; p99: number; max: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let r = 0; r < RUNS + 2; r++) {
    const t0 = process.hrtime.bigint();
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    const body = await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
    if (r >= 2) times.push(Number(process.hrtime.bigint() - t0) / 1e6); // two warm-up requests
    bytes = body.byteLength;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
  return { p50: at(0.5), p99: at(0.99), max: times[times.length - 1] as number, bytes };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'accord-console-bench-'));
  const store = new SqliteStore(join(dir, 'bench.db'));
  try {
    await store.upsertParty(
      { id: 'audit-office', name: 'Audit office', kind: 'auditor' },
      { at: systemClock(), by: BENCH, entity: 'party', entityId: 'audit-office', action: 'create' },
    );
    const { account } = await addAccount(store, systemClock, { name: 'auditor', roles: ['auditor'], partyId: 'audit-office', password: null }, BENCH);
    const { token } = await issueToken(store, systemClock, account.id, 'bench', BENCH);
    const start = Date.UTC(2026, 0, 1) * 1000;
    const t0 = Date.now();
    let batch: AuditEventInput[] = [];
    for (const e of events(TOTAL, start)) {
      batch.push(e);
      if (batch.length === 5000) {
        await store.appendAuditEvents(batch);
        batch = [];
      }
    }
    await store.appendAuditEvents(batch);
    const fillSeconds = (Date.now() - t0) / 1000;

    const config = loadConfig({ env: {}, overrides: { logLevel: 'silent', store: ':memory:', rateLimit: { perSecond: 1, burst: 0 } } });
    const log = pino({ level: 'silent' });
    const catalog = new CatalogCache(store);
    const authenticator = new Authenticator(catalog, systemClock, await store.secretKey(), { cacheSeconds: 300, cacheSize: 100 });
    const audit = new AuditLog(store, systemClock, log);
    const refusals = new RefusalAggregator((e) => void audit.record(e), { intervalSeconds: 60, maxSources: 1000 });
    const app = createApp({ config, store, clock: systemClock, log, authenticator, catalog, audit, refusals, limiter: new BucketTable() });
    const server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The last 30 of the 60 days.
    const from = new Date((start + 30 * DAY) / 1000).toISOString().slice(0, 10);
    const to = new Date((start + 59 * DAY) / 1000).toISOString().slice(0, 10);
    const rows: string[] = [];
    for (const path of ['overview', 'flows', 'map', 'withheld']) {
      const r = await timed(`${base}/audit/${path}?from=${from}&to=${to}`, token);
      rows.push(
        `| GET /audit/${path} (30 days) | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${Math.round(r.bytes / 1024)} KB |`,
      );
    }
    const scan = await timed(`${base}/audit/summary?group=country&from=${from}T00:00:00Z&to=${to}T23:59:59Z`, token);
    rows.push(
      `| GET /audit/summary?group=country (30 days, walks the events) | ${scan.p50.toFixed(1)} | ${scan.p99.toFixed(1)} | ${scan.max.toFixed(1)} | ${Math.round(scan.bytes / 1024)} KB |`,
    );
    await audit.close();
    await new Promise<void>((r) => server.close(() => r()));

    const report = [
      `# Console summaries on a ${TOTAL.toLocaleString('en-US')}-event sharing log`,
      '',
      `SQLite, ${DAYS} days of events (${Math.round(TOTAL / DAYS).toLocaleString('en-US')} a day) (15 readers on their own country and the worldwide collection, 5 vendors pushing to 200 country collections); appended in batches of 5,000 through the store (hash chain, lookup indexes and daily summaries) in ${fillSeconds.toFixed(0)} s (${Math.round(TOTAL / fillSeconds).toLocaleString('en-US')} events/s). Each request ${RUNS} times after 2 warm-ups, one at a time, over HTTP; milliseconds.`,
      '',
      '| request | p50 ms | p99 ms | max ms | response |',
      '|---|---:|---:|---:|---:|',
      ...rows,
      '',
    ].join('\n');
    process.stdout.write(report);
    if (!quick) {
      mkdirSync(join(__dirname, '..', '..', 'bench', 'results'), { recursive: true });
      writeFileSync(join(__dirname, '..', '..', 'bench', 'results', 'console.md'), report);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(String((err as Error).stack ?? err) + '\n');
  process.exit(1);
});
