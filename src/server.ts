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
import { AgreementCache } from './access/agreement-cache';
import { AUDIT_DEFAULTS, AuditLog } from './audit/log';
import { Authenticator } from './auth/authenticator';
import type { Config } from './config/config';
import { FeedScheduler } from './feeds/scheduler';
import { feedKey } from './feeds/secrets';
import type { Store } from './store/store';
import { systemClock, type Clock } from './time';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: Readonly<Config>, store: Store, log: Logger, clock: Clock = systemClock): Promise<RunningServer> {
  await store.ping();
  const authenticator = new Authenticator(store, clock, await store.secretKey(), { cacheSeconds: config.authCacheSeconds, cacheSize: 10000 });
  const audit = new AuditLog(store, clock, log, AUDIT_DEFAULTS, store.backgroundAuditAppender((message) => log.warn(message)));
  audit.start();
  const agreements = new AgreementCache(store);
  const app = createApp({ config, store, clock, log, authenticator, agreements, audit });
  // Upstream feeds run in whichever process holds a feed's lease (src/feeds/scheduler.ts).
  const feeds = config.feeds.enabled
    ? new FeedScheduler(
        { store, clock, key: await feedKey(store, config.feeds.keyFile), agreements, settings: config.feeds, maxObjectSize: config.maxObjectSize, owner: randomUUID() },
        log.child({ component: 'feeds' }),
      )
    : undefined;
  const server = config.tls
    ? https.createServer({ key: readFileSync(config.tls.key), cert: readFileSync(config.tls.cert), minVersion: 'TLSv1.2' }, app)
    : http.createServer(app);
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
