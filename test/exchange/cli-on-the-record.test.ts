/**
 * Every write through the command line is on the sharing log (docs/audit.md): `accord init`
 * and `catalog apply` record each catalogue change they make (and nothing when nothing
 * changes), and `accord import` records each batch it stores, naming the file and its
 * SHA-256, under the local operator's name.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '../../src/audit/events';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { accord } from '../support/cli';

async function events(db: string): Promise<AuditEvent[]> {
  const store = new SqliteStore(db);
  try {
    return (await store.readAuditEvents(0, 100_000)).map((e) => e.event);
  } finally {
    await store.close();
  }
}

const indicator = (n: number) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--${String(n).padStart(8, '0')}-1111-4111-8111-111111111111`,
  created: '2025-01-01T00:00:00.000Z',
  modified: '2025-01-01T00:00:00.000Z',
  pattern: "[ipv4-addr:value = '203.0.113.7']",
  pattern_type: 'stix',
  valid_from: '2025-01-01T00:00:00Z',
});

/** An object nested deeper than a TAXII envelope may carry it (src/taxii/json-depth.ts). */
function tooDeep(): Record<string, unknown> {
  let nested: unknown = 'bottom';
  for (let i = 0; i < 70; i++) nested = { x: nested };
  return { ...indicator(99), x_deep: nested };
}

describe('the command line on the sharing log', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'accord-record-'));
    db = join(dir, 'accord.db');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('init records each API root, collection and party it creates, as cli:<OS user>; applying it again records nothing', async () => {
    expect((await accord(['init', '--db', db])).code).toBe(0);
    const log = await events(db);
    const actions = log.map((e) => e.action);
    expect(log).toHaveLength(2 + 199 + 1);
    expect(actions.filter((a) => a === 'catalog.api-root.create')).toHaveLength(2);
    expect(actions.filter((a) => a === 'catalog.collection.create')).toHaveLength(199);
    expect(actions.filter((a) => a === 'catalog.party.create')).toHaveLength(1);
    expect(new Set(log.map((e) => e.account_id))).toEqual(new Set([`cli:${userInfo().username}`]));
    const france = log.find((e) => (e.detail as { change?: { alias?: string } }).change?.alias === 'fr');
    expect(france).toMatchObject({ outcome: 'success', detail: { entity: 'collection', change: { api_root: 'exchange', title: 'France (FR)' } } });

    expect((await accord(['catalog', 'apply', 'collections', '--db', db])).code).toBe(0);
    expect(await events(db)).toHaveLength(log.length);
  });

  it('catalog apply records only what changed, as update', async () => {
    const catalog = JSON.parse(readFileSync('collections/catalog.json', 'utf8')) as { parties: { name: string }[] };
    (catalog.parties[0] as { name: string }).name = 'The exchange operator';
    const changed = join(dir, 'changed');
    cpSync('collections', changed, { recursive: true });
    writeFileSync(join(changed, 'catalog.json'), JSON.stringify(catalog));
    const before = (await events(db)).length;
    expect((await accord(['catalog', 'apply', changed, '--db', db], { env: { ACCORD_OPERATOR: 'ops-anna' } })).code).toBe(0);
    const added = (await events(db)).slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      action: 'catalog.party.update',
      account_id: 'ops-anna',
      detail: { entity: 'party', entity_id: 'operator', change: { name: 'The exchange operator' } },
    });
  });

  it('import records the objects it stored, with the file name and its SHA-256, and refuses an object nested too deeply on its own', async () => {
    const file = join(dir, 'bundle.json');
    const text = JSON.stringify({
      type: 'bundle',
      id: 'bundle--44444444-4444-4444-8444-444444444444',
      objects: [indicator(1), indicator(2), tooDeep()],
    });
    writeFileSync(file, text);
    const before = (await events(db)).length;
    const run = await accord(['import', file, '--collection', 'fr', '--quiet', '--db', db], { env: { ACCORD_OPERATOR: 'ops-anna' } });
    expect(run.stdout).toMatch(/2 stored, 0 already present, 1 failed/);
    expect(run.stdout).toMatch(/objects\[2\] is nested deeper than 62 levels/);
    const added = (await events(db)).slice(before);
    expect(added).toHaveLength(1);
    const sha256 = createHash('sha256').update(text).digest('hex');
    expect(added[0]).toMatchObject({
      action: 'objects.add',
      outcome: 'success',
      account: 'ops-anna',
      account_id: 'ops-anna',
      credential: 'local',
      api_root: 'exchange',
      country: 'FR',
      detail: { failed: 1, total: 3, import: { file, sha256, batch: 1, first_position: 0 } },
    });
    expect(added[0]!.objects?.map((o) => o.id)).toEqual([indicator(1).id, indicator(2).id]);
    expect(added[0]).not.toHaveProperty('party');
    expect(added[0]).not.toHaveProperty('agreements');

    // The chain, with these events in it, still verifies.
    expect((await accord(['audit', 'verify', '--db', db])).code).toBe(0);
  });
});
