/**
 * The storage contract against the SQLite adapter: in memory, in a file, and two instances on
 * one file as two server processes (`accord serve --workers`) would open it.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/sqlite/migrations';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { NewObject } from '../../src/store/object-store';
import type { Store } from '../../src/store/store';
import type { Micros } from '../../src/time';
import { runAuditContract } from './audit-contract';
import { envelope, runStoreContract } from './store-contract';
import { testChange } from '../support/changes';

const files = new Map<Store, string>();

/** Object ids a writer thread uses: `indicator--1…` for w1, `indicator--2…` for w2, in add order. */
function workerObjectId(name: string, i: number): string {
  return `indicator--${name === 'w1' ? '1' : '2'}${i.toString(16).padStart(7, '0')}-0000-4000-8000-000000000000`;
}

/** A writer thread: its own SqliteStore on the shared file, two objects per envelope. */
const WORKER = `
const { workerData } = require('node:worker_threads');
require(workerData.register);
const { SqliteStore } = require(workerData.store);
const id = ${workerObjectId.toString()};
(async () => {
  const store = new SqliteStore(workerData.path);
  for (let i = 0; i < workerData.writes; i++) {
    const now = workerData.T0 + workerData.clockOffset + (i % 10) * 100;
    const objects = [2 * i, 2 * i + 1].map((n) => ({
      id: id(workerData.name, n), type: 'indicator', specVersion: '2.1', version: workerData.T0, tlp: -1,
      json: JSON.stringify({ type: 'indicator', id: id(workerData.name, n) }),
    }));
    await store.addObjects({ statusId: workerData.name + '-' + i, apiRoot: 'api1', collectionId: workerData.collection,
      accountId: workerData.name, partyId: 'p', requestTimestamp: now, now, objects, failures: [],
      audit: (s, refs) => ({ time: now, action: 'objects.add', outcome: 'success', objects: refs, status_id: s.id }) });
  }
  await store.close();
})().catch((e) => { console.error(e); process.exit(1); });
`;

function tempPath(): string {
  return join(tmpdir(), `accord-contract-${process.pid}-${randomUUID()}.db`);
}

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

runStoreContract('SqliteStore(:memory:)', async () => new SqliteStore(':memory:'));
runAuditContract('SqliteStore(:memory:)', async () => new SqliteStore(':memory:'));

async function fileStore(): Promise<Store> {
  const path = tempPath();
  const store = new SqliteStore(path);
  files.set(store, path);
  return store;
}

async function removeFileStore(store: Store): Promise<void> {
  await store.close();
  const path = files.get(store);
  files.delete(store);
  if (path) removeDb(path);
}

runStoreContract('SqliteStore(temporary file)', fileStore, removeFileStore);
runAuditContract('SqliteStore(temporary file)', fileStore, removeFileStore);

