/**
 * Reading a POST body safely: never more than the API root's max_content_length (413),
 * never nesting deeper than MAX_NESTING (400, checked on the bytes before JSON.parse so a
 * hostile body cannot exhaust the parser's stack), and malformed JSON or bytes that are not
 * UTF-8 are a 400.
 */
import type { Request } from 'express';
import { AccordError, badRequest } from '../errors';
import { jsonDepth, MAX_NESTING } from '../taxii/json-depth';

const tooLarge = (limit: number) =>
  new AccordError('too-large', 'Request too large', `the body exceeds this API root's max_content_length of ${limit} bytes`);

export function readBody(req: Request, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume(); // drain the rest so the connection can answer
        reject(tooLarge(limit));
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

// fatal: bytes that are not UTF-8 are refused; Buffer#toString would silently replace them
// with U+FFFD and the objects would be stored altered. ignoreBOM keeps a BOM in the text, so
// JSON.parse refuses it as before.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parseJson(bytes: Buffer): unknown {
  if (jsonDepth(bytes) > MAX_NESTING) throw badRequest('Body too deeply nested', `JSON nesting deeper than ${MAX_NESTING} levels is refused`);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw badRequest('Malformed JSON', 'the request body is not valid UTF-8 (RFC 8259 §8.1)');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest('Malformed JSON', `the request body is not valid JSON (${(e as Error).message})`);
  }
}
