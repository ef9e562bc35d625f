import type { Response } from 'express';
import { codingFor, encode } from './compression';
import { TAXII_MEDIA_TYPE } from './media';

/**
 * Every TAXII response, errors and empty pages included, carries the TAXII 2.1 media type.
 * The body goes out compressed when the client negotiated a coding and it is large enough
 * (src/http/compression.ts); otherwise at once, as is.
 */
export function sendTaxii(res: Response, status: number, body: string | Buffer, headers?: Record<string, string>): void {
  res.status(status);
  res.setHeader('Content-Type', TAXII_MEDIA_TYPE);
  if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  const size = (b: string | Buffer) => (typeof b === 'string' ? Buffer.byteLength(b) : b.length);
  // Content-Length set here, not left to Node: a HEAD answer (no body sent) then carries
  // the same headers as the GET it stands for (RFC 9110 §9.3.2).
  const finish = (b: string | Buffer) => void res.setHeader('Content-Length', size(b)).end(b);
  const coding = codingFor(res, size(body));
  if (coding === undefined) return finish(body);
  encode(res, coding, typeof body === 'string' ? Buffer.from(body) : body).then(
    (bytes) => finish(bytes),
    // zlib refusing an in-memory buffer is not expected; the body as is is always right.
    () => finish(body),
  );
}

export function sendTaxiiJson(res: Response, status: number, value: unknown, headers?: Record<string, string>): void {
  sendTaxii(res, status, JSON.stringify(value), headers);
}
