/**
 * The TAXII 2.1 client a feed polls its upstream with: node's fetch (undici), which asks for
 * and decodes gzip, deflate and br; every request bounded in time and every response in
 * size (counted after decoding, so a compressed bomb stops at the bound too).
 */
import { parseTimestamp } from '../time';

export interface UpstreamPage {
  objects: unknown[];
  more: boolean;
  next?: string;
  /** X-TAXII-Date-Added-Last: where an added_after poll resumes after this page. */
  dateAddedLast?: string;
}

/** A failed poll; `retryAfterSeconds` when the upstream said when to come back (429, 503). */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface PageRequest {
  /** The upstream API root URL (with or without its trailing slash). */
  apiRoot: string;
  collection: string;
  limit: number;
  addedAfter?: string;
  next?: string;
  authorization?: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

const TAXII = 'application/taxii+json;version=2.1';

export function objectsUrl(r: Pick<PageRequest, 'apiRoot' | 'collection' | 'limit' | 'addedAfter' | 'next'>): string {
  const url = new URL(`collections/${encodeURIComponent(r.collection)}/objects/`, r.apiRoot.endsWith('/') ? r.apiRoot : `${r.apiRoot}/`);
  // Every version: a feed mirrors each version the upstream holds, not only the latest.
  url.searchParams.set('match[version]', 'all');
  url.searchParams.set('limit', String(r.limit));
  if (r.addedAfter !== undefined) url.searchParams.set('added_after', r.addedAfter);
  if (r.next !== undefined) url.searchParams.set('next', r.next);
  return url.toString();
}

/** Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterSeconds(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

async function boundedText(res: Response, max: number, signal: AbortController): Promise<string> {
  if (!res.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) {
      signal.abort();
      throw new UpstreamError(`the upstream's response is larger than ${max} bytes (feeds.maxResponseBytes)`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The reason an upstream gives in a TAXII error resource, shortened; never the request's credentials. */
function errorTitle(text: string): string {
  try {
    const body = JSON.parse(text) as { title?: unknown; description?: unknown };
    const words = [body.title, body.description].filter((v): v is string => typeof v === 'string').join(': ');
    return words ? ` (${words.slice(0, 200)})` : '';
  } catch {
    return '';
  }
}

export async function fetchPage(r: PageRequest, nowMs: () => number = Date.now): Promise<UpstreamPage> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), r.timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(objectsUrl(r), {
        headers: { Accept: TAXII, ...(r.authorization !== undefined && { Authorization: r.authorization }) },
        redirect: 'error',
        signal: abort.signal,
      });
    } catch (e) {
      throw new UpstreamError(
        abort.signal.aborted
          ? `the upstream did not answer within ${r.timeoutMs} ms`
          : `cannot reach the upstream: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`,
      );
    }
    let text: string;
    try {
      text = await boundedText(res, r.maxResponseBytes, abort);
    } catch (e) {
      if (e instanceof UpstreamError) throw e;
      throw new UpstreamError(
        abort.signal.aborted
          ? `the upstream did not finish its answer within ${r.timeoutMs} ms`
          : `the upstream's answer broke off: ${(e as Error).message}`,
      );
    }
    if (!res.ok)
      throw new UpstreamError(`the upstream answered ${res.status}${errorTitle(text)}`, retryAfterSeconds(res.headers.get('retry-after'), nowMs()));
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new UpstreamError('the upstream answered with something that is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new UpstreamError('the upstream answered with something that is not a TAXII envelope');
    const env = body as { objects?: unknown; more?: unknown; next?: unknown };
    if (env.objects !== undefined && !Array.isArray(env.objects)) throw new UpstreamError('the upstream envelope\'s "objects" is not a list');
    // Sent back as the next added_after: only a timestamp is taken, never arbitrary text.
    const last = res.headers.get('x-taxii-date-added-last');
    return {
      objects: (env.objects as unknown[] | undefined) ?? [],
      more: env.more === true,
      ...(typeof env.next === 'string' && env.next !== '' && { next: env.next }),
      ...(last !== null && parseTimestamp(last) !== undefined && { dateAddedLast: last }),
    };
  } finally {
    clearTimeout(timer);
  }
}
