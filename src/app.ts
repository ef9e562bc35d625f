/**
 * The whole request path on one screen. Each endpoint: negotiate (406/415) → authenticate
 * (401) → API root (404) → authorize with the right it needs (404 invisible / 403) →
 * handler (400 bad parameters or envelope; store errors 503). `audited(action)` puts every
 * request of a content route into the sharing log, refusals and failures included. `none` marks the endpoints that take
 * no URL parameters (any is a 400); the others parse theirs in src/taxii/filters.ts.
 */
import express, { type RequestHandler } from 'express';
import { adminRouter } from './http/admin/router';
import { auditorRouter } from './http/auditor/router';
import type { AppContext, TaxiiContext } from './http/context';
import { Exchange } from './exchange/exchange';
import { fail } from './errors';
import { errorHandler, sendError } from './http/errors';
import { getCollection, getCollections } from './http/handlers/collections';
import { apiRootInformation, discovery } from './http/handlers/discovery';
import { addObjects, deleteObject, getManifest, getObject, getObjects, getVersions } from './http/handlers/objects';
import { readiness } from './http/handlers/health';
import { getStatus } from './http/handlers/status';
import { audited, auditFailures, recordRefusal } from './http/audit';
import { authenticate } from './http/authenticate';
import { negotiateCoding } from './http/compression';
import { negotiate } from './http/media';
import { authorize, loadApiRoot, noParameters as none, requestLog } from './http/routing';
import { securityHeaders } from './http/transport';

export function createApp(appCtx: AppContext): express.Express {
  const { store, clock, audit, agreements, config } = appCtx;
  const ctx: TaxiiContext = { ...appCtx, exchange: new Exchange({ store, clock, log: audit, agreements, maxObjectSize: config.maxObjectSize, operatorParty: config.operatorParty }) };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', ctx.config.trustProxy);

  const auth = authenticate(
    ctx,
    (req, res) => recordRefusal(ctx, req, res, 'auth.failure', 'denied', 401, 'no valid credentials'),
    (req, res, err) => recordRefusal(ctx, req, res, 'rate.limited', 'denied', 429, err.description ?? err.title),
  );
  const root = loadApiRoot(ctx);
  const taxii = [negotiate, auth];
  const may = (right: Parameters<typeof authorize>[1]) => [root, authorize(ctx, right)];

  app.use(securityHeaders(ctx.config));
  app.use(requestLog(ctx));
  app.use(negotiateCoding(ctx.config.compression)); // gzip / br for TAXII responses: src/http/compression.ts

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', readiness(ctx)); // the store answers and it and the sharing log can be written

  app.use('/admin', adminRouter(ctx, auth)); // JSON, admins only: src/http/admin/routes.ts
  app.use('/audit', auditorRouter(ctx, auth)); // JSON, auditors only: src/http/auditor/router.ts

  // route                                                       method  middleware            handler
  endpoint(app, '/taxii2/',                                       { get: [...taxii,                   none,   discovery(ctx)] });
  endpoint(app, '/:root/',                                        { get: [...taxii, root,             none,   apiRootInformation()] });
  endpoint(app, '/:root/status/:statusId/',                       { get: [audited('status.read'), ...taxii, root, none, getStatus(ctx)] });
  endpoint(app, '/:root/collections/',                            { get: [...taxii, root,             none,   getCollections(ctx)] });
  endpoint(app, '/:root/collections/:collection/',                { get: [...taxii, ...may('see'),    none,   getCollection(ctx)] });
  endpoint(app, '/:root/collections/:collection/manifest/',       { get: [audited('manifest.read'), ...taxii, ...may('read'),   getManifest(ctx)] });
  endpoint(app, '/:root/collections/:collection/objects/',        { get: [audited('objects.read'), ...taxii, ...may('read'),    getObjects(ctx)],
                                                                    post: [audited('objects.add'), ...taxii, ...may('write'), none, addObjects(ctx)] });
  endpoint(app, '/:root/collections/:collection/objects/:objectId/', { get: [audited('object.read'), ...taxii, ...may('read'), getObject(ctx)],
                                                                    delete: [audited('object.delete'), ...taxii, ...may('delete'), deleteObject(ctx)] });
  endpoint(app, '/:root/collections/:collection/objects/:objectId/versions/', { get: [audited('versions.read'), ...taxii, ...may('read'), getVersions(ctx)] });

  app.use((_req, res) => sendError(res, fail('not-found', 'no such resource on this server')));
  app.use(auditFailures(ctx));
  app.use(errorHandler);
  return app;
}

type Methods = Partial<Record<'get' | 'post' | 'delete', RequestHandler[]>>;

/** One path, its methods, and 405 (with Allow) for any other method. */
function endpoint(app: express.Express, path: string, methods: Methods): void {
  const route = app.route(path);
  const allowed = Object.keys(methods).map((m) => m.toUpperCase());
  for (const [method, handlers] of Object.entries(methods) as [keyof Methods, RequestHandler[]][]) route[method](...handlers);
  route.all((_req, res) => {
    res.setHeader('Allow', allowed.join(', '));
    sendError(res, fail('method-not-allowed', `this resource supports ${allowed.join(', ')}`));
  });
}
