/**
 * `node dist/bench/audit-server.js <db> on|off`: Accord's app on a prepared database, with the
 * sharing log on (as `accord serve` runs it: group commit through the store's background
 * appender) or with a log that discards events. The discarding log exists only here, to
 * measure what logging costs; `accord serve` has no way to turn the log off.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { CatalogCache } from '../src/access/catalog-cache';
import { createApp } from '../src/app';
import { RefusalAggregator } from '../src/audit/aggregate';
import type { AuditEventInput } from '../src/audit/events';
import { AUDIT_DEFAULTS, AuditLog } from '../src/audit/log';
import { Authenticator } from '../src/auth/authenticator';
import { loadConfig } from '../src/config/config';
import { openStore } from '../src/store/open-store';
import { BucketTable } from '../src/throttle/bucket';
import { systemClock } from '../src/time';

class DiscardingAuditLog extends AuditLog {
  override async record(_event: AuditEventInput): Promise<void> {}
}

async function main(): Promise<void> {
  const [file, mode] = process.argv.slice(2);
  if (file === undefined || (mode !== 'on' && mode !== 'off')) throw new Error('usage: audit-server.js <db> on|off');
  // The per-account rate limit far above what the bench asks: this measures how fast reads can go.
  const config = loadConfig({ env: {}, overrides: { logLevel: 'silent', store: file, rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } } });
  // As `accord serve` opens it (durability settings included).
  const store = await openStore(file, config);
  const log = pino({ level: 'silent' });
  const catalog = new CatalogCache(store);
  const authenticator = new Authenticator(catalog, systemClock, await store.secretKey(), { cacheSeconds: 300, cacheSize: 100 });
  const audit =
    mode === 'off'
      ? new DiscardingAuditLog(store, systemClock, log)
      : new AuditLog(
          store,
          systemClock,
          log,
          AUDIT_DEFAULTS,
          store.backgroundAuditAppender((message) => process.stderr.write(message + '\n')),
        );
  audit.start();
  // As `accord serve` does: the WAL is copied into the database file by a thread of its own,
  // not by whichever commit (often the log writer's) crosses the checkpoint threshold.
  await store.startBackgroundCheckpoints((message) => process.stderr.write(message + '\n'));
  const refusals = new RefusalAggregator((e) => void audit.note(e).catch(() => undefined), {
    intervalSeconds: config.auditAggregateSeconds,
    maxSources: 1000,
  });
  const app = createApp({ config, store, clock: systemClock, log, authenticator, catalog, audit, refusals, limiter: new BucketTable() });
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void audit
      .close()
      .then(() => store.close())
      .then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(String((err as Error).stack ?? err) + '\n');
  process.exit(1);
});
