/**
 * src/taxii/bundle-stream.ts: the members of a bundle's (or envelope's) top-level "objects"
 * list, streamed out of a large file chunk by chunk, each as its exact source text.
 */
import { streamBundleObjects } from '../../src/taxii/bundle-stream';

async function* chunksOf(parts: readonly (Buffer | string)[]): AsyncGenerator<Buffer | string> {
  for (const p of parts) yield p;
}

async function collect(parts: readonly (Buffer | string)[]): Promise<string[]> {
  const out: string[] = [];
  for await (const member of streamBundleObjects(chunksOf(parts))) out.push(member);
  return out;
}

async function failure(parts: readonly (Buffer | string)[]): Promise<{ error: unknown; before: string[] }> {
  const before: string[] = [];
  try {
    for await (const member of streamBundleObjects(chunksOf(parts))) before.push(member);
  } catch (error) {
    return { error, before };
  }
  throw new Error('the stream did not fail');
}

// Members chosen to trip a scanner that does not track strings properly: brackets, braces,
// quotes, backslashes and a key named "objects" inside strings and nested objects, and
// multi-byte UTF-8 (2, 3 and 4 bytes) right next to quotes and brackets.
const MEMBERS = [
  '{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","pattern":"[file:name = \'a]}{b\\"c\\\\\']","name":"é"}',
  '{"type":"note","content":"\\"objects\\": [{\\"fake\\": true}]","objects":[{"nested":"not top level"}],"x":["]","}"]}',
  '{"type":"x-acme","名前":"日本語テキスト","emoji":"😀🏳️‍🌈","esc":"\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t","deep":{"a":[{"b":{"c":[[],{}]}}]}}',
  '{}',
  '{"type":"identity","name":"\\\\","x":"\\\\\\""}',
];
const BUNDLE = `{"type":"bundle","id":"bundle--1f2e3d4c-5b6a-4789-8a0b-1c2d3e4f5a6b",\n  "objects": [\n    ${MEMBERS.join(',\n    ')}\n  ]\n}\n`;

