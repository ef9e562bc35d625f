/**
 * Every regular expression in the validator must run in linear time. These inputs are the shapes
 * that make a backtracking engine explode on nested or overlapping quantifiers; jest's timeout is
 * the guard, and each case also pins the finding so the input really reached the pattern.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths';
import { SCO_TYPES } from '../../src/stix/types';
import { permissive, rulesOf, strict } from './helpers';

const ID = 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f';
const base = {
  type: 'indicator',
  spec_version: '2.1',
  id: ID,
  created: '2016-04-06T20:03:48.000Z',
  modified: '2016-04-06T20:03:48.000Z',
  pattern: "[file:name = 'x']",
  pattern_type: 'stix',
  valid_from: '2016-01-01T00:00:00Z',
  description: 'd',
};
const evil = (unit: string, times = 5000, tail = '!') => unit.repeat(times) + tail;
const withKey = (obj: object, key: string, value: unknown): unknown =>
  JSON.parse(JSON.stringify(obj).replace(/^\{/, `{${JSON.stringify(key)}: ${JSON.stringify(value)},`));

describe('adversarial names and keys complete', () => {
  it('a custom type name of thousands of characters', () => {
    const type = `x-${evil('a-')}`;
    expect(rulesOf(permissive.validate({ type, spec_version: '2.1', id: `${type}--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f` }))).toEqual([
      'type: type-name',
    ]);
  });
  it('an id with a huge object-type part', () => {
    expect(rulesOf(permissive.validate({ ...base, id: `${evil('a-', 5000, '')}--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f` }))).toEqual([
      'id: identifier',
    ]);
    expect(rulesOf(permissive.validate({ ...base, id: `indicator--${evil('8e2e2d2b-', 5000)}` }))).toEqual(['id: identifier']);
  });
  it('a custom property name of thousands of characters', () => {
    expect(rulesOf(permissive.validate(withKey(base, `x_${evil('a_')}`, 1)))[0]).toMatch(/: custom-property-name$/);
    expect(rulesOf(strict.validate(withKey(base, `x_${evil('a_')}`, 1)))[0]).toMatch(/: custom-property$/);
  });
  it('a hash algorithm name of thousands of characters', () => {
    const hashes = { [evil('a-')]: 'x', [evil('SHA-')]: 'y' };
    const result = permissive.validate({ ...base, external_references: [{ source_name: 's', external_id: '1', hashes }] });
    expect(rulesOf(result)).toHaveLength(2);
    for (const rule of rulesOf(result)) expect(rule).toMatch(/^external_references\[0\]\.hashes[.[].*: hash-algorithm$/);
    const lookalike = { [evil('sha', 5000, '')]: 'x' };
    expect(rulesOf(strict.validate({ ...base, external_references: [{ source_name: 's', external_id: '1', hashes: lookalike }] }))).toEqual([
      expect.stringMatching(/: hash-algorithm$/),
    ]);
  });
  it('an extension key of thousands of characters', () => {
    const key = evil('extension-definition--');
    expect(rulesOf(permissive.validate({ ...base, extensions: { [key]: { extension_type: 'property-extension' } } }))[0]).toMatch(
      /: dictionary-key$/,
    );
  });
  it('a language tag of thousands of characters', () => {
    expect(rulesOf(permissive.validate({ ...base, lang: evil('a-') }))).toEqual(['lang: lang']);
    expect(rulesOf(permissive.validate({ ...base, lang: evil('abcdefgh-', 5000, '') }))).toEqual(['lang: lang']);
  });
  it('a timestamp with thousands of fraction digits', () => {
    expect(rulesOf(permissive.validate({ ...base, valid_from: `2016-01-01T00:00:00.${evil('1', 100_000)}` }))).toEqual(['valid_from: timestamp']);
    expect(rulesOf(permissive.validate({ ...base, valid_from: `2016-01-01T00:00:00.${evil('1', 100_000, 'Z')}` }))).toEqual([]);
  });
  it('selectors of thousands of components', () => {
    const marking = (selector: string) => ({ ...base, granular_markings: [{ lang: 'en', selectors: [selector] }] });
    expect(rulesOf(permissive.validate(marking(evil('description.'))))).toEqual(['granular_markings[0].selectors[0]: selector']);
    expect(rulesOf(permissive.validate(marking(`description.[${evil('1', 100_000, ']')}`)))).toEqual(['granular_markings[0].selectors[0]: selector']);
  });
  it('a relationship_type of thousands of characters', () => {
    const relationship = {
      type: 'relationship',
      spec_version: '2.1',
      id: 'relationship--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
      created: '2016-04-06T20:03:48.000Z',
      modified: '2016-04-06T20:03:48.000Z',
      relationship_type: evil('a-'),
      source_ref: ID,
      target_ref: 'malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
    };
    expect(rulesOf(permissive.validate(relationship))).toEqual(['relationship_type: relationship-type']);
  });
  it('a URL of thousands of characters', () => {
    expect(rulesOf(permissive.validate({ ...base, external_references: [{ source_name: 's', url: `http://[${evil(':')}` }] }))).toEqual([
      'external_references[0].url: url',
    ]);
  });
  it('a language-content key of thousands of characters', () => {
    const content = {
      type: 'language-content',
      spec_version: '2.1',
      id: 'language-content--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
      created: '2016-04-06T20:03:48.000Z',
      modified: '2016-04-06T20:03:48.000Z',
      object_ref: ID,
      contents: { [evil('de-')]: { name: 'x' } },
    };
    expect(rulesOf(permissive.validate(content))).toHaveLength(1);
  });
});

describe('schema patterns (ours, not the SCO files) have no nested or overlapping quantifiers', () => {
  const dir = join(packageRoot(), 'schemas', 'stix');
  const ours = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'sco-common.json' && !SCO_TYPES.has(f.replace(/\.json$/, '')));
  const patterns: [string, string][] = [];
  const collect = (file: string, node: unknown): void => {
    if (Array.isArray(node)) node.forEach((n) => collect(file, n));
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'pattern' && typeof value === 'string') patterns.push([file, value]);
        else collect(file, value);
      }
    }
  };
  ours.forEach((file) => collect(file, JSON.parse(readFileSync(join(dir, file), 'utf8'))));

  it('found the schema patterns', () => {
    expect(patterns.length).toBeGreaterThan(10);
  });
  it.each(patterns)('%s: %s', (_file, pattern) => {
    // A quantified group that itself contains a quantifier is the nested shape.
    expect(pattern).not.toMatch(/\([^)]*[*+}][^)]*\)[*+{]/);
    expect(() => new RegExp(pattern, 'u')).not.toThrow();
  });
});
