/**
 * Regression (issue #12, "first" as each caller sees it), for databases written before
 * older_levels existed: on opening, every stored version gets the levels of its older versions
 * (SQLite: a migration; MongoDB: a backfill at connect), so match[version]=first in a scope is
 * the oldest version the caller may see (TAXII 2.1 §3.4.1 Supported Fields for Match) for
 * objects stored before the change too.
 */
import { randomUUID } from 'node:crypto';
import type { NewObject, ObjectScope } from '../../src/store/object-store';
import { afterMigration } from '../support/sqlite-rollback';
import type { Store } from '../../src/store/store';
import { formatTimestamp, parseTimestamp } from '../../src/time';
import { reconnectedWithout } from '../mongodb/mingo-store';
import { testChange } from '../support/changes';
import { envelope } from './store-contract';

const COLLECTION = randomUUID();
const T0 = Date.UTC(2026, 0, 1) * 1000;
const FIRST = { all: false, first: true, last: false, at: [] };
const [GREEN, RED] = [1, 4];

function version(n: number, modified: string, tlp: number, specVersion = '2.1'): NewObject {
  const id = `indicator--${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;
  const json = JSON.stringify({ type: 'indicator', ...(specVersion === '2.1' && { spec_version: '2.1' }), id, modified });
  return { id, type: 'indicator', specVersion, version: parseTimestamp(modified) as number, tlp, json };
}

/** X: Jan RED, Feb GREEN, Mar unmarked. Y: 2.0 Jan GREEN and Feb RED, then 2.1 Mar GREEN. */
async function seed(store: Store): Promise<void> {
  await store.upsertApiRoot(
    { path: 'api1', title: 'one', maxContentLength: 1 << 20, contentPolicy: 'permissive', allowedSpecVersions: ['2.0', '2.1'] },
    testChange('api-root', 'api1'),
  );
  await store.upsertCollection(
    { id: COLLECTION, apiRoot: 'api1', title: 'c', mediaTypes: ['application/stix+json;version=2.1'] },
    testChange('collection', COLLECTION),
  );
  await store.addObjects(
    envelope(COLLECTION, T0, [
      version(1, '2026-01-01T00:00:00Z', RED),
      version(1, '2026-02-01T00:00:00Z', GREEN),
      version(1, '2026-03-01T00:00:00Z', -1),
      version(2, '2026-01-01T00:00:00Z', GREEN, '2.0'),
      version(2, '2026-02-01T00:00:00Z', RED, '2.0'),
      version(2, '2026-03-01T00:00:00Z', GREEN),
    ]),
  );
}

const firstIn = async (store: Store, levels: number[], specVersions?: string[]) => {
  const scope: ObjectScope = { clauses: [{ tlpLevels: levels }] };
  const page = await store.queryManifest({ collectionId: COLLECTION, versions: FIRST, limit: 10, scope, ...(specVersions && { specVersions }) });
  return page.records.map((r) => `${r.id.slice(11, 19)} ${r.specVersion} ${formatTimestamp(r.version).slice(0, 10)}`);
};

/** "first" for a GREEN reader and a RED reader, of the newest spec_version and of 2.0. */
async function expectFirstAsEachCallerSeesIt(store: Store): Promise<void> {
  expect(await firstIn(store, [GREEN])).toEqual(['00000001 2.1 2026-02-01', '00000002 2.1 2026-03-01']);
  expect(await firstIn(store, [RED])).toEqual(['00000001 2.1 2026-01-01']);
  expect(await firstIn(store, [RED], ['2.0'])).toEqual(['00000002 2.0 2026-02-01']);
  expect(await firstIn(store, [-1], ['2.0', '2.1'])).toEqual(['00000001 2.1 2026-03-01']);
}

describe('older_levels for versions stored before it (issue #12: match[version]=first never reveals a hidden older version)', () => {
  it('SQLite: the migration fills older_levels of rows stored before it', async () => {
    await afterMigration('ADD COLUMN older_levels', seed, expectFirstAsEachCallerSeesIt);
  });

  it('MongoDB (logic, on the mingo double): connecting fills older_levels (and newer_levels) as adds keep them, leaving every other flag as it was', async () => {
    // As before both upgrades: neither field, and neither upgrade recorded as done.
    const { store, db, before } = await reconnectedWithout(['older_levels', 'newer_levels'], seed);
    // Y's 2.0 versions keep latest_spec false: the backfill sees all of an object's spec_versions.
    expect(db.collection('objects').docs).toEqual(before);
    await expectFirstAsEachCallerSeesIt(store);
  });
});
