/**
 * The SQLite migrations of issue #12 on a database written before them: owners from the
 * sharing log's adds, TLP levels of upper-case marking references, newer_levels for "last" as
 * each caller sees it. The database is written through the HTTP app, then put back to the
 * state of the previous schema (the columns, index and table removed, user_version lowered)
 * and reopened, which runs the migrations again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { rollBackTo } from '../support/sqlite-rollback';
import { ALL_VERSIONS } from '../../src/taxii/filters';
import { formatTimestamp } from '../../src/time';
import { createHarness, indicator } from '../support/harness';
import { account, agree, marked, party, TLP } from '../access/support';
import { add } from '../http/wire';

describe('SQLite migrations for rights and provenance (issue #12)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'accord-rights-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an older database gets owners from its log, TLP levels of upper-case references, and "last" within each scope', async () => {
    const file = join(dir, 'old.db');
    const h = await createHarness({ storeFile: file });
    await party(h, 'acme');
    const acme = await account(h, 'acme-feed', 'acme', ['writer']);
    await agree(h, 'acme', [{ party: 'acme', actions: ['read', 'write'], collections: { all: true }, max_tlp: 'red', unmarked_as: 'green' }]);
    const c = h.collections.alpha;
    const x1 = marked(indicator(1, '2026-01-01T00:00:00.000Z'), TLP.green2);
    const x2 = marked(indicator(1, '2026-02-01T00:00:00.000Z'), TLP.red2);
    const shouted: Record<string, unknown> = {
      ...indicator(2),
      object_marking_refs: [TLP.red1.toUpperCase().replace('MARKING-DEFINITION--', 'marking-definition--')],
    };
    await add(h, c, [x1, x2, shouted], acme.auth);
    await h.close();

    // Back to the schema before: no owners, no newer_levels, the upper-case reference unmarked.
    const raw = new Database(file);
    rollBackTo(raw, 'CREATE TABLE object_owners');
    raw.exec(`DROP INDEX objects_visible; ALTER TABLE objects DROP COLUMN newer_levels; DROP TABLE object_owners;
      UPDATE objects SET tlp = -1 WHERE id = '${shouted.id as string}';`);
    raw.close();

    const store = new SqliteStore(file);
    try {
      expect(await store.ownerOf(c.id, x1.id as string)).toBe('acme');
      expect(await store.ownerOf(c.id, shouted.id as string)).toBe('acme');
      const all = await store.queryManifest({ collectionId: c.id, versions: ALL_VERSIONS, limit: 10 });
      expect(all.records.find((r) => r.id === shouted.id)?.tlp).toBe(4);
      // Up to green: X's newest visible version is x1, and the red object is not there.
      const greenScope = { clauses: [{ tlpLevels: [-1, 0, 1] }] };
      const last = await store.queryManifest({
        collectionId: c.id,
        versions: { all: false, first: false, last: true, at: [] },
        limit: 10,
        scope: greenScope,
      });
      expect(last.records.map((r) => `${r.id}@${formatTimestamp(r.version)}`)).toEqual([`${x1.id as string}@2026-01-01T00:00:00.000000Z`]);
    } finally {
      await store.close();
    }
  });
});
