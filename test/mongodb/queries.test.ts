/**
 * MongoStore's query logic and write plans, checked WITHOUT a MongoDB server: MongoStore
 * itself runs over the mingo double (mingo-double.ts: its filter / sort / limit documents,
 * insert and flag-update plans evaluated in process by mingo) and is compared, page for page
 * and record for record, with the SQLite reference adapter fed the same envelopes, deletes
 * and queries. Nothing here ran against MongoDB itself; that is test/contract/mongodb.test.ts
 * (needs MONGODB_URI).
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Query, updateOne } from 'mingo';
import type { AnyObject } from 'mingo/types';
import { indexes } from '../../src/store/mongodb/indexes';
import { type ObjectDoc, pageQuery } from '../../src/store/mongodb/queries';
import { type CounterDoc, DATE_ADDED_COUNTER, dedupe, firstReserved, reserveDateAdded } from '../../src/store/mongodb/writes';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { EVERYTHING } from '../../src/store/scope';
import { newestSpecVersion } from '../../src/store/spec-version';
import type { AddEnvelope, NewObject, ObjectQuery, ObjectScope, VersionSelector } from '../../src/store/object-store';
import type { Store } from '../../src/store/store';
import { formatTimestamp, type Micros, parseTimestamp } from '../../src/time';
import type { MingoDb } from './mingo-double';
import { MINGO_SUITE, openMingoStore } from './mingo-store';
import { addEvent, deleteEvent, testChange } from '../support/changes';

const T0: Micros = Date.UTC(2026, 0, 1) * 1000;
const COLLECTIONS = ['2b1f0a1e-6a8c-4d0e-9f53-1c1f7c0c2a01', '5e9d4c43-0f6e-4b8a-8c11-8d3f2f4a9b02'];
const UNKNOWN_COLLECTION = '00000000-0000-4000-8000-0000000000ff';

function ts(text: string): Micros {
  return parseTimestamp(text) as Micros;
}

const VERSION_TIMES = ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'].map(ts);
/** A version no object has. */
const ABSENT_VERSION = ts('2020-01-01T00:00:00Z');
const TYPES = ['indicator', 'malware', 'ipv4-addr'];
const SPEC_VERSIONS = ['2.0', '2.1', '2.2'];

