/**
 * The TAXII 2.1 resource schemas (schemas/taxii/) against the OASIS Standard of 10 June 2021.
 * Each describe block is named after the section that defines the resource; "the standard's
 * example" tests rebuild the JSON shown in that section. Three of those examples break the
 * standard's own normative tables; those tests pin down which rule the schemas follow.
 */
import { assertTaxiiResource, type TaxiiResource } from '../support/taxii-schemas';

function accepts(kind: TaxiiResource, body: unknown): void {
  expect(() => assertTaxiiResource(kind, body)).not.toThrow();
}

/** Asserts rejection and that the message names each expected problem (JSON pointer or text). */
function rejects(kind: TaxiiResource, body: unknown, ...fragments: string[]): string {
  let message = '';
  try {
    assertTaxiiResource(kind, body);
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).not.toBe('');
  for (const fragment of fragments) expect(message).toContain(fragment);
  return message;
}

/** Deep copy with some top-level properties replaced or (value undefined) removed. */
function withProps<T extends object>(base: T, changes: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(base) as Record<string, unknown>;
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  }
  return copy;
}

const TAXII_21 = 'application/taxii+json;version=2.1';
const STIX_21 = 'application/stix+json;version=2.1';

// A complete STIX 2.1 indicator (the standard's envelope examples elide it with "...").
const indicator = {
  type: 'indicator',
  spec_version: '2.1',
  id: 'indicator--252c7c11-daf2-42bd-843b-be65edca9f61',
  created: '2016-04-06T20:03:48.000Z',
  modified: '2016-04-06T20:03:48.000Z',
  indicator_types: ['malicious-activity'],
  name: 'Poison Ivy Malware',
  pattern: "[file:hashes.'SHA-256' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']",
  pattern_type: 'stix',
  valid_from: '2016-01-01T00:00:00Z',
};

/** A minimal valid body of every kind, for the rules that apply to all of them. */
const minimal: Record<TaxiiResource, Record<string, unknown>> = {
  discovery: { title: 'Accord' },
  'api-root': { title: 'Accord', versions: [TAXII_21], max_content_length: 10485760 },
  status: {
    id: '2d086da7-4bdc-4f91-900e-d77486753710',
    status: 'complete',
    total_count: 0,
    success_count: 0,
    failure_count: 0,
    pending_count: 0,
  },
  collections: {},
  collection: { id: '91a7b528-80eb-42ed-a74d-c6fbd5a26116', title: 'France (FR)', can_read: true, can_write: false },
  manifest: {},
  envelope: {},
  versions: {},
  error: { title: 'Not Found' },
};

const ALL_KINDS = Object.keys(minimal) as TaxiiResource[];

