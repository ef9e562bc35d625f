/**
 * HTTP content codings (RFC 9110 §8.4 Content-Encoding, §12.5.3 Accept-Encoding). Responses
 * at or above a size threshold are compressed with brotli or gzip when the client asks for
 * one (q-values honoured, `*` understood, `identity` the fallback) and carry
 * `Vary: Accept-Encoding` so caches keep the codings apart. Compression runs on libuv's
 * thread pool (zlib's asynchronous API), not on the thread that serves requests.
 *
 * Request bodies may come gzip- or deflate-coded (src/http/body.ts decodes them); any other
 * coding is refused with 415 (RFC 9110 §15.5.16).
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Config } from '../config/config';
import { fail } from '../errors';

export type Coding = 'br' | 'gzip';

/**
 * Preference between codings the client accepts equally: gzip, the cheaper at the default
 * levels (docs/operations.md, Compression); brotli when the client ranks it higher.
 */
const SERVER_ORDER: readonly Coding[] = ['gzip', 'br'];

/**
 * The coding to answer with, from an Accept-Encoding header: the acceptable one with the
 * highest q-value (ties go to SERVER_ORDER); undefined for identity (no header, nothing
 * acceptable, or identity preferred).
 */
export function preferredCoding(header: string | undefined): Coding | undefined {
  if (header === undefined) return undefined;
  const q = new Map<string, number>();
  for (const item of header.split(',')) {
    const [name = '', ...params] = item.split(';');
    const coding = name.trim().toLowerCase();
    if (!coding) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) weight = Number(m[1]);
    }
    if (!Number.isFinite(weight) || weight < 0 || weight > 1) continue;
    q.set(coding === 'x-gzip' ? 'gzip' : coding, weight);
  }
  const weightOf = (c: string) => q.get(c) ?? q.get('*') ?? 0;
  let best: Coding | undefined;
  for (const c of SERVER_ORDER) if (weightOf(c) > 0 && (best === undefined || weightOf(c) > weightOf(best))) best = c;
  // identity is always acceptable as a fallback (§12.5.3); it wins only when the client
  // names it with a higher q-value than the best coding.
  return best !== undefined && weightOf(best) >= (q.get('identity') ?? 0) ? best : undefined;
}

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

/**
 * Records which coding the client accepts, for sendTaxii (src/http/respond.ts); the response
 * size decides whether it is used.
 */
export function negotiateCoding(settings: Config['compression']): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (settings.enabled) {
      res.locals.compression = settings;
      const coding = preferredCoding(req.headers['accept-encoding']);
      if (coding) res.locals.coding = coding;
    }
    next();
  };
}

/**
 * The coding this response body goes out in (undefined: as is), after setting Vary; the
 * response size decides whether a negotiated coding is used.
 */
export function codingFor(res: Response, size: number): Coding | undefined {
  const settings = res.locals.compression;
  if (!settings) return undefined;
  res.setHeader('Vary', 'Accept-Encoding');
  const coding = res.locals.coding;
  return coding !== undefined && size >= settings.threshold ? coding : undefined;
}

/** `body` in `coding`, at the configured level; sets Content-Encoding. */
export async function encode(res: Response, coding: Coding, body: Buffer): Promise<Buffer> {
  const settings = res.locals.compression;
  if (!settings) throw new Error('encode() on a response whose compression was not negotiated');
  const encoded =
    coding === 'br'
      ? await brotli(body, {
          params: { [zlib.constants.BROTLI_PARAM_QUALITY]: settings.brotliQuality, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length },
        })
      : await gzip(body, { level: settings.gzipLevel });
  res.setHeader('Content-Encoding', coding);
  return encoded;
}

/** The request body's coding: identity, gzip or deflate; anything else is 415. */
export function requestCoding(req: Request): 'identity' | 'gzip' | 'deflate' {
  const header = req.headers['content-encoding'];
  const coding = (header ?? 'identity').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return 'identity';
  if (coding === 'gzip' || coding === 'x-gzip') return 'gzip';
  if (coding === 'deflate') return 'deflate';
  throw fail('unsupported-content-encoding', 'request bodies may be sent as is or with Content-Encoding gzip or deflate');
}
