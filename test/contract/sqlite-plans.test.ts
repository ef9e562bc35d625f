/**
 * SqliteStore query plans: what must stay an index seek however large a collection grows.
 * SQLite has no statistics here (no ANALYZE), so its planner can prefer walking a whole
 * collection in date_added order to sorting a few rows; these tests read the plan of every
 * statement a request runs and fail on such a walk.
 */
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from '../../src/store/sqlite/database';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { ALL_VERSIONS } from '../../src/taxii/filters';
import { testChange, deleteEvent } from '../support/changes';

const COLLECTION = '9a1f0c3e-5b7d-4e2a-8c6f-1d3b5a7c9e0f';
const ID = 'indicator--00000000-0000-4000-8000-000000000001';
const LAST = { last: true, first: false, all: false, at: [] };
const SCOPE = { clauses: [{ tlpLevels: [-1, 0, 1, 2] }, { tlpLevels: [3], allowTypes: ['indicator'] }] };

/** The store's connection (database.ts), and the better-sqlite3 handle inside it. */
function databaseOf(store: SqliteStore): SqliteDatabase {
  return (store as unknown as { db: SqliteDatabase }).db;
}

/** Every SQL text the store runs while `fn` runs. */
async function statementsOf(store: SqliteStore, fn: () => Promise<unknown>): Promise<string[]> {
  const database = databaseOf(store);
  const seen: string[] = [];
  const stmt = database.stmt.bind(database);
  database.stmt = (sql: string) => {
    seen.push(sql);
    return stmt(sql);
  };
  try {
    await fn();
  } finally {
    database.stmt = stmt;
  }
  return seen;
}

function planOf(store: SqliteStore, sql: string): string {
  const db = (databaseOf(store) as unknown as { db: Database.Database }).db;
  const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => null);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
}

/** An empty in-memory store with the collection the plans are read on. */
async function storeWithCollection(): Promise<SqliteStore> {
  const store = new SqliteStore(':memory:');
  await store.upsertApiRoot(
    { path: 'r', title: 'r', maxContentLength: 1 << 20, contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] },
    testChange('api-root', 'test'),
  );
  await store.upsertCollection({ id: COLLECTION, apiRoot: 'r', title: 'c', mediaTypes: [] }, testChange('collection', 'test'));
  return store;
}

describe('SqliteStore query plans (one object by id stays an index seek)', () => {
  let store: SqliteStore;
  beforeAll(async () => (store = await storeWithCollection()));
  afterAll(() => store.close());

  const byIdStatements = (sqls: string[]) => sqls.filter((s) => /FROM objects\b/.test(s) && /\bid (IN \(|= \?)/.test(s));

  it.each([
    [
      '§5.6 Get An Object (queryObjects with match[id])',
      () => store.queryObjects({ collectionId: COLLECTION, ids: [ID], versions: ALL_VERSIONS, specVersions: ['2.0', '2.1'], limit: 10 }),
    ],
    [
      '§5.8 Get Object Versions (queryManifest with match[id])',
      () => store.queryManifest({ collectionId: COLLECTION, ids: [ID], versions: ALL_VERSIONS, specVersions: ['2.0', '2.1'], limit: 10 }),
    ],
    ['§5.7 Delete An Object', () => store.deleteObject(COLLECTION, ID, ALL_VERSIONS, undefined, undefined, deleteEvent)],
    [
      '§5.6 Get An Object under an agreement scope (TLP and type limits)',
      () => store.queryObjects({ collectionId: COLLECTION, ids: [ID], versions: LAST, limit: 10, scope: SCOPE }),
    ],
    [
      '§5.8 Get Object Versions under an agreement scope',
      () =>
        store.queryManifest({ collectionId: COLLECTION, ids: [ID], versions: ALL_VERSIONS, specVersions: ['2.0', '2.1'], limit: 10, scope: SCOPE }),
    ],
    ['§5.7 Delete An Object under an agreement scope', () => store.deleteObject(COLLECTION, ID, ALL_VERSIONS, undefined, SCOPE, deleteEvent)],
  ])('%s seeks the id index instead of walking the collection', async (_name, run) => {
    const sqls = byIdStatements(await statementsOf(store, run));
    expect(sqls.length).toBeGreaterThan(0);
    for (const sql of sqls) expect(planOf(store, sql)).toMatch(/USING (COVERING )?INDEX objects_version \(coll=\? AND id=\?/);
  });
});

describe('SqliteStore query plans (a scoped page is index walks, however much is withheld)', () => {
  let store: SqliteStore;
  beforeAll(async () => (store = await storeWithCollection()));
  afterAll(() => store.close());

  // A reader of TLP:CLEAR, as decide() scopes it: every reader also sees the marking
  // definitions, at every level (docs/agreements.md).
  const READER = { clauses: [{ tlpLevels: [-1, 0] }, { tlpLevels: [-1, 0, 1, 2, 3, 4], allowTypes: ['marking-definition', 'identity'] }] };

  it('§5.3/§5.4 types named one by one walk objects_type, type by type, never every row of a level after the cursor (issue 15: a 90%-withheld page grew with the collection)', async () => {
    const sqls = (
      await statementsOf(store, () => store.queryObjects({ collectionId: COLLECTION, versions: LAST, addedAfter: 1, limit: 100, scope: READER }))
    ).filter((s) => s.includes('UNION ALL'));
    expect(sqls).toHaveLength(1);
    const searches = planOf(store, sqls[0] as string)
      .split('\n')
      .filter((line) => /\bobjects\b/.test(line) && /^(SEARCH|SCAN)/.test(line));
    expect(searches.filter((l) => l.includes('objects_type'))).toEqual([
      'SEARCH objects USING INDEX objects_type (coll=? AND type=? AND date_added>?)',
      'SEARCH objects USING INDEX objects_type (coll=? AND type=? AND date_added>?)',
    ]);
    for (const line of searches)
      expect(line).toMatch(
        /^SEARCH objects USING INDEX objects_(type \(coll=\? AND type=\?|visible \(coll=\? AND tlp=\? AND newer_levels=\?) AND date_added>\?\)$/,
      );
  });

  it('§5.3 the withheld counts of a scoped page are index-only walks of objects_visible, one per TLP level and reason', async () => {
    const sqls = (
      await statementsOf(store, () => store.queryObjects({ collectionId: COLLECTION, versions: LAST, addedAfter: 1, limit: 100, scope: READER }))
    ).filter((s) => s.startsWith('SELECT COUNT(*)'));
    expect(sqls.length).toBeGreaterThan(0);
    for (const sql of sqls)
      expect(planOf(store, sql)).toMatch(
        /^SEARCH objects USING COVERING INDEX objects_visible \(coll=\? AND tlp=\? AND newer_levels=\? AND date_added>\?/,
      );
  });

  it('every index an add writes on objects is one a query walks (issue 15: each costs every add its writes)', () => {
    const db = (databaseOf(store) as unknown as { db: Database.Database }).db;
    const indexes = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'objects' ORDER BY name").all() as { name: string }[]
    ).map((r) => r.name);
    expect(indexes).toEqual(['objects_added', 'objects_default', 'objects_type', 'objects_version', 'objects_visible']);
  });
});