describe('TAXII 2.1 §2 Data Types', () => {
  const manifestWith = (dateAdded: unknown) => ({
    objects: [{ id: indicator.id, date_added: dateAdded, version: indicator.modified }],
  });

  test('timestamp: RFC 3339, UTC with Z, exactly microsecond precision', () => {
    accepts('manifest', manifestWith('2016-11-04T03:04:05.123456Z'));
    accepts('manifest', manifestWith('2020-02-29T23:59:59.999999Z'));
  });

  test.each([
    ['no fraction', '2016-11-04T03:04:05Z'],
    ['milliseconds only', '2016-11-04T03:04:05.123Z'],
    ['more than microseconds', '2016-11-04T03:04:05.1234567Z'],
    ['a numeric offset instead of Z', '2016-11-04T03:04:05.123456+00:00'],
    ['a lower-case z', '2016-11-04T03:04:05.123456z'],
    ['a space instead of T', '2016-11-04 03:04:05.123456Z'],
    ['a date that does not exist', '2021-02-29T03:04:05.123456Z'],
    ['hour 24', '2016-11-04T24:00:00.000000Z'],
    ['a number', 1478228645],
  ])('timestamp: rejects %s', (_why, value) => {
    rejects('manifest', manifestWith(value), '/objects/0/date_added');
  });

  test('identifier: a version 4 UUID, in either case', () => {
    accepts('status', withProps(minimal.status, { id: '88dc8293-827e-44f0-a592-4b5302fbe9d3' }));
    accepts('status', withProps(minimal.status, { id: '88DC8293-827E-44F0-A592-4B5302FBE9D3' }));
  });

  test.each([
    ['a version 5 UUID', '9f61804e-0a34-5155-b0d1-58b6043c5753'],
    ['a version 1 UUID', '2f3b42c4-e731-11f1-a4be-02fc00000001'],
    ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['a non-RFC 4122 variant', '88dc8293-827e-44f0-c592-4b5302fbe9d3'],
    ['no hyphens', '88dc8293827e44f0a5924b5302fbe9d3'],
    ['a STIX identifier', 'indicator--88dc8293-827e-44f0-a592-4b5302fbe9d3'],
  ])('identifier: rejects %s', (_why, id) => {
    rejects('status', withProps(minimal.status, { id }), '/id');
    rejects('collection', withProps(minimal.collection, { id }), '/id');
  });

  test('list: every list has at least one value', () => {
    rejects('discovery', { title: 'x', api_roots: [] }, '/api_roots');
    rejects('collection', withProps(minimal.collection, { media_types: [] }), '/media_types');
    rejects('versions', { versions: [] }, '/versions');
  });

  test('integer: whole numbers within the signed 54-bit range', () => {
    rejects('status', withProps(minimal.status, { total_count: 1.5 }), '/total_count');
    rejects('status', withProps(minimal.status, { total_count: 2 ** 53 }), '/total_count');
    accepts('status', withProps(minimal.status, { total_count: 2 ** 53 - 1, pending_count: 2 ** 53 - 1 }));
  });
});

describe('TAXII 2.1 §3.6.1 Error Message', () => {
  test("the standard's example", () => {
    accepts('error', {
      title: 'Error condition XYZ',
      description: 'This error is caused when the application tries to access data...',
      error_id: '1234',
      error_code: '581234',
      http_status: '409',
      external_details: 'http://example.com/ticketnumber1/errorid-1234',
      details: { somekey1: 'somevalue', somekey2: 'some other value' },
    });
  });

  test('title alone is enough', () => accepts('error', { title: 'Unauthorized' }));

  test('title is required', () => {
    rejects('error', { description: 'no title', http_status: '400' }, 'missing required property "title"');
  });

  test('http_status is a string, not a number', () => {
    rejects('error', { title: 'Bad Request', http_status: 400 }, '/http_status');
  });

  test('http_status is a 400- or 500-series code', () => {
    rejects('error', { title: 'OK?', http_status: '200' }, '/http_status');
    rejects('error', { title: 'Bad', http_status: '4000' }, '/http_status');
    accepts('error', { title: 'Server Error', http_status: '503' });
  });

  test('details is a dictionary, external_details a URL, the rest strings', () => {
    rejects('error', { title: 'x', details: 'text' }, '/details');
    rejects('error', { title: 'x', details: ['a'] }, '/details');
    rejects('error', { title: 'x', external_details: 'not a url' }, '/external_details');
    rejects('error', { title: 'x', error_id: 1234 }, '/error_id');
    rejects('error', { title: 'x', error_code: 581234 }, '/error_code');
  });
});

