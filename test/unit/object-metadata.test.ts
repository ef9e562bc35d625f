/**
 * src/taxii/object-metadata.ts: what the store indexes for a pushed object (type, id,
 * spec_version, version, TLP level), and per-object failures for anything it cannot index.
 * Full STIX validation (src/stix/validator.ts) runs first; these tests check the outcome an
 * Add Objects request (TAXII 2.1 §5.5) gets for each object, not the validator's wording.
 */
import { objectMetadata, prepareObjects, UnparsableObject, validatorFor, type MetadataResult } from '../../src/taxii/object-metadata';
import { parseTimestamp } from '../../src/time';

const BOTH = validatorFor({ contentPolicy: 'permissive', allowedSpecVersions: ['2.0', '2.1'] });
const ONLY_21 = validatorFor({ contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] });
const UUID = '8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f';
const CREATED = '2016-04-06T20:03:48.000Z';
const MODIFIED = '2017-01-01T00:00:00.123456789Z';
const us = (t: string) => parseTimestamp(t) as number;

const malware = (extra: Record<string, unknown> = {}) => ({
  type: 'malware',
  spec_version: '2.1',
  id: `malware--${UUID}`,
  created: CREATED,
  modified: MODIFIED,
  name: 'Poison Ivy',
  is_family: false,
  ...extra,
});
/** A STIX 2.0 indicator: no spec_version, `labels` required. */
const indicator20 = (extra: Record<string, unknown> = {}) => ({
  type: 'indicator',
  id: `indicator--${UUID}`,
  created: CREATED,
  modified: CREATED,
  labels: ['malicious-activity'],
  pattern: "[ipv4-addr:value = '198.51.100.1']",
  valid_from: CREATED,
  ...extra,
});
const ipv4 = (extra: Record<string, unknown> = {}) => ({ type: 'ipv4-addr', id: `ipv4-addr--${UUID}`, value: '198.51.100.1', ...extra });

function ok(r: MetadataResult) {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.failure)}`);
  return r.object;
}
function failed(r: MetadataResult) {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.object)}`);
  return r.failure;
}

describe('objectMetadata: what the store indexes', () => {
  it('a STIX 2.1 SDO: its type, id, spec_version, version = modified (to the microsecond) and exact JSON', () => {
    const value = malware();
    expect(ok(objectMetadata(value, 0, BOTH))).toEqual({
      id: `malware--${UUID}`,
      type: 'malware',
      specVersion: '2.1',
      version: us('2017-01-01T00:00:00.123456Z'),
      // As written, sub-microsecond digits included: what manifests and version lists give back.
      versionText: '2017-01-01T00:00:00.123456789Z',
      tlp: -1,
      json: JSON.stringify(value),
    });
  });

  it('version falls back to created when there is no modified (a marking definition)', () => {
    const marking = {
      type: 'marking-definition',
      spec_version: '2.1',
      id: `marking-definition--${UUID}`,
      created: CREATED,
      definition_type: 'statement',
      definition: { statement: 'Copyright Example Corp' },
    };
    expect(ok(objectMetadata(marking, 0, BOTH))).toMatchObject({ specVersion: '2.1', version: us(CREATED) });
  });

  it('an SCO without spec_version is STIX 2.1, and without timestamps its version is null (the store uses date_added)', () => {
    expect(ok(objectMetadata(ipv4(), 0, ONLY_21))).toMatchObject({ type: 'ipv4-addr', specVersion: '2.1', version: null });
  });

  it('an SDO without spec_version is STIX 2.0', () => {
    expect(ok(objectMetadata(indicator20(), 0, BOTH))).toMatchObject({ type: 'indicator', specVersion: '2.0', version: us(CREATED) });
  });

  it('an SDO without spec_version is refused where only STIX 2.1 is accepted', () => {
    const f = failed(objectMetadata(indicator20(), 4, ONLY_21));
    expect([f.id, f.version]).toEqual([`indicator--${UUID}`, CREATED]);
    expect(f.message).toMatch(/spec_version/);
  });

  it('a custom object without spec_version or timestamps is indexed with the spec version it was validated as (2.1)', () => {
    const widget = { type: 'x-acme-widget', id: `x-acme-widget--${UUID}`, name: 'w' };
    expect(ok(objectMetadata(widget, 0, ONLY_21)).specVersion).toBe('2.1');
  });

  it('the TLP level is the highest TLP marking among object_marking_refs', () => {
    const green = 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'; // TLP 1.0 green
    const red2 = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'; // TLP 2.0 red
    expect(ok(objectMetadata(malware({ object_marking_refs: [green] }), 0, BOTH)).tlp).toBe(1);
    expect(ok(objectMetadata(malware({ object_marking_refs: [green, red2] }), 0, BOTH)).tlp).toBe(4);
    expect(ok(objectMetadata(malware({ object_marking_refs: [`marking-definition--${UUID}`] }), 0, BOTH)).tlp).toBe(-1);
  });
});

