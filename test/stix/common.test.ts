/** STIX 2.1 common data types (§2), common properties (§3.2) and customization (§11). */
import { clone, issuesOf, permissive, rulesOf, strict } from './helpers';

const ID = 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f';

function indicator(set: Record<string, unknown> = {}, remove: string[] = []): Record<string, unknown> {
  const obj: Record<string, unknown> = {
    type: 'indicator',
    spec_version: '2.1',
    id: ID,
    created: '2016-04-06T20:03:48.000Z',
    modified: '2016-04-06T20:03:48.000Z',
    name: 'Poison Ivy',
    description: 'A file hash',
    labels: ['malicious-activity', 'poison-ivy'],
    pattern: "[file:name = 'x.exe']",
    pattern_type: 'stix',
    valid_from: '2016-01-01T00:00:00Z',
    external_references: [{ source_name: 'capec', external_id: 'CAPEC-163' }],
    ...set,
  };
  for (const key of remove) delete obj[key];
  return obj;
}

const rejectsWith = (obj: unknown, ...expected: string[]) => expect(rulesOf(permissive.validate(obj)).sort()).toEqual(expected.sort());
const accepts = (obj: unknown) => expect(issuesOf(permissive.validate(obj))).toEqual([]);

it('the base indicator of these tests is valid under both policies', () => {
  accepts(indicator());
  expect(issuesOf(strict.validate(indicator()))).toEqual([]);
});

