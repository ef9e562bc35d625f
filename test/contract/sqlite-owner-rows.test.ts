/**
 * SQLite keeps the owner of an id on its rows (issue 15: an add writes no second index keyed
 * by random ids). Databases written before kept every owner in object_owners: after the
 * migration those owners still hold (issue #12 item 3, only the first party to store an id
 * may version it), new ids are owned through their rows alone, and a transfer or the delete
 * of every version moves the owner to where it is read from.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { NOT_OWNER } from '../../src/access/ownership';
import type { AddEnvelope, NewObject } from '../../src/store/object-store';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { parseTimestamp } from '../../src/time';
import { afterMigration } from '../support/sqlite-rollback';
import { deleteEvent, testChange } from '../support/changes';
import { envelope } from './store-contract';

const COLLECTION = randomUUID();
const T0 = Date.UTC(2026, 0, 1) * 1000;
const ALL = { all: true, first: false, last: false, at: [] };

function version(n: number, modified: string): NewObject {
  const id = `indicator--${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;
  return { id, type: 'indicator', specVersion: '2.1', version: parseTimestamp(modified) as number, tlp: -1, json: JSON.stringify({ id, modified }) };
}
const [X1, X2, Y1, Z1] = [
  version(1, '2026-01-01T00:00:00Z'),
  version(1, '2026-02-01T00:00:00Z'),
  version(2, '2026-01-01T00:00:00Z'),
  version(3, '2026-01-01T00:00:00Z'),
];

const as = (party: string, objects: NewObject[], now = T0): AddEnvelope => ({ ...envelope(COLLECTION, now, objects), partyId: party });

async function seed(store: SqliteStore): Promise<void> {
  await store.upsertApiRoot(
    { path: 'api1', title: 'one', maxContentLength: 1 << 20, contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] },
    testChange('api-root', 'api1'),
  );
  await store.upsertCollection({ id: COLLECTION, apiRoot: 'api1', title: 'c', mediaTypes: [] }, testChange('collection', COLLECTION));
  await store.addObjects(as('acme', [X1, Y1]));
}

/** Rows of object_owners and owners on rows, read from the file itself. */
function ownerTables(file: string): { table: string[]; rows: string[] } {
  const raw = new Database(file, { readonly: true });
  try {
    return {
      table: (raw.prepare('SELECT id, party FROM object_owners ORDER BY id').all() as { id: string; party: string }[]).map(
        (r) => `${r.id.slice(11, 19)} ${r.party}`,
      ),
      rows: (raw.prepare('SELECT DISTINCT id, owner FROM objects ORDER BY id').all() as { id: string; owner: string | null }[]).map(
        (r) => `${r.id.slice(11, 19)} ${r.owner ?? '-'}`,
      ),
    };
  } finally {
    raw.close();
  }
}

describe('SQLite: owners on rows (issue 15), owners of older databases kept (issue #12 item 3)', () => {
  it('after the migration an owner recorded before still holds; what is added after is owned through its rows', async () => {
    await afterMigration('ADD COLUMN owner', seed, async (store, file) => {
      expect(ownerTables(file)).toEqual({ table: ['00000001 acme', '00000002 acme'], rows: ['00000001 -', '00000002 -'] });
      expect(await store.ownerOf(COLLECTION, X1.id)).toBe('acme');
      const rival = await store.addObjects(as('rival', [X2, Z1], T0 + 10));
      expect(rival.failures.map((f) => f.message)).toEqual([`${X2.id}: ${NOT_OWNER}`]);
      expect((await store.addObjects(as('acme', [X2], T0 + 20))).successCount).toBe(1);
      // Z is new: owned by its rows, object_owners does not grow.
      expect(ownerTables(file)).toEqual({
        table: ['00000001 acme', '00000002 acme'],
        rows: ['00000001 -', '00000001 acme', '00000002 -', '00000003 rival'],
      });
      expect(await store.ownerOf(COLLECTION, Z1.id)).toBe('rival');
      // A transfer moves the owner onto every row of the id.
      const change = { at: T0, by: 'op', entity: 'object' as const, entityId: Y1.id, action: 'transfer', detail: { to: 'rival' } };
      expect(await store.setOwner(COLLECTION, Y1.id, 'rival', change)).toBe(true);
      expect(ownerTables(file).table).toEqual(['00000001 acme']);
      expect(await store.ownerOf(COLLECTION, Y1.id)).toBe('rival');
      // Every version of Z deleted: its owner goes to object_owners and still holds.
      await store.deleteObject(COLLECTION, Z1.id, ALL, undefined, undefined, deleteEvent);
      expect(ownerTables(file).table).toEqual(['00000001 acme', '00000003 rival']);
      expect((await store.addObjects(as('acme', [Z1], T0 + 30))).failures.map((f) => f.message)).toEqual([`${Z1.id}: ${NOT_OWNER}`]);
    });
  });
});
