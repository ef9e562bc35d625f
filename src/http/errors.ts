/**
 * The one place that turns errors into HTTP statuses and TAXII 2.1 error resources
 * (§3.6.1 Error Message). Unexpected errors are logged in full and answered with a bare
 * 500: nothing internal reaches the client.
 */
import type { NextFunction, Request, Response } from 'express';
import { AccordError, TooManyRequests, UNAVAILABLE_RETRY_SECONDS, type ErrorKind } from '../errors';
import { storageFault } from '../store/faults';
import { sendTaxii } from './respond';

export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'not-acceptable': 406,
  timeout: 408,
  'too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  'too-many-requests': 429,
  unavailable: 503,
};

export const CHALLENGES = ['Basic realm="Accord", charset="UTF-8"', 'Bearer realm="Accord"'];

export function sendError(res: Response, status: number, title: string, description?: string, details?: Record<string, unknown>): void {
  if (status === 401) res.setHeader('WWW-Authenticate', CHALLENGES);
  if (status === 503) res.setHeader('Retry-After', String(UNAVAILABLE_RETRY_SECONDS));
  // A refused request whose body is still arriving: answer and close, rather than read the
  // rest of a body nobody will use at whatever pace its sender chooses.
  if (status === 413 || !res.req.complete) res.setHeader('Connection', 'close');
  const body: Record<string, unknown> = { title, http_status: String(status) };
  if (description !== undefined) body.description = description;
  if (details !== undefined) body.details = details;
  sendTaxii(res, status, JSON.stringify(body));
}

// Express's own errors (e.g. undecodable percent-escapes in a path) carry a 4xx status.
function clientStatus(err: unknown): number | undefined {
  const s = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 500 ? s : undefined;
}

export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    req.log.error({ err }, 'error after the response started');
    res.destroy();
    return;
  }
  // A full, locked or read-only store is a 503 to retry, not an internal error.
  const known = storageFault(err) ?? err;
  if (known instanceof AccordError) {
    const status = STATUS_OF_KIND[known.kind];
    if (status >= 500) req.log.error({ err }, known.title);
    if (known instanceof TooManyRequests) res.setHeader('Retry-After', String(known.retryAfterSeconds));
    return sendError(res, status, known.title, known.description, known.details);
  }
  const status = clientStatus(err);
  if (status !== undefined) return sendError(res, status, 'Bad request', 'the request could not be understood');
  req.log.error({ err }, 'unhandled error');
  sendError(res, 500, 'Internal error', 'the server could not complete the request; it has been logged');
}
