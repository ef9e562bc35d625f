/**
 * Streams the members of a bundle's or envelope's top-level "objects" list out of a large
 * JSON file without holding the whole file in memory. It tracks only nesting depth and
 * string state, so it is linear in the input; each member's text is handed to JSON.parse
 * on its own.
 */
import { StringDecoder } from 'node:string_decoder';
import { fail } from '../errors';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const BOM = 0xfeff;

const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * A top-level key as JSON.parse would read it: `"obj\u0065cts"` is the key objects, and
 * `"objec\"ts"` is not. Only short keys are decoded: "objects" with every letter escaped
 * is 42 characters.
 */
function decodeKey(raw: string): string {
  if (raw.length > 64) return '';
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return '';
  }
}

/**
 * Collects the top-level object's text without the members of its "objects" list (so
 * `{"type":"bundle","id":…,"objects":[]}`): what `accord validate` checks of the envelope.
 * Bounded: beyond `limit` characters it stops collecting and says so.
 */
export class EnvelopeShell {
  private readonly parts: string[] = [];
  private size = 0;
  overflow = false;
  constructor(readonly limit = 1024 * 1024) {}
  add(text: string): void {
    if (this.overflow || text.length === 0) return;
    this.size += text.length;
    if (this.size > this.limit) this.overflow = true;
    else this.parts.push(text);
  }
  get text(): string {
    return this.parts.join('');
  }
}

export async function* streamBundleObjects(chunks: AsyncIterable<Buffer | string>, shell?: EnvelopeShell): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let depth = 0;
  let started = false; // the top-level object has opened
  let ended = false; // ... and closed: only whitespace may follow
  let inString = false;
  let escaped = false;
  let rawKey = ''; // the raw text of the current string at depth 1 (a key or a top-level value)
  let lastTopString = '';
  let sawColon = false;
  let inObjects = false;
  let sawObjects = false;
  // The member being captured: its text so far (across chunks) and what kind of value it is.
  let capture: string[] | undefined;
  let member: 'container' | 'string' | 'scalar' = 'container';

  const notAnObject = () => fail('unreadable-bundle', 'the file must hold a JSON object (a STIX bundle or TAXII envelope)');

  const process = function* (text: string): Generator<string> {
    let captureFrom = capture ? 0 : -1;
    // Where the shell's current stretch of this chunk starts (-1: inside the objects list, or not started).
    let shellFrom = started && !ended && !inObjects ? 0 : -1;
    const emit = (end: number): string => {
      (capture as string[]).push(text.slice(captureFrom, end));
      const value = (capture as string[]).join('');
      capture = undefined;
      captureFrom = -1;
      return value;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (depth === 1) lastTopString = decodeKey(rawKey);
          else if (depth === 2 && capture && member === 'string') yield emit(i + 1);
          continue;
        }
        if (depth === 1 && rawKey.length <= 64) rawKey += text[i];
        continue;
      }
      if (capture && member === 'scalar') {
        // A number, true, false or null ends at the first separator after it.
        if (c !== COMMA && c !== CLOSE_BRACKET && !isWhitespace(c)) continue;
        yield emit(i);
      }
      if (depth === 0) {
        if (isWhitespace(c) || (c === BOM && !started)) continue;
        if (ended) throw fail('unreadable-bundle', 'the file has more after the top-level JSON object');
        if (c !== OPEN_BRACE) throw notAnObject();
        shellFrom = i;
        started = true;
        depth = 1;
        continue;
      }
      if (c === QUOTE) {
        inString = true;
        rawKey = '';
        if (depth === 2 && inObjects && !capture) {
          capture = [];
          captureFrom = i;
          member = 'string';
        }
      } else if (c === COLON && depth === 1) sawColon = true;
      else if (c === COMMA && depth === 1) sawColon = false;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
        if (depth === 2 && c === OPEN_BRACKET && sawColon && lastTopString === 'objects') {
          inObjects = true;
          sawObjects = true;
          shell?.add(text.slice(shellFrom, i + 1));
          shellFrom = -1;
        } else if (depth === 3 && inObjects && !capture) {
          capture = [];
          captureFrom = i;
          member = 'container';
        }
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 2 && capture && member === 'container') yield emit(i + 1);
        else if (depth === 1 && inObjects) {
          inObjects = false;
          shellFrom = i;
        } else if (depth === 0) {
          ended = true;
          shell?.add(text.slice(shellFrom, i + 1));
          shellFrom = -1;
        }
      } else if (depth === 2 && inObjects && !capture && !isWhitespace(c) && c !== COMMA) {
        capture = [];
        captureFrom = i;
        member = 'scalar';
      }
    }
    if (capture && captureFrom >= 0) capture.push(text.slice(captureFrom));
    if (shellFrom >= 0) shell?.add(text.slice(shellFrom));
  };

  for await (const chunk of chunks) {
    yield* process(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  }
  yield* process(decoder.end());
  if (depth !== 0 || inString) throw fail('unreadable-bundle', 'the file ends in the middle of the JSON');
  if (!sawObjects) throw fail('unreadable-bundle', 'the file has no top-level "objects" list');
}
