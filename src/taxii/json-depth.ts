/**
 * How deeply JSON text nests, measured on the text before JSON.parse so that hostile input
 * cannot exhaust the parser's (or the validator's) stack. Every door that takes STIX content
 * applies the same limit: TAXII Add Objects to the body, `accord import` and `accord validate`
 * to each object (less the two levels its envelope adds).
 */

import { isNumberPart, isNumberStart, safeNumberBytes } from '../stix/json-numbers';

/** Deepest nesting accepted in a request body (an envelope and its objects). */
export const MAX_NESTING = 64;

/** Deepest nesting accepted in one object: the body's limit less `{"objects":[`. */
export const MAX_OBJECT_NESTING = MAX_NESTING - 2;

/**
 * Deepest nesting of arrays and objects in JSON text; linear, ignores brackets inside strings.
 * One loop per kind of input: reading bytes through a shared accessor function cost a call
 * per byte (issue 15: 6% of an ingest's CPU for a 1 MB body).
 */
export function jsonDepth(text: Uint8Array | string): number {
  return typeof text === 'string' ? textDepth(text) : scanJson(text).depth;
}

export interface JsonScan {
  depth: number;
  /**
   * How many values the arrays directly inside the top-level object hold (an envelope's
   * `objects`): an envelope of millions of tiny objects is refused before JSON.parse builds them.
   */
  members: number;
  /** Whether a number token outside strings would not survive JSON.parse (src/stix/json-numbers.ts). */
  unsafeNumbers: boolean;
}

/**
 * jsonDepth() of UTF-8 bytes, the envelope's members, and whether markUnsafeNumbers() would
 * find a number to replace (a body without one, nearly all, is not scanned again as text), in
 * one pass: each was a pass of its own, 9 ms of a 1 MB envelope (issue 15). Linear; brackets,
 * commas and digits inside strings do not count. Bytes of multi-byte characters are all
 * ≥ 0x80, so they never look like JSON punctuation or digits.
 */
export function scanJson(bytes: Uint8Array): JsonScan {
  let depth = 0;
  let max = 0;
  let inString = false;
  let unsafeNumbers = false;
  let members = 0;
  let inArray = false;
  let empty = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (inArray && depth === 2 && empty && c !== 0x5d) {
      members++;
      empty = false;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
      if (depth === 2 && c === 0x5b) {
        inArray = true;
        empty = true;
      }
    } else if (c === 0x7d || c === 0x5d) {
      if (depth === 2) inArray = false;
      depth--;
    } else if (c === 0x2c) {
      if (inArray && depth === 2) empty = true;
    } else if (isNumberStart(c)) {
      let end = i + 1;
      while (end < bytes.length && isNumberPart(bytes[end] as number)) end++;
      if (!unsafeNumbers && !safeNumberBytes(bytes, i, end)) unsafeNumbers = true;
      i = end - 1;
    }
  }
  return { depth: max, members, unsafeNumbers };
}

function textDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}
