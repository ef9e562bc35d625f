/**
 * Runs the app on HTTP, or HTTPS when a TLS key and certificate are configured, and shuts
 * down gracefully: stop accepting, let in-flight requests finish, then close the store.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app';
import { validatorFor } from './taxii/object-metadata';
import { warmUpAddPath } from './http/warm-up';
import { CatalogCache, freshBindings } from './access/catalog-cache';
import { exposedFiles } from './files';
import { storeFiles } from './store/open-store';
import { RefusalAggregator } from './audit/aggregate';
import { AUDIT_DEFAULTS, AuditLog } from './audit/log';
import { Authenticator } from './auth/authenticator';
import { demoteForeignAdmins } from './catalog/role-migration';
import type { Config } from './config/config';
import { FeedScheduler } from './feeds/scheduler';
import { feedKey } from './feeds/secrets';
import { Sessions } from './console/sessions';
import { capConnections, serverOptions } from './http/connections';
import { tlsOptions } from './http/transport';
import type { Store } from './store/store';
import { BucketTable, type Limiter } from './throttle/bucket';
import { systemClock, type Clock } from './time';

/** Most sources whose refusals are counted apart in one interval (src/audit/aggregate.ts). */
const MAX_REFUSAL_SOURCES = 1000;

export interface RunningServer {
  url: string;
  close: () => Promise<void>;
}

/** `limiter`: the rate-limit buckets; a worker under --workers passes the primary's (src/throttle/cluster.ts). */
export async function startServer(
  config: Readonly<Config>,
  store: Store,
  log: Logger,
  clock: Clock = systemClock,
  limiter: Limiter = new BucketTable(),
): Promise<RunningServer> {
  await store.ping();
  for (const file of exposedFiles([...storeFiles(config.store), ...(config.tls ? [config.tls.key] : [])])) {
    log.warn({ file }, 'file readable by group or others: it holds secrets, make it private (chmod 600)');
  }
  const demoted = await demoteForeignAdmins(store, clock, config.operatorParty);
  if (demoted.length > 0) log.warn({ accounts: demoted }, `admin role removed from accounts outside the operator party "${config.operatorParty}"`);
  // Cold start: the STIX validators (ajv compiling every schema, most of a second) are built
  // and the add path rehearsed (src/http/warm-up.ts) before the server listens, so /readyz
  // answers only when the first envelope can be stored at the speed of the next; each
  // --workers process does this for itself.
  const roots = await store.listApiRoots();
  for (const root of roots) validatorFor(root);
  await warmUpAddPath({ store, clock, maxObjectSize: config.maxObjectSize, operatorParty: config.operatorParty }, roots);
  const catalog = new CatalogCache(store);
  const key = await store.secretKey();
  const authenticator = new Authenticator(catalog, clock, key, {
    cacheSeconds: config.authCacheSeconds,
    cacheSize: 10000,
    concurrentChecks: config.passwordCheckConcurrency,
  });
  const sessions = new Sessions(store, clock, key, { idleMinutes: config.consoleIdleMinutes, sessionHours: config.consoleSessionHours });
  const audit = new AuditLog(
    store,
    clock,
    log,
    AUDIT_DEFAULTS,
    store.backgroundAuditAppender((message) => log.warn(message)),
  );
  audit.start();
  // The WAL is copied into the database file by a thread of its own, not inside a request's commit.
  await store.startBackgroundCheckpoints((message) => log.warn(message));
  const refusals = new RefusalAggregator((e) => void audit.note(e).catch(() => undefined), {
    intervalSeconds: config.auditAggregateSeconds,
    maxSources: MAX_REFUSAL_SOURCES,
  });
  // Intervals also end when nothing new arrives, so a flood's count is logged soon after it stops.
  const roller = setInterval(() => refusals.roll(clock()), 1000).unref();
  const app = createApp({ config, store, clock, log, authenticator, catalog, audit, refusals, limiter, sessions });
  // Upstream feeds run in whichever process holds a feed's lease (src/feeds/scheduler.ts).
  const feeds = config.feeds.enabled
    ? new FeedScheduler(
        {
          store,
          clock,
          key: await feedKey(store, config.feeds.keyFile),
          agreements: freshBindings(catalog),
          settings: config.feeds,
          maxObjectSize: config.maxObjectSize,
          operatorParty: config.operatorParty,
          owner: randomUUID(),
          log: audit,
        },
        log.child({ component: 'feeds' }),
      )
    : undefined;
  const server = config.tls
    ? https.createServer(
        { ...serverOptions(config), key: readFileSync(config.tls.key), cert: readFileSync(config.tls.cert), ...tlsOptions(config) },
        app,
      )
    : http.createServer(serverOptions(config), app);
  capConnections(server, config);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${port}`;
  log.info({ url }, 'listening');
  feeds?.start();
  let closing: Promise<void> | undefined;
  return {
    url,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        // Keep-alive connections would hold close() open until their idle timeout: close
        // each as soon as it goes idle; busy ones finish their request first.
        const reaper = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearInterval(reaper);
          clearInterval(roller);
          refusals.roll(clock(), true);
          resolve();
        });
        server.closeIdleConnections();
      })
        .then(() => feeds?.close())
        // A log that cannot be written at shutdown is reported, not allowed to hang the exit.
        .then(() => audit.close().catch((err: unknown) => log.error({ err }, 'sharing log could not be flushed at shutdown')))
        .then(() => store.close())),
  };
}
