/** The validator API: never throws, spec versions, bundles (§8), marking definitions (§7.2.1). */
import { createStixValidator } from '../../src/stix/validator';
import { clone, issuesOf, loadFixture, permissive, rulesOf, strict } from './helpers';

const indicator20 = {
  type: 'indicator',
  id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
  created: '2016-04-06T20:03:48.000Z',
  modified: '2016-04-06T20:03:48.000Z',
  labels: ['malicious-activity'],
  pattern: "[file:name = 'x']",
  valid_from: '2016-01-01T00:00:00Z',
};

describe('the validator never throws', () => {
  const deep = (depth: number): unknown => {
    let value: unknown = 'leaf';
    for (let i = 0; i < depth; i++) value = { x_child: [value] };
    return value;
  };
  const inputs: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['NaN', NaN],
    ['a string', 'indicator'],
    ['a boolean', true],
    ['an array', [{ type: 'indicator' }]],
    ['an empty object', {}],
    ['a null type', { type: null }],
    ['an object without a prototype', Object.assign(Object.create(null) as object, { type: 'indicator', id: 5 })],
    ['a huge string property', { ...indicator20, spec_version: '2.1', name: 'x'.repeat(5_000_000) }],
    ['a huge type', { type: 'x'.repeat(1_000_000), spec_version: '2.1' }],
    ['a huge id', { type: 'tool', spec_version: '2.1', id: `tool--${'a'.repeat(1_000_000)}` }],
    [
      '10,000 properties',
      {
        type: 'x-many',
        spec_version: '2.1',
        id: 'x-many--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        ...Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`x_p${i}`, i])),
      },
    ],
    ['a deeply nested custom property', { ...indicator20, spec_version: '2.1', x_deep: deep(20_000) }],
    ['an array of bundles', { type: 'bundle', id: 'bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', objects: [null, 1, [], { type: 'bundle' }] }],
    [
      'wrongly typed everything',
      {
        type: 'indicator',
        spec_version: '2.1',
        id: [],
        created: {},
        modified: 1,
        granular_markings: 'x',
        external_references: [null],
        extensions: [],
        lang: 5,
        object_marking_refs: {},
        pattern: 1,
        pattern_type: 'stix',
        valid_from: null,
      },
    ],
    [
      'wrongly typed sighting refs',
      {
        type: 'sighting',
        spec_version: '2.1',
        id: 'sighting--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        created: '2016-04-06T20:03:48.000Z',
        modified: '2016-04-06T20:03:48.000Z',
        sighting_of_ref: {},
        where_sighted_refs: [1, null],
        observed_data_refs: 'x',
      },
    ],
    [
      'a marking definition with odd definitions',
      {
        type: 'marking-definition',
        spec_version: '2.1',
        id: 'marking-definition--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        created: '2016-04-06T20:03:48.000Z',
        definition_type: 'tlp',
        definition: 'red',
        extensions: { 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': 'x' },
      },
    ],
  ];
  it.each(inputs)('on %s', (_name, input) => {
    for (const validator of [permissive, strict]) {
      const result = validator.validate(input);
      expect(typeof result.ok).toBe('boolean');
      for (const issue of issuesOf(result)) expect(issue.rule).not.toBe('internal-error');
    }
  });

  it('on prototype-pollution keys, without polluting Object.prototype', () => {
    const text = JSON.stringify({ ...indicator20, spec_version: '2.1', pattern_type: 'stix' }).replace(
      /^\{/,
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "prototype": 1,',
    );
    const result = permissive.validate(JSON.parse(text));
    // "constructor" and "prototype" are well-formed custom property names; "__proto__" is not.
    expect(rulesOf(result)).toEqual(['__proto__: custom-property-name']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports a value that is not an object plainly', () => {
    expect(issuesOf(permissive.validate(null))).toEqual([
      { path: '', rule: 'object', message: 'The value is null, but a STIX object must be a JSON object' },
    ]);
    expect(rulesOf(permissive.validate({}))).toEqual(['type: required']);
  });
});

describe('STIX 2.1 §3.2 spec_version and STIX 2.0 content', () => {
  it('rejects an SDO without spec_version (STIX 2.0) by default, saying so', () => {
    const result = permissive.validate(indicator20);
    expect(issuesOf(result)).toEqual([
      {
        path: 'spec_version',
        rule: 'spec-version',
        message:
          'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f (2016-04-06T20:03:48.000Z): "spec_version" is missing, which makes this a STIX 2.0 object; only STIX "2.1" content is accepted',
      },
    ]);
  });
  it('rejects an explicit spec_version 2.0 when only 2.1 is allowed', () => {
    expect(rulesOf(permissive.validate({ ...indicator20, spec_version: '2.0' }))).toEqual(['spec_version: spec-version']);
  });
  it('accepts STIX 2.0 objects when allowedSpecVersions includes 2.0, checking what 2.0 shares with 2.1', () => {
    const both = createStixValidator({ policy: 'permissive', allowedSpecVersions: ['2.0', '2.1'] });
    expect(issuesOf(both.validate(indicator20))).toEqual([]);
    expect(rulesOf(both.validate({ ...indicator20, id: 'malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f' }))).toEqual(['id: id-type']);
    expect(rulesOf(both.validate({ ...indicator20, modified: '2015-01-01T00:00:00.000Z' }))).toEqual(['modified: modified-before-created']);
    expect(rulesOf(both.validate({ ...indicator20, created: '2015-02-29T00:00:00.000Z' }))).toEqual(['created: timestamp']);
    expect(issuesOf(both.validate({ ...indicator20, spec_version: '2.1', pattern_type: 'stix' }))).toEqual([]);
  });
  it('rejects 2.1 content when a collection only allows 2.0', () => {
    const only20 = createStixValidator({ policy: 'permissive', allowedSpecVersions: ['2.0'] });
    expect(rulesOf(only20.validate({ ...indicator20, spec_version: '2.1', pattern_type: 'stix' }))).toEqual(['spec_version: spec-version']);
  });
  it('SCOs default to 2.1 without spec_version', () => {
    expect(
      issuesOf(permissive.validate({ type: 'domain-name', id: 'domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7', value: 'example.com' })),
    ).toEqual([]);
  });
});

describe('STIX 2.1 §8 Bundle', () => {
  const bundle = loadFixture('indicator-to-campaign-relationship.json') as { objects: Record<string, unknown>[] };
  it('§8 validates every member with its own schema, reporting member paths', () => {
    const broken = clone(bundle);
    const i = broken.objects.findIndex((o) => o.type === 'campaign');
    delete broken.objects[i]?.name;
    const result = permissive.validate(broken);
    expect(rulesOf(result)).toEqual([`objects[${i}].name: required`]);
    expect(issuesOf(result)[0]?.message).toMatch(new RegExp(`^${String(broken.objects[i]?.id)} \\(.*\\): "name" is required$`));
  });
  it('§8 accepts custom members under the permissive policy and refuses them under the strict one', () => {
    const withCustom = clone(bundle);
    withCustom.objects.push({ type: 'x-acme-widget', spec_version: '2.1', id: 'x-acme-widget--daa4cbb1-b4f4-4723-a824-7f1efd6e0592' });
    expect(issuesOf(permissive.validate(withCustom))).toEqual([]);
    expect(rulesOf(strict.validate(withCustom))).toEqual(['objects[3].type: custom-type']);
  });
  it('§8 rejects a bundle inside a bundle', () => {
    const nested = { type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', objects: [clone(bundle)] };
    expect(rulesOf(permissive.validate(nested))).toEqual(['objects[0]: bundle-member']);
  });
  it('§8 checks the envelope: id, type of id, empty objects', () => {
    expect(rulesOf(permissive.validate({ type: 'bundle', objects: bundle.objects }))).toEqual(['id: required']);
    expect(rulesOf(permissive.validate({ type: 'bundle', id: 'report--5d0092c5-5f74-4287-9642-33f4c354e56d' }))).toEqual(['id: id-type']);
    expect(rulesOf(permissive.validate({ type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', objects: [] }))).toEqual([
      'objects: empty-list',
    ]);
  });
  it('§8 treats a bundle with spec_version 2.0 as STIX 2.0 content', () => {
    expect(rulesOf(permissive.validate({ type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', spec_version: '2.0' }))).toEqual([
      'spec_version: spec-version',
    ]);
  });
});

describe('STIX 2.1 §7.2.1.4 TLP markings', () => {
  const tlp2 = (level: string, id: string) => ({
    type: 'marking-definition',
    spec_version: '2.1',
    id,
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${level.toUpperCase()}`,
    extensions: { 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': { extension_type: 'property-extension', tlp_2_0: level } },
  });
  it.each([
    ['clear', 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'],
    ['green', 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'],
    ['amber', 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'],
    ['amber+strict', 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003'],
    ['red', 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'],
  ])('accepts the published TLP 2.0 %s marking under both policies', (level, id) => {
    expect(issuesOf(permissive.validate(tlp2(level, id)))).toEqual([]);
    expect(issuesOf(strict.validate(tlp2(level, id)))).toEqual([]);
  });
  it('rejects a TLP 2.0 marking with another id, or an unknown level', () => {
    expect(rulesOf(permissive.validate(tlp2('red', 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb')))).toEqual(['id: tlp-marking']);
    expect(rulesOf(permissive.validate(tlp2('white', 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb')))).toEqual([
      'extensions.extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.tlp_2_0: tlp-marking',
    ]);
  });
  it.each([
    ['white', 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9'],
    ['green', 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'],
    ['amber', 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82'],
    ['red', 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed'],
  ])('§7.2.1.4 accepts the published TLP 1.0 %s marking', (level, id) => {
    const marking = {
      type: 'marking-definition',
      spec_version: '2.1',
      id,
      created: '2017-01-20T00:00:00.000Z',
      definition_type: 'tlp',
      name: `TLP:${level.toUpperCase()}`,
      definition: { tlp: level },
    };
    expect(issuesOf(strict.validate(marking))).toEqual([]);
  });
});