function stixId(type: string, n: number): string {
  return `${type}--${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
}

/** SDOs 0–4 (indicator when even, malware when odd), at one of four versions, STIX 2.1 or 2.0. */
function sdo(n: number, v: number, specVersion: string): NewObject {
  const type = n % 2 === 0 ? 'indicator' : 'malware';
  const id = stixId(type, n);
  const modified = formatTimestamp(VERSION_TIMES[v] as Micros);
  const json = JSON.stringify({ type, ...(specVersion !== '2.0' && { spec_version: specVersion }), id, created: '2025-01-01T00:00:00Z', modified });
  return { id, type, specVersion, version: VERSION_TIMES[v] as Micros, tlp: ((n + v) % 5) - 1, json };
}

/** SCOs 10–11 without timestamps, in one of three contents: their version is their date_added. */
function sco(n: number, content: number): NewObject {
  const id = stixId('ipv4-addr', n);
  return {
    id,
    type: 'ipv4-addr',
    specVersion: '2.1',
    version: null,
    tlp: content - 1,
    json: JSON.stringify({ type: 'ipv4-addr', spec_version: '2.1', id, value: `192.0.2.${content}` }),
  };
}

const ID_POOL = [0, 1, 2, 3, 4]
  .map((n) => stixId(n % 2 === 0 ? 'indicator' : 'malware', n))
  .concat(stixId('ipv4-addr', 10), stixId('ipv4-addr', 11), stixId('indicator', 99));

const arbObject: fc.Arbitrary<NewObject> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 }), fc.constantFrom('2.1', '2.1', '2.0'))
      .map(([n, v, s]) => sdo(n, v, s)),
  },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 10, max: 11 }), fc.integer({ min: 0, max: 2 })).map(([n, c]) => sco(n, c)) },
);

/** Picks among the static versions and every version stored so far (SCO versions are date_added values). */
const arbVersionSelector = fc.record({
  all: fc.constantFrom(false, false, false, true),
  first: fc.boolean(),
  last: fc.boolean(),
  at: fc.array(fc.nat(), { maxLength: 3 }),
});
type VersionSeed = typeof arbVersionSelector extends fc.Arbitrary<infer T> ? T : never;

const arbSpecVersions = fc.option(fc.subarray(SPEC_VERSIONS, { minLength: 1 }), { nil: undefined });

const arbScope: fc.Arbitrary<ObjectScope | undefined> = fc.option(
  fc.record({
    clauses: fc.array(
      fc.record(
        { tlpLevels: fc.subarray([-1, 0, 1, 2, 3, 4]), allowTypes: fc.subarray(TYPES), denyTypes: fc.subarray(TYPES) },
        { requiredKeys: ['tlpLevels'] },
      ),
      { maxLength: 3 },
    ),
  }),
  { nil: undefined },
);

/** A paging position: near one of the stored date_added values (just before, on, just after), or 0. */
const arbPosition = fc.option(fc.oneof(fc.constant(null), fc.record({ pick: fc.nat(), delta: fc.constantFrom(-1, 0, 1) })), { nil: undefined });
type PositionSeed = typeof arbPosition extends fc.Arbitrary<infer T> ? T : never;

const arbCollection = fc.constantFrom(0, 0, 0, 1, 2);

type Command =
  | { kind: 'add'; coll: number; objects: NewObject[]; clockStep: number }
  | { kind: 'delete'; coll: number; id: string; versions: VersionSeed; specVersions: string[] | undefined; scope: ObjectScope | undefined }
  | {
      kind: 'query';
      coll: number;
      ids: string[] | undefined;
      types: string[] | undefined;
      versions: VersionSeed;
      specVersions: string[] | undefined;
      addedAfter: PositionSeed;
      after: PositionSeed;
      limit: number;
      scope: ObjectScope | undefined;
    };

const arbAdd: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('add' as const),
  coll: arbCollection,
  objects: fc.array(arbObject, { minLength: 1, maxLength: 6 }),
  // 0 freezes the clock, negative values turn it back.
  clockStep: fc.oneof(fc.constant(0), fc.integer({ min: -3_000, max: 3_000 })),
});
const arbDelete: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('delete' as const),
  coll: arbCollection,
  id: fc.constantFrom(...ID_POOL),
  versions: arbVersionSelector,
  specVersions: arbSpecVersions,
  scope: arbScope,
});
const arbQuery: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('query' as const),
  coll: arbCollection,
  ids: fc.option(fc.subarray(ID_POOL, { maxLength: 3 }), { nil: undefined }),
  types: fc.option(fc.subarray(TYPES), { nil: undefined }),
  versions: arbVersionSelector,
  specVersions: arbSpecVersions,
  addedAfter: arbPosition,
  after: arbPosition,
  limit: fc.integer({ min: 1, max: 8 }),
  scope: arbScope,
});

/** The two sides: the SQLite reference and MongoStore over the mingo double. */
class Pair {
  readonly sqlite = new SqliteStore(':memory:');
  mongo!: Store;
  private db!: MingoDb;
  clock = T0;

  async init(): Promise<void> {
    ({ store: this.mongo, db: this.db } = await openMingoStore());
    for (const store of [this.sqlite, this.mongo]) {
      await store.upsertApiRoot(
        { path: 'api1', title: 'one', maxContentLength: 1 << 20, contentPolicy: 'permissive', allowedSpecVersions: ['2.0', '2.1'] },
        testChange('api-root', 'test'),
      );
      for (const id of COLLECTIONS)
        await store.upsertCollection(
          { id, apiRoot: 'api1', title: id, mediaTypes: ['application/stix+json;version=2.1'] },
          testChange('collection', 'test'),
        );
    }
  }

  async close(): Promise<void> {
    await this.sqlite.close();
    await this.mongo.close();
  }

  /** The documents MongoStore stored in `objects`. */
  docs(): ObjectDoc[] {
    return this.db.collection('objects').docs as unknown as ObjectDoc[];
  }

  collection(n: number): string {
    return COLLECTIONS[n] ?? UNKNOWN_COLLECTION;
  }

  versions(seed: VersionSeed): VersionSelector {
    const pool = [...VERSION_TIMES, ABSENT_VERSION, ...new Set(this.docs().map((d) => d.version))];
    const sel: VersionSelector = { all: seed.all, first: seed.first, last: seed.last, at: seed.at.map((i) => pool[i % pool.length] as Micros) };
    // The HTTP layer never passes an empty selector (match[version] defaults to last).
    if (!sel.all && !sel.first && !sel.last && sel.at.length === 0) sel.last = true;
    return sel;
  }

  position(seed: PositionSeed): Micros | undefined {
    if (seed === undefined) return undefined;
    const added = this.docs()
      .map((d) => d.date_added)
      .sort((a, b) => a - b);
    if (seed === null || added.length === 0) return 0;
    return (added[seed.pick % added.length] as Micros) + seed.delta;
  }

  async run(c: Command): Promise<void> {
    const collectionId = this.collection(c.coll);
    if (c.kind === 'add') {
      this.clock += c.clockStep;
      const env: AddEnvelope = {
        statusId: randomUUID(),
        apiRoot: 'api1',
        collectionId,
        accountId: 'acct',
        partyId: 'party-1',
        visible: EVERYTHING,
        requestTimestamp: this.clock,
        now: this.clock,
        objects: c.objects,
        failures: [],
        audit: addEvent,
      };
      const expected = await this.sqlite.addObjects(env).catch((e: unknown) => e);
      const actual = await this.mongo.addObjects(env).catch((e: unknown) => e);
      if (expected instanceof Error) expect([actual, expected]).toMatchObject([{ kind: 'not-found' }, { kind: 'not-found' }]);
      else expect(actual).toEqual(expected);
    } else if (c.kind === 'delete') {
      const versions = this.versions(c.versions);
      const expected = await this.sqlite.deleteObject(collectionId, c.id, versions, c.specVersions, c.scope, deleteEvent);
      expect(await this.mongo.deleteObject(collectionId, c.id, versions, c.specVersions, c.scope, deleteEvent)).toBe(expected);
    } else {
      const q: ObjectQuery = { collectionId, versions: this.versions(c.versions), limit: c.limit };
      if (c.ids) q.ids = c.ids;
      if (c.types) q.types = c.types;
      if (c.specVersions) q.specVersions = c.specVersions;
      if (c.scope) q.scope = c.scope;
      const addedAfter = this.position(c.addedAfter);
      if (addedAfter !== undefined) q.addedAfter = addedAfter;
      const after = this.position(c.after);
      if (after !== undefined) q.after = after;
      await this.compare(q);
    }
  }

  async compare(q: ObjectQuery): Promise<void> {
    expect(await this.mongo.queryManifest(q)).toEqual(await this.sqlite.queryManifest(q));
    expect(await this.mongo.queryObjects(q)).toEqual(await this.sqlite.queryObjects(q));
  }

  /** Pages through a whole selection by the paging position, as `next` does, comparing every page. */
  async walk(base: Omit<ObjectQuery, 'limit'>, limit: number, store: Store = this.sqlite): Promise<number> {
    let after: Micros | undefined;
    let seen = 0;
    for (let guard = 0; guard < 1000; guard++) {
      const q: ObjectQuery = { ...base, limit, ...(after !== undefined && { after }) };
      const expected = await store.queryManifest(q);
      expect(await this.mongo.queryManifest(q)).toEqual(expected);
      seen += expected.records.length;
      if (!expected.more) return seen;
      after = expected.records[expected.records.length - 1]?.dateAdded;
    }
    throw new Error('the walk never reached more: false');
  }

  /** The flags recomputed from scratch: what is_first / is_last / latest_spec must be after any history. */
  expectConsistentFlags(): void {
    const group = (d: ObjectDoc) => JSON.stringify([d.coll, d.id, d.spec_version]);
    const versions = new Map<string, Micros[]>();
    const specs = new Map<string, string[]>();
    for (const d of this.docs()) {
      versions.set(group(d), [...(versions.get(group(d)) ?? []), d.version]);
      const object = JSON.stringify([d.coll, d.id]);
      specs.set(object, [...(specs.get(object) ?? []), d.spec_version]);
    }
    for (const d of this.docs()) {
      const vs = versions.get(group(d)) as Micros[];
      const flags = { is_first: d.is_first, is_last: d.is_last, latest_spec: d.latest_spec };
      expect({ key: group(d), version: d.version, ...flags }).toEqual({
        key: group(d),
        version: d.version,
        is_first: d.version === Math.min(...vs),
        is_last: d.version === Math.max(...vs),
        latest_spec: d.spec_version === newestSpecVersion(specs.get(JSON.stringify([d.coll, d.id])) as string[]),
      });
    }
    const added = this.docs().map((d) => d.date_added);
    expect(new Set(added).size).toBe(added.length);
  }
}

describe(`${MINGO_SUITE}: objects against the SQLite reference`, () => {
  it('random adds, deletes and queries: every status, delete count and page (records and more) equals SQLite’s', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 4, arbitrary: arbAdd }, { weight: 1, arbitrary: arbDelete }, { weight: 4, arbitrary: arbQuery }), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.array(arbQuery, { maxLength: 10 }),
        async (commands, finalQueries) => {
          const pair = new Pair();
          await pair.init();
          try {
            for (const c of commands) await pair.run(c);
            for (const c of finalQueries) await pair.run(c);
            pair.expectConsistentFlags();
          } finally {
            await pair.close();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('paging by position through every selection shape gives the same pages as SQLite, for every page size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbAdd, { minLength: 1, maxLength: 12 }), fc.array(arbDelete, { maxLength: 3 }), async (adds, deletes) => {
        const pair = new Pair();
        await pair.init();
        try {
          for (const c of [...adds, ...deletes]) await pair.run(c);
          const ALL: VersionSelector = { all: true, first: false, last: false, at: [] };
          const LAST: VersionSelector = { all: false, first: false, last: true, at: [] };
          const FIRST_LAST: VersionSelector = { all: false, first: true, last: true, at: [] };
          const shapes: Omit<ObjectQuery, 'limit'>[] = [
            { collectionId: COLLECTIONS[0] as string, versions: LAST },
            { collectionId: COLLECTIONS[0] as string, versions: ALL },
            { collectionId: COLLECTIONS[0] as string, versions: ALL, specVersions: ['2.0', '2.1'] },
            { collectionId: COLLECTIONS[0] as string, versions: FIRST_LAST, specVersions: ['2.0'] },
            { collectionId: COLLECTIONS[0] as string, versions: LAST, types: ['indicator'] },
            { collectionId: COLLECTIONS[0] as string, versions: LAST, scope: { clauses: [{ tlpLevels: [-1, 0, 1] }] } },
          ];
          for (const shape of shapes) {
            const total = (await pair.sqlite.queryManifest({ ...shape, limit: 1_000_000 })).records.length;
            for (const limit of [1, 2, 3, 5]) expect(await pair.walk(shape, limit)).toBe(total);
          }
        } finally {
          await pair.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('MongoDB adapter: query documents match the indexes created for them', () => {
  const partialFilter = (name: string) => indexes(false).objects?.find((i) => i.name === name)?.partialFilterExpression as Record<string, unknown>;
  const base: ObjectQuery = { collectionId: 'c', versions: { all: false, first: false, last: true, at: [] }, limit: 10 };

  it('the default page query states objects_default’s partial filter exactly, so the server may walk that index', () => {
    expect(pageQuery(base)).toEqual({ filter: { coll: 'c', is_last: true, latest_spec: true }, sort: { date_added: 1 }, limit: 11 });
    expect(pageQuery({ ...base, after: 5 }).filter).toEqual({ coll: 'c', date_added: { $gt: 5 }, ...partialFilter('objects_default') });
  });

  it('a scoped default page query states objects_visible’s partial filter, and "last" as the newest version in scope (issue #12)', () => {
    const { filter } = pageQuery({ ...base, scope: { clauses: [{ tlpLevels: [0, 1, 2, 3] }] } });
    expect(filter).toMatchObject(partialFilter('objects_visible'));
    // Visible levels 0-3: a version is "last" when its newer versions are only unmarked (bit 1) or red (bit 32).
    expect(filter).toEqual({
      coll: 'c',
      latest_spec: true,
      $and: [{ $or: [{ tlp: { $in: [0, 1, 2, 3] } }] }, { $or: [{ newer_levels: { $in: [33, 32, 1, 0] } }] }],
    });
  });

  it('a scope admitting every level and type keeps the plain last-version flag', () => {
    const { filter } = pageQuery({ ...base, scope: { clauses: [{ tlpLevels: [-1, 0, 1, 2, 3, 4] }] } });
    expect(filter).toEqual({ coll: 'c', is_last: true, latest_spec: true, $or: [{ tlp: { $in: [-1, 0, 1, 2, 3, 4] } }] });
  });

  it('added_after and the paging position: the later of the two is the lower bound', () => {
    expect(pageQuery({ ...base, addedAfter: 9, after: 4 }).filter.date_added).toEqual({ $gt: 9 });
    expect(pageQuery({ ...base, addedAfter: 4, after: 9 }).filter.date_added).toEqual({ $gt: 9 });
  });

  it('version terms and scope clauses are two ORs, ANDed', () => {
    const hiddenOnly = Array.from({ length: 64 }, (_, i) => 63 - i).filter((m) => (m & 0b1000) === 0);
    const { filter } = pageQuery({
      ...base,
      versions: { all: false, first: true, last: true, at: [7] },
      scope: { clauses: [{ tlpLevels: [2], denyTypes: ['malware'] }] },
    });
    expect(filter).toEqual({
      coll: 'c',
      latest_spec: true,
      $and: [
        { $or: [{ tlp: { $in: [2] }, type: { $nin: ['malware'] } }] },
        // "last" ("first") for malware: nothing is visible; for every other type, no newer (older)
        // version at level 2 (bit 0b1000), the one level visible.
        {
          $or: [
            { $or: [{ type: { $nin: ['malware'] }, newer_levels: { $in: hiddenOnly } }] },
            { $or: [{ type: { $nin: ['malware'] }, older_levels: { $in: hiddenOnly } }] },
            { version: { $in: [7] } },
          ],
        },
      ],
    });
  });

  it('a scope whose clauses admit no TLP level matches nothing', () => {
    const docs = [{ coll: 'c', tlp: -1, is_last: true, latest_spec: true, date_added: 1 }];
    for (const scope of [{ clauses: [] }, { clauses: [{ tlpLevels: [] }] }]) {
      expect(new Query(pageQuery({ ...base, scope }).filter as AnyObject).find(docs).all()).toEqual([]);
    }
  });
});

describe('MongoDB adapter: date_added reservation (pipeline update evaluated by mingo)', () => {
  /** Reserves like MongoStore.addObjects and returns the values handed out. */
  function reserve(counter: CounterDoc[], now: Micros, count: number): Micros[] {
    const r = reserveDateAdded(now, count);
    updateOne(counter as unknown as AnyObject[], r.filter, r.update as Parameters<typeof updateOne>[2]);
    const first = firstReserved((counter[0] as CounterDoc).last, count);
    return Array.from({ length: count }, (_, i) => first + i);
  }

  it('hands out now, then last + 1 µs while the clock is frozen or goes backwards, as SQLite does one object at a time', () => {
    const counter: CounterDoc[] = [{ _id: DATE_ADDED_COUNTER, last: 0 }];
    expect(reserve(counter, T0, 3)).toEqual([T0, T0 + 1, T0 + 2]);
    expect(reserve(counter, T0, 2)).toEqual([T0 + 3, T0 + 4]);
    expect(reserve(counter, T0 - 60_000_000, 2)).toEqual([T0 + 5, T0 + 6]);
    expect(reserve(counter, T0 + 1_000_000, 2)).toEqual([T0 + 1_000_000, T0 + 1_000_001]);
    expect(counter[0]?.last).toBe(T0 + 1_000_001);
  });

  it('consecutive reservations never overlap, whatever the clock does (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -5_000, max: 5_000 }), fc.integer({ min: 1, max: 50 })), { minLength: 1, maxLength: 40 }),
        (steps) => {
          const counter: CounterDoc[] = [{ _id: DATE_ADDED_COUNTER, last: 0 }];
          let now = T0;
          const handed: Micros[] = [];
          for (const [step, count] of steps) {
            now += step;
            const values = reserve(counter, now, count);
            expect(values[0]).toBe(Math.max(now, (handed[handed.length - 1] ?? 0) + 1));
            handed.push(...values);
          }
          expect(new Set(handed).size).toBe(handed.length);
          expect([...handed].sort((a, b) => a - b)).toEqual(handed);
        },
      ),
    );
  });
});

describe('MongoDB adapter: de-duplication decisions', () => {
  it('an object with a version is stored when (id, spec_version, version) is; its JSON does not matter', () => {
    const a = sdo(0, 1, '2.1');
    const changed = { ...a, json: a.json.replace('}', ',"x_note":"y"}') };
    expect(dedupe([changed], [{ id: a.id, spec_version: '2.1', version: a.version as Micros, tlp: 2 }], [])).toEqual([
      { obj: changed, kind: 'stored', version: a.version, tlp: 2 },
    ]);
    expect(dedupe([a], [{ id: a.id, spec_version: '2.0', version: a.version as Micros, tlp: 2 }], [])).toEqual([{ obj: a, kind: 'new' }]);
  });

  it('an SCO without a version is stored when its identical JSON is, under the version it was stored with', () => {
    const s = sco(10, 1);
    expect(dedupe([s], [], [{ id: s.id, spec_version: '2.1', version: T0 + 7, tlp: -1, json: s.json }])).toEqual([
      { obj: s, kind: 'stored', version: T0 + 7, tlp: -1 },
    ]);
    expect(dedupe([s], [], [{ id: s.id, spec_version: '2.1', version: T0 + 7, tlp: -1, json: sco(10, 2).json }])).toEqual([{ obj: s, kind: 'new' }]);
  });

  it('repeats within one envelope refer to their first occurrence', () => {
    const a = sdo(0, 1, '2.1');
    const s = sco(10, 1);
    expect(dedupe([a, s, a, s], [], []).map((e) => (e.kind === 'repeat' ? e.of : e.kind))).toEqual(['new', 'new', 0, 1]);
  });
});
