import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { exportEvents, verifyExport } from '../../src/audit/export';
import { verifyStoreLog } from '../../src/audit/verify';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

const COLLECTION = '365fed99-08fa-fdcd-a1b3-fb247eb41d01';

/** A log of `n` events with objects and agreements, in a file a second connection can edit. */
async function logOf(n: number): Promise<{ dir: string; file: string; store: SqliteStore; db: Database.Database }> {
  const dir = mkdtempSync(join(tmpdir(), 'accord-tamper-'));
  const file = join(dir, 'a.db');
  const store = new SqliteStore(file);
  for (let i = 1; i <= n; i++) {
    await store.appendAuditEvents([
      {
        time: Date.UTC(2026, 0, 1) * 1000 + i,
        action: i % 2 ? 'objects.read' : 'objects.add',
        outcome: 'success',
        account: 'fr-siem',
        party: 'fr-police',
        agreements: ['fr-national@1'],
        objects: [{ id: `indicator--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, version: '2026-01-01T00:00:00.000000Z' }],
        // Reads carry their page's date_added span and are indexed by it, adds per object.
        ...(i % 2 && {
          collection: COLLECTION,
          date_added_range: { first: `2026-01-0${i}T00:00:00.000000Z`, last: `2026-01-0${i}T00:00:00.000000Z` },
        }),
      },
    ]);
  }
  return { dir, file, store, db: new Database(file) };
}

describe('sharing log: tamper evidence (hash chain)', () => {
  let ctx: Awaited<ReturnType<typeof logOf>>;
  beforeEach(async () => {
    ctx = await logOf(10);
  });
  afterEach(async () => {
    ctx.db.close();
    await ctx.store.close();
    rmSync(ctx.dir, { recursive: true, force: true });
  });

  it('an untouched log verifies, naming its head', async () => {
    const r = await verifyStoreLog(ctx.store);
    expect(r).toMatchObject({ ok: true, events: 10, firstSeq: 1, lastSeq: 10 });
  });

  it('editing an event body is caught at that event', async () => {
    const body = ctx.db.prepare('SELECT body FROM audit_events WHERE seq = 4').get() as { body: string };
    ctx.db.prepare('UPDATE audit_events SET body = ? WHERE seq = 4').run(body.body.replace('fr-siem', 'de-siem'));
    expect(await verifyStoreLog(ctx.store)).toMatchObject({ ok: false, brokenAt: 4, problem: expect.stringMatching(/altered/) });
  });

  it('editing an event and recomputing its hash is caught at the next event', async () => {
    const { createHash } = await import('node:crypto');
    const body = (ctx.db.prepare('SELECT body FROM audit_events WHERE seq = 6').get() as { body: string }).body.replace('fr-siem', 'de-siem');
    ctx.db
      .prepare('UPDATE audit_events SET body = ?, hash = ?, account = ? WHERE seq = 6')
      .run(body, createHash('sha256').update(body).digest('hex'), 'de-siem');
    expect(await verifyStoreLog(ctx.store)).toMatchObject({ ok: false, brokenAt: 7, problem: expect.stringMatching(/does not follow event 6/) });
  });

  it('deleting an event is caught where the gap starts', async () => {
    ctx.db.prepare('DELETE FROM audit_events WHERE seq = 5').run();
    expect(await verifyStoreLog(ctx.store)).toMatchObject({ ok: false, brokenAt: 6, problem: 'events 5–5 are missing' });
  });

  it('reordering two events is caught at the first of them', async () => {
    ctx.db.exec(
      'UPDATE audit_events SET seq = -1 WHERE seq = 3; UPDATE audit_events SET seq = 3 WHERE seq = 8; UPDATE audit_events SET seq = 8 WHERE seq = -1;',
    );
    expect(await verifyStoreLog(ctx.store)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('deleting the newest events is caught by a checkpoint beyond the end', async () => {
    await ctx.store.checkpoint(Date.now() * 1000);
    ctx.db.prepare('DELETE FROM audit_events WHERE seq > 7').run();
    expect(await verifyStoreLog(ctx.store)).toMatchObject({ ok: false, brokenAt: 8, problem: expect.stringMatching(/missing/) });
  });

  it('hiding an event from object queries (its lookup row deleted) is caught', async () => {
    ctx.db.prepare('DELETE FROM audit_objects WHERE seq = 2').run();
    expect(await verifyStoreLog(ctx.store)).toMatchObject({ ok: false, brokenAt: 2, problem: expect.stringMatching(/object index/) });
  });

  it('hiding a read from custody queries (its range row deleted) is caught', async () => {
    ctx.db.prepare('DELETE FROM audit_ranges WHERE seq = 3').run();
    expect(await verifyStoreLog(ctx.store)).toMatchObject({ ok: false, brokenAt: 3, problem: expect.stringMatching(/read-range index/) });
  });

  it('moving a read to another date_added span or collection is caught', async () => {
    ctx.db.prepare('UPDATE audit_ranges SET lo = lo + 1 WHERE seq = 5').run();
    ctx.db.prepare("UPDATE audit_ranges SET coll = 'elsewhere' WHERE seq = 7").run();
    expect(await verifyStoreLog(ctx.store)).toMatchObject({ ok: false, brokenAt: 5, problem: expect.stringMatching(/read-range index/) });
    ctx.db.prepare('UPDATE audit_ranges SET lo = lo - 1 WHERE seq = 5').run();
    expect(await verifyStoreLog(ctx.store)).toMatchObject({ ok: false, brokenAt: 7, problem: expect.stringMatching(/read-range index/) });
  });

  it("hiding an event from an auditor's filter (its copied party, account or action column edited) is caught", async () => {
    ctx.db.prepare("UPDATE audit_events SET party = 'de-police' WHERE seq = 6").run();
    ctx.db.prepare('UPDATE audit_events SET account = NULL WHERE seq = 8').run();
    expect(await verifyStoreLog(ctx.store)).toMatchObject({ ok: false, brokenAt: 6, problem: expect.stringMatching(/party copied from event 6/) });
    ctx.db.prepare("UPDATE audit_events SET party = 'fr-police' WHERE seq = 6").run();
    expect(await verifyStoreLog(ctx.store)).toMatchObject({ ok: false, brokenAt: 8, problem: expect.stringMatching(/account copied from event 8/) });
    ctx.db.prepare("UPDATE audit_events SET account = 'fr-siem', action = 'objects.head' WHERE seq = 8").run();
    expect(await verifyStoreLog(ctx.store)).toMatchObject({ ok: false, brokenAt: 8, problem: expect.stringMatching(/action copied/) });
  });

  it('an export round-trips through verification, and an edited export line is caught', async () => {
    for (const format of ['ndjson', 'csv'] as const) {
      let text = '';
      for await (const line of exportEvents(ctx.store, {}, format)) text += line;
      expect(verifyExport(text)).toEqual({ ok: true, events: 10, firstSeq: 1, lastSeq: 10, complete: true });
      const lines = text.split('\n');
      const at = format === 'csv' ? 4 : 3; // the 3rd event: after the header (and the CSV column names)
      lines[at] = (lines[at] as string).replace('fr-police', 'br-pf');
      expect(verifyExport(lines.join('\n'))).toMatchObject({ ok: false, line: at + 1, problem: expect.stringMatching(/^event 3 was altered/) });
    }
  });

  it('an unfiltered export with a line removed is refused as incomplete; a filtered one verifies event by event', async () => {
    let text = '';
    for await (const line of exportEvents(ctx.store, {}, 'ndjson')) text += line;
    const lines = text.split('\n');
    lines.splice(5, 1);
    expect(verifyExport(lines.join('\n'))).toMatchObject({ ok: false });
    let filtered = '';
    for await (const line of exportEvents(ctx.store, { action: 'objects.add' }, 'ndjson')) filtered += line;
    expect(verifyExport(filtered)).toEqual({ ok: true, events: 5, firstSeq: 2, lastSeq: 10, complete: false });
  });
});
