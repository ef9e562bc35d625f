/**
 * Errors of the admin API: plain JSON (`application/json`), shaped like TAXII error resources
 * (`title`, `description`, `http_status` as a string) so one client parser reads both. The
 * services throw their own errors; this is the one place that gives them a status.
 */
import type { NextFunction, Request, Response } from 'express';
import { AccountError } from '../../catalog/accounts';
import { AgreementError } from '../../catalog/agreements';
import { PartyError } from '../../catalog/parties';
import { AccordError, TooManyRequests, UNAVAILABLE_RETRY_SECONDS } from '../../errors';
import { storageFault } from '../../store/faults';
import { CHALLENGES, STATUS_OF_KIND } from '../errors';
import { CollectionError } from '../../catalog/collections';
import { FeedError } from '../../feeds/feeds';
import { FeedKeyError } from '../../feeds/secrets';

export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly description: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(`${title}: ${description}`);
  }
}

export const badInput = (description: string) => new AdminError(400, 'Invalid request', description);
export const notFound = (description: string) => new AdminError(404, 'Not found', description);
export const conflict = (description: string) => new AdminError(409, 'Conflict', description);

const SERVICE_STATUS = { invalid: 400, 'not-found': 404, conflict: 409 } as const;

/** The status, title and description for an error we expect; undefined for anything else (a bug). */
function classify(err: unknown): AdminError | undefined {
  if (err instanceof AdminError) return err;
  const fault = storageFault(err);
  if (fault) return new AdminError(503, fault.title, fault.description ?? fault.title, UNAVAILABLE_RETRY_SECONDS);
  if (err instanceof TooManyRequests) return new AdminError(429, err.title, err.description ?? err.title, err.retryAfterSeconds);
  if (err instanceof AccordError) return new AdminError(STATUS_OF_KIND[err.kind], err.title, err.description ?? err.title);
  if (err instanceof AgreementError) return new AdminError(SERVICE_STATUS[err.kind], err.kind === 'invalid' ? 'Invalid agreement' : err.kind === 'conflict' ? 'Conflict' : 'Not found', err.message);
  if (err instanceof CollectionError) return new AdminError(SERVICE_STATUS[err.kind], err.kind === 'invalid' ? 'Invalid collection' : 'Conflict', err.message);
  if (err instanceof FeedError) return new AdminError(SERVICE_STATUS[err.kind], err.kind === 'invalid' ? 'Invalid feed' : err.kind === 'conflict' ? 'Conflict' : 'Not found', err.message);
  // The operator's key file is missing or unreadable: the server's problem, said without the key.
  if (err instanceof FeedKeyError) return new AdminError(500, 'Feed key unavailable', err.message);
  if (err instanceof PartyError) return new AdminError(400, 'Invalid party', err.message);
  if (err instanceof AccountError) return new AdminError(400, 'Invalid account', err.message);
  // Express's own errors (e.g. undecodable percent-escapes in a path) carry a 4xx status.
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new AdminError(status, 'Bad request', 'the request could not be understood');
  return undefined;
}

export function sendAdminError(res: Response, e: AdminError): void {
  if (e.status === 401) res.setHeader('WWW-Authenticate', CHALLENGES);
  if (e.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(e.retryAfterSeconds));
  // An oversized or refused body may still be arriving: do not keep reading it for another request.
  if (e.status === 413 || !res.req.complete) res.setHeader('Connection', 'close');
  res.status(e.status).json({ title: e.title, description: e.description, http_status: String(e.status) });
}

export function adminErrorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    req.log.error({ err }, 'error after the response started');
    res.destroy();
    return;
  }
  const known = classify(err);
  if (known === undefined || known.status >= 500) req.log.error({ err }, 'admin request failed');
  sendAdminError(res, known ?? new AdminError(500, 'Internal error', 'the server could not complete the request; it has been logged'));
}
