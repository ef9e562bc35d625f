/**
 * The one place that turns errors into HTTP statuses: each kind of the error catalogue
 * (src/errors.ts) has one status, and every error goes out as a TAXII 2.1 error resource
 * (§3.6.1 Error Message), or its plain-JSON twin on the admin and auditor APIs. Unexpected
 * errors are logged in full and answered with a bare 500: nothing internal reaches the client.
 */
import type { NextFunction, Request, Response } from 'express';
import { type AccordError, type ErrorKind, fail, UNAVAILABLE_RETRY_SECONDS } from '../errors';
import { storageFault } from '../store/faults';
import { sendTaxii } from './respond';

export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'not-acceptable': 406,
  timeout: 408,
  conflict: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  'too-many-requests': 429,
  internal: 500,
  unavailable: 503,
};

export const CHALLENGES = ['Basic realm="Accord", charset="UTF-8"', 'Bearer realm="Accord"'];

/**
 * The challenges of a 401. The console's own requests (header X-Accord-Console) get no Basic
 * challenge: browsers answer that with their sign-in dialog, over the console's own sign-in.
 */
export function challengesFor(res: Response): string[] {
  return res.req?.headers['x-accord-console'] !== undefined ? CHALLENGES.filter((c) => !c.startsWith('Basic')) : CHALLENGES;
}

export const statusOf = (err: AccordError): number => STATUS_OF_KIND[err.kind];

// Express's own errors (e.g. undecodable percent-escapes in a path) carry a 4xx status.
function isClientError(err: unknown): boolean {
  const s = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 500;
}

/** Any thrown value as an error of the catalogue; what is not one is a bug, logged here in full. */
export function asAccordError(err: unknown, req: Request): AccordError {
  // A full, locked or read-only store is a 503 to retry, not an internal error.
  const known = storageFault(err);
  if (known) {
    if (statusOf(known) >= 500) req.log.error({ err }, known.title);
    return known;
  }
  if (isClientError(err)) return fail('bad-request', 'the request could not be understood');
  req.log.error({ err }, 'unhandled error');
  return fail('internal', 'the server could not complete the request; it has been logged');
}

/** Status, headers and body of an error response: `send` writes the body in the door's media type. */
export function answerError(res: Response, err: AccordError, send: (status: number, body: Record<string, unknown>) => void): void {
  const status = statusOf(err);
  if (status === 401) res.setHeader('WWW-Authenticate', challengesFor(res));
  if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
  else if (status === 503) res.setHeader('Retry-After', String(UNAVAILABLE_RETRY_SECONDS));
  // A refused request whose body is still arriving: answer and close, rather than read the
  // rest of a body nobody will use at whatever pace its sender chooses.
  if (status === 413 || !res.req.complete) res.setHeader('Connection', 'close');
  send(status, {
    title: err.title,
    http_status: String(status),
    ...(err.description !== undefined && { description: err.description }),
    ...(err.details !== undefined && { details: err.details }),
  });
}

/** A TAXII error resource. */
export function sendError(res: Response, err: AccordError): void {
  answerError(res, err, (status, body) => sendTaxii(res, status, JSON.stringify(body)));
}

export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    req.log.error({ err }, 'error after the response started');
    res.destroy();
    return;
  }
  sendError(res, asAccordError(err, req));
}
