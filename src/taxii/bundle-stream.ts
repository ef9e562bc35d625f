/**
 * Streams the members of a bundle's or envelope's top-level "objects" list out of a large
 * JSON file without holding the whole file in memory. It tracks only nesting depth and
 * string state, so it is linear in the input; each object's text is handed to JSON.parse
 * on its own.
 */
import { StringDecoder } from 'node:string_decoder';

export class BundleStreamError extends Error {}

export async function* streamBundleObjects(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let depth = 0;
  let inString = false;
  let escaped = false;
  let topString = ''; // the current string at depth 1 (a key or a top-level value)
  let lastTopString = '';
  let sawColon = false;
  let inObjects = false;
  let sawObjects = false;
  let capture: string[] | undefined;

  const process = function* (text: string): Generator<string> {
    let captureFrom = capture ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) {
          inString = false;
          if (depth === 1) lastTopString = topString;
        } else if (depth === 1 && topString.length < 64) topString += text[i];
        continue;
      }
      if (c === 0x22) {
        inString = true;
        topString = '';
      } else if (c === 0x3a && depth === 1) sawColon = true;
      else if (c === 0x2c && depth === 1) sawColon = false;
      else if (c === 0x7b || c === 0x5b) {
        depth++;
        if (depth === 1 && c !== 0x7b) throw new BundleStreamError('the file must hold a JSON object (a STIX bundle or TAXII envelope)');
        if (depth === 2 && c === 0x5b && sawColon && lastTopString === 'objects') {
          inObjects = true;
          sawObjects = true;
        } else if (depth === 3 && inObjects && c === 0x7b) {
          capture = [];
          captureFrom = i;
        }
      } else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth < 0) throw new BundleStreamError('unbalanced brackets');
        if (depth === 2 && capture && c === 0x7d) {
          capture.push(text.slice(captureFrom, i + 1));
          yield capture.join('');
          capture = undefined;
          captureFrom = -1;
        } else if (depth === 1 && inObjects) inObjects = false;
      }
    }
    if (capture && captureFrom >= 0) capture.push(text.slice(captureFrom));
  };

  for await (const chunk of chunks) {
    yield* process(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  }
  yield* process(decoder.end());
  if (depth !== 0 || inString) throw new BundleStreamError('the file ends in the middle of the JSON');
  if (!sawObjects) throw new BundleStreamError('the file has no top-level "objects" list');
}