describe('STIX 2.1 §2.9 Identifier', () => {
  it('§2.9 rejects an id whose object-type is not the type', () => {
    rejectsWith(indicator({ id: 'malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f' }), 'id: id-type');
  });
  it('§2.9 rejects an id that is not object-type--UUID', () => {
    rejectsWith(indicator({ id: 'indicator--8e2e2d2b17d44cbf938f98ee46b3cd3f' }), 'id: identifier');
    rejectsWith(indicator({ id: 'indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f' }), 'id: identifier');
  });
  it('§2.9 rejects a UUID whose variant is not RFC 4122 (variant digit c)', () => {
    rejectsWith(indicator({ id: 'indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f' }), 'id: uuid');
  });
  it('§2.9 rejects UUID versions outside RFC 4122 (0 and 7)', () => {
    rejectsWith(indicator({ id: 'indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f' }), 'id: uuid');
    rejectsWith(indicator({ id: 'indicator--8e2e2d2b-17d4-7cbf-938f-98ee46b3cd3f' }), 'id: uuid');
  });
  it('§2.9 accepts other RFC 4122 versions for SDOs (UUIDv4 is only recommended)', () => {
    accepts(indicator({ id: 'indicator--8e2e2d2b-17d4-1cbf-938f-98ee46b3cd3f' }));
    accepts(indicator({ id: 'indicator--8e2e2d2b-17d4-5cbf-938f-98ee46b3cd3f' }));
  });
  it('§2.9 requires UUIDv5 or UUIDv4 for SCO ids', () => {
    const ip = { type: 'ipv4-addr', spec_version: '2.1', id: 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd', value: '198.51.100.3' };
    accepts(ip);
    accepts({ ...ip, id: 'ipv4-addr--ff26c055-6336-4bc5-b98d-13d6226742dd' });
    rejectsWith({ ...ip, id: 'ipv4-addr--ff26c055-6336-1bc5-b98d-13d6226742dd' }, 'id: uuid-version');
  });
  it('§2.9 checks the UUID of references too', () => {
    rejectsWith(indicator({ created_by_ref: 'identity--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f' }), 'created_by_ref: uuid');
  });
  it('§3.3 rejects object_marking_refs that are not marking definitions', () => {
    rejectsWith(indicator({ object_marking_refs: ['identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'] }), 'object_marking_refs[0]: ref-type');
  });
});

describe('STIX 2.1 §2.16 Timestamp', () => {
  it('§2.16 Timestamp: rejects 2021-02-30T00:00:00Z', () => {
    const result = permissive.validate(indicator({ valid_from: '2021-02-30T00:00:00Z' }));
    expect(rulesOf(result)).toEqual(['valid_from: timestamp']);
    expect(issuesOf(result)[0]?.message).toBe(
      `${ID} (2016-04-06T20:03:48.000Z): "valid_from" is not a real calendar date: 2021-02-30 does not exist`,
    );
  });
  it('§2.16 Timestamp: accepts 2024-02-29 and 2000-02-29 (leap years)', () => {
    accepts(indicator({ valid_from: '2024-02-29T00:00:00Z' }));
    accepts(indicator({ valid_from: '2000-02-29T12:00:00.5Z' }));
  });
  it.each(['2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2021-04-31T00:00:00Z', '2021-13-01T00:00:00Z', '2021-00-10T00:00:00Z'])(
    '§2.16 Timestamp: rejects %s (no such date)',
    (value) => {
      rejectsWith(indicator({ valid_from: value }), 'valid_from: timestamp');
    },
  );
  it.each([
    '2021-01-01T00:00:00+00:00',
    '2021-01-01T00:00:00z',
    '2021-01-01T00:00:00',
    '2021-01-01T00:00:00.Z',
    '2021-01-01 00:00:00Z',
    '21-01-01T00:00:00Z',
    '2021-01-01T24:00:00Z',
    '2021-01-01T12:60:00Z',
    '2021-01-01T12:00:60Z',
    '',
  ])('§2.16 Timestamp: rejects %j (not YYYY-MM-DDTHH:mm:ss[.s+]Z in UTC)', (value) => {
    rejectsWith(indicator({ valid_from: value }), 'valid_from: timestamp');
  });
  it('§2.16 Timestamp: accepts a leap second at 23:59:60', () => {
    accepts(indicator({ valid_from: '2016-12-31T23:59:60Z' }));
  });
  it('§2.16 Timestamp: rejects a timestamp that is not a string', () => {
    rejectsWith(indicator({ valid_from: 1459974228 }), 'valid_from: timestamp');
  });
  it('§3.2 created and modified need millisecond precision', () => {
    rejectsWith(
      indicator({ created: '2016-04-06T20:03:48Z', modified: '2016-04-06T20:03:48.12Z' }),
      'created: timestamp-precision',
      'modified: timestamp-precision',
    );
    accepts(indicator({ created: '2016-04-06T20:03:48.000000Z' }));
  });
  it('§3.6.1 modified must not be earlier than created, at any precision', () => {
    rejectsWith(indicator({ modified: '2016-04-06T20:03:47.9999Z' }), 'modified: modified-before-created');
    accepts(indicator({ modified: '2016-04-06T20:03:48.000000Z' }));
    accepts(indicator({ modified: '2016-04-06T20:03:48.0001Z' }));
  });
  it('§4.7 valid_until must be later than valid_from (the reported sentence)', () => {
    const result = permissive.validate(indicator({ valid_from: '2016-04-06T20:03:48.000Z', valid_until: '2016-04-06T20:03:48Z' }));
    expect(issuesOf(result)).toEqual([
      {
        path: 'valid_until',
        rule: 'valid-until',
        message: `${ID} (2016-04-06T20:03:48.000Z): "valid_until" must be later than "valid_from"`,
      },
    ]);
  });
});

describe('STIX 2.1 §2.7 Hashes', () => {
  const withHashes = (hashes: unknown) => indicator({ external_references: [{ source_name: 'x', url: 'https://example.com/a', hashes }] });
  it('§2.7 accepts vocabulary hashes in their formats', () => {
    accepts(withHashes({ 'SHA-256': 'a'.repeat(64), MD5: 'B'.repeat(32), 'SHA3-512': 'c'.repeat(128), SSDEEP: '3:a:b' }));
  });
  it('§2.7 rejects a digest of the wrong length for its algorithm', () => {
    rejectsWith(withHashes({ MD5: 'a'.repeat(31) }), 'external_references[0].hashes.MD5: hash-value');
    rejectsWith(withHashes({ 'SHA-1': 'g'.repeat(40) }), 'external_references[0].hashes.SHA-1: hash-value');
  });
  it('§2.7 rejects a hash name shorter than 3 characters or with other characters', () => {
    rejectsWith(withHashes({ ab: 'x' }), 'external_references[0].hashes.ab: hash-algorithm');
    rejectsWith(withHashes({ 'sha 256': 'x' }), 'external_references[0].hashes["sha 256"]: hash-algorithm');
  });
  it('§2.7 rejects an empty hashes dictionary (§2.3)', () => {
    rejectsWith(withHashes({}), 'external_references[0].hashes: empty-dictionary');
  });
  it('§2.7 permissive: accepts custom and look-alike hash names', () => {
    accepts(withHashes({ x_foo_hash: 'aaaabbbb', sha256: 'a'.repeat(64) }));
  });
  it('§10.7 strict: rejects spellings of vocabulary names and custom names without x_', () => {
    const result = strict.validate(withHashes({ sha256: 'a'.repeat(64), foo: '1', x_foo_hash: '2' }));
    expect(rulesOf(result).sort()).toEqual([
      'external_references[0].hashes.foo: hash-algorithm',
      'external_references[0].hashes.sha256: hash-algorithm',
    ]);
    expect(issuesOf(result).find((i) => i.path.endsWith('sha256'))?.message).toContain('must be written "SHA-256"');
  });
});

describe('STIX 2.1 §2.5 External Reference', () => {
  it('§2.5 rejects a url that is not a URL', () => {
    rejectsWith(indicator({ external_references: [{ source_name: 'x', url: 'not a url' }] }), 'external_references[0].url: url');
  });
  it('§2.5 rejects a missing source_name', () => {
    rejectsWith(indicator({ external_references: [{ external_id: 'x' }] }), 'external_references[0].source_name: required');
  });
  it('§2.5 rejects properties it does not define', () => {
    rejectsWith(
      indicator({ external_references: [{ source_name: 'x', external_id: '1', x_note: 'y' }] }),
      'external_references[0].x_note: unknown-property',
    );
  });
  it('§2.12 rejects an empty external_references list', () => {
    rejectsWith(indicator({ external_references: [] }), 'external_references: empty-list');
  });
});

describe('STIX 2.1 §7.2.3 Granular Markings', () => {
  const MARKING = 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da';
  const marked = (markings: unknown) => indicator({ granular_markings: markings });
  it('§7.2.3 accepts selectors that point into the object', () => {
    accepts(
      marked([
        { marking_ref: MARKING, selectors: ['description', 'labels.[1]', 'external_references.[0].source_name', 'external_references'] },
        { lang: 'de', selectors: ['name'] },
      ]),
    );
  });
  it.each([
    ['pattern_version', 'a property that is not present'],
    ['labels.[2]', 'an index past the end of the list'],
    ['description.[0]', 'an index into a string'],
    ['labels.name', 'a property of a list'],
    ['labels.[x]', 'a malformed index'],
    ['labels..[0]', 'an empty component'],
  ])('§7.2.3 rejects selector %j (%s)', (selector) => {
    rejectsWith(marked([{ marking_ref: MARKING, selectors: [selector] }]), 'granular_markings[0].selectors[0]: selector');
  });
  it('§7.2.3 requires exactly one of lang and marking_ref', () => {
    rejectsWith(marked([{ selectors: ['name'] }]), 'granular_markings[0]: granular-marking');
    rejectsWith(marked([{ selectors: ['name'], lang: 'en', marking_ref: MARKING }]), 'granular_markings[0]: granular-marking');
  });
  it('§7.2.3 rejects a marking_ref that is not a marking definition', () => {
    rejectsWith(
      marked([{ selectors: ['name'], marking_ref: 'identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f' }]),
      'granular_markings[0].marking_ref: ref-type',
    );
  });
  it('§7.2.3 rejects a lang that is not an RFC 5646 tag', () => {
    rejectsWith(marked([{ selectors: ['name'], lang: 'en_GB' }]), 'granular_markings[0].lang: lang');
  });
});

describe('STIX 2.1 §3.2 Common Properties', () => {
  it.each([101, -1, 50.5, '50'])('§3.2 confidence: rejects %j', (value) => {
    rejectsWith(indicator({ confidence: value }), 'confidence: confidence');
  });
  it('§3.2 confidence: accepts 0 and 100', () => {
    accepts(indicator({ confidence: 0 }));
    accepts(indicator({ confidence: 100 }));
  });
  it.each(['en', 'pt-BR', 'zh-Hant-TW', 'sl-rozaj-biske', 'en-US-x-twain', 'x-klingon', 'i-klingon', 'es-419', 'de-CH-1996'])(
    '§3.2 lang: accepts the RFC 5646 tag %j',
    (tag) => accepts(indicator({ lang: tag })),
  );
  it.each(['en_US', '', 'e', 'en-', 'toolonglanguage', 'de-419-419-', 'en-a', 'en-x', 'de-DE-1996-1996'])('§3.2 lang: rejects %j', (tag) =>
    rejectsWith(indicator({ lang: tag }), 'lang: lang'),
  );
  it('§3.2 spec_version: rejects a value other than 2.1', () => {
    rejectsWith(indicator({ spec_version: '2.2' }), 'spec_version: spec-version');
    rejectsWith(indicator({ spec_version: 2.1 }), 'spec_version: spec-version');
  });
  it('§3.2 labels: rejects an empty list and non-strings', () => {
    rejectsWith(indicator({ labels: [] }), 'labels: empty-list');
    rejectsWith(indicator({ labels: ['a', 3] }), 'labels[1]: type');
  });
  it('§3.2 defanged: not allowed outside SCOs', () => {
    rejectsWith(indicator({ defanged: false }), 'defanged: not-applicable');
  });
  it('§3.2 revoked: must be a boolean', () => {
    rejectsWith(indicator({ revoked: 'yes' }), 'revoked: type');
  });
  it('§3.2 extensions: an extension-definition entry needs extension_type', () => {
    const key = 'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e';
    accepts(indicator({ extensions: { [key]: { extension_type: 'property-extension', rank: 5 } } }));
    rejectsWith(indicator({ extensions: { [key]: { rank: 5 } } }), `extensions.${key}.extension_type: required`);
    rejectsWith(indicator({ extensions: {} }), 'extensions: empty-dictionary');
  });
  it('§3.2 extensions: the strict policy refuses extensions other than TLP 2.0', () => {
    const key = 'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e';
    expect(rulesOf(strict.validate(indicator({ extensions: { [key]: { extension_type: 'property-extension' } } })))).toEqual([
      `extensions.${key}: custom-extension`,
    ]);
  });
});

describe('STIX 2.1 §3.8 Reserved Names', () => {
  it.each(['severity', 'username', 'phone_number', 'action'])('§3.8 rejects the reserved property %s under both policies', (name) => {
    rejectsWith(indicator({ [name]: 'x' }), `${name}: reserved-property`);
    expect(rulesOf(strict.validate(indicator({ [name]: 'x' })))).toEqual([`${name}: reserved-property`]);
  });
});

describe('STIX 2.1 §11.1 Custom Properties', () => {
  it('§11.1 permissive: accepts well-named custom properties', () => {
    accepts(indicator({ x_acme_org_risk_score: 10, x_acme_org_scoring: { impact: 'high' } }));
  });
  it.each([
    ['X_Acme', 'X_Acme'],
    ['ab', 'ab'],
    ['_x_acme', '_x_acme'],
    ['x-acme', 'x-acme'],
    ['x_acmé', '["x_acmé"]'],
    [`x_${'a'.repeat(249)}`, `x_${'a'.repeat(78)}…`],
    ['__proto__', '__proto__'],
    ['9lives', '9lives'],
  ])('§11.1 permissive: rejects the custom property name %j', (name, shownPath) => {
    // Parsed from text so that "__proto__" is an own property, as it is in a pushed object.
    const obj = JSON.parse(JSON.stringify(indicator()).replace(/^\{/, `{${JSON.stringify(name)}: 1,`)) as unknown;
    expect(rulesOf(permissive.validate(obj))).toEqual([`${shownPath}: custom-property-name`]);
  });
  it('§11.1 strict: rejects any custom property', () => {
    expect(rulesOf(strict.validate(indicator({ x_acme_org_risk_score: 10 })))).toEqual(['x_acme_org_risk_score: custom-property']);
  });
});

describe('STIX 2.1 §11.2 Custom Objects', () => {
  const tactic = {
    type: 'x-mitre-tactic',
    spec_version: '2.1',
    id: 'x-mitre-tactic--daa4cbb1-b4f4-4723-a824-7f1efd6e0592',
    created: '2018-10-17T00:14:20.652Z',
    modified: '2019-07-19T17:42:06.909Z',
    name: 'Collection',
    x_mitre_shortname: 'collection',
    external_references: [{ source_name: 'mitre-attack', external_id: 'TA0009' }],
  };
  it('§11.2 permissive: accepts a custom object with valid common properties', () => {
    accepts(tactic);
    accepts({ type: 'x-acme-widget', spec_version: '2.1', id: 'x-acme-widget--daa4cbb1-b4f4-4723-a824-7f1efd6e0592', widget_size: 4 });
  });
  it('§11.2 permissive: still checks the common properties of custom objects', () => {
    rejectsWith({ ...tactic, modified: '2017-01-01T00:00:00.000Z' }, 'modified: modified-before-created');
    rejectsWith({ ...tactic, id: 'x-mitre-technique--daa4cbb1-b4f4-4723-a824-7f1efd6e0592' }, 'id: id-type');
    rejectsWith({ ...tactic, created: 'yesterday' }, 'created: timestamp');
    rejectsWith({ ...tactic, external_references: [{ source_name: 'x' }] }, 'external_references[0]: external-reference');
  });
  it.each(['X-Mitre-Tactic', 'ab', 'x--tactic', '1x-tactic', 'x_tactic', `x-${'a'.repeat(249)}`])(
    '§11.2 permissive: rejects the custom type name %j',
    (type) => {
      expect(rulesOf(permissive.validate({ ...clone(tactic), type }))).toEqual(['type: type-name']);
    },
  );
  it('§11.2 a relationship may point at a custom object under both policies', () => {
    const relationship = {
      type: 'relationship',
      spec_version: '2.1',
      id: 'relationship--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
      created: '2016-04-06T20:03:48.000Z',
      modified: '2016-04-06T20:03:48.000Z',
      relationship_type: 'related-to',
      source_ref: ID,
      target_ref: tactic.id,
    };
    accepts(relationship);
    expect(issuesOf(strict.validate(relationship))).toEqual([]);
  });
  it('§11.2 strict: rejects any custom object type', () => {
    const result = strict.validate(tactic);
    expect(rulesOf(result)).toEqual(['type: custom-type']);
    expect(issuesOf(result)[0]?.message).toBe(
      'x-mitre-tactic--daa4cbb1-b4f4-4723-a824-7f1efd6e0592 (2019-07-19T17:42:06.909Z): "type" is "x-mitre-tactic", which is not a STIX 2.1 object type; custom objects are refused under the strict content policy',
    );
  });
});
