import fc from 'fast-check';
import { canonicalHash, canonicalJson, canonicalParts, chainLink, eventHash, linkParts } from '../../src/audit/chain';
import type { AuditEventInput } from '../../src/audit/events';
import { formatTimestamp } from '../../src/time';

/** Reference canonical form: every object rebuilt with sorted keys, then native JSON. */
function reference(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reference);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, reference((value as Record<string, unknown>)[k])]),
  );
}

describe('sharing log: canonical JSON of events (the hashed form)', () => {
  it('is one text per value: keys sorted at every level, whatever order they were written in (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(JSON.stringify(reference(value)) ?? 'null');
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a "__proto__" key as a key (query parameter names come from clients)', () => {
    expect(canonicalJson(JSON.parse('{"query":{"z":"1","__proto__":"x"}}'))).toBe('{"query":{"__proto__":"x","z":"1"}}');
  });

  it('orders keys that are array indices first, numerically, as every event was hashed so far', () => {
    expect(canonicalJson({ b: 1, 10: 2, a: 3, 9: 4 })).toBe('{"9":4,"10":2,"a":3,"b":1}');
    expect(canonicalJson({ query: { '!': 'x', 1: 'y' } })).toBe('{"query":{"1":"y","!":"x"}}');
  });

  it('the same fields in another key order give the same text and hash', () => {
    const a = { seq: 2, action: 'objects.read', objects: [{ id: 'indicator--1', version: 'v' }], query: { limit: '1', added_after: 't' } };
    const b = { query: { added_after: 't', limit: '1' }, objects: [{ version: 'v', id: 'indicator--1' }], action: 'objects.read', seq: 2 };
    expect(canonicalJson(b)).toBe(canonicalJson(a));
    expect(eventHash(b)).toBe(eventHash(a));
    expect(canonicalHash(canonicalJson(a))).toBe(eventHash(a));
    expect(canonicalJson(a)).toBe(
      '{"action":"objects.read","objects":[{"id":"indicator--1","version":"v"}],"query":{"added_after":"t","limit":"1"},"seq":2}',
    );
  });

  it('an event prepared on the request thread and linked by the writer hashes exactly the canonical JSON of its fields (property)', () => {
    // Any fields, including ones sorting before, between and after the chain's id, prev_hash and seq.
    const fields = fc.dictionary(
      fc.oneof(
        fc.string(),
        fc.constantFrom('action', 'collection', 'hash', 'idx', 'objects', 'party', 'query', 'seq0', 'status_id', 'zz', '0', '10'),
      ),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(fields, fc.integer({ min: 0, max: 2 ** 40 }), fc.nat(), fc.uuid(), (extra, time, seq, id) => {
        const input = { ...extra, time, action: 'objects.read', outcome: 'success' } as AuditEventInput;
        const prev = { seq, hash: canonicalHash(String(seq)) };
        const { event, body } = chainLink(prev, input, id);
        const { hash, ...hashed } = event;
        // What verification re-hashes: the stored event without its hash.
        expect(body).toBe(canonicalJson(hashed));
        expect(hashed).toMatchObject({ seq: seq + 1, id, time: formatTimestamp(time), prev_hash: prev.hash });
        expect(hash).toBe(canonicalHash(body));
        expect(eventHash(hashed)).toBe(hash);
        expect(linkParts(prev, canonicalParts(input), id)).toEqual({ seq: seq + 1, body, hash });
      }),
      { numRuns: 1000 },
    );
  });
});
