/**
 * Authentication through passport: one strategy that reads the Authorization header and
 * accepts HTTP Basic (any case of the scheme), `Bearer <token>`, `Token <token>`, and an
 * API token given as the Basic password (the only way some TAXII clients can send one).
 * Without an Authorization header, a console session cookie (src/console/sessions.ts) is
 * a credential too; a request that changes anything must then carry the session's CSRF token
 * in X-CSRF-Token (403 otherwise). Failures are 401 with WWW-Authenticate and a TAXII error
 * body that does not say which part was wrong.
 *
 * Throttling (docs/security.md): a password check takes a token from its client address's
 * bucket and from the account name's before it runs (so guesses sent in parallel cannot all
 * slip through) and gives them back when the password was right; a failed token or
 * certificate takes one from the address's bucket. While a bucket is empty, passwords are
 * refused with 429 before they are checked (tokens still work: they cannot be guessed, and
 * the real owner keeps its machines running). A signed-in account's requests
 * take from its own bucket (`rateLimit`): 429 with Retry-After when it is empty.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Passport } from 'passport';
import { Strategy } from 'passport-strategy';
import { createHash, X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { Credentials, PresentedCertificate } from '../auth/authenticator';
import type { Principal } from '../auth/principal';
import { type AccordError, fail, isError, tooManyRequests } from '../errors';
import type { BucketSpec } from '../throttle/bucket';
import type { Sessions } from '../console/sessions';
import type { AppContext } from './context';
import { principalOf } from './routing';

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

/** `CN=a\nO=b` (node's form) as the one-line `CN=a, O=b` accounts list. */
const oneLine = (dn: string) => dn.split('\n').join(', ');

/** The TLS client certificate of the request's connection, if it presented one. */
function presentedCertificate(req: Request): PresentedCertificate | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const raw = socket.getPeerCertificate().raw as Buffer | undefined;
  if (!raw || raw.length === 0) return undefined;
  const x509 = new X509Certificate(raw);
  return {
    fingerprint: createHash('sha256').update(raw).digest('hex'),
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    verified: socket.authorized === true,
  };
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

/** The buckets of failed sign-ins: per client address, and per account name for passwords. */
function signInBuckets(ctx: AppContext, req: Request, c: Credentials | undefined): [string, BucketSpec][] {
  const l = ctx.config.signInLimit;
  if (l.addressBurst === 0 && l.accountBurst === 0) return [];
  const buckets: [string, BucketSpec][] = [];
  if (l.addressBurst > 0) buckets.push([`signin-address:${req.ip ?? ''}`, { burst: l.addressBurst, perSecond: l.addressPerMinute / 60 }]);
  if (c?.kind === 'basic' && l.accountBurst > 0)
    buckets.push([`signin-account:${c.username.toLowerCase().slice(0, 256)}`, { burst: l.accountBurst, perSecond: l.accountPerMinute / 60 }]);
  return buckets;
}

class AccordStrategy extends Strategy {
  name = 'accord';

  constructor(private readonly ctx: AppContext) {
    super();
  }

  override authenticate(req: Request): void {
    const session = req.headers.authorization === undefined ? cookieValue(req, SESSION_COOKIE) : undefined;
    if (session !== undefined && this.ctx.sessions) return this.bySession(req, this.ctx.sessions, session);
    const credentials = parseAuthorization(req.headers.authorization);
    const certificate = presentedCertificate(req);
    if (!credentials && !certificate) return this.refuse();
    checkCredentials(this.ctx, req, credentials, certificate).then(
      (principal) => (principal ? this.success(principal) : this.refuse()),
      (err: unknown) => this.error(err as Error),
    );
  }

  /**
   * No valid credentials: an error, not passport's fail(), so that one passport middleware
   * made at start-up serves every request (a custom callback would have to be made per
   * request) and the refusal reaches our error handler as a TAXII 401.
   */
  private refuse(): void {
    this.error(fail('unauthenticated', 'present valid credentials (HTTP Basic, an API token or a client certificate)'));
  }

  private bySession(req: Request, sessions: Sessions, id: string): void {
    sessions.resolve(id).then(
      (found) => {
        if (!found) return this.refuse();
        const csrf = req.headers[CSRF_HEADER];
        if (!SAFE_METHODS.has(req.method) && !sessions.csrfMatches(found.session, typeof csrf === 'string' ? csrf : undefined)) {
          return this.error(fail('csrf-token', `a console request that changes something must carry the session's token in ${CSRF_HEADER}`));
        }
        this.success(found.principal);
      },
      (err: unknown) => this.error(err as Error),
    );
  }
}

