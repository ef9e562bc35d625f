/**
 * Authentication through passport: one strategy that reads the Authorization header and
 * accepts HTTP Basic (any case of the scheme), `Bearer <token>`, `Token <token>`, and an
 * API token given as the Basic password (the only way some TAXII clients can send one).
 * Without an Authorization header, a console session cookie (src/console/sessions.ts) is
 * a credential too; a request that changes anything must then carry the session's CSRF token
 * in X-CSRF-Token (403 otherwise). Failures are 401 with WWW-Authenticate and a TAXII error
 * body that does not say which part was wrong.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Passport } from 'passport';
import { Strategy } from 'passport-strategy';
import type { Authenticator, Credentials } from '../auth/authenticator';
import type { Principal } from '../auth/principal';
import type { Sessions } from '../console/sessions';
import { AccordError, forbidden } from '../errors';

const MAX_SECRET_LENGTH = 1024;

/** Parses an Authorization header; undefined when absent or unusable. */
export function parseAuthorization(header: string | undefined): Credentials | undefined {
  if (!header || header.length > 4 * MAX_SECRET_LENGTH) return undefined;
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (!value) return undefined;
  if (scheme === 'bearer' || scheme === 'token') return { kind: 'token', token: value };
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const password = decoded.slice(colon + 1);
  if (!password || password.length > MAX_SECRET_LENGTH) return undefined;
  return { kind: 'basic', username: decoded.slice(0, colon), password };
}

export const SESSION_COOKIE = 'accord_session';
export const CSRF_COOKIE = 'accord_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** One cookie's value from the Cookie header; undefined when absent. */
export function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

class AccordStrategy extends Strategy {
  name = 'accord';

  constructor(
    private readonly authenticator: Authenticator,
    private readonly sessions: Sessions | undefined,
  ) {
    super();
  }

  override authenticate(req: Request): void {
    const session = req.headers.authorization === undefined ? cookieValue(req, SESSION_COOKIE) : undefined;
    if (session !== undefined && this.sessions) return this.bySession(req, this.sessions, session);
    const credentials = parseAuthorization(req.headers.authorization);
    if (!credentials) return this.fail(401);
    this.authenticator.authenticate(credentials).then(
      (principal) => (principal ? this.success(principal) : this.fail(401)),
      (err: unknown) => this.error(err as Error),
    );
  }

  private bySession(req: Request, sessions: Sessions, id: string): void {
    sessions.resolve(id).then(
      (found) => {
        if (!found) return this.fail(401);
        const csrf = req.headers[CSRF_HEADER];
        if (!SAFE_METHODS.has(req.method) && !sessions.csrfMatches(found.session, typeof csrf === 'string' ? csrf : undefined)) {
          return this.error(forbidden('CSRF token missing or wrong', `a console request that changes something must carry the session's token in ${CSRF_HEADER}`));
        }
        this.success(found.principal);
      },
      (err: unknown) => this.error(err as Error),
    );
  }
}

/** `onFailure` hears of every refused authentication (for the sharing log). */
export function authenticate(authenticator: Authenticator, onFailure?: (req: Request, res: Response) => void, sessions?: Sessions): RequestHandler {
  const passport = new Passport();
  passport.use(new AccordStrategy(authenticator, sessions));
  return (req: Request, res: Response, next: NextFunction) => {
    const handler = passport.authenticate('accord', { session: false }, (err: unknown, principal: Principal | false) => {
      if (err) return next(err);
      if (!principal) {
        onFailure?.(req, res);
        return next(new AccordError('unauthorized', 'Authentication required', 'present valid credentials (HTTP Basic or an API token)'));
      }
      req.user = principal;
      next();
    }) as RequestHandler;
    handler(req, res, next);
  };
}
