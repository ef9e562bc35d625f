/**
 * Reading a POST body safely: never more than the API root's max_content_length (413), as
 * sent or as decoded from gzip or deflate, never nesting deeper than MAX_NESTING (400, checked on the bytes before JSON.parse so a
 * hostile body cannot exhaust the parser's stack), and malformed JSON or bytes that are not
 * UTF-8 are a 400.
 */
import zlib from 'node:zlib';
import type { Request } from 'express';
import { fail } from '../errors';
import { MAX_NESTING, scanJson, type JsonScan } from '../taxii/json-depth';
import { markUnsafeNumbers, type CheckedJson } from '../stix/json-numbers';
import { requestCoding } from './compression';

const tooLarge = (limit: number) => fail('request-too-large', `the body exceeds this API root's max_content_length of ${limit} bytes`);

/** Seconds a body may take before its average rate must reach the minimum. */
const RATE_GRACE_SECONDS = 2;

const tooSlow = (minRate: number) => fail('request-too-slow', `the body arrived slower than ${minRate} bytes a second`);

/**
 * The body, decoded from gzip or deflate when it came so (any other coding: 415). The limit
 * applies to the bytes received and to the decoded bytes: decoding streams and stops at the
 * limit, so a small body that inflates to gigabytes (a decompression bomb) costs no more
 * than `limit` bytes of memory. `minBytesPerSecond` (0: none): a body that trickles in slower
 * than that on average, after a short grace, is refused (408) and its connection closed, so
 * a slow client cannot hold a connection for the whole request timeout.
 */
export function readBody(req: Request, limit: number, minBytesPerSecond = 0): Promise<Buffer> {
  let coding: ReturnType<typeof requestCoding>;
  try {
    coding = requestCoding(req);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const decoder = coding === 'identity' ? undefined : coding === 'gzip' ? zlib.createGunzip() : zlib.createInflate();
    const chunks: Buffer[] = [];
    let received = 0;
    let size = 0;
    let failed = false;
    const started = Date.now();
    const watch = setInterval(() => {
      const seconds = (Date.now() - started) / 1000;
      if (minBytesPerSecond > 0 && seconds > RATE_GRACE_SECONDS && received < minBytesPerSecond * (seconds - RATE_GRACE_SECONDS))
        abort(tooSlow(minBytesPerSecond));
    }, 500);
    watch.unref();
    const abort = (err: Error) => {
      clearInterval(watch);
      if (failed) return;
      failed = true;
      req.off('data', onData);
      decoder?.destroy();
      // The rest of a refused body is not read: the answer closes the connection (sendError).
      req.pause();
      reject(err);
    };
    const onDecoded = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) abort(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return abort(tooLarge(limit));
      if (!decoder) return onDecoded(chunk);
      // Back-pressure: the request waits while the decoder's output is being consumed.
      if (!decoder.write(chunk)) {
        req.pause();
        decoder.once('drain', () => req.resume());
      }
    };
    const done = () => {
      clearInterval(watch);
      if (!failed) resolve(Buffer.concat(chunks, size));
    };
    if (decoder) {
      decoder.on('data', onDecoded);
      decoder.on('end', done);
      decoder.on('error', () => abort(fail('malformed-body', `the request body is not valid ${coding} data`)));
    }
    req.on('data', onData);
    req.on('end', () => (decoder ? decoder.end() : done()));
    req.on('error', (err) => abort(err));
  });
}

// fatal: bytes that are not UTF-8 are refused; Buffer#toString would silently replace them
// with U+FFFD and the objects would be stored altered. ignoreBOM keeps a BOM in the text, so
// JSON.parse refuses it as before.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parseJson(bytes: Buffer): unknown {
  return parseCheckedJson(bytes).value;
}

/**
 * parseJson(), also telling which marker stands for numbers that JSON.parse would have
 * altered (src/stix/json-numbers.ts): the objects holding it are refused one by one. `scan`:
 * the body's scanJson(), when the caller has already made it.
 */
export function parseCheckedJson(bytes: Buffer, scan: JsonScan = scanJson(bytes)): { value: unknown; marker?: string } {
  if (scan.depth > MAX_NESTING) throw fail('body-too-deep', `JSON nesting deeper than ${MAX_NESTING} levels is refused`);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw fail('malformed-json', 'the request body is not valid UTF-8 (RFC 8259 §8.1)');
  }
  const checked: CheckedJson = scan.unsafeNumbers ? markUnsafeNumbers(text) : { text };
  try {
    return { value: JSON.parse(checked.text), ...(checked.marker !== undefined && { marker: checked.marker }) };
  } catch (e) {
    throw fail('malformed-json', `the request body is not valid JSON (${(e as Error).message})`);
  }
}
