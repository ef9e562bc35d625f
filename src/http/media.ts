/**
 * TAXII 2.1 media types and content negotiation (§1.6.8 Content Negotiation). Media types
 * are parsed, not string-compared: real clients vary case and spacing, send the versionless
 * type, or `*\/*`.
 */
import type { NextFunction, Request, Response } from 'express';
import { fail } from '../errors';
import { requestCoding } from './compression';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';

interface MediaType {
  type: string;
  params: Map<string, string>;
}

function parseMediaType(text: string): MediaType {
  const [type = '', ...rest] = text.split(';');
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    let value = p.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    params.set(p.slice(0, eq).trim().toLowerCase(), value);
  }
  return { type: type.trim().toLowerCase(), params };
}

function isTaxii21(m: MediaType): boolean {
  if (m.type !== 'application/taxii+json') return false;
  const version = m.params.get('version');
  return version === undefined || version === '2.1';
}

/** Whether an Accept header admits TAXII 2.1 (no header admits anything). */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const m = parseMediaType(range);
    const q = m.params.get('q');
    if (q !== undefined && !(Number(q) > 0)) return false;
    return m.type === '*/*' || m.type === 'application/*' || isTaxii21(m);
  });
}

/**
 * A TAXII 2.1 body; JSON is UTF-8 (RFC 8259 §8.1), so a body declared in another charset
 * would be misread and is refused (415) rather than decoded as UTF-8 regardless.
 */
export function isTaxiiContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const m = parseMediaType(contentType);
  const charset = m.params.get('charset');
  return isTaxii21(m) && (charset === undefined || charset.toLowerCase() === 'utf-8');
}

/** 406 when the client cannot take TAXII 2.1; 415 when a body is not TAXII 2.1 or is in a coding we cannot decode. */
export function negotiate(req: Request, _res: Response, next: NextFunction): void {
  if (!acceptsTaxii(req.headers.accept)) {
    return next(fail('not-acceptable', `this server answers only with ${TAXII_MEDIA_TYPE}`));
  }
  if (req.method === 'POST' && !isTaxiiContentType(req.headers['content-type'])) {
    return next(fail('unsupported-media-type', `the request body must be ${TAXII_MEDIA_TYPE}, in UTF-8`));
  }
  if (req.method === 'POST') requestCoding(req);
  next();
}
