/**
 * The whole request path on one screen. Each endpoint: negotiate (406/415) → authenticate
 * (401) → API root (404) → authorize with the right it needs (404 invisible / 403) →
 * handler, a thin adapter over the exchange service (400 bad parameters or envelope; errors
 * get their status from the error catalogue in src/http/errors.ts). Every method declares its
 * right and its audit action (the `Method` type makes both required): the audit action puts
 * every request of a content route into the sharing log, refusals and failures included.
 * `params: 'none'` marks the endpoints that take no URL parameters (any is a 400); the others
 * parse theirs in src/taxii/filters.ts.
 */
import express, { type RequestHandler } from 'express';
import { adminRouter } from './http/admin/router';
import { auditorRouter } from './http/auditor/router';
import { consoleRouter } from './http/console';
import { meRouter } from './http/me';
import type { AppContext, TaxiiContext } from './http/context';
import { Exchange } from './exchange/exchange';
import { Turns } from './throttle/turns';
import { fail } from './errors';
import { errorHandler, sendError } from './http/errors';
import { getCollection, getCollections } from './http/handlers/collections';
import { apiRootInformation, discovery } from './http/handlers/discovery';
import { addObjects, deleteObject, getManifest, getObject, getObjects, getVersions } from './http/handlers/objects';
import { readiness } from './http/handlers/health';
import { getStatus } from './http/handlers/status';
import { audited, auditFailures, recordRefusal, type AuditAction } from './http/audit';
import { authenticate, keepPassportOffRequests } from './http/authenticate';
import { negotiateCoding } from './http/compression';
import { dispatch, inOrder, type Route } from './http/dispatch';
import { negotiate } from './http/media';
import { authorize, installRequestAccessors, loadApiRoot, noParameters, requestLog } from './http/routing';
import type { Right } from './access/decide';
import { securityHeaders } from './http/transport';

export function createApp(appCtx: AppContext): express.Express {
  const { store, clock, audit, catalog, config } = appCtx;
  const ctx: TaxiiContext = { ...appCtx, exchange: new Exchange({ store, clock, log: audit, agreements: catalog, maxObjectSize: config.maxObjectSize, operatorParty: config.operatorParty }),
    pageReads: new Turns(config.pageReadConcurrency),
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', ctx.config.trustProxy);
  installRequestAccessors(app.request, ctx.log);
  keepPassportOffRequests(app.request);

  const auth = authenticate(
    ctx,
    (req, res) => recordRefusal(ctx, req, res, 'auth.failure', 'denied', 401, 'no valid credentials'),
    (req, res, err) => recordRefusal(ctx, req, res, 'rate.limited', 'denied', 429, err.description ?? err.title),
  );
  const table: Route[] = [];
  const endpoint = endpoints(ctx, auth, table);
  app.use(
    inOrder(
      securityHeaders(ctx.config),
      requestLog(ctx),
      negotiateCoding(ctx.config.compression), // gzip / br for TAXII responses: src/http/compression.ts
    ),
  );

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', readiness(ctx)); // the store answers and it and the sharing log can be written

  app.use('/admin', adminRouter(ctx, auth)); // JSON, admins only: src/http/admin/routes.ts
  app.use('/audit', auditorRouter(ctx, auth)); // JSON, auditors only: src/http/auditor/router.ts
  app.use('/me', meRouter(ctx, auth)); // JSON, any account: its own access and submissions
  if (ctx.sessions) app.use('/console', consoleRouter(ctx, auth, ctx.sessions)); // the web console: src/http/console.ts

  // Each method names the right it needs and its sharing-log action (null: it exposes no STIX content), and whether it takes URL parameters.
  // path                                                      method   right              audit              params     handler
  endpoint('/taxii2/',                                          { get:    { right: 'signed-in', audit: null,            params: 'none',    handler: discovery(ctx) } });
  endpoint('/:root/',                                           { get:    { right: 'api-root',  audit: null,            params: 'none',    handler: apiRootInformation() } });
  endpoint('/:root/status/:statusId/',                          { get:    { right: 'api-root',  audit: 'status.read',   params: 'none',    handler: getStatus(ctx) } });
  endpoint('/:root/collections/',                               { get:    { right: 'api-root',  audit: null,            params: 'none',    handler: getCollections(ctx) } });
  endpoint('/:root/collections/:collection/',                   { get:    { right: 'see',       audit: null,            params: 'none',    handler: getCollection(ctx) } });
  endpoint('/:root/collections/:collection/manifest/',          { get:    { right: 'read',      audit: 'manifest.read', params: 'filters', handler: getManifest(ctx) } });
  endpoint('/:root/collections/:collection/objects/',           { get:    { right: 'read',      audit: 'objects.read',  params: 'filters', handler: getObjects(ctx) },
                                                                  post:   { right: 'write',     audit: 'objects.add',   params: 'none',    handler: addObjects(ctx) } });
  endpoint('/:root/collections/:collection/objects/:objectId/', { get:    { right: 'read',      audit: 'object.read',   params: 'filters', handler: getObject(ctx) },
                                                                  delete: { right: 'delete',    audit: 'object.delete', params: 'filters', handler: deleteObject(ctx) } });
  endpoint('/:root/collections/:collection/objects/:objectId/versions/', { get: { right: 'read', audit: 'versions.read', params: 'filters', handler: getVersions(ctx) } });

  app.use(dispatch(table)); // the table above as one compiled middleware: src/http/dispatch.ts

  app.use((_req, res) => sendError(res, fail('not-found', 'no such resource on this server')));
  app.use(auditFailures(ctx));
  app.use(errorHandler);
  return app;
}

/**
 * What one method of an endpoint requires. Both the right and the audit action must be
 * stated, so a route can forget neither: `null` audit is a decision, not an omission.
 */
interface Method {
  /**
   * `signed-in`: any authenticated account; `api-root`: also an existing API root; `see`: the
   * collection must be visible (readable or writable); a grant action: decide() must allow it.
   */
  right: 'signed-in' | 'api-root' | 'see' | Right;
  /** The sharing-log action every request is logged under, refused and failed ones included. */
  audit: AuditAction | null;
  /** `none`: any URL parameter is a 400; `filters`: the handler parses them (src/taxii/filters.ts). */
  params: 'none' | 'filters';
  handler: RequestHandler;
}

type Methods = Partial<Record<'get' | 'post' | 'delete', Method>>;

/** The middleware chain a method's declaration stands for, in the order of the request path above. */
function chain(ctx: TaxiiContext, auth: RequestHandler, m: Method): RequestHandler[] {
  return [
    ...(m.audit !== null ? [audited(m.audit)] : []),
    negotiate,
    auth,
    ...(m.right !== 'signed-in' ? [loadApiRoot(ctx)] : []),
    ...(m.right !== 'signed-in' && m.right !== 'api-root' ? [authorize(ctx, m.right)] : []),
    ...(m.params === 'none' ? [noParameters] : []),
    m.handler,
  ];
}

/** Declares endpoints into `table`: one path, its methods (any other is 405, with Allow: src/http/dispatch.ts). */
function endpoints(ctx: TaxiiContext, auth: RequestHandler, table: Route[]) {
  return (path: string, methods: Methods): void => {
    const chains: Route[1] = {};
    for (const [method, m] of Object.entries(methods) as [keyof Methods, Method][]) chains[method] = chain(ctx, auth, m);
    table.push([path, chains]);
  };
}
