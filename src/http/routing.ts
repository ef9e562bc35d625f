/**
 * Per-route middleware: request ids and logs, API root and collection lookup, and the
 * authorization seam. Every collection route names the right it needs; `authorize` asks
 * `decide()` and answers 404 when the collection is invisible to the caller (unknown, or
 * neither readable nor writable) and 403 when it is visible but the right is missing. An
 * allowed request then takes its turn under the rate terms of the agreements it rests on
 * (429 with Retry-After when one is used up: src/throttle/agreements.ts).
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { collectionRights, decide, type Right } from '../access/decide';
import { fail, tooManyRequests } from '../errors';
import { takeAgreementRates, type RateRefusal } from '../throttle/agreements';
import { markStart, recordRefusal } from './audit';
import type { AppContext } from './context';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Longest URL written to a log line (a flood of 8 KB query strings must not fill the disk). */
const MAX_LOGGED_URL = 1024;

const CHILD = Symbol('request logger');
const QUERY = Symbol('parsed query');

type Memo = Request & { [CHILD]?: AppContext['log']; [QUERY]?: Request['query'] };

/**
 * Per-request values made on first use, through accessors on Express's request prototype
 * (src/app.ts) rather than properties defined on every request:
 * - `req.log`: a child of the server's logger that tags each line with the request id. Most
 *   requests log nothing, and a pino child made for each cost a few percent of a small
 *   answer's CPU (README, Performance).
 * - `req.query`: Express 5 parses the query string again on every read; the handlers,
 *   filters and sharing-log event each read it: parsed once.
 */
export function installRequestAccessors(requestPrototype: Request, log: AppContext['log']): void {
  const parseQuery = queryGetter(requestPrototype);
  Object.defineProperty(requestPrototype, 'log', {
    configurable: true,
    get(this: Memo) {
      return (this[CHILD] ??= log.child({ reqId: this.id }));
    },
  });
  Object.defineProperty(requestPrototype, 'query', {
    configurable: true,
    get(this: Memo) {
      return (this[QUERY] ??= parseQuery.call(this) as Request['query']);
    },
  });
}

/** Express's own `req.query` getter, from the prototype chain. */
function queryGetter(prototype: object): (this: Request) => unknown {
  for (let p: object | null = prototype; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const get: unknown = Reflect.get(Object.getOwnPropertyDescriptor(p, 'query') ?? {}, 'get');
    if (typeof get === 'function') return get as (this: Request) => unknown;
  }
  throw new Error('Express request has no query getter');
}

/** Gives each request an id (the caller's X-Request-Id when sane) and logs its outcome. */
export function requestLog(ctx: AppContext): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    markStart(ctx, res);
    // No line to write (e.g. logLevel silent): no listener, no object built per request.
    if (!ctx.log.isLevelEnabled('info')) return next();
    res.on('finish', () => {
      // Never the headers: they carry credentials. The URL is the client's choice: bounded.
      const url = req.originalUrl;
      req.log.info(
        {
          method: req.method,
          path: url.length > MAX_LOGGED_URL ? `${url.slice(0, MAX_LOGGED_URL)}…` : url,
          ...(url.length > MAX_LOGGED_URL && { truncated: url.length }),
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - (res.locals.startedHr as bigint)) / 1e6,
          account: req.user?.accountName,
        },
        'request',
      );
    });
    next();
  };
}

/** What a route's middleware has set, for a handler that runs after it (a route without it is a bug). */
function required<T>(value: T | undefined, middleware: string): T {
  if (value === undefined) throw new Error(`route used without ${middleware}`);
  return value;
}

export function apiRootOf(res: Response) {
  return required(res.locals.apiRoot, 'loadApiRoot()');
}

export function collectionOf(res: Response) {
  return required(res.locals.collection, 'authorize()');
}

export function principalOf(req: Request) {
  if (!req.user) throw new Error('route used without authenticate()');
  return req.user;
}

export function loadApiRoot(ctx: AppContext): RequestHandler {
  return async (req, res, next) => {
    const root = await ctx.catalog.getApiRoot(String(req.params.root));
    if (!root) return next(fail('api-root-not-found', `there is no API root "${String(req.params.root)}"`));
    res.locals.apiRoot = root;
    next();
  };
}

export function decisionOf(res: Response) {
  return required(res.locals.decision, "authorize() with a right other than 'see'");
}

/** `see`: the collection resource itself (visible when readable or writable). */
export function authorize(ctx: AppContext, right: Right | 'see'): RequestHandler {
  return async (req, res, next) => {
    const principal = principalOf(req);
    const collection = await ctx.catalog.getCollection(apiRootOf(res).path, String(req.params.collection));
    const invisible = () => fail('collection-not-found', 'no such collection in this API root, or none you may see');
    const deny = (status: 403 | 404, reason: string) => recordRefusal(ctx, req, res, 'access.denied', 'denied', status, reason);
    if (!collection || collection.apiRoot !== apiRootOf(res).path) {
      deny(404, `no collection "${String(req.params.collection)}" in this API root`);
      return next(invisible());
    }
    const bindings = await ctx.catalog.bindingsFor(principal.partyId);
    const now = ctx.clock();
    // The right asked for first: when it is granted the collection is visible, and the
    // read/write rights that tell 404 from 403 need not be worked out.
    const decision = right === 'see' ? undefined : decide(principal, collection, right, now, bindings);
    if (!decision?.allowed) {
      const { canRead, canWrite } = collectionRights(principal, collection, now, bindings);
      if (!canRead && !canWrite) {
        res.locals.collection = collection;
        deny(404, `no agreement in force lets the caller see collection ${collection.id}`);
        return next(invisible());
      }
    }
    res.locals.collection = collection;
    if (decision) {
      if (!decision.allowed) {
        deny(403, decision.reason);
        return next(fail('not-allowed', decision.reason));
      }
      res.locals.decision = decision;
      if (decision.rates) {
        const refused = await takeAgreementRates(ctx.limiter, principal.partyId, decision.rates, now);
        if (refused) {
          const err = rateRefused(refused);
          recordRefusal(ctx, req, res, 'rate.limited', 'denied', 429, err.description ?? err.title);
          return next(err);
        }
      }
    }
    next();
  };
}

/**
 * 429 for a request over an agreement's rate. It names only what the caller's party knows
 * already (its own agreement, as /me/access lists it, and that agreement's term), nothing of
 * other parties or of what their accounts do.
 */
function rateRefused({ agreement, rate, retryAfterSeconds }: RateRefusal) {
  return tooManyRequests(
    `agreement "${agreement}" allows your organisation ${rate.requestsPerMinute} request${rate.requestsPerMinute === 1 ? '' : 's'} a minute (bursts of ${rate.burst}), all its accounts together`,
    retryAfterSeconds,
  );
}

/**
 * For the endpoints the standard gives no URL parameters (discovery, API root, status,
 * collections, a collection, Add Objects): any parameter is a 400 naming it, never silently
 * ignored, as src/taxii/filters.ts does for the endpoints that take some (docs/conformance.md).
 */
export function noParameters(req: Request, _res: Response, next: NextFunction): void {
  const name = Object.keys(req.query)[0];
  if (name === undefined) return next();
  next(fail('unknown-parameter', `"${name}" is not a parameter of this endpoint; it accepts none`));
}