describe('SqliteStore: two instances on one file (two server processes)', () => {
  let path: string;
  let a: SqliteStore;
  let b: SqliteStore;
  const COLLECTION = 'c3d1e0a2-1b2c-4d3e-8f40-5a6b7c8d9e01';
  const T0: Micros = Date.UTC(2026, 0, 1) * 1000;

  const obj = (n: number): NewObject => {
    const id = `indicator--${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    return { id, type: 'indicator', specVersion: '2.1', version: T0, tlp: -1, json: JSON.stringify({ type: 'indicator', id, n }) };
  };
  const allRecords = (s: Store) =>
    s.queryManifest({ collectionId: COLLECTION, versions: { all: true, first: false, last: false, at: [] }, limit: 100_000 });

  beforeEach(async () => {
    path = tempPath();
    a = new SqliteStore(path);
    b = new SqliteStore(path);
    await a.upsertApiRoot(
      { path: 'api1', title: 'one', maxContentLength: 4096, ...{ contentPolicy: 'permissive' as const, allowedSpecVersions: ['2.1'] } },
      testChange('api-root', 'test'),
    );
    await a.upsertCollection(
      { id: COLLECTION, apiRoot: 'api1', title: 'shared', mediaTypes: ['application/stix+json;version=2.1'] },
      testChange('collection', 'test'),
    );
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    removeDb(path);
  });

  it('§3.5 interleaved adds through both give unique, strictly increasing date_added in add order', async () => {
    // Each process reads its own clock; B's runs 3 ms behind A's and sometimes repeats itself.
    const order: string[] = [];
    for (let i = 0; i < 60; i++) {
      const via = i % 3 === 1 ? b : a;
      const now = via === a ? T0 + i * 100 : T0 + i * 100 - 3000;
      const objects = [obj(2 * i), obj(2 * i + 1)];
      await via.addObjects(envelope(COLLECTION, now, objects));
      order.push(...objects.map((o) => o.id));
    }
    for (const reader of [a, b]) {
      const records = (await allRecords(reader)).records;
      expect(records.map((r) => r.id)).toEqual(order);
      for (let i = 1; i < records.length; i++) expect(records[i]!.dateAdded).toBeGreaterThan(records[i - 1]!.dateAdded);
    }
  });

  it('§3.5 two writer threads at once: every date_added unique, each writer’s order kept, a concurrent reader sees each record once', async () => {
    // Real parallelism: each worker thread opens its own SqliteStore on the file, as a second
    // server process would, and writes while this thread pages through the collection.
    const WRITES = 80;
    const worker = (name: string, clockOffset: number) =>
      new Promise<void>((resolve, reject) => {
        const w = new Worker(WORKER, {
          eval: true,
          workerData: {
            path,
            name,
            clockOffset,
            writes: WRITES,
            T0,
            collection: COLLECTION,
            register: join(__dirname, '../support/swc-register.js'),
            store: join(__dirname, '../../src/store/sqlite/sqlite-store.ts'),
          },
        });
        w.on('error', reject);
        w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${name} exited with ${code}`))));
      });
    const writers = Promise.all([worker('w1', 0), worker('w2', -5_000)]);
    let finished = false;
    void writers.then(
      () => (finished = true),
      () => (finished = true),
    );

    const seen: { id: string; dateAdded: Micros }[] = [];
    let position: Micros | undefined;
    for (let guard = 0; ; guard++) {
      expect(guard).toBeLessThan(100_000);
      const writersDone = finished;
      const page = await b.queryManifest({
        collectionId: COLLECTION,
        versions: { all: true, first: false, last: false, at: [] },
        limit: 5,
        ...(position !== undefined && { addedAfter: position }),
      });
      seen.push(...page.records);
      if (page.records.length) position = page.records[page.records.length - 1]!.dateAdded;
      if (!page.more && writersDone) break;
      if (!page.more) await new Promise((r) => setTimeout(r, 2));
    }
    await writers;

    const all = (await allRecords(a)).records;
    expect(all).toHaveLength(2 * WRITES * 2);
    expect(seen.map((r) => r.id)).toEqual(all.map((r) => r.id));
    for (let i = 1; i < all.length; i++) expect(all[i]!.dateAdded).toBeGreaterThan(all[i - 1]!.dateAdded);
    for (const name of ['w1', 'w2']) {
      const mine = all.filter((r) => r.id.startsWith(name === 'w1' ? 'indicator--1' : 'indicator--2')).map((r) => r.id);
      expect(mine).toEqual(Array.from({ length: WRITES * 2 }, (_, i) => workerObjectId(name, i)));
    }
  });

  it('one instance sees what the other added, and both agree on the secret key', async () => {
    await a.addObjects(envelope(COLLECTION, T0, [obj(1)]));
    expect((await allRecords(b)).records.map((r) => r.id)).toEqual([obj(1).id]);
    await b.addObjects(envelope(COLLECTION, T0, [obj(1), obj(2)]));
    const status = (await allRecords(a)).records.map((r) => r.id);
    expect(status).toEqual([obj(1).id, obj(2).id]);
    expect(Buffer.compare(await a.secretKey(), await b.secretKey())).toBe(0);
  });

  it('reopening runs no migration again: data, the secret key and the schema version survive', async () => {
    await a.addObjects(envelope(COLLECTION, T0, [obj(1), obj(2)]));
    const key = await a.secretKey();
    await a.close();
    await b.close();
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    } finally {
      raw.close();
    }
    a = new SqliteStore(path);
    b = new SqliteStore(path);
    expect((await allRecords(a)).records.map((r) => r.id)).toEqual([obj(1).id, obj(2).id]);
    expect(Buffer.compare(await b.secretKey(), key)).toBe(0);
    expect((await a.getCollection('api1', COLLECTION))?.title).toBe('shared');
    // date_added keeps increasing after the reopen, even with the clock turned back.
    await b.addObjects(envelope(COLLECTION, T0 - 1_000_000, [obj(3)]));
    const records = (await allRecords(a)).records;
    expect(records.map((r) => r.dateAdded - T0)).toEqual([0, 1, 2]);
  });
});
