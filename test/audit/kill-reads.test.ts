/**
 * Regression (issue 12, "answered reads missing from the log"): a read used to be answered
 * while its event was still queued, so `kill -9` lost the record of reads already delivered.
 * Now a read is answered only after its event is committed (group commit): kill the server
 * in the middle of concurrent reads, and every read that was answered is in the log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyStoreLog } from '../../src/audit/verify';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { randomIndicator, startAccord } from '../support/cli';
import { call, prepareDatabase } from '../support/serve';

const OBJECTS = '/exchange/collections/fr/objects/';

describe('sharing log: answered reads survive kill -9', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'accord-kill-reads-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every read answered before SIGKILL is in the sharing log, and the chain verifies', async () => {
    const { db, token } = await prepareDatabase(dir);
    const server = startAccord(['serve', '--db', db, '--port', '0']);
    try {
      const port = Number((await server.until(() => /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(server.stdout())))[1]);
      const indicator = randomIndicator() as { id: string };
      expect((await call(port, 'POST', OBJECTS, token, JSON.stringify({ objects: [indicator] }))).status).toBe(202);

      const answered: string[] = [];
      let killed = false;
      const reader = async () => {
        while (!killed) {
          const reply = await call(port, 'GET', OBJECTS, token).catch(() => undefined);
          if (reply?.status === 200 && reply.body.includes(indicator.id)) answered.push(reply.requestId);
          // Kill while reads are in flight, once enough have been answered.
          if (answered.length >= 150 && !killed) {
            killed = true;
            server.signal('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: 6 }, reader));
      expect((await server.ended).code).toBeNull();

      const store = new SqliteStore(db);
      try {
        const logged = new Set((await store.queryAuditEvents({ action: 'objects.read', limit: 100_000 })).records.map((e) => e.request_id));
        expect(answered.filter((id) => !logged.has(id))).toEqual([]);
        expect(await verifyStoreLog(store)).toMatchObject({ ok: true });
      } finally {
        await store.close();
      }
    } finally {
      server.signal('SIGKILL');
    }
  }, 60_000);
});