describe('TAXII 2.1 §3.7 Envelope Resource', () => {
  test("the standard's example, with its elided indicator filled in", () => {
    accepts('envelope', { more: true, next: '123456789', objects: [indicator] });
  });

  test('an empty result is an envelope without objects', () => {
    accepts('envelope', {});
    accepts('envelope', { more: false });
  });

  test('objects is never an empty list', () => {
    rejects('envelope', { objects: [] }, '/objects');
  });

  test('more is a boolean and next a string', () => {
    rejects('envelope', { more: 'true', objects: [indicator] }, '/more');
    rejects('envelope', { more: true, next: 123456789, objects: [indicator] }, '/next');
  });

  test('each object is a STIX object with type and id', () => {
    const { id: _id, ...noId } = indicator;
    const { type: _type, ...noType } = indicator;
    rejects('envelope', { objects: [noId] }, '/objects/0', '"id"');
    rejects('envelope', { objects: [noType] }, '/objects/0', '"type"');
    rejects('envelope', { objects: ['indicator'] }, '/objects/0');
    rejects('envelope', { objects: [{ ...indicator, id: 'indicator-252c7c11' }] }, '/objects/0/id');
  });

  test("an object's id prefix is its type", () => {
    rejects('envelope', { objects: [{ ...indicator, type: 'malware' }] }, '/objects/0/id', 'does not match type "malware"');
  });

  test('a STIX bundle is not a STIX object', () => {
    rejects(
      'envelope',
      { objects: [{ type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', objects: [indicator] }] },
      '/objects/0/type',
    );
  });

  test('custom STIX objects and properties pass through (checked by the STIX schemas, not here)', () => {
    accepts('envelope', {
      objects: [
        { ...indicator, x_mitre_version: '1.0' },
        { type: 'x-mitre-tactic', id: 'x-mitre-tactic--2558fd61-8c75-4730-94c4-11926db2a263', x_mitre_shortname: 'defense-evasion' },
      ],
    });
  });
});

describe('TAXII 2.1 §4.1.1 Discovery Resource', () => {
  const example = {
    title: 'Some TAXII Server',
    description: 'This TAXII Server contains a listing of...',
    contact: 'string containing contact information',
    default: 'https://example.com/api2/',
    api_roots: ['https://example.com/api1/', 'https://example.com/api2/', 'https://example.net/trustgroup1/'],
  };

  test("the standard's example", () => accepts('discovery', example));

  test('title is required; everything else is optional', () => {
    accepts('discovery', { title: 'Accord' });
    rejects('discovery', withProps(example, { title: undefined }), 'missing required property "title"');
  });

  test("the standard's valid API root URLs: absolute HTTPS or relative from /", () => {
    accepts('discovery', {
      title: 'x',
      api_roots: ['https://taxii.example.com:443/', 'https://someserver.example.net/apiroot1/', '/someapiroot/'],
    });
  });

  test.each([
    ['protocol-relative', '//someserver.example.com/apiroot1'],
    ['parent-relative', '../someapiroot/'],
    ['with a query component', 'https://foo.edu/bar?baz'],
    ['plain HTTP', 'http://example.com/api1/'],
  ])("the standard's invalid API root URLs: %s", (_why, url) => {
    rejects('discovery', { title: 'x', api_roots: [url] }, '/api_roots/0');
  });

  test('default must be one of api_roots', () => {
    rejects('discovery', withProps(example, { default: 'https://example.com/api9/' }), '/default', 'not an item of api_roots');
    rejects('discovery', { title: 'x', default: '/api1/' }, 'api_roots');
  });

  test('api_roots is a list of strings', () => {
    rejects('discovery', { title: 'x', api_roots: '/api1/' }, '/api_roots');
  });
});

describe('TAXII 2.1 §4.2.1 API Root Resource', () => {
  const example = {
    title: 'Malware Research Group',
    description: 'A trust group setup for malware researchers',
    versions: [TAXII_21],
    max_content_length: 104857600,
  };

  test("the standard's example", () => accepts('api-root', example));

  test.each(['title', 'versions', 'max_content_length'])('%s is required', (property) => {
    rejects('api-root', withProps(example, { [property]: undefined }), `missing required property "${property}"`);
  });

  test('versions must include application/taxii+json;version=2.1', () => {
    rejects('api-root', withProps(example, { versions: ['application/taxii+json;version=2.0'] }), '/versions');
    accepts('api-root', withProps(example, { versions: ['application/taxii+json;version=2.0', TAXII_21] }));
  });

  test('versions are TAXII media types with the version parameter', () => {
    rejects('api-root', withProps(example, { versions: [TAXII_21, 'application/taxii+json'] }), '/versions/1');
    rejects('api-root', withProps(example, { versions: [TAXII_21, '2.1'] }), '/versions/1');
    rejects('api-root', withProps(example, { versions: TAXII_21 }), '/versions');
  });

  test('max_content_length is a positive integer', () => {
    rejects('api-root', withProps(example, { max_content_length: 0 }), '/max_content_length');
    rejects('api-root', withProps(example, { max_content_length: 1.5 }), '/max_content_length');
    rejects('api-root', withProps(example, { max_content_length: '104857600' }), '/max_content_length');
  });
});

describe('TAXII 2.1 §4.3.1 Status Resource', () => {
  // The standard's GET status example (4.3), as printed.
  const example = {
    id: '2d086da7-4bdc-4f91-900e-d77486753710',
    status: 'pending',
    request_timestamp: '2016-11-02T12:34:34.12345Z',
    total_count: 4,
    success_count: 1,
    successes: [{ id: 'indicator--c410e480-e42b-47d1-9476-85307c12bcbf', version: '2018-05-27T12:02:41.312Z' }],
    failure_count: 1,
    failures: [
      {
        id: 'malware--664fa29d-bf65-4f28-a667-bdb76f29ec98',
        version: '2018-05-28T14:03:42.543Z',
        message: 'Unable to process object',
      },
    ],
    pending_count: 2,
    pendings: [
      { id: 'indicator--252c7c11-daf2-42bd-843b-be65edca9f61', version: '2018-05-18T20:16:21.148Z' },
      { id: 'relationship--045585ad-a22f-4333-af33-bfd503a683b5', version: '2018-05-15T10:13:32.579Z' },
    ],
  };

  test("the standard's example with failures and pendings, its timestamp given the required six digits", () => {
    accepts('status', withProps(example, { request_timestamp: '2016-11-02T12:34:34.123450Z' }));
  });

  test("the standard's example as printed: request_timestamp has five fraction digits, which §2 forbids", () => {
    const message = rejects('status', example, '/request_timestamp');
    expect(message.trim().split('\n')).toHaveLength(2); // the heading and this one problem
  });

  test("the standard's Add Objects reply (§5.5) omits status-details version, which the table requires", () => {
    rejects(
      'status',
      {
        id: '2d086da7-4bdc-4f91-900e-d77486753710',
        status: 'pending',
        request_timestamp: '2016-11-02T12:34:34.123450Z',
        total_count: 4,
        success_count: 1,
        successes: [{ id: 'indicator--c410e480-e42b-47d1-9476-85307c12bcbf' }],
        failure_count: 0,
        pending_count: 3,
      },
      '/successes/0: missing required property "version"',
    );
  });

  test('a complete status with only counts', () => {
    accepts('status', withProps(minimal.status, { total_count: 3, success_count: 2, failure_count: 1 }));
  });

  test.each(['id', 'status', 'total_count', 'success_count', 'failure_count', 'pending_count'])('%s is required', (property) => {
    rejects('status', withProps(minimal.status, { [property]: undefined }), `missing required property "${property}"`);
  });

  test('status is complete or pending', () => {
    rejects('status', withProps(minimal.status, { status: 'completed' }), '/status');
    rejects('status', withProps(minimal.status, { status: 'COMPLETE' }), '/status');
  });

  test('counts are integers not below zero', () => {
    rejects('status', withProps(minimal.status, { failure_count: -1 }), '/failure_count');
    rejects('status', withProps(minimal.status, { success_count: '1' }), '/success_count');
  });

  test('status-details: id and version required, message optional, all strings', () => {
    rejects(
      'status',
      withProps(minimal.status, { failures: [{ version: '2018-05-28T14:03:42.543Z' }] }),
      '/failures/0: missing required property "id"',
    );
    rejects('status', withProps(minimal.status, { failures: [{ id: 'x--1', version: '1', message: 42 }] }), '/failures/0/message');
    rejects('status', withProps(minimal.status, { pendings: [{ id: 'x--1', version: 20180528 }] }), '/pendings/0/version');
  });

  test('the detail lists are never empty', () => {
    rejects('status', withProps(minimal.status, { successes: [] }), '/successes');
    rejects('status', withProps(minimal.status, { failures: [] }), '/failures');
    rejects('status', withProps(minimal.status, { pendings: [] }), '/pendings');
  });

  test('request_timestamp is a TAXII timestamp', () => {
    rejects('status', withProps(minimal.status, { request_timestamp: '2016-11-02T12:34:34.123Z' }), '/request_timestamp');
    accepts('status', withProps(minimal.status, { request_timestamp: '2016-11-02T12:34:34.123000Z' }));
  });
});

describe('TAXII 2.1 §5.1.1 Collections Resource', () => {
  const example = {
    collections: [
      {
        id: '91a7b528-80eb-42ed-a74d-c6fbd5a26116',
        title: 'High Value Indicator Collection',
        description: 'This data collection contains high value IOCs',
        can_read: true,
        can_write: false,
        media_types: [STIX_21],
      },
      {
        id: '52892447-4d7e-4f70-b94d-d7f22742ff63',
        title: 'Indicators from the past 24-hours',
        description: 'This data collection is for collecting current IOCs',
        can_read: true,
        can_write: false,
        media_types: [STIX_21],
      },
    ],
  };

  test("the standard's example", () => accepts('collections', example));

  test('no collections: the key is omitted, never an empty list', () => {
    accepts('collections', {});
    rejects('collections', { collections: [] }, '/collections');
  });

  test('each item is a collection resource', () => {
    rejects('collections', { collections: [{ id: '91a7b528-80eb-42ed-a74d-c6fbd5a26116', title: 'x' }] }, '/collections/0', '"can_read"');
  });

  test('aliases are unique within the API root', () => {
    const [first, second] = example.collections;
    rejects(
      'collections',
      {
        collections: [
          { ...first, alias: 'fr' },
          { ...second, alias: 'fr' },
        ],
      },
      '/collections/1/alias',
    );
    accepts('collections', {
      collections: [
        { ...first, alias: 'fr' },
        { ...second, alias: 'de' },
      ],
    });
  });
});

describe('TAXII 2.1 §5.2.1 Collection Resource', () => {
  const example = {
    id: '91a7b528-80eb-42ed-a74d-c6fbd5a26116',
    title: 'High Value Indicator Collection',
    description: 'This data collection contains high value IOCs',
    can_read: true,
    can_write: false,
    media_types: [STIX_21],
  };

  test("the standard's example", () => accepts('collection', example));

  test('with an alias, as Accord gives each country collection', () => {
    accepts('collection', withProps(example, { title: 'France (FR)', alias: 'fr' }));
  });

  test.each(['id', 'title', 'can_read', 'can_write'])('%s is required', (property) => {
    rejects('collection', withProps(example, { [property]: undefined }), `missing required property "${property}"`);
  });

  test('can_read and can_write are booleans', () => {
    rejects('collection', withProps(example, { can_read: 'true' }), '/can_read');
    rejects('collection', withProps(example, { can_write: 0 }), '/can_write');
  });

  test('alias and description are strings; media_types a list of media types', () => {
    rejects('collection', withProps(example, { alias: 33 }), '/alias');
    rejects('collection', withProps(example, { description: null }), '/description');
    rejects('collection', withProps(example, { media_types: STIX_21 }), '/media_types');
    rejects('collection', withProps(example, { media_types: ['stix'] }), '/media_types/0');
    accepts('collection', withProps(example, { media_types: ['application/stix+json;version=2.0', STIX_21] }));
  });

  test('id is a version 4 UUID: a name-based version 5 UUID does not qualify', () => {
    rejects('collection', withProps(example, { id: '9f61804e-0a34-5155-b0d1-58b6043c5753' }), '/id');
  });
});

describe('TAXII 2.1 §5.3.1 Manifest Resource', () => {
  // The standard's example (5.3), as printed: "03:04:051Z" is not a time of day.
  const example = {
    objects: [
      {
        id: 'indicator--29aba82c-5393-42a8-9edb-6a2cb1df070b',
        date_added: '2016-11-04T03:04:051Z',
        version: '2016-11-03T12:30:59.000Z',
        media_type: STIX_21,
      },
      {
        id: 'indicator--ef0b28e1-308c-4a30-8770-9b4851b260a5',
        date_added: '2016-11-04T10:29:061Z',
        version: '2016-11-03T12:35:10.000Z',
        media_type: STIX_21,
      },
    ],
  };

  test("the standard's example with its date_added typos corrected", () => {
    const fixed = structuredClone(example);
    fixed.objects[0]!.date_added = '2016-11-04T03:04:05.100000Z';
    fixed.objects[1]!.date_added = '2016-11-04T10:29:06.100000Z';
    accepts('manifest', fixed);
    accepts('manifest', { more: true, ...fixed });
  });

  test("the standard's example as printed is rejected for both date_added values", () => {
    rejects('manifest', example, '/objects/0/date_added', '/objects/1/date_added');
  });

  test('no records: objects is omitted, never an empty list', () => {
    accepts('manifest', {});
    rejects('manifest', { objects: [] }, '/objects');
  });

  test.each(['id', 'date_added', 'version'])('manifest-record %s is required', (property) => {
    const record = withProps({ id: indicator.id, date_added: '2016-11-04T03:04:05.100000Z', version: indicator.modified }, { [property]: undefined });
    rejects('manifest', { objects: [record] }, `/objects/0: missing required property "${property}"`);
  });

  test('media_type is optional and a media type', () => {
    accepts('manifest', { objects: [{ id: indicator.id, date_added: '2016-11-04T03:04:05.100000Z', version: indicator.modified }] });
    rejects(
      'manifest',
      { objects: [{ id: indicator.id, date_added: '2016-11-04T03:04:05.100000Z', version: indicator.modified, media_type: 'stix 2.1' }] },
      '/objects/0/media_type',
    );
  });

  test('more is a boolean', () => {
    rejects('manifest', { more: 1 }, '/more');
  });
});

describe('TAXII 2.1 §5.8.1 Versions Resource', () => {
  test("the standard's example", () => {
    accepts('versions', { versions: ['2016-11-03T12:30:59.000Z', '2016-11-03T12:31:00.000Z'] });
  });

  test('with more, and empty when there are no versions', () => {
    accepts('versions', { more: true, versions: ['2016-11-03T12:30:59.000Z'] });
    accepts('versions', {});
  });

  test('versions is a non-empty list of strings', () => {
    rejects('versions', { versions: [] }, '/versions');
    rejects('versions', { versions: '2016-11-03T12:30:59.000Z' }, '/versions');
    rejects('versions', { versions: [1478176259000] }, '/versions/0');
  });

  test('more is a boolean', () => {
    rejects('versions', { more: 'false' }, '/more');
  });
});

describe('TAXII 2.1 §7.1 Custom Properties', () => {
  test.each(ALL_KINDS)('%s: a custom property such as x_acmeinc_scoring is allowed', (kind) => {
    accepts(kind, { ...minimal[kind], x_acmeinc_scoring: { impact: 'high', probability: 'low' } });
  });

  test.each(ALL_KINDS)('%s: a name outside a-z 0-9 _ is neither TAXII nor a custom property', (kind) => {
    rejects(kind, { ...minimal[kind], Title: 'x' }, 'property "Title"');
    rejects(kind, { ...minimal[kind], 'x-acme': 1 }, 'property "x-acme"');
  });

  test('custom property names are 3 to 250 characters', () => {
    rejects('discovery', { title: 'x', ab: 1 }, 'property "ab"');
    accepts('discovery', { title: 'x', ['x_' + 'a'.repeat(248)]: 1 });
    rejects('discovery', { title: 'x', ['x_' + 'a'.repeat(249)]: 1 }, 'is not defined by TAXII 2.1');
  });

  test('custom properties inside status-details and manifest-record follow the same rule', () => {
    accepts('status', withProps(minimal.status, { failures: [{ id: 'x--1', version: '1', x_accord_reason: 'marking' }] }));
    rejects('status', withProps(minimal.status, { failures: [{ id: 'x--1', version: '1', Reason: 'marking' }] }), '/failures/0');
  });
});

describe('assertTaxiiResource', () => {
  test('lists every violation, one per line, not just the first', () => {
    const message = rejects(
      'collection',
      { id: 'nope', title: 7, can_read: 'yes', Alias: 'fr' },
      '/id',
      '/title',
      '/can_read',
      'property "Alias"',
      '"can_write"',
    );
    expect(message.split('\n').length).toBeGreaterThanOrEqual(6);
  });

  test.each(ALL_KINDS)('%s: a body that is not a JSON object is rejected', (kind) => {
    for (const body of [null, [], 'text', 42, undefined]) rejects(kind, body, '(root)');
  });

  test('an unknown kind is an error, not a pass', () => {
    expect(() => assertTaxiiResource('bundle' as TaxiiResource, {})).toThrow('unknown TAXII resource kind "bundle"');
  });
});
