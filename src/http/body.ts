/**
 * Reading a POST body safely: never more than the API root's max_content_length (413),
 * never nesting deeper than MAX_NESTING (400, checked on the bytes before JSON.parse so a
 * hostile body cannot exhaust the parser's stack), and malformed JSON or bytes that are not
 * UTF-8 are a 400.
 */
import type { Request } from 'express';
import { AccordError, badRequest } from '../errors';
import { markUnsafeNumbers, type CheckedJson } from '../stix/json-numbers';

export const MAX_NESTING = 64;

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

/** Deepest nesting of arrays and objects in JSON text; linear, ignores brackets inside strings. */
export function jsonDepth(bytes: Uint8Array): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
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
 * altered (src/stix/json-numbers.ts): the objects holding it are refused one by one.
 */
export function parseCheckedJson(bytes: Buffer): { value: unknown; marker?: string } {
  if (jsonDepth(bytes) > MAX_NESTING) throw badRequest('Body too deeply nested', `JSON nesting deeper than ${MAX_NESTING} levels is refused`);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw badRequest('Malformed JSON', 'the request body is not valid UTF-8 (RFC 8259 §8.1)');
  }
  const checked: CheckedJson = markUnsafeNumbers(text);
  try {
    return { value: JSON.parse(checked.text), ...(checked.marker !== undefined && { marker: checked.marker }) };
  } catch (e) {
    throw badRequest('Malformed JSON', `the request body is not valid JSON (${(e as Error).message})`);
  }
}
