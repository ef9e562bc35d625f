/**
 * Property-based tests (fast-check): random mutations of valid objects are rejected at the
 * mutated property, and no input whatsoever makes the validator throw or fail internally.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isStixTimestamp } from '../../src/stix/timestamp';
import { clone, FIXTURES, issuesOf, loadFixture, permissive, strict } from './helpers';

type Obj = Record<string, unknown>;

const valid: Obj[] = readdirSync(join(FIXTURES, 'cases'))
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => (loadFixture(join('cases', f)) as { valid: Obj[] }).valid);

const REQUIRED_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  'attack-pattern': ['name'],
  campaign: ['name'],
  'course-of-action': ['name'],
  grouping: ['context', 'object_refs'],
  identity: ['name'],
  incident: ['name'],
  indicator: ['pattern', 'pattern_type', 'valid_from'],
  infrastructure: ['name'],
  'intrusion-set': ['name'],
  location: [],
  malware: ['is_family'],
  'malware-analysis': ['product'],
  note: ['content', 'object_refs'],
  'observed-data': ['first_observed', 'last_observed', 'number_observed'],
  opinion: ['opinion', 'object_refs'],
  report: ['name', 'published', 'object_refs'],
  'threat-actor': ['name'],
  tool: ['name'],
  vulnerability: ['name'],
  relationship: ['relationship_type', 'source_ref', 'target_ref'],
  sighting: ['sighting_of_ref'],
  'marking-definition': [],
  'language-content': ['object_ref', 'contents'],
  'extension-definition': ['created_by_ref', 'name', 'schema', 'version', 'extension_types'],
};

function requiredOf(obj: Obj): string[] {
  const type = String(obj.type);
  const common = type === 'marking-definition' ? ['type', 'spec_version', 'id', 'created'] : ['type', 'spec_version', 'id', 'created', 'modified'];
  return [...common, ...(REQUIRED_BY_TYPE[type] ?? [])];
}

const TIMESTAMP_KEYS = new Set([
  'created',
  'modified',
  'valid_from',
  'valid_until',
  'first_seen',
  'last_seen',
  'first_observed',
  'last_observed',
  'published',
  'start_time',
  'stop_time',
  'submitted',
  'analysis_started',
  'analysis_ended',
  'object_modified',
]);

const validObject = fc.constantFrom(...valid);
const RUNS = { numRuns: 300 };

it('the property tests start from valid objects of every type', () => {
  expect(new Set(valid.map((o) => o.type)).size).toBe(24);
  for (const obj of valid) expect(issuesOf(permissive.validate(obj))).toEqual([]);
});

describe('mutations of valid objects are rejected where they were made', () => {
  it('dropping a required property', () => {
    const arb = validObject.chain((obj) => fc.tuple(fc.constant(obj), fc.constantFrom(...requiredOf(obj))));
    fc.assert(
      fc.property(arb, ([obj, key]) => {
        const mutated = clone(obj);
        delete mutated[key];
        for (const validator of [permissive, strict]) {
          const issues = issuesOf(validator.validate(mutated));
          expect(issues.some((i) => i.path === key)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('corrupting a timestamp with any non-timestamp string', () => {
    const arb = validObject
      .filter((obj) => Object.keys(obj).some((k) => TIMESTAMP_KEYS.has(k)))
      .chain((obj) =>
        fc.tuple(
          fc.constant(obj),
          fc.constantFrom(...Object.keys(obj).filter((k) => TIMESTAMP_KEYS.has(k))),
          fc
            .oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789-:.TZ'.split('')), maxLength: 30 }))
            .filter((s) => !isStixTimestamp(s)),
        ),
      );
    fc.assert(
      fc.property(arb, ([obj, key, value]) => {
        const issues = issuesOf(permissive.validate({ ...clone(obj), [key]: value }));
        expect(issues).toContainEqual(expect.objectContaining({ path: key, rule: 'timestamp' }));
      }),
      RUNS,
    );
  });

  it('corrupting a timestamp into a day that does not exist', () => {
    const arb = fc
      .record({
        obj: validObject,
        year: fc.integer({ min: 1, max: 9999 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 29, max: 31 }),
      })
      .filter(({ year, month, day }) => day > new Date(Date.UTC(year, month, 0)).getUTCDate() || year < 100);
    fc.assert(
      fc.property(arb, ({ obj, year, month, day }) => {
        const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
        const real = new Date(`${date}T00:00:00Z`);
        fc.pre(Number.isNaN(real.getTime()) || real.toISOString().slice(0, 10) !== date);
        const issues = issuesOf(permissive.validate({ ...clone(obj), created: `${date}T00:00:00.000Z` }));
        expect(issues).toContainEqual(expect.objectContaining({ path: 'created', rule: 'timestamp' }));
      }),
      RUNS,
    );
  });

  it('corrupting the id', () => {
    const arb = validObject.chain((obj) =>
      fc.tuple(
        fc.constant(obj),
        fc.oneof(
          fc.string().filter((s) => !s.startsWith(`${String(obj.type)}--`)),
          fc.uuid().map((u) => `wrong-type--${u}`),
          // An RFC 4122 UUID with its variant digit changed to c (the Microsoft variant).
          fc.uuid().map((u) => `${String(obj.type)}--${u.slice(0, 19)}c${u.slice(20)}`),
        ),
      ),
    );
    fc.assert(
      fc.property(arb, ([obj, id]) => {
        const issues = issuesOf(permissive.validate({ ...clone(obj), id }));
        expect(issues.some((i) => i.path === 'id')).toBe(true);
      }),
      RUNS,
    );
  });

  it('changing the type to anything else', () => {
    const arb = fc.tuple(validObject, fc.oneof(fc.string(), fc.constantFrom('indicator', 'malware', 'x-acme-widget', 'bundle', 'relationship')));
    fc.assert(
      fc.property(arb, ([obj, type]) => {
        fc.pre(type !== obj.type);
        for (const validator of [permissive, strict]) expect(validator.validate({ ...clone(obj), type }).ok).toBe(false);
      }),
      RUNS,
    );
  });
});

describe('the validator never throws and never fails internally', () => {
  const noInternalError = (input: unknown) => {
    for (const validator of [permissive, strict]) {
      const result = validator.validate(input);
      expect(typeof result.ok).toBe('boolean');
      for (const issue of issuesOf(result)) {
        expect(issue.rule).not.toBe('internal-error');
        expect(typeof issue.message).toBe('string');
      }
    }
  };

  it('on any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), noInternalError), RUNS);
  });

  it('on valid objects with any property set to any JSON value', () => {
    const arb = fc.tuple(
      validObject,
      fc.oneof(
        fc.string(),
        fc.constantFrom(
          'type',
          'id',
          'created',
          'modified',
          'granular_markings',
          'extensions',
          'external_references',
          'lang',
          'object_marking_refs',
          'hashes',
          'contents',
          'definition',
        ),
      ),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(arb, ([obj, key, value]) => noInternalError({ ...clone(obj), [key]: value })),
      RUNS,
    );
  });

  it('on valid objects with a property removed and another one replaced', () => {
    const arb = validObject.chain((obj) =>
      fc.tuple(fc.constant(obj), fc.constantFrom(...Object.keys(obj)), fc.constantFrom(...Object.keys(obj)), fc.anything()),
    );
    fc.assert(
      fc.property(arb, ([obj, drop, replace, value]) => {
        const mutated: Obj = clone(obj);
        delete mutated[drop];
        mutated[replace] = value;
        noInternalError(mutated);
      }),
      RUNS,
    );
  });
});

it('well-named custom properties keep a valid object valid under the permissive policy', () => {
  const name = fc.stringMatching(/^x_[a-z0-9_]{1,40}$/);
  fc.assert(
    fc.property(validObject, name, fc.jsonValue(), (obj, key, value) => {
      expect(issuesOf(permissive.validate({ ...clone(obj), [key]: value }))).toEqual([]);
      expect(issuesOf(strict.validate({ ...clone(obj), [key]: value }))).toContainEqual(
        expect.objectContaining({ path: key, rule: 'custom-property' }),
      );
    }),
    RUNS,
  );
});
