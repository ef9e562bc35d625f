/**
 * src/taxii/filters.ts: TAXII 2.1 §3.4 Filtering and §3.5 Pagination parameters, per
 * endpoint. Every parameter an endpoint does not take, and every malformed value, is a 400
 * (AccordError 'bad-request'), never ignored.
 */
import { AccordError } from '../../src/errors';
import { encodeCursor } from '../../src/taxii/cursor';
import { cursorScope, parseFilters, type Endpoint, type Filters, type RawQuery } from '../../src/taxii/filters';
import { parseTimestamp } from '../../src/time';

const OPTIONS = { pageCap: 100, scope: '2b1f0a1e-6a8c-4d0e-9f53-1c1f7c0c2a01|' };
const ID1 = 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f';
const ID2 = 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b';
const T1 = '2016-04-06T20:03:48.123456Z';
const T1_US = parseTimestamp(T1) as number;

const LAST = { all: false, first: false, last: true, at: [] };
const ALL = { all: true, first: false, last: false, at: [] };

function rejected(endpoint: Endpoint, query: RawQuery, options = OPTIONS): AccordError {
  try {
    parseFilters(endpoint, query, options);
  } catch (e) {
    if (e instanceof AccordError) return e;
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(query)} on ${endpoint}`);
}

/** A valid `next` for the filters the other parameters of `query` give. */
function nextFor(endpoint: Endpoint, query: RawQuery, position = T1_US): string {
  return encodeCursor(position, cursorScope(OPTIONS.scope, parseFilters(endpoint, query, OPTIONS)));
}

// The checklist's table (TAXII 2.1 §5.3–§5.8): which endpoint takes which parameter.
const TABLE: Record<Endpoint, string[]> = {
  objects: ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]'],
  manifest: ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]'],
  object: ['added_after', 'limit', 'next', 'match[version]', 'match[spec_version]'],
  versions: ['added_after', 'limit', 'next', 'match[spec_version]'],
  delete: ['match[version]', 'match[spec_version]'],
};
const EVERY = ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]'];
const VALID: Record<string, string> = {
  added_after: T1,
  limit: '5',
  'match[id]': ID1,
  'match[type]': 'indicator',
  'match[version]': 'first',
  'match[spec_version]': '2.1',
};
const ENDPOINTS = Object.keys(TABLE) as Endpoint[];

describe('TAXII 2.1 §3.4 which endpoint takes which parameter', () => {
  describe.each(ENDPOINTS)('%s', (endpoint) => {
    it.each(TABLE[endpoint])('accepts %s', (name) => {
      const value = name === 'next' ? nextFor(endpoint, {}) : (VALID[name] as string);
      expect(() => parseFilters(endpoint, { [name]: value }, OPTIONS)).not.toThrow();
    });

    const refused = [...EVERY.filter((n) => !TABLE[endpoint].includes(n)), 'match[foo]', 'match', 'foo', 'Limit', 'match[ID]', 'added-after'];
    it.each(refused)('refuses %s with a 400 naming it', (name) => {
      const e = rejected(endpoint, { [name]: name === 'next' ? nextFor('objects', {}) : (VALID[name] ?? 'x') });
      expect(e.kind).toBe('bad-request');
      expect(e.title).toBe('Unknown parameter');
      expect(e.description).toContain(`"${name}"`);
    });

    it('takes all its parameters together', () => {
      const query: RawQuery = {};
      for (const name of TABLE[endpoint]) if (name !== 'next') query[name] = VALID[name];
      if (TABLE[endpoint].includes('next')) query.next = nextFor(endpoint, { ...query });
      expect(() => parseFilters(endpoint, query, OPTIONS)).not.toThrow();
    });
  });
});

describe('TAXII 2.1 §3.4 defaults', () => {
  it.each([
    ['objects', LAST],
    ['manifest', LAST],
    ['object', LAST],
    ['versions', ALL],
    ['delete', ALL],
  ] as const)('%s: no parameters select %j, up to the page cap, every spec version filter off', (endpoint, versions) => {
    expect(parseFilters(endpoint, {}, OPTIONS)).toEqual({ versions, limit: 100 });
  });
});

describe('TAXII 2.1 §3.5 limit', () => {
  it.each([
    ['1', 1],
    ['7', 7],
    ['100', 100],
    ['101', 100],
    ['999999999', 100],
  ])('limit=%s gives a page of %d (capped at the page cap)', (limit, expected) => {
    expect(parseFilters('objects', { limit }, OPTIONS).limit).toBe(expected);
  });

  it.each(['0', 'abc', '-1', '1e3', '1.5', '+5', ' 5', '5 ', '0x10', '', '05', '1000000000', '١٢'])('limit=%j is a 400', (limit) => {
    const e = rejected('objects', { limit });
    expect(e.kind).toBe('bad-request');
    expect(e.description).toContain('"limit"');
  });

  it('a repeated limit is a 400', () => {
    expect(rejected('objects', { limit: ['5', '5'] }).title).toBe('Repeated parameter');
  });
});

describe('TAXII 2.1 §3.4 added_after', () => {
  it('is parsed to microseconds in any RFC 3339 form', () => {
    expect(parseFilters('objects', { added_after: T1 }, OPTIONS).addedAfter).toBe(T1_US);
    expect(parseFilters('objects', { added_after: '2016-04-06T22:03:48.123456+02:00' }, OPTIONS).addedAfter).toBe(T1_US);
  });

  it.each(['yesterday', '2016-02-30T00:00:00Z', '2016-04-06', '', '1459973028'])('added_after=%j is a 400 naming it', (value) => {
    const e = rejected('manifest', { added_after: value });
    expect(e.kind).toBe('bad-request');
    expect(e.description).toContain('"added_after"');
  });

  it('a repeated added_after is a 400, even with equal values', () => {
    const e = rejected('objects', { added_after: [T1, T1] });
    expect([e.kind, e.title]).toEqual(['bad-request', 'Repeated parameter']);
  });

  it('a non-string value (an object from a nested query parser) is a 400', () => {
    expect(rejected('objects', { added_after: { gt: T1 } }).title).toBe('Malformed parameter');
  });
});

describe('TAXII 2.1 §3.4.1 match[...] lists', () => {
  it('match[id]: a comma list, duplicates dropped, order kept', () => {
    expect(parseFilters('objects', { 'match[id]': `${ID1},${ID2}` }, OPTIONS).ids).toEqual([ID1, ID2]);
    expect(parseFilters('objects', { 'match[id]': `${ID2},${ID1},${ID2}` }, OPTIONS).ids).toEqual([ID2, ID1]);
    expect(parseFilters('objects', { 'match[id]': `${ID1}, ${ID1}` }, OPTIONS).ids).toEqual([ID1]);
  });

  it('match[type] and match[spec_version]: comma lists', () => {
    const f = parseFilters('manifest', { 'match[type]': 'indicator,malware,x-acme-widget', 'match[spec_version]': '2.0,2.1' }, OPTIONS);
    expect([f.types, f.specVersions]).toEqual([
      ['indicator', 'malware', 'x-acme-widget'],
      ['2.0', '2.1'],
    ]);
  });

  // Regression (issue 13 item 5): a repeated filter used to be read as more values (200).
  it.each(['match[id]', 'match[type]', 'match[version]', 'match[spec_version]'])(
    '%s given twice is a 400 "Repeated parameter" naming it, even with equal values',
    (name) => {
      const value = { 'match[id]': ID1, 'match[type]': 'indicator', 'match[version]': 'last', 'match[spec_version]': '2.1' }[name] as string;
      const e = rejected('objects', { [name]: [value, value] });
      expect([e.kind, e.title]).toEqual(['bad-request', 'Repeated parameter']);
      expect(e.description).toContain(`"${name}"`);
    },
  );

  it.each([
    ['match[id]', 'indicator'],
    ['match[id]', 'indicator--not-a-uuid'],
    ['match[id]', 'Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'],
    ['match[id]', `${ID1},`],
    ['match[id]', `,${ID1}`],
    ['match[id]', `${ID1},,${ID2}`],
    ['match[type]', 'Indicator'],
    ['match[type]', 'x_acme'],
    ['match[type]', '-indicator'],
    ['match[type]', ''],
    ['match[spec_version]', '2'],
    ['match[spec_version]', '2.1.0'],
    ['match[spec_version]', 'v2.1'],
    ['match[spec_version]', '2.1,latest'],
  ])('%s=%j is a 400 naming the parameter', (name, value) => {
    const e = rejected('objects', { [name]: value });
    expect([e.kind, e.title]).toEqual(['bad-request', 'Malformed parameter']);
    expect(e.description).toContain(`"${name}"`);
  });

  it('a non-string value (an object from a nested query parser) is a 400', () => {
    expect(rejected('objects', { 'match[type]': { a: 'b' } }).title).toBe('Malformed parameter');
  });
});

describe('TAXII 2.1 §3.4.1 match[version]', () => {
  it.each([
    ['first', { all: false, first: true, last: false, at: [] }],
    ['last', LAST],
    ['all', ALL],
    ['first,last', { all: false, first: true, last: true, at: [] }],
    ['last,first,last', { all: false, first: true, last: true, at: [] }],
    [`${T1},first`, { all: false, first: true, last: false, at: [T1_US] }],
    [`${T1},2016-04-06T22:03:48.123456+02:00`, { all: false, first: false, last: false, at: [T1_US] }],
    [
      '2016-01-01T00:00:00Z,2017-01-01T00:00:00.5Z',
      { all: false, first: false, last: false, at: [Date.UTC(2016, 0, 1) * 1000, Date.UTC(2017, 0, 1) * 1000 + 500_000] },
    ],
  ])('match[version]=%s', (value, versions) => {
    expect(parseFilters('objects', { 'match[version]': value }, OPTIONS).versions).toEqual(versions);
  });

  // Regression (issue 13 item 5): "all" with other values used to answer 200.
  it.each(['all,last', 'first,all', `all,${T1}`])('match[version]=%s ("all" combined with other values) is a 400', (value) => {
    const e = rejected('objects', { 'match[version]': value });
    expect([e.kind, e.title]).toEqual(['bad-request', 'Malformed parameter']);
    expect(e.description).toContain('"match[version]=all"');
  });

  it('overrides the all-versions default of delete', () => {
    expect(parseFilters('delete', { 'match[version]': 'last' }, OPTIONS).versions).toEqual(LAST);
  });

  it.each(['newest', 'First', 'LAST', '2016-02-30T00:00:00Z', 'first,', '', '2016'])('match[version]=%j is a 400', (value) => {
    const e = rejected('objects', { 'match[version]': value });
    expect([e.kind, e.title]).toEqual(['bad-request', 'Malformed parameter']);
    expect(e.description).toContain('"match[version]"');
  });
});

describe('TAXII 2.1 §3.5 next is bound to its query', () => {
  it('a cursor decodes to its position under the same filters, in any order', () => {
    const query = { 'match[type]': 'indicator,malware', 'match[version]': 'all', added_after: T1 };
    const next = nextFor('objects', query, T1_US + 42);
    const f: Filters = parseFilters('objects', { 'match[version]': 'all', added_after: T1, 'match[type]': 'malware,indicator', next }, OPTIONS);
    expect(f.after).toBe(T1_US + 42);
  });

  it('a different limit keeps the cursor valid (clients may change the page size)', () => {
    const next = nextFor('objects', { limit: '5' });
    expect(parseFilters('objects', { limit: '7', next }, OPTIONS).after).toBe(T1_US);
  });

  it.each([
    [{ 'match[type]': 'indicator' }, { 'match[type]': 'malware' }],
    [{ 'match[type]': 'indicator' }, {}],
    [{}, { 'match[id]': ID1 }],
    [{ 'match[version]': 'first' }, { 'match[version]': 'last' }],
    [{}, { 'match[version]': 'all' }],
    [{ 'match[spec_version]': '2.1' }, { 'match[spec_version]': '2.0' }],
    [{}, { 'match[spec_version]': '2.1' }],
    [{ added_after: T1 }, { added_after: '2016-04-06T20:03:48.123457Z' }],
    [{ added_after: T1 }, {}],
  ] as RawQuery[][])('a cursor issued for %j is refused with %j', (issuedFor, usedWith) => {
    const next = nextFor('objects', issuedFor);
    const e = rejected('objects', { ...usedWith, next });
    expect([e.kind, e.title]).toEqual(['bad-request', 'Malformed parameter']);
    expect(e.description).toMatch(/different query/);
  });

  it('a cursor for one collection or object is refused on another', () => {
    const next = nextFor('object', {});
    expect(rejected('object', { next }, { ...OPTIONS, scope: `${OPTIONS.scope}${ID1}` }).kind).toBe('bad-request');
    expect(rejected('object', { next }, { ...OPTIONS, scope: '5e9d4c43-0f6e-4b8a-8c11-8d3f2f4a9b02|' }).kind).toBe('bad-request');
  });

  it('a garbage or repeated next is a 400', () => {
    expect(rejected('objects', { next: 'garbage' }).title).toBe('Malformed parameter');
    const next = nextFor('objects', {});
    expect(rejected('objects', { next: [next, next] }).title).toBe('Repeated parameter');
  });
});
