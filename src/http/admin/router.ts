/**
 * The admin API (/admin/…): JSON in and out, for accounts with the `admin` role only. The
 * same authentication as TAXII (401 + WWW-Authenticate), then 403 for anyone not an admin,
 * before any route, so the API reveals nothing (not even which paths exist) to non-admins.
 * Routes come from ADMIN_ROUTES; this file is the HTTP around them: query and body checks
 * (400/413/415), 404 and 405 (with Allow), and JSON errors.
 */
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { isAdmin } from '../../access/decide';
import { AccordError, fail } from '../../errors';
import { parseJson, readBody } from '../body';
import type { AppContext } from '../context';
import { principalOf } from '../routing';
import { adminErrorHandler, sendAdminError } from './errors';
import { ADMIN_ROUTES, type AdminRoute } from './routes';

/** Admin bodies are small documents (an agreement, an account); anything larger is a mistake or an attack. */
export const ADMIN_BODY_LIMIT = 1024 * 1024;

export function adminRouter(ctx: AppContext, auth: RequestHandler): Router {
  const router = Router();
  router.use(auth, adminOnly(ctx.config.operatorParty));
  const byPath = new Map<string, AdminRoute[]>();
  for (const r of ADMIN_ROUTES) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);
  for (const [path, routes] of byPath) {
    const route = router.route(path);
    for (const r of routes) route[r.method](handle(ctx, r));
    const allowed = routes.map((r) => r.method.toUpperCase()).join(', ');
    route.all((_req, res) => {
      res.setHeader('Allow', allowed);
      sendAdminError(res, fail('method-not-allowed', `this resource supports ${allowed}`));
    });
  }
  router.use((_req, _res, next) => next(fail('not-found', 'no such admin resource')));
  router.use(adminErrorHandler);
  return router;
}

/** Only admins of the operator party: an admin role on another party's account is inert. */
function adminOnly(operatorParty: string): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (isAdmin(principalOf(req), operatorParty)) return next();
    next(fail('wrong-role', 'the admin API is for accounts of the operator party with the admin role'));
  };
}

function handle(ctx: AppContext, route: AdminRoute): RequestHandler {
  return async (req, res) => {
    const query = queryOf(req, route.query ?? []);
    const body = route.body ? await jsonBody(req) : undefined;
    const reply = await route.run({ ctx, by: principalOf(req).accountId, param: (name) => paramOf(req, name), query, body });
    res.status(reply.status);
    if (reply.body === undefined) res.end();
    else res.json(reply.body);
  };
}

function paramOf(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string') throw new Error(`route ${req.path} has no parameter "${name}"`);
  return value;
}

/** Unknown or repeated parameters are a 400, never silently ignored. */
function queryOf(req: Request, accepted: readonly string[]): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
    if (!accepted.includes(name))
      throw fail(
        'invalid-request',
        `"${name}" is not a parameter of this endpoint${accepted.length > 0 ? `; it accepts ${accepted.join(', ')}` : ''}`,
      );
    if (typeof value !== 'string') throw fail('invalid-request', `"${name}" may be given only once`);
    query[name] = value;
  }
  return query;
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  // JSON is UTF-8 (RFC 8259 §8.1); a body that claims another charset would be misread.
  return type === 'application/json' && params.every((p) => !p.startsWith('charset=') || /^charset="?utf-8"?$/.test(p));
}

async function jsonBody(req: Request): Promise<unknown> {
  if (!isJson(req.headers['content-type'])) throw fail('unsupported-media-type', 'the request body must be application/json');
  let bytes: Buffer;
  try {
    bytes = await readBody(req, ADMIN_BODY_LIMIT);
  } catch (err) {
    if (err instanceof AccordError && err.kind === 'too-large')
      throw fail('request-too-large', `admin request bodies are limited to ${ADMIN_BODY_LIMIT} bytes`);
    throw err;
  }
  return parseJson(bytes);
}
