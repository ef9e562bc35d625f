/**
 * Every SDO, SRO and meta object schema against its fixtures in test/fixtures/stix/cases: the
 * valid objects pass under both policies, and each invalid variant fails with exactly the
 * expected (path, rule) findings, no more and no fewer.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { clone, FIXTURES, issuesOf, loadFixture, permissive, rulesOf, strict } from './helpers';

interface Case {
  name: string;
  set?: Record<string, unknown>;
  remove?: string[];
  expect: { path: string; rule: string }[];
}

interface CaseFile {
  section: string;
  title: string;
  valid: Record<string, unknown>[];
  invalid: Case[];
}

const files = readdirSync(join(FIXTURES, 'cases'))
  .filter((f) => f.endsWith('.json'))
  .sort();

function variant(base: Record<string, unknown>, c: Case): Record<string, unknown> {
  const obj = { ...clone(base), ...(c.set ?? {}) };
  for (const key of c.remove ?? []) delete obj[key];
  return obj;
}

it('has a case file for every SDO, SRO and meta object type', () => {
  expect(files.map((f) => f.replace('.json', '')).sort()).toEqual(
    [
      'attack-pattern',
      'campaign',
      'course-of-action',
      'extension-definition',
      'grouping',
      'identity',
      'incident',
      'indicator',
      'infrastructure',
      'intrusion-set',
      'language-content',
      'location',
      'malware',
      'malware-analysis',
      'marking-definition',
      'note',
      'observed-data',
      'opinion',
      'relationship',
      'report',
      'sighting',
      'threat-actor',
      'tool',
      'vulnerability',
    ].sort(),
  );
});

describe.each(files)('%s', (file) => {
  const cases = loadFixture(join('cases', file)) as CaseFile;
  const base = cases.valid[0] as Record<string, unknown>;

  describe(`STIX 2.1 §${cases.section} ${cases.title}`, () => {
    it.each(cases.valid.map((obj, i) => [i, obj] as const))('§%s accepts valid fixture %#', (_i, obj) => {
      expect(issuesOf(permissive.validate(obj))).toEqual([]);
      expect(issuesOf(strict.validate(obj))).toEqual([]);
    });

    it('has several invalid variants', () => {
      expect(cases.invalid.length).toBeGreaterThanOrEqual(2);
    });

    it.each(cases.invalid.map((c) => [c.name, c] as const))(`§${cases.section} %s`, (_name, c) => {
      const obj = variant(base, c);
      const result = permissive.validate(obj);
      expect(rulesOf(result).sort()).toEqual(c.expect.map((e) => `${e.path}: ${e.rule}`).sort());
      for (const issue of issuesOf(result)) expect(issue.message.startsWith(`${String(obj.id)}`)).toBe(true);
    });
  });
});
