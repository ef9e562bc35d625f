/**
 * The error catalogue: every error Accord reports, by code, with its kind and its title.
 * The core, the stores and the doors throw `AccordError(code, description)`; the kind decides
 * the answer in one place per door (HTTP status: src/http/errors.ts; exit code:
 * src/cli/failure.ts) and the title is what the client or operator reads. docs/errors.md
 * lists the same table, and test/unit/errors.test.ts checks that it does.
 */

export type ErrorKind =
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'not-acceptable'
  | 'timeout'
  | 'conflict'
  | 'too-large'
  | 'unsupported-media-type'
  | 'too-many-requests'
  | 'unavailable'
  | 'internal';

/** Where an error is reported: TAXII over HTTP, the admin and auditor JSON APIs, or the command line. */
export type Door = 'taxii' | 'admin' | 'cli';

interface Entry {
  kind: ErrorKind;
  title: string;
  doors: readonly Door[];
}

const ALL: readonly Door[] = ['taxii', 'admin', 'cli'];
const HTTP: readonly Door[] = ['taxii', 'admin'];
const TAXII: readonly Door[] = ['taxii'];
const ADMIN: readonly Door[] = ['admin'];
const CLI: readonly Door[] = ['cli'];

export const ERRORS = {
  // 400: the request, as sent, cannot be served
  'unknown-parameter': { kind: 'bad-request', title: 'Unknown parameter', doors: TAXII },
  'malformed-parameter': { kind: 'bad-request', title: 'Malformed parameter', doors: TAXII },
  'repeated-parameter': { kind: 'bad-request', title: 'Repeated parameter', doors: TAXII },
  'malformed-json': { kind: 'bad-request', title: 'Malformed JSON', doors: TAXII },
  'malformed-body': { kind: 'bad-request', title: 'Malformed body', doors: TAXII },
  'body-too-deep': { kind: 'bad-request', title: 'Body too deeply nested', doors: TAXII },
  'not-an-envelope': { kind: 'bad-request', title: 'Not an envelope', doors: TAXII },
  'bad-request': { kind: 'bad-request', title: 'Bad request', doors: HTTP },
  'invalid-request': { kind: 'bad-request', title: 'Invalid request', doors: ADMIN },
  'invalid-agreement': { kind: 'bad-request', title: 'Invalid agreement', doors: ['admin', 'cli'] },
  'invalid-collection': { kind: 'bad-request', title: 'Invalid collection', doors: ['admin', 'cli'] },
  'invalid-party': { kind: 'bad-request', title: 'Invalid party', doors: ['admin', 'cli'] },
  'invalid-account': { kind: 'bad-request', title: 'Invalid account', doors: ['admin', 'cli'] },
  'invalid-feed': { kind: 'bad-request', title: 'Invalid feed', doors: ['admin', 'cli'] },
  'invalid-catalogue': { kind: 'bad-request', title: 'Invalid catalogue', doors: CLI },
  'invalid-configuration': { kind: 'bad-request', title: 'Invalid configuration', doors: CLI },
  'invalid-command': { kind: 'bad-request', title: 'Invalid command', doors: CLI },
  'unreadable-bundle': { kind: 'bad-request', title: 'Unreadable bundle', doors: CLI },
  // 401, 403: who is asking, and may they
  unauthenticated: { kind: 'unauthorized', title: 'Authentication required', doors: HTTP },
  'not-allowed': { kind: 'forbidden', title: 'Not allowed', doors: TAXII },
  'wrong-role': { kind: 'forbidden', title: 'Forbidden', doors: ADMIN },
  // A change through a console session without the session's CSRF token (src/http/authenticate.ts).
  'csrf-token': { kind: 'forbidden', title: 'CSRF token missing or wrong', doors: HTTP },
  // 404: unknown, or not visible to the caller (the two are never told apart)
  'api-root-not-found': { kind: 'not-found', title: 'API root not found', doors: TAXII },
  'collection-not-found': { kind: 'not-found', title: 'Collection not found', doors: TAXII },
  'object-not-found': { kind: 'not-found', title: 'Object not found', doors: TAXII },
  'status-not-found': { kind: 'not-found', title: 'Status not found', doors: TAXII },
  'not-found': { kind: 'not-found', title: 'Not found', doors: ALL },
  // A storage error: a store was asked to write into a collection it does not hold (removed meanwhile).
  'missing-collection': { kind: 'not-found', title: 'Collection not found', doors: ['taxii', 'cli'] },
  // 405, 406, 408, 409
  'method-not-allowed': { kind: 'method-not-allowed', title: 'Method not allowed', doors: HTTP },
  'not-acceptable': { kind: 'not-acceptable', title: 'Not acceptable', doors: TAXII },
  'request-too-slow': { kind: 'timeout', title: 'Request too slow', doors: HTTP },
  conflict: { kind: 'conflict', title: 'Conflict', doors: ['admin', 'cli'] },
  // 413, 415: size and form of what was sent
  'request-too-large': { kind: 'too-large', title: 'Request too large', doors: HTTP },
  'too-many-objects': { kind: 'bad-request', title: 'Too many objects', doors: TAXII },
  'unsupported-media-type': { kind: 'unsupported-media-type', title: 'Unsupported media type', doors: HTTP },
  'unsupported-content-encoding': { kind: 'unsupported-media-type', title: 'Unsupported content encoding', doors: TAXII },
  // 429: a rate limit (with Retry-After)
  'too-many-requests': { kind: 'too-many-requests', title: 'Too many requests', doors: HTTP },
  // 500, 503: the server's side
  internal: { kind: 'internal', title: 'Internal error', doors: ALL },
  'storage-unavailable': { kind: 'unavailable', title: 'Storage unavailable', doors: ALL },
  'sharing-log-unavailable': { kind: 'unavailable', title: 'Sharing log unavailable', doors: TAXII },
  'feed-key-unavailable': { kind: 'unavailable', title: 'Feed key unavailable', doors: ['admin', 'cli'] },
} as const satisfies Record<string, Entry>;

export type ErrorCode = keyof typeof ERRORS;

export class AccordError extends Error {
  readonly kind: ErrorKind;
  readonly title: string;
  /** When the request may be tried again (Retry-After, seconds): rate limits and 503s. */
  retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    readonly description?: string,
    readonly details?: Record<string, unknown>,
  ) {
    const { kind, title } = ERRORS[code];
    super(description ?? title);
    this.name = 'AccordError';
    this.kind = kind;
    this.title = title;
  }
}

/** An error of the catalogue: `throw fail('object-not-found', 'the collection holds no object …')`. */
export const fail = (code: ErrorCode, description?: string, details?: Record<string, unknown>): AccordError =>
  new AccordError(code, description, details);

/** Whether `err` is the catalogue's error `code`. */
export const isError = (err: unknown, code: ErrorCode): err is AccordError => err instanceof AccordError && err.code === code;

/** What a 503 tells clients to wait before retrying (Retry-After, seconds). */
export const UNAVAILABLE_RETRY_SECONDS = 5;

/** The backing store cannot be reached or written; requests answer 503 and /readyz reports it. */
export function storeUnavailable(description: string): AccordError {
  const err = new AccordError('storage-unavailable', description);
  err.retryAfterSeconds = UNAVAILABLE_RETRY_SECONDS;
  return err;
}

/** A rate limit refused the request; it may be retried after `retryAfterSeconds` (429 + Retry-After). */
export function tooManyRequests(description: string, retryAfterSeconds: number): AccordError {
  const err = new AccordError('too-many-requests', description);
  err.retryAfterSeconds = retryAfterSeconds;
  return err;
}
