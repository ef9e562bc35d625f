/**
 * Issue 15, MongoDB: the per-TLP-level page walk of a scoped default selection
 * (src/store/mongodb/scoped-walk.ts), checked WITHOUT a MongoDB server. Its query documents
 * are evaluated by mingo, in MongoStore over the mingo double and on their own:
 * (a) over random collections, versions, levels, types and scopes, the walk's merged page is
 *     the page of the plain filter (queries.ts pageQuery, one find) and SQLite's page, and
 *     paging by position covers every record exactly once;
 * (b) every arm (and every withheld count) is an equality prefix of the objects_visible key,
 *     walked in date_added order, within its partial filter, and names it by hint.
 * What only a server shows (the plan each arm gets) is in test/contract/mongodb.test.ts.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Query } from 'mingo';
import type { AnyObject } from 'mingo/types';
import { indexes } from '../../src/store/mongodb/indexes';
import { type ObjectDoc, pageQuery } from '../../src/store/mongodb/queries';
import { mergeByDateAdded, TYPE_INDEX, VISIBLE_INDEX, walkArms, walksByLevel, withheldCounts } from '../../src/store/mongodb/scoped-walk';
import type { NewObject, ObjectQuery, ObjectScope, VersionSelector } from '../../src/store/object-store';
import { EVERYTHING } from '../../src/store/scope';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { Store } from '../../src/store/store';
import { formatTimestamp, type Micros } from '../../src/time';
import { addEvent, deleteEvent, testChange } from '../support/changes';
import { MINGO_SUITE, openMingoStore } from './mingo-store';

const COLLECTIONS = ['6c0a4f55-1b7e-4d4a-9a35-0e3c7a1f2b01', '6c0a4f55-1b7e-4d4a-9a35-0e3c7a1f2b02'];
const TYPES = ['indicator', 'malware', 'ipv4-addr'];
const LEVELS = [-1, 0, 1, 2, 3, 4];
const LAST: VersionSelector = { all: false, first: false, last: true, at: [] };
const T0: Micros = Date.UTC(2026, 0, 1) * 1000;
const DAY = 86_400_000_000;

/** Object n (type by n), version v (a day apart), at a TLP level, in STIX 2.1 or 2.0. */
function version(n: number, v: number, tlp: number, specVersion: string): NewObject {
  const type = TYPES[n % TYPES.length] as string;
  const id = `${type}--${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;
  const modified = formatTimestamp(T0 + v * DAY);
  const json = JSON.stringify({ type, ...(specVersion === '2.1' && { spec_version: '2.1' }), id, modified });
  return { id, type, specVersion, version: T0 + v * DAY, tlp, json };
}

const arbVersion = fc
  .tuple(fc.nat(6), fc.nat(4), fc.constantFrom(...LEVELS), fc.constantFrom('2.1', '2.1', '2.1', '2.0'))
  .map(([n, v, tlp, spec]) => version(n, v, tlp, spec));

type Step = { kind: 'add'; coll: number; objects: NewObject[] } | { kind: 'delete'; coll: number; n: number; versions: VersionSelector };
const arbStep: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('add' as const), coll: fc.nat(1), objects: fc.array(arbVersion, { minLength: 1, maxLength: 8 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      coll: fc.nat(1),
      n: fc.nat(6),
      versions: fc.constantFrom<VersionSelector>(LAST, { all: false, first: true, last: false, at: [] }),
    }),
  },
);

const arbClause = fc.record(
  { tlpLevels: fc.subarray(LEVELS), allowTypes: fc.subarray(TYPES), denyTypes: fc.subarray(TYPES) },
  { requiredKeys: ['tlpLevels'] },
);
const arbScope: fc.Arbitrary<ObjectScope> = fc.record({ clauses: fc.array(arbClause, { minLength: 1, maxLength: 3 }) });
const arbTypes = fc.option(fc.subarray(TYPES, { minLength: 1 }), { nil: undefined });

/** The plain filter's page (one find, as MongoStore runs every other page), evaluated by mingo. */
function plainPage(docs: ObjectDoc[], q: ObjectQuery): ObjectDoc[] {
  const { filter, sort, limit } = pageQuery(q);
  return new Query(filter as AnyObject)
    .find<ObjectDoc>(docs as unknown as AnyObject[])
    .sort(sort)
    .limit(limit)
    .all();
}

/** The walk's page from its arms alone, each evaluated by mingo as the server would run it. */
function walkedPage(docs: ObjectDoc[], q: ObjectQuery & { scope: ObjectScope }): ObjectDoc[] {
  const pages = walkArms(q).map(({ filter, sort, limit }) =>
    new Query(filter as AnyObject)
      .find<ObjectDoc>(docs as unknown as AnyObject[])
      .sort(sort)
      .limit(limit)
      .all(),
  );
  return mergeByDateAdded(pages, q.limit + 1);
}

describe(`${MINGO_SUITE}: the per-TLP-level page walk (issue 15)`, () => {
  it('(a) the walk’s merged pages equal the plain filter’s and SQLite’s, and paging by position covers everything exactly once (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbStep, { minLength: 1, maxLength: 10 }),
        fc.array(fc.record({ coll: fc.nat(1), scope: arbScope, types: arbTypes, limit: fc.integer({ min: 1, max: 5 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (steps, queries) => {
          const sqlite = new SqliteStore(':memory:');
          const { store: mongo, db } = await openMingoStore();
          try {
            for (const store of [sqlite, mongo] as Store[]) {
              await store.upsertApiRoot(
                { path: 'api1', title: 'one', maxContentLength: 1 << 20, contentPolicy: 'permissive', allowedSpecVersions: ['2.0', '2.1'] },
                testChange('api-root', 'api1'),
              );
              for (const id of COLLECTIONS)
                await store.upsertCollection({ id, apiRoot: 'api1', title: id, mediaTypes: [] }, testChange('collection', id));
            }
            let now = T0;
            for (const step of steps) {
              const collectionId = COLLECTIONS[step.coll] as string;
              if (step.kind === 'add') {
                now += 1000;
                const env = {
                  statusId: randomUUID(),
                  apiRoot: 'api1',
                  collectionId,
                  accountId: 'a',
                  partyId: 'p',
                  visible: EVERYTHING,
                  requestTimestamp: now,
                  now,
                  objects: step.objects,
                  failures: [],
                  audit: addEvent,
                };
                expect(await mongo.addObjects(env)).toEqual(await sqlite.addObjects(env));
              } else {
                const id = version(step.n, 0, 0, '2.1').id;
                const removed = await sqlite.deleteObject(collectionId, id, step.versions, undefined, undefined, deleteEvent);
                expect(await mongo.deleteObject(collectionId, id, step.versions, undefined, undefined, deleteEvent)).toBe(removed);
              }
            }
            const docs = db.collection('objects').docs as unknown as ObjectDoc[];
            for (const { coll, scope, types, limit } of queries) {
              const base: ObjectQuery = { collectionId: COLLECTIONS[coll] as string, versions: LAST, scope, limit, ...(types && { types }) };
              if (!walksByLevel(base)) continue;
              const seen: string[] = [];
              let after: Micros | undefined;
              for (let guard = 0; guard < 100; guard++) {
                const q = { ...base, ...(after !== undefined && { after }) } as ObjectQuery & { scope: ObjectScope };
                const plain = plainPage(docs, q);
                expect(walkedPage(docs, q).map((d) => d.date_added)).toEqual(plain.map((d) => d.date_added));
                const page = await mongo.queryManifest(q);
                expect(page).toEqual(await sqlite.queryManifest(q));
                expect([page.records.map((r) => r.dateAdded), page.more]).toEqual([
                  plain.slice(0, limit).map((d) => d.date_added),
                  plain.length > limit,
                ]);
                seen.push(...page.records.map((r) => `${r.id} ${r.specVersion} ${r.version}`));
                if (!page.more) break;
                after = page.records[page.records.length - 1]?.dateAdded;
              }
              const everything = plainPage(docs, { ...base, limit: 1_000_000 }).map((d) => `${d.id} ${d.spec_version} ${d.version}`);
              expect(seen).toEqual(everything);
              expect(new Set(seen.map((k) => k.split(' ').slice(0, 2).join(' '))).size).toBe(seen.length);
            }
          } finally {
            await sqlite.close();
            await mongo.close();
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('(b) every arm and every withheld count is an equality prefix of objects_visible (an arm of a type named one by one: of objects_type), in date_added order, within its partial filter, named by hint (property)', () => {
    const index = indexes(false).objects?.find((i) => i.name === VISIBLE_INDEX);
    const typeKey = Object.keys(indexes(false).objects?.find((i) => i.name === TYPE_INDEX)?.key ?? {});
    expect(typeKey).toEqual(['coll', 'type', 'date_added']);
    const checkTypeArm = (filter: Record<string, unknown>) => {
      for (const field of ['coll', 'type']) expect(typeof filter[field]).toBe('string');
      for (const op of Object.keys((filter.date_added as Record<string, unknown> | undefined) ?? {})) expect(['$gt', '$lte']).toContain(op);
      for (const field of Object.keys(filter)) expect([...typeKey, 'latest_spec', 'tlp', 'newer_levels']).toContain(field);
    };
    const key = Object.keys(index?.key ?? {});
    expect(key).toEqual(['coll', 'tlp', 'newer_levels', 'date_added']);
    const partial = Object.entries(index?.partialFilterExpression ?? {});
    const prefix = key.slice(0, -1);
    const checkPrefix = (filter: Record<string, unknown>, extra: string[]) => {
      for (const field of prefix) expect(['string', 'number']).toContain(typeof filter[field]);
      const added = filter.date_added as Record<string, unknown> | undefined;
      if (added !== undefined) for (const op of Object.keys(added)) expect(['$gt', '$lte']).toContain(op);
      for (const [field, value] of partial) expect(filter[field]).toBe(value);
      for (const field of Object.keys(filter)) expect([...key, ...partial.map(([f]) => f), 'type', ...extra]).toContain(field);
    };
    fc.assert(
      fc.property(
        arbScope,
        arbTypes,
        fc.option(fc.nat(), { nil: undefined }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.integer({ min: 1, max: 1000 }),
        (scope, types, after, upTo, limit) => {
          const q: ObjectQuery = { collectionId: 'c', versions: LAST, scope, limit, ...(types && { types }), ...(after !== undefined && { after }) };
          fc.pre(walksByLevel(q));
          const walked = q as ObjectQuery & { scope: ObjectScope };
          for (const arm of walkArms(walked)) {
            expect([arm.sort, arm.limit]).toEqual([{ date_added: 1 }, limit + 1]);
            // Types a scope names one by one are walked by type; every other arm by level.
            if (typeof arm.filter.type === 'string') {
              expect(arm.hint).toBe(TYPE_INDEX);
              checkTypeArm(arm.filter as Record<string, unknown>);
            } else {
              expect(arm.hint).toBe(VISIBLE_INDEX);
              checkPrefix(arm.filter as Record<string, unknown>, []);
            }
          }
          for (const count of withheldCounts(walked, upTo)) {
            expect(count.hint).toBe(VISIBLE_INDEX);
            expect(count.filter.newer_levels).toBe(0);
            // Only the type is tested beyond the index key: $and / $nor hold type conditions alone.
            for (const term of JSON.stringify([count.filter.$and ?? [], count.filter.$nor ?? []]).match(/"[\w$]+":/g) ?? [])
              expect(['"type":', '"$in":', '"$nin":', '"$or":', '"$nor":']).toContain(term);
            checkPrefix(count.filter as Record<string, unknown>, ['$and', '$nor']);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the arms depend on the scope and match[type] alone, not on what is stored: one per (type group, visible level, hidden-only newer levels)', () => {
    // Visible: TLP levels 0-2 for every type. Hidden: unmarked, 3 and 4, so 2^3 newer-level sets per visible level.
    const q = { collectionId: 'c', versions: LAST, limit: 10, scope: { clauses: [{ tlpLevels: [0, 1, 2] }] } };
    const arms = walkArms(q);
    expect(arms).toHaveLength(3 * 8);
    expect(new Set(arms.map((a) => `${a.filter.tlp as number} ${a.filter.newer_levels as number}`)).size).toBe(24);
    // match[type] outside a group's types leaves that group out.
    const split = { ...q, types: ['malware'], scope: { clauses: [{ tlpLevels: [0], allowTypes: ['indicator'] }, { tlpLevels: [1] }] } };
    expect(walkArms(split).every((a) => JSON.stringify(a.filter.type) === JSON.stringify({ $in: ['malware'] }))).toBe(true);
    // Types named one by one (the marking definitions every reader sees): one walk per type.
    const named = {
      ...q,
      scope: { clauses: [{ tlpLevels: [0] }, { tlpLevels: [-1, 0, 1, 2, 3, 4], allowTypes: ['marking-definition', 'identity'] }] },
    };
    expect(
      walkArms(named)
        .filter((a) => a.hint === TYPE_INDEX)
        .map((a) => a.filter.type)
        .sort(),
    ).toEqual(['identity', 'marking-definition']);
  });
});
