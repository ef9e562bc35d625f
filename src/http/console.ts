/**
 * The web console at /console/: its static files (built by `npm run build` into
 * dist/console/), and sign-in and sign-out (/console/session). Everything the console shows
 * or changes goes through the existing APIs (/audit/, /admin/, /me/, TAXII) with the session
 * cookie as credential (src/http/authenticate.ts), so the same checks apply and every change
 * lands in the sharing log.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Credentials } from '../auth/authenticator';
import type { Sessions } from '../console/sessions';
import { isError } from '../errors';
import { adminErrorHandler } from './admin/errors';
import { packageRoot } from '../paths';
import { baseEvent, recordRefusal } from './audit';
import { checkCredentials, cookieValue, CSRF_COOKIE, SESSION_COOKIE } from './authenticate';
import { parseJson, readBody } from './body';
import type { AppContext } from './context';
import { principalOf } from './routing';

const SIGN_IN_BODY_LIMIT = 4096;
const MAX_SECRET = 1024;

/** The console's files: scripts and styles from its own origin only, never framed. */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

export function consoleDir(): string {
  return join(packageRoot(), 'dist', 'console');
}

const reply = (res: Response, status: number, title: string, description: string) =>
  void res.status(status).json({ title, description, http_status: String(status) });

function credentialsOf(body: unknown): Credentials | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { username, password, token } = body as Record<string, unknown>;
  if (typeof token === 'string' && token.length > 0 && token.length <= MAX_SECRET) return { kind: 'token', token };
  if (
    typeof username === 'string' &&
    typeof password === 'string' &&
    username.length > 0 &&
    username.length <= 200 &&
    password.length > 0 &&
    password.length <= MAX_SECRET
  ) {
    return { kind: 'basic', username, password };
  }
  return undefined;
}

export function consoleRouter(ctx: AppContext, auth: RequestHandler, sessions: Sessions): Router {
  const router = Router();
  const secure = (req: Request) => req.secure || ctx.config.tls !== undefined || (ctx.config.publicUrl?.startsWith('https:') ?? false);
  const maxAge = ctx.config.consoleSessionHours * 3_600_000;

  router.use((_req, res, next) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  router.post('/session', (req, res, next) => {
    signIn(req, res).catch(next);
  });

  async function signIn(req: Request, res: Response): Promise<void> {
    // JSON only: a cross-site HTML form cannot send it, so sign-in cannot be forged either.
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json'))
      return reply(res, 415, 'Unsupported media type', 'sign in with a JSON body');
    const credentials = credentialsOf(parseJson(await readBody(req, SIGN_IN_BODY_LIMIT)));
    if (!credentials) return reply(res, 400, 'Invalid request', 'give "username" and "password", or "token"');
    let principal;
    try {
      // The same throttle as every other sign-in (per client address and per account name).
      principal = await checkCredentials(ctx, req, credentials);
    } catch (e) {
      // Answered 429 with Retry-After by the error handler below, as any throttled request.
      if (isError(e, 'too-many-requests')) recordRefusal(ctx, req, res, 'rate.limited', 'denied', 429, e.description ?? e.title);
      throw e;
    }
    if (!principal) {
      recordRefusal(ctx, req, res, 'auth.failure', 'denied', 401, 'no valid credentials');
      return reply(res, 401, 'Sign-in failed', 'the name and password, or the token, are not valid');
    }
    const opened = await sessions.open(principal);
    req.user = principal;
    await ctx.audit.record({ ...baseEvent(ctx, req, res, 'console.signin', 'success', 200), detail: { credential: principal.credential } });
    const base = { path: '/', sameSite: 'strict' as const, secure: secure(req), maxAge };
    res.cookie(SESSION_COOKIE, opened.id, { ...base, httpOnly: true });
    // Readable by the console's script, which sends it back in X-CSRF-Token on every change.
    res.cookie(CSRF_COOKIE, opened.csrf, base);
    res.json({ account: principal.accountName, party: principal.partyId, roles: principal.roles, csrf: opened.csrf });
  }

  router.get('/session', auth, (req, res) => {
    const p = principalOf(req);
    res.json({ account: p.accountName, party: p.partyId, roles: p.roles });
  });

  router.delete('/session', auth, (req, res, next) => {
    const id = cookieValue(req, SESSION_COOKIE);
    (id !== undefined ? sessions.close(id) : Promise.resolve())
      .then(() => ctx.audit.record({ ...baseEvent(ctx, req, res, 'console.signout', 'success', 204) }))
      .then(() => {
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        res.clearCookie(CSRF_COOKIE, { path: '/' });
        res.status(204).end();
      })
      .catch(next);
  });

  router.use(express.static(consoleDir(), { index: 'index.html', redirect: false, fallthrough: true }));
  router.get('/', (_req, res) => {
    // The script is built separately (npm run build); say so rather than answer a bare 404.
    if (!existsSync(join(consoleDir(), 'index.html'))) return reply(res, 503, 'Console not built', 'run `npm run build` to build the console');
    reply(res, 404, 'Not found', 'no such console resource');
  });
  router.use((_req, res) => reply(res, 404, 'Not found', 'no such console resource'));
  router.use(adminErrorHandler);
  return router;
}