/**
 * Checks credentials under the sign-in throttle (every request's, and the console's sign-in):
 * a too-many-requests error while a bucket is empty.
 */
export async function checkCredentials(
  ctx: AppContext,
  req: Request,
  credentials: Credentials | undefined,
  certificate?: PresentedCertificate,
): Promise<Principal | undefined> {
  // Worked out only when a password is checked or the credentials failed: a valid token,
  // the common case, needs no bucket (nor the client address, which costs a proxy check).
  let buckets: [string, BucketSpec][] | undefined;
  const bucketsOf = () => (buckets ??= signInBuckets(ctx, req, credentials));
  const charged: [string, BucketSpec][] = [];
  const mayCheckPassword = async () => {
    for (const [key, spec] of bucketsOf()) {
      const verdict = await ctx.limiter.take(key, spec, 1, ctx.clock());
      if (!verdict.ok)
        throw tooManyRequests('too many failed sign-ins from this address or for this account; try again later', verdict.retryAfterSeconds);
      charged.push([key, spec]);
    }
  };
  const principal = await ctx.authenticator.authenticate(credentials, { mayCheckPassword, ...(certificate && { certificate }) });
  if (principal) for (const [key, spec] of charged) await ctx.limiter.take(key, spec, -1, ctx.clock());
  else if (charged.length === 0) for (const [key, spec] of bucketsOf()) await ctx.limiter.take(key, spec, 1, ctx.clock());
  return principal;
}

/** A signed-in account's request takes a token from its bucket (`rateLimit`). */
async function withinRate(ctx: AppContext, principal: Principal): Promise<void> {
  const { perSecond, burst } = ctx.config.rateLimit;
  if (burst === 0) return;
  const verdict = await ctx.limiter.take(`account:${principal.accountId}`, { perSecond, burst }, 1, ctx.clock());
  if (!verdict.ok) throw tooManyRequests(`this account may make ${perSecond} requests a second (bursts of ${burst})`, verdict.retryAfterSeconds);
}

/** What passport's authenticate middleware assigns to every request: the same values each time. */
const PASSPORT_REQUEST_PROPERTIES = ['login', 'logIn', 'logout', 'logOut', 'isAuthenticated', 'isUnauthenticated', '_sessionManager'];

/**
 * Passport's middleware assigns its helpers (req.login, …) to every request. Seven new
 * properties per request outgrew the request object's property storage each time: about a
 * fifth of what a small answer allocated (README, Performance). Accessors on Express's
 * request prototype take those assignments instead: the first value is kept for every
 * request, and a value that differs from it (no passport version does so) becomes the
 * request's own property, so no request ever sees another's.
 */
export function keepPassportOffRequests(requestPrototype: Request): void {
  for (const name of PASSPORT_REQUEST_PROPERTIES) {
    let shared: unknown;
    let set = false;
    Object.defineProperty(requestPrototype, name, {
      configurable: true,
      get: () => shared,
      set(this: Request, value: unknown) {
        if (!set) [shared, set] = [value, true];
        else if (value !== shared) Object.defineProperty(this, name, { value, writable: true, configurable: true, enumerable: true });
      },
    });
  }
}

/**
 * `onFailure` hears of every refused authentication (for the sharing log); `onThrottled` of
 * every request a rate limit refused.
 */
export function authenticate(
  ctx: AppContext,
  onFailure?: (req: Request, res: Response) => void,
  onThrottled?: (req: Request, res: Response, err: AccordError) => void,
): RequestHandler {
  const passport = new Passport();
  passport.use(new AccordStrategy(ctx));
  // Made once: on success passport sets req.user and calls next() (no session, no auth
  // info to transform); a refusal or failure arrives as next(err).
  const viaPassport = passport.authenticate('accord', { session: false, assignProperty: 'user', authInfo: false }) as RequestHandler;
  return (req: Request, res: Response, next: NextFunction) => {
    void viaPassport(req, res, (err?: unknown) => {
      if (isError(err, 'unauthenticated')) onFailure?.(req, res);
      if (isError(err, 'too-many-requests')) onThrottled?.(req, res, err);
      if (err) return next(err);
      withinRate(ctx, principalOf(req)).then(
        () => next(),
        (e: unknown) => {
          if (isError(e, 'too-many-requests')) onThrottled?.(req, res, e);
          next(e);
        },
      );
    });
  };
}
