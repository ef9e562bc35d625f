/**
 * Regression (issue 12, "storage faults answer 500"): a database locked past the busy
 * timeout, a read-only (moved) file or a full disk gave 500 "Internal error", /readyz said
 * ready on a read-only file, and reads were served without being logged. Now every storage
 * fault answers 503 with Retry-After and a TAXII error resource (§3.6.1), no read goes out
 * that could not be logged, and /readyz probes with a real write. (A read-only file cannot be
 * made here: the tests run as root, which SQLite lets write any file; the SQLITE_READONLY
 * error itself is produced for real below and classified like the others.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { storageFault } from '../../src/store/faults';
import { createHarness, envelope, indicator, TAXII, type Harness } from '../support/harness';
import { objectsUrl } from './wire';

/** The error a real better-sqlite3 operation throws (errors from the native module are plain objects in jest's sandbox). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the operation to fail');
}

describe('storage faults answer 503 with Retry-After, never 500', () => {
  let dir: string;
  let h: Harness;
  let file: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-faults-'));
    file = join(dir, 'a.db');
    h = await createHarness({ storeFile: file });
  });
  afterEach(async () => {
    await h.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  const expect503 = (res: request.Response) => {
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.headers['content-type']).toBe(TAXII);
    expect(JSON.parse(res.text)).toMatchObject({ title: 'Storage unavailable', http_status: '503' });
    // Nothing internal reaches the client.
    expect(res.text).not.toMatch(/SQLITE|a\.db|stack/i);
  };

  it('a database locked by another writer past the busy timeout: adds and reads get 503 + Retry-After, nothing stored, /readyz not ready; ready again once released', async () => {
    const c = h.collections.alpha;
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    try {
      expect503(
        await request(h.app)
          .post(objectsUrl(c))
          .set('Authorization', h.accounts.writer.auth)
          .set('Content-Type', TAXII)
          .send(envelope([indicator(1)])),
      );
      // The read cannot be logged, so it is not served.
      const read = await request(h.app).get(objectsUrl(c)).set('Authorization', h.accounts.reader.auth).set('Accept', TAXII);
      expect(read.status).toBe(503);
      expect(read.headers['retry-after']).toMatch(/^\d+$/);
      const ready = await request(h.app).get('/readyz');
      expect([ready.status, ready.body.status]).toEqual([503, 'unavailable']);
      expect(ready.headers['retry-after']).toMatch(/^\d+$/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await request(h.app).get('/readyz')).status).toBe(200);
    expect(
      (await h.store.queryManifest({ collectionId: c.id, versions: { all: true, first: false, last: false, at: [] }, limit: 10 })).records,
    ).toEqual([]);
    expect((await request(h.app).get(objectsUrl(c)).set('Authorization', h.accounts.reader.auth).set('Accept', TAXII)).status).toBe(200);
  }, 30_000);

  it('every kind of SQLite storage fault (full, busy, read-only) is recognised as "unavailable"; other errors are not', () => {
    const db = new Database(join(dir, 'b.db'));
    db.exec('CREATE TABLE t (x BLOB)');
    // A full disk, as SQLite reports it: the database cannot grow.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const full = thrown(() => db.prepare('INSERT INTO t VALUES (zeroblob(100000))').run());
    expect(full).toMatchObject({ code: 'SQLITE_FULL' });
    db.close();
    const readonly = new Database(join(dir, 'b.db'), { readonly: true });
    const ro = thrown(() => readonly.exec('INSERT INTO t VALUES (1)'));
    expect(ro).toMatchObject({ code: 'SQLITE_READONLY' });
    readonly.close();
    const syntax = thrown(() => new Database(':memory:').exec('NOT SQL'));
    for (const e of [full, ro]) expect(storageFault(e)).toMatchObject({ kind: 'unavailable', title: 'Storage unavailable' });
    expect(storageFault(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toMatchObject({ kind: 'unavailable' });
    expect(storageFault(syntax)).toBeUndefined();
  });
});
