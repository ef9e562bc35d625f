/**
 * The storage contract (objects and sharing log) against the MongoDB adapter on a real
 * server, plus what only a server can show: the query plans (explain) and two store
 * instances writing to one database at once. `npm run test:mongo` runs this file alone.
 *
 * Needs MONGODB_URI (a replica set for the full guarantees, e.g.
 * mongodb://localhost:27017/?replicaSet=rs0). Each store gets a fresh database, dropped
 * afterwards. Without MONGODB_URI every such test is still registered, as skipped, so the run
 * lists each one that did not run, by name; only start-up against an address where no server
 * listens (the real driver failing fast and clearly) runs then. (MongoStore's logic without a server:
 * test/mongodb/store-contract.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { type Document, MongoClient } from 'mongodb';
import type { AccordError } from '../../src/errors';
import { MongoStore } from '../../src/store/mongodb/mongo-store';
import { pageQuery } from '../../src/store/mongodb/queries';
import { walkArms } from '../../src/store/mongodb/scoped-walk';
import type { NewObject, ObjectQuery, VersionSelector } from '../../src/store/object-store';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import type { Micros } from '../../src/time';
import { runAuditContract } from './audit-contract';
import { envelope, runStoreContract } from './store-contract';
import { testChange, deleteEvent } from '../support/changes';

// Start-up where no server listens: the real driver, no server, so this part always runs.
// Port 1 on the loopback: nothing listens there, so the connection is refused at once.
const NOBODY = 'mongodb://accord:pa55word@127.0.0.1:1/accord?serverSelectionTimeoutMS=300';

describe('MongoStore start-up without a reachable server', () => {
  it('connect() rejects with storage-unavailable naming the host and database, not the password', async () => {
    const started = Date.now();
    const error = await MongoStore.connect(NOBODY).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'storage-unavailable' });
    const message = (error as AccordError).message;
    expect(message).toContain('127.0.0.1:1');
    expect(message).toContain('"accord"');
    expect(message).not.toContain('pa55word');
    // serverSelectionTimeoutMS from the connection string wins over the adapter's default.
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('openStore() chooses the MongoDB store for a mongodb:// location and reports it unavailable', async () => {
    await expect(openStore(NOBODY)).rejects.toMatchObject({ kind: 'unavailable' });
  });
});

const URI = process.env.MONGODB_URI ?? '';
const SKIPPED = 'MONGODB_URI is not set (no MongoDB server on this machine)';

if (URI === '') console.warn(`MongoDB store against a real server — SKIPPED: ${SKIPPED}. Every test here that needs a server is listed as skipped.`);

(URI === '' ? describe.skip : describe)(URI === '' ? `MongoDB server — SKIPPED: ${SKIPPED}` : 'MongoDB server', () => {
  const uri = URI;
  let admin: MongoClient;
  const databases = new Map<Store, string>();

  beforeAll(() => {
    admin = new MongoClient(uri);
  });

  const freshStore = async (): Promise<MongoStore> => {
    const database = `accord_test_${process.pid}_${randomUUID().slice(0, 8)}`;
    const store = await MongoStore.connect(uri, database);
    databases.set(store, database);
    return store;
  };
  const dropStore = async (store: Store): Promise<void> => {
    await store.close();
    const database = databases.get(store);
    databases.delete(store);
    if (database) await admin.db(database).dropDatabase();
  };

  afterAll(async () => {
    for (const store of [...databases.keys()]) await dropStore(store);
    await admin.close();
  });

  runStoreContract('MongoStore', freshStore, dropStore);
  runAuditContract('MongoStore', freshStore, dropStore);

  const T0: Micros = Date.UTC(2026, 0, 1) * 1000;
  const COLLECTION = 'c3d1e0a2-1b2c-4d3e-8f40-5a6b7c8d9e01';
  const LAST: VersionSelector = { all: false, first: false, last: true, at: [] };
  const ALL: VersionSelector = { all: true, first: false, last: false, at: [] };

  const obj = (n: number, version: Micros): NewObject => {
    const type = n % 3 === 0 ? 'malware' : 'indicator';
    const id = `${type}--${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    return { id, type, specVersion: '2.1', version, tlp: -1, json: JSON.stringify({ type, id, n, version }) };
  };
  const seedCatalogue = async (store: Store) => {
    await store.upsertApiRoot(
      { path: 'api1', title: 'one', maxContentLength: 1 << 20, contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] },
      testChange('api-root', 'test'),
    );
    await store.upsertCollection(
      { id: COLLECTION, apiRoot: 'api1', title: 'shared', mediaTypes: ['application/stix+json;version=2.1'] },
      testChange('collection', 'test'),
    );
  };

  /** Every `stage` of an explain() plan tree, with the index names of its index scans. */
  const stages = (plan: unknown, found: { stage: string; indexName?: string }[] = []): { stage: string; indexName?: string }[] => {
    if (Array.isArray(plan)) for (const p of plan) stages(p, found);
    else if (plan !== null && typeof plan === 'object') {
      const node = plan as Record<string, unknown>;
      if (typeof node.stage === 'string') found.push({ stage: node.stage, ...(typeof node.indexName === 'string' && { indexName: node.indexName }) });
      for (const value of Object.values(node)) stages(value, found);
    }
    return found;
  };

  describe('MongoStore query plans (explain)', () => {
    let store: MongoStore;
    const winningPlan = async (q: ObjectQuery) => {
      const { filter, sort, limit } = pageQuery(q);
      const explained: Document = await admin
        .db(databases.get(store) as string)
        .collection('objects')
        .find(filter as Document, { sort, limit })
        .explain('queryPlanner');
      return stages((explained.queryPlanner as Document).winningPlan);
    };

    beforeAll(async () => {
      store = await freshStore();
      await seedCatalogue(store);
      // 200 objects in three versions each: two rows in three are not the latest, so the
      // partial index objects_default is the only one that reads no row it then discards.
      for (let v = 0; v < 3; v++) {
        await store.addObjects(
          envelope(
            COLLECTION,
            T0 + v * 1000,
            Array.from({ length: 200 }, (_, n) => obj(n, T0 + v * 1_000_000)),
          ),
        );
      }
    });

    it('the default page query walks objects_default: IXSCAN, no COLLSCAN, no in-memory SORT', async () => {
      const plan = await winningPlan({ collectionId: COLLECTION, versions: LAST, limit: 10, after: T0 + 1000 });
      expect(plan.map((s) => s.stage)).not.toContain('COLLSCAN');
      expect(plan.map((s) => s.stage)).not.toContain('SORT');
      expect(plan.filter((s) => s.stage === 'IXSCAN').map((s) => s.indexName)).toEqual(['objects_default']);
    });

    it('match[type] and match[version]=all pages are index walks too', async () => {
      for (const q of [
        { collectionId: COLLECTION, versions: LAST, types: ['malware'], limit: 10 },
        { collectionId: COLLECTION, versions: ALL, limit: 10, after: T0 },
      ]) {
        const plan = await winningPlan(q);
        expect(plan.map((s) => s.stage)).toContain('IXSCAN');
        expect(plan.map((s) => s.stage)).not.toContain('COLLSCAN');
        expect(plan.map((s) => s.stage)).not.toContain('SORT');
      }
    });

    it('a scoped default page is walked per TLP level (issue 15): each arm an IXSCAN of the index it names (objects_visible, or objects_type for a type named one by one), no COLLSCAN, no in-memory SORT', async () => {
      const scope = { clauses: [{ tlpLevels: [-1, 0, 1, 2] }, { tlpLevels: [-1, 0, 1, 2, 3, 4], allowTypes: ['marking-definition'] }] };
      const q = { collectionId: COLLECTION, versions: LAST, limit: 10, after: T0, scope };
      const arms = walkArms(q);
      expect(arms.length).toBeGreaterThan(0);
      for (const { filter, sort, limit, hint } of arms) {
        const explained: Document = await admin
          .db(databases.get(store) as string)
          .collection('objects')
          .find(filter as Document, { sort, limit, hint })
          .explain('queryPlanner');
        const plan = stages((explained.queryPlanner as Document).winningPlan);
        expect(plan.map((s) => s.stage)).not.toContain('COLLSCAN');
        expect(plan.map((s) => s.stage)).not.toContain('SORT');
        expect(plan.filter((s) => s.stage === 'IXSCAN').map((s) => s.indexName)).toEqual([hint]);
      }
    });

    it('match[id] reads through an index, not the collection', async () => {
      const plan = await winningPlan({ collectionId: COLLECTION, versions: ALL, ids: [obj(7, T0).id], limit: 10 });
      expect(plan.map((s) => s.stage)).toContain('IXSCAN');
      expect(plan.map((s) => s.stage)).not.toContain('COLLSCAN');
    });
  });

  describe('two MongoStore instances on one database (two Accord instances)', () => {
    let a: MongoStore;
    let b: MongoStore;
    /** Replica set or mongos: writes are transactions (docs/operations-mongodb.md). */
    let replicated = false;
    beforeAll(async () => {
      const hello = await admin.db('admin').command({ hello: 1 });
      replicated = hello.setName !== undefined || hello.msg === 'isdbgrid';
    });
    beforeEach(async () => {
      a = await freshStore();
      b = await MongoStore.connect(uri, databases.get(a) as string);
      await seedCatalogue(a);
    });
    afterEach(async () => {
      await b.close();
      await dropStore(a);
    });

    it('§3.5 envelopes added through both at once get unique, strictly increasing date_added, and statuses that match', async () => {
      // Both clocks read the same; b's sometimes runs behind.
      const statuses = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? b : a).addObjects(envelope(COLLECTION, T0 + (i % 2 ? -2000 : i * 10), [obj(2 * i, T0), obj(2 * i + 1, T0)])),
        ),
      );
      expect(statuses.every((s) => s.successCount === 2 && s.failureCount === 0)).toBe(true);
      for (const reader of [a, b]) {
        const records = (await reader.queryManifest({ collectionId: COLLECTION, versions: ALL, limit: 1000 })).records;
        expect(records).toHaveLength(80);
        for (let i = 1; i < records.length; i++) expect(records[i]!.dateAdded).toBeGreaterThan(records[i - 1]!.dateAdded);
      }
    });

    it('the same object sent through both at once is stored once (on a standalone server a losing request may fail instead)', async () => {
      const same = obj(1, T0);
      const results = await Promise.allSettled([a, b, a, b].map((s) => s.addObjects(envelope(COLLECTION, T0, [same]))));
      const stored = results.filter((r) => r.status === 'fulfilled' && r.value.successes[0]?.message === undefined);
      expect(stored).toHaveLength(1);
      // Transactions retry the loser, which then finds the object stored; without them the
      // unique index refuses its insert (never a second copy).
      if (replicated) expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
      expect((await a.queryManifest({ collectionId: COLLECTION, versions: ALL, limit: 10 })).records).toHaveLength(1);
    });

    it('concurrent versions and deletes of one object leave exactly one last version (replica set only: on a standalone server this warns and checks nothing)', async () => {
      if (!replicated) {
        console.warn('not checked: MONGODB_URI is a standalone server, whose writes are not transactions (docs/operations-mongodb.md)');
        return;
      }
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 4 === 3
            ? b.deleteObject(COLLECTION, obj(5, T0).id, LAST, undefined, undefined, deleteEvent)
            : (i % 2 ? b : a).addObjects(envelope(COLLECTION, T0, [obj(5, T0 + i * 1000)])),
        ),
      );
      const all = (await a.queryManifest({ collectionId: COLLECTION, versions: ALL, limit: 100 })).records;
      const last = (await a.queryManifest({ collectionId: COLLECTION, versions: LAST, limit: 100 })).records;
      expect(last).toHaveLength(all.length ? 1 : 0);
      if (all.length) expect(last[0]?.version).toBe(Math.max(...all.map((r) => r.version)));
    });
  });
});
