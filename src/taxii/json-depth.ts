/**
 * How deeply JSON text nests, measured on the text before JSON.parse so that hostile input
 * cannot exhaust the parser's (or the validator's) stack. Every door that takes STIX content
 * applies the same limit: TAXII Add Objects to the body, `accord import` and `accord validate`
 * to each object (less the two levels its envelope adds).
 */

/** Deepest nesting accepted in a request body (an envelope and its objects). */
export const MAX_NESTING = 64;

/** Deepest nesting accepted in one object: the body's limit less `{"objects":[`. */
export const MAX_OBJECT_NESTING = MAX_NESTING - 2;

/** Deepest nesting of arrays and objects in JSON text; linear, ignores brackets inside strings. */
export function jsonDepth(text: Uint8Array | string): number {
  const code = typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i];
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = code(i);
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
