/**
 * `npm run bench [-- --objects N]`: starts Accord on a fresh SQLite file, ingests N objects
 * over HTTP in 1,000-object envelopes, then measures page reads and a full crawl.
 * Sequential requests (one connection); the full scenario suite is bench issue work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { addAccount, issueToken } from '../src/catalog/accounts';
import { createAgreement } from '../src/catalog/agreements';
import { loadConfig } from '../src/config/config';
import { startServer } from '../src/server';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import { systemClock } from '../src/time';
import { generateObjects } from './workload';

const COLLECTION = '5b0e8a4e-3f4f-4c3b-9d0a-7f6c1e2d3a4b';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function main(): Promise<void> {
  const arg = process.argv.indexOf('--objects');
  const total = arg > 0 ? Number(process.argv[arg + 1]) : 100_000;
  const dir = mkdtempSync(join(tmpdir(), 'accord-bench-'));
  const store = new SqliteStore(join(dir, 'bench.db'));
  await store.upsertApiRoot({ path: 'bench', title: 'bench', maxContentLength: 64 << 20, contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] });
  await store.upsertCollection({ id: COLLECTION, apiRoot: 'bench', title: 'bench', mediaTypes: [] });
  await store.upsertParty({ id: 'operator', name: 'Operator', kind: 'operator' });
  const { account } = await addAccount(store, systemClock, { name: 'bench', roles: ['admin'], partyId: 'operator', password: null });
  await createAgreement(store, systemClock, 'bench', {
    title: 'bench', instrument: 'bench', parties: ['operator'], valid_from: '2000-01-01T00:00:00Z', status: 'active',
    grants: [{ party: 'operator', actions: ['read', 'write', 'delete'], collections: { all: true }, max_tlp: 'red', unmarked_as: 'clear' }],
  });
  const { token } = await issueToken(store, systemClock, account.id, 'bench');
  const server = await startServer(loadConfig({ env: {}, overrides: { port: 0, logLevel: 'silent', store: ':memory:' } }), store, pino({ level: 'silent' }));
  const base = `${server.url}/bench/collections/${COLLECTION}`;
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/taxii+json;version=2.1' };

  const objects = generateObjects(total);
  const bodies: string[] = [];
  for (let i = 0; i < objects.length; i += 1000) bodies.push(JSON.stringify({ objects: objects.slice(i, i + 1000) }));
  const bytes = bodies.reduce((n, b) => n + b.length, 0);
  let t = performance.now();
  for (const body of bodies) {
    const res = await fetch(`${base}/objects/`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/taxii+json;version=2.1' }, body });
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
    await res.arrayBuffer();
  }
  const ingestSecs = (performance.now() - t) / 1000;
  const rows: string[][] = [['scenario', 'result']];
  rows.push(['ingest (1,000-object envelopes)', `${Math.round(total / ingestSecs)} objects/s (${(bytes / total).toFixed(0)} B/object avg)`]);

  // Crawl first; the page boundaries it sees are the positions the page reads start from.
  t = performance.now();
  let seen = 0;
  let next: string | undefined;
  const positions: string[] = [];
  do {
    const res = await fetch(`${base}/objects/?limit=1000${next ? `&next=${next}` : ''}`, { headers });
    const body = (await res.json()) as { more: boolean; next?: string; objects?: unknown[] };
    seen += body.objects?.length ?? 0;
    positions.push(res.headers.get('x-taxii-date-added-last') as string);
    next = body.more ? body.next : undefined;
  } while (next);
  const crawlSecs = (performance.now() - t) / 1000;

  const pick = () => positions[Math.floor(Math.random() * Math.max(1, positions.length - 1))] as string;
  for (const limit of [100, 1000]) {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      t = performance.now();
      const res = await fetch(`${base}/objects/?limit=${limit}&added_after=${pick()}`, { headers });
      await res.arrayBuffer();
      times.push(performance.now() - t);
    }
    times.sort((x, y) => x - y);
    rows.push([`page read limit=${limit} (1 connection)`, `p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`]);
  }
  rows.push(['crawl with next (limit=1000)', `${Math.round(seen / crawlSecs)} objects/s (${seen} objects)`]);
  rows.push(['server RSS after run', `${Math.round(process.memoryUsage().rss / 1048576)} MB (server and client in one process)`]);

  process.stdout.write(rows.map((r) => `| ${r.join(' | ')} |`).join('\n').replace(/^(.*)$/m, '$1\n|---|---|') + '\n');
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(String((err as Error).stack ?? err) + '\n');
  process.exit(1);
});