describe('streamBundleObjects', () => {
  it('yields each member of the top-level objects list as its exact text', async () => {
    const out = await collect([BUNDLE]);
    expect(out).toEqual(MEMBERS);
    expect(out.map((m) => JSON.parse(m) as unknown)).toEqual((JSON.parse(BUNDLE) as { objects: unknown[] }).objects);
  });

  it('gives the same members for a split at every byte position, inside multi-byte characters too', async () => {
    const bytes = Buffer.from(BUNDLE, 'utf8');
    expect(bytes.length).toBeGreaterThan(BUNDLE.length); // there are multi-byte characters to split
    for (let i = 0; i <= bytes.length; i++) {
      expect(await collect([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(MEMBERS);
    }
  });

  it('gives the same members for three-way splits around every quote, backslash and bracket', async () => {
    const bytes = Buffer.from(BUNDLE, 'utf8');
    const special = [...bytes.keys()].filter((i) => [0x22, 0x5c, 0x5b, 0x5d, 0x7b, 0x7d].includes(bytes[i] as number));
    for (const i of special) {
      expect(await collect([bytes.subarray(0, i), bytes.subarray(i, i + 1), bytes.subarray(i + 1)])).toEqual(MEMBERS);
    }
  });

  it('gives the same members one byte at a time, and one character at a time as strings', async () => {
    const bytes = Buffer.from(BUNDLE, 'utf8');
    expect(await collect([...bytes].map((b) => Buffer.from([b])))).toEqual(MEMBERS);
    expect(await collect([...BUNDLE])).toEqual(MEMBERS);
  });

  it('finds "objects" when it is not the first key, and ignores other keys holding lists of objects', async () => {
    const text = '{"id":"bundle--1","more":false,"x_list":[{"no":1}],"spec_version":"2.0","objects":[{"a":1},{"b":[2]}],"after":[{"no":2}]}';
    expect(await collect([text])).toEqual(['{"a":1}', '{"b":[2]}']);
  });

  it('does not take a value "objects" for the key', async () => {
    const text = '{"type":"objects","x":[{"no":1}],"objects":[{"yes":1}]}';
    expect(await collect([text])).toEqual(['{"yes":1}']);
  });

  it('ignores nested "objects" keys, at any depth', async () => {
    const text = '{"x":{"objects":[{"no":1}]},"y":[{"objects":[{"no":2}]}],"objects":[{"objects":[{"inner":1}]}]}';
    expect(await collect([text])).toEqual(['{"objects":[{"inner":1}]}']);
  });

  it('an empty objects list yields nothing', async () => {
    expect(await collect(['{"type":"bundle","objects":[]}'])).toEqual([]);
    expect(await collect(['{ "objects" : [ ] }'])).toEqual([]);
  });

  it('accepts whitespace everywhere JSON allows it, and a byte order mark', async () => {
    expect(await collect(['\uFEFF \r\n\t{ "objects"\n:\t[ {"a":1} ,\r\n{"b":2} ] }\n\n'])).toEqual(['{"a":1}', '{"b":2}']);
    expect(await collect([Buffer.from([0xef, 0xbb, 0xbf]), '{"objects":[{"a":1}]}'])).toEqual(['{"a":1}']);
  });

  it('reads a key written with escapes as the key it decodes to', async () => {
    expect(await collect(['{"obj\\u0065cts":[{"a":1}]}'])).toEqual(['{"a":1}']);
    await expect(failure(['{"objec\\"ts":[{"a":1}]}'])).resolves.toMatchObject({ before: [] });
    expect((await failure(['{"objec\\"ts":[{"a":1}]}'])).error).toMatchObject({ code: 'unreadable-bundle' });
  });

  it('yields members that are not objects too, so the caller can report them', async () => {
    const text = '{"objects":[1, "a \\"quoted\\" ]string[", [{"x":1}], null, true, -2.5e3, {"ok":1}]}';
    expect(await collect([text])).toEqual(['1', '"a \\"quoted\\" ]string["', '[{"x":1}]', 'null', 'true', '-2.5e3', '{"ok":1}']);
    const bytes = Buffer.from(text);
    for (let i = 0; i <= bytes.length; i++) {
      expect(await collect([bytes.subarray(0, i), bytes.subarray(i)])).toHaveLength(7);
    }
  });

  it('handles large members and many members in big chunks', async () => {
    const big = JSON.stringify({ type: 'x-big', blob: 'é'.repeat(200_000) + ']}"' });
    const many = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ type: 'indicator', n: i, s: `[${i}]` }));
    const text = `{"objects":[${big},${many.join(',')}]}`;
    const bytes = Buffer.from(text);
    const chunks = [];
    for (let i = 0; i < bytes.length; i += 65_536) chunks.push(bytes.subarray(i, i + 65_536));
    const out = await collect(chunks);
    expect(out).toHaveLength(5001);
    expect(out[0]).toBe(big);
    expect(out.slice(1)).toEqual(many);
  });

  describe('refuses what is not a bundle or envelope', () => {
    it.each([
      ['a top-level array', '[{"objects":[{"a":1}]}]', /JSON object/],
      ['a top-level string', '"objects"', /JSON object/],
      ['a top-level number', '42', /JSON object/],
      ['an object without objects', '{"type":"bundle","id":"bundle--1"}', /no top-level "objects" list/],
      ['an empty file', '', /no top-level "objects" list/],
      ['objects that is not a list', '{"objects":{"a":{"b":1}}}', /no top-level "objects" list/],
      ['objects that is null', '{"objects":null}', /no top-level "objects" list/],
      ['objects only nested', '{"x":{"objects":[{"a":1}]}}', /no top-level "objects" list/],
      ['a truncated file', '{"objects":[{"a":1},{"b":', /ends in the middle/],
      ['a file cut inside a string', '{"objects":[{"a":"b', /ends in the middle/],
      ['a file cut after the list', '{"objects":[{"a":1}]', /ends in the middle/],
      ['unbalanced closing brackets', '{"objects":[]}}', /./],
      ['text after the top-level object', '{"objects":[{"a":1}]} trailing', /after the top-level/],
      ['a second top-level object', '{"objects":[{"a":1}]}{"objects":[{"b":2}]}', /after the top-level/],
      ['text before the top-level object', 'x{"objects":[{"a":1}]}', /JSON object/],
    ])('%s', async (_what, text, message) => {
      const { error } = await failure([text]);
      expect(error).toMatchObject({ code: 'unreadable-bundle' });
      expect((error as Error).message).toMatch(message);
    });

    it('a truncated file yields the complete members before it fails', async () => {
      const { error, before } = await failure(['{"objects":[{"a":1},{"b":2},{"c":']);
      expect(error).toMatchObject({ code: 'unreadable-bundle' });
      expect(before).toEqual(['{"a":1}', '{"b":2}']);
    });
  });
});
