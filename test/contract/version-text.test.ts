/**
 * Regression (issue 13 item 2), for databases written before versions were kept as the
 * objects state them: on opening, each stored version takes its text from its JSON (SQLite:
 * a migration; MongoDB: a backfill at connect), so manifests and version lists (TAXII 2.1
 * §5.3, §5.8) give existing objects' versions as written too.
 */
import { randomUUID } from 'node:crypto';
import type { NewObject } from '../../src/store/object-store';
import { afterMigration } from '../support/sqlite-rollback';
import type { Store } from '../../src/store/store';
import { parseTimestamp } from '../../src/time';
import { reconnectedWithout } from '../mongodb/mingo-store';
import { testChange } from '../support/changes';
import { envelope } from './store-contract';

const COLLECTION = randomUUID();
const T0 = Date.UTC(2026, 0, 1) * 1000;
const ALL = { all: true, first: false, last: false, at: [] };

/** An indicator stating its version as `modified` (or, without it, `created`); null: neither (version = date_added). */
function stated(n: number, field: 'modified' | 'created' | null, text = '2026-01-02T03:04:05.6Z'): NewObject {
  const id = `indicator--${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;
  const json = JSON.stringify({ type: 'indicator', spec_version: '2.1', id, ...(field && { [field]: text }) });
  return { id, type: 'indicator', specVersion: '2.1', version: field ? (parseTimestamp(text) as number) : null, tlp: -1, json };
}

async function seed(store: Store): Promise<void> {
  await store.upsertApiRoot(
    { path: 'api1', title: 'one', maxContentLength: 1 << 20, contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] },
    testChange('api-root', 'api1'),
  );
  await store.upsertCollection(
    { id: COLLECTION, apiRoot: 'api1', title: 'c', mediaTypes: ['application/stix+json;version=2.1'] },
    testChange('collection', COLLECTION),
  );
  // Stored as before the change: no versionText handed to the store.
  await store.addObjects(envelope(COLLECTION, T0, [stated(1, 'modified'), stated(2, 'created', '2025-12-31T23:59:59Z'), stated(3, null)]));
}

const versionTexts = async (store: Store) =>
  (await store.queryManifest({ collectionId: COLLECTION, versions: ALL, limit: 10 })).records.map((r) => r.versionText);
const EXPECTED = ['2026-01-02T03:04:05.6Z', '2025-12-31T23:59:59Z', undefined];

describe('stored versions take the text the objects state (issue 13 item 2)', () => {
  it('SQLite: the migration fills version_text of rows stored before it from their JSON', async () => {
    await afterMigration('ADD COLUMN version_text', seed, async (reopened) => expect(await versionTexts(reopened)).toEqual(EXPECTED));
  });

  it('MongoDB (logic, on the mingo double): connecting fills version_text of documents stored without it', async () => {
    const { store, db } = await reconnectedWithout(['version_text'], seed);
    expect(await versionTexts(store)).toEqual(EXPECTED);
    // Visited once: a version without modified or created is marked null, not looked at again.
    expect(db.collection('objects').docs.map((d) => d.version_text)).toEqual(['2026-01-02T03:04:05.6Z', '2025-12-31T23:59:59Z', null]);
  });
});
