/**
 * The error catalogue. The core throws these; only the HTTP error handler turns them into
 * status codes and TAXII error resources (docs/errors.md lists them).
 */
export type ErrorKind =
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'not-acceptable'
  | 'timeout'
  | 'too-large'
  | 'unsupported-media-type'
  | 'unprocessable'
  | 'too-many-requests'
  | 'unavailable';

export class AccordError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly title: string,
    readonly description?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(description ? `${title}: ${description}` : title);
    this.name = 'AccordError';
  }
}

export const badRequest = (title: string, description?: string, details?: Record<string, unknown>) =>
  new AccordError('bad-request', title, description, details);
export const notFound = (title: string, description?: string) => new AccordError('not-found', title, description);
export const forbidden = (title: string, description?: string) => new AccordError('forbidden', title, description);

/** What a 503 tells clients to wait before retrying (Retry-After, seconds). */
export const UNAVAILABLE_RETRY_SECONDS = 5;

/** The backing store cannot be reached or written; requests answer 503 and /readyz reports it. */
export class StoreUnavailable extends AccordError {
  constructor(description: string) {
    super('unavailable', 'Storage unavailable', description);
  }
}

/** A rate limit refused the request; it may be retried after `retryAfterSeconds` (429 + Retry-After). */
export class TooManyRequests extends AccordError {
  constructor(
    description: string,
    readonly retryAfterSeconds: number,
  ) {
    super('too-many-requests', 'Too many requests', description);
  }
}
