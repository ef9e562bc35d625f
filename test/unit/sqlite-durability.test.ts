/**
 * docs/operations.md, "Durability": a served SQLite store syncs each content commit to disk
 * before acknowledging it unless the operator chooses `sqliteSynchronous: normal`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config';
import { AccordError } from '../../src/errors';
import { openStore } from '../../src/store/open-store';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'accord-sync-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function synchronousOf(config: Parameters<typeof openStore>[1]): Promise<string> {
  const store = await openStore(join(dir, 'a.db'), config);
  try {
    return (store as SqliteStore).synchronous;
  } finally {
    await store.close();
  }
}

describe('SQLite durability of acknowledged content', () => {
  it('by default every content commit is synced before it is acknowledged (synchronous=FULL)', async () => {
    expect(loadConfig({ env: {} }).sqliteSynchronous).toBe('full');
    expect(await synchronousOf(loadConfig({ env: {} }))).toBe('full');
  });

  it('ACCORD_SQLITE_SYNCHRONOUS=normal trades that for one sync less per commit', async () => {
    expect(await synchronousOf(loadConfig({ env: { ACCORD_SQLITE_SYNCHRONOUS: 'normal' } }))).toBe('normal');
  });

  it('any other value is refused, naming the setting', () => {
    expect(() => loadConfig({ env: { ACCORD_SQLITE_SYNCHRONOUS: 'off' } })).toThrow(AccordError);
    expect(() => loadConfig({ env: { ACCORD_SQLITE_SYNCHRONOUS: 'off' } })).toThrow(/sqliteSynchronous/);
  });
});
