/**
 * The one pass over a request body's bytes (src/taxii/json-depth.ts scanJson, issue 15) must
 * decide exactly what the text scans decide: the nesting depth (jsonDepth of the text), the
 * envelope's members (what JSON.parse finds in its `objects`), and
 * whether markUnsafeNumbers would replace a number (issue #12 item 7: integers outside
 * ±(2^53−1), STIX 2.1 §2.11, and numbers too large for a double are refused, not altered).
 */
import fc from 'fast-check';
import { markUnsafeNumbers } from '../../src/stix/json-numbers';
import { jsonDepth, scanJson } from '../../src/taxii/json-depth';

const scan = (text: string) => scanJson(Buffer.from(text, 'utf8'));
const unsafe = (text: string) => markUnsafeNumbers(text).marker !== undefined;

describe('scanJson: depth and unsafe numbers of a body in one pass over its bytes', () => {
  it.each([
    ['9007199254740991', false],
    ['-9007199254740991', false],
    ['9007199254740992', true],
    ['1208925819614629174706176', true],
    ['123456789012345', false],
    ['1.5e3', false],
    ['1e999', true],
    ['-1E400', true],
    ['0.000000000000000000001', false],
  ])('§2.11 the number %s is unsafe: %s', (n, expected) => {
    const text = `{"objects":[{"count":${n}}]}`;
    expect(scan(text).unsafeNumbers).toBe(expected);
    expect(unsafe(text)).toBe(expected);
  });

  it('numbers inside strings, escaped quotes included, are text, not numbers', () => {
    const text = '{"a":"9007199254740993 \\" 1e999","b":[1,2,{"c":"\\\\"}]}';
    expect(scan(text)).toEqual({ depth: 3, members: 3, unsafeNumbers: false });
  });

  it('agrees with the text scans on any JSON value, non-ASCII strings included', () => {
    const number = fc.oneof(
      fc.integer().map(String),
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d)),
      fc.constantFrom('1e999', '-2E308', '1.7976931348623157e308'),
    );
    const leaf = fc.oneof(
      number,
      fc.string({ unit: 'grapheme' }).map((s) => JSON.stringify(s)),
    );
    const value = fc.letrec<{ json: string }>((tie) => ({
      json: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('json'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
        fc.array(fc.tuple(fc.string(), tie('json')), { maxLength: 4 }).map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
      ),
    })).json;
    fc.assert(
      fc.property(value, (text) => {
        expect(scan(text)).toMatchObject({ depth: jsonDepth(text), unsafeNumbers: unsafe(text) });
      }),
      { numRuns: 500 },
    );
    // TAXII 2.1 §3.7 Envelope: members are the values of its `objects` list, however laid out.
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 20 }), fc.constantFrom(undefined, 1, '\t'), (objects, indent) => {
        expect(scan(JSON.stringify({ objects }, null, indent)).members).toBe(objects.length);
      }),
      { numRuns: 300 },
    );
  });
});
