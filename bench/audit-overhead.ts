/**
 * `node dist/bench/audit-overhead.js [--objects N] [--seconds S]`: read throughput of the
 * same server with the sharing log on and with a log that discards events, on one store.
 * The discarding log exists only here, to measure what logging costs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { CatalogCache } from '../src/access/catalog-cache';
import { createApp } from '../src/app';
import { RefusalAggregator } from '../src/audit/aggregate';
import { AUDIT_DEFAULTS, AuditLog } from '../src/audit/log';
import type { AuditEventInput } from '../src/audit/events';
import { Authenticator } from '../src/auth/authenticator';
import { loadConfig } from '../src/config/config';
import { BucketTable } from '../src/throttle/bucket';
import { systemClock } from '../src/time';
import { COLLECTION_PATH, prepareStore } from './lib/setup';
import { take, stixObjects } from './workload';

class DiscardingAuditLog extends AuditLog {
  override async record(_event: AuditEventInput): Promise<void> {}
}

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main(): Promise<void> {
  const total = arg('objects', 20_000);
  const seconds = arg('seconds', 5);
  const dir = mkdtempSync(join(tmpdir(), 'accord-audit-bench-'));
  const { store, tokens } = await prepareStore(join(dir, 'bench.db'));
  const objects = take(stixObjects(), total);
  // No per-account rate limit: this measures how fast reads can go.
  const config = loadConfig({ env: {}, overrides: { logLevel: 'silent', store: ':memory:', rateLimit: { perSecond: 1, burst: 0 } } });
  const log = pino({ level: 'silent' });
  const catalog = new CatalogCache(store);
  const authenticator = new Authenticator(catalog, systemClock, await store.secretKey(), { cacheSeconds: 300, cacheSize: 100 });

  const results: string[] = [];
  let ingested = false;
  // Alternating, so warm-up does not favour either mode.
  for (const mode of ['sharing log off', 'sharing log on', 'sharing log off (again)', 'sharing log on (again)']) {
    // As the server runs it: queued events are appended by the store's background appender.
    const audit = mode.includes('off')
      ? new DiscardingAuditLog(store, systemClock, log)
      : new AuditLog(
          store,
          systemClock,
          log,
          AUDIT_DEFAULTS,
          store.backgroundAuditAppender((message) => process.stderr.write(message + '\n')),
        );
    audit.start();
    const refusals = new RefusalAggregator((e) => void audit.note(e).catch(() => undefined), {
      intervalSeconds: config.auditAggregateSeconds,
      maxSources: 1000,
    });
    const app = createApp({ config, store, clock: systemClock, log, authenticator, catalog, audit, refusals, limiter: new BucketTable() });
    const server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${COLLECTION_PATH}`;
    // Once, in the first round; every round then reads the same store.
    if (!ingested) {
      ingested = true;
      for (let i = 0; i < objects.length; i += 1000) {
        const res = await fetch(`${base}/objects/`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${tokens.writer}`, 'Content-Type': 'application/taxii+json;version=2.1' },
          body: JSON.stringify({ objects: objects.slice(i, i + 1000) }),
        });
        await res.arrayBuffer();
      }
    }
    // 8 connections reading limit=100 pages for a fixed time.
    let done = 0;
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (Date.now() < end) {
          const res = await fetch(`${base}/objects/?limit=100`, { headers: { Authorization: `Bearer ${tokens.full}` } });
          await res.arrayBuffer();
          done++;
        }
      }),
    );
    results.push(`| ${mode} | ${Math.round(done / seconds)} req/s |`);
    await audit.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
  process.stdout.write(`| objects.read, limit=100, 8 connections, ${total} objects | throughput |\n|---|---|\n${results.join('\n')}\n`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(String((err as Error).stack ?? err) + '\n');
  process.exit(1);
});
