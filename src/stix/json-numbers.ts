/**
 * STIX 2.1 §2.11 (integer) allows integers between −(2^53−1) and 2^53−1: what JSON.parse
 * holds exactly. A larger integer would be silently rounded (1208925819614629174706176 →
 * 1.2089258196146292e+24) and stored altered, and a number too large for a double becomes
 * Infinity, which JSON.stringify writes as null. So the number tokens of the source text are
 * checked before parsing (a linear scan outside strings): each one that would not survive
 * is replaced by a string holding a per-parse random marker, and every value that contains
 * the marker is refused as a whole (`holdsUnsafeNumber`). Nothing refused is ever stored,
 * so the replacement alters nothing that is kept.
 */
import { randomBytes } from 'node:crypto';

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER);

/** Whether a JSON number token would reach the store unchanged. */
function safeNumber(token: string): boolean {
  if (!/[.eE]/.test(token)) {
    const digits = token.startsWith('-') ? token.slice(1) : token;
    return digits.length < MAX_SAFE_DIGITS.length || (digits.length === MAX_SAFE_DIGITS.length && digits <= MAX_SAFE_DIGITS);
  }
  return Number.isFinite(Number(token));
}

export const isNumberStart = (c: number) => c === 0x2d || (c >= 0x30 && c <= 0x39);
export const isNumberPart = (c: number) => isNumberStart(c) || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;

/**
 * safeNumber() of the token bytes[start, end): a token shorter than the largest safe integer
 * and without an exponent is safe, and is decided without making a string of it.
 */
export function safeNumberBytes(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < MAX_SAFE_DIGITS.length) {
    let exponent = false;
    for (let i = start; i < end; i++) if (bytes[i] === 0x65 || bytes[i] === 0x45) exponent = true;
    if (!exponent) return true;
  }
  return safeNumber(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1'));
}

export interface CheckedJson {
  /** The text to parse: the source, or a copy with each unsafe number replaced by a marker string. */
  text: string;
  /** Present when some number was replaced: the string every value holding one contains. */
  marker?: string;
}

export function markUnsafeNumbers(source: string): CheckedJson {
  let out: string[] | undefined;
  let copied = 0;
  let marker: string | undefined;
  let inString = false;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (isNumberStart(c)) {
      let end = i + 1;
      while (end < source.length && isNumberPart(source.charCodeAt(end))) end++;
      const token = source.slice(i, end);
      if (!safeNumber(token)) {
        marker ??= `\u0000unsafe-number-${randomBytes(12).toString('hex')}`;
        out ??= [];
        out.push(source.slice(copied, i), JSON.stringify(`${marker}:${token.slice(0, 40)}`));
        copied = end;
      }
      i = end - 1;
    }
  }
  if (!out) return { text: source };
  out.push(source.slice(copied));
  return { text: out.join(''), marker: marker };
}

/** Whether a parsed value (an envelope member) holds a number markUnsafeNumbers replaced. */
export function holdsUnsafeNumber(value: unknown, marker: string | undefined): boolean {
  return marker !== undefined && JSON.stringify(value).includes(JSON.stringify(marker).slice(1, -1));
}

export const UNSAFE_NUMBER_REASON =
  'holds a number outside the range STIX 2.1 allows for integers (±(2^53−1), §2.11) or too large to represent; it would be stored altered';