describe('objectMetadata: per-object failures (TAXII 2.1 §5.5, each object fails on its own)', () => {
  it.each([
    ['an array', [1, 2]],
    ['null', null],
    ['a string', 'indicator'],
    ['a number', 42],
  ])('%s is "objects[n] is not a JSON object"', (_what, value) => {
    expect(failed(objectMetadata(value, 7, BOTH))).toEqual({ id: 'objects[7]', message: 'objects[7] is not a JSON object' });
  });

  it('a member that was not valid JSON is named by its position, with the reason', () => {
    expect(failed(objectMetadata(new UnparsableObject('Unexpected end of JSON input'), 2, BOTH))).toEqual({
      id: 'objects[2]',
      message: 'objects[2] is not valid JSON (Unexpected end of JSON input)',
    });
  });

  it.each([
    ['type missing', { id: `malware--${UUID}` }, 'type'],
    ['type not a string', { ...malware(), type: 7 }, 'type'],
    ['type with capitals', { ...malware(), type: 'Malware', id: `Malware--${UUID}` }, 'type'],
    ['type too short', { ...malware(), type: 'mw', id: `mw--${UUID}` }, 'type'],
  ])('%s is refused, naming "%s"', (_what, value, property) => {
    const f = failed(objectMetadata(value, 1, BOTH));
    expect(f.message).toContain(property);
  });

  it.each([
    ['an id of another type', `indicator--${UUID}`],
    ['an id without a UUID', 'malware--1234'],
    ['an id without the separator', UUID],
  ])('%s is refused, naming the object by that id', (_what, id) => {
    const f = failed(objectMetadata(malware({ id }), 1, BOTH));
    expect(f.id).toBe(id);
    expect(f.message).toMatch(/"id"/);
  });

  it('an object without an id is named by its position', () => {
    const { id: _id, ...noId } = malware();
    expect(failed(objectMetadata(noId, 5, BOTH)).id).toBe('objects[5]');
  });

  it('an overlong id is not echoed back; the position names the object', () => {
    expect(failed(objectMetadata(malware({ id: `malware--${'a'.repeat(400)}` }), 6, BOTH)).id).toBe('objects[6]');
  });

  it.each([
    ['created', { created: '2016-02-30T00:00:00Z' }],
    ['created', { created: 'yesterday' }],
    ['modified', { modified: '2016-13-01T00:00:00Z' }],
    ['modified', { modified: 1459973028 }],
  ])('a bad "%s" is refused and named', (property, extra) => {
    const f = failed(objectMetadata(malware(extra), 0, BOTH));
    expect(f.id).toBe(`malware--${UUID}`);
    expect(f.message).toContain(property);
  });

  it.each([['2.2'], ['2'], ['v2.1'], [2.1]])('spec_version %j is refused and named', (specVersion) => {
    const f = failed(objectMetadata(malware({ spec_version: specVersion }), 0, BOTH));
    expect(f.id).toBe(`malware--${UUID}`);
    expect(f.version).toBe(MODIFIED);
    expect(f.message).toContain('spec_version');
  });
});

describe('prepareObjects', () => {
  const options = { validator: BOTH, maxObjectSize: 10_000 };

  it('splits an envelope into stored objects and failures, in envelope order', () => {
    const { objects, failures } = prepareObjects([malware(), 'x', ipv4(), { type: 'malware' }], options);
    expect(objects.map((o) => o.id)).toEqual([`malware--${UUID}`, `ipv4-addr--${UUID}`]);
    expect(failures.map((f) => f.id)).toEqual(['objects[1]', 'objects[3]']);
  });

  it('numbers positions from firstPosition (a streamed import in batches)', () => {
    expect(prepareObjects(['x', null], { ...options, firstPosition: 1000 }).failures.map((f) => f.id)).toEqual(['objects[1000]', 'objects[1001]']);
  });

  // Regression (issue 13 item 4; TAXII 2.1 §4.2.1): it used to refuse the whole request with 413.
  it('an object larger than maxObjectSize fails alone, with its id and version, the others pass', () => {
    const big = malware({ id: `malware--${UUID.replace(/^0/, '1')}`, description: 'x'.repeat(10_000) });
    const { objects, failures } = prepareObjects([malware(), big], options);
    expect(objects.map((o) => o.id)).toEqual([`malware--${UUID}`]);
    expect(failures).toEqual([
      { id: big.id, version: big.modified, message: `${big.id as string}: larger than the 10000-byte limit for one object` },
    ]);
  });

  it('an object exactly at maxObjectSize is accepted, one byte less is a failure', () => {
    const value = malware();
    const size = JSON.stringify(value).length;
    expect(prepareObjects([value], { ...options, maxObjectSize: size }).objects).toHaveLength(1);
    expect(prepareObjects([value], { ...options, maxObjectSize: size - 1 }).failures).toHaveLength(1);
  });
});
