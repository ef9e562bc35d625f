/**
 * Upstream credentials at rest: AES-256-GCM, bound to the feed's name, under a key derived
 * from the store's secret or read from a private key file.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccordError } from '../../src/errors';
import { authorization, feedKey, openCredentials, sealCredentials } from '../../src/feeds/secrets';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

describe('Feed credentials at rest', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'accord-feed-key-'));
    store = new SqliteStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seals and opens credentials; the sealed text does not contain them', async () => {
    const key = await feedKey(store);
    const sealed = sealCredentials(key, 'mirror', { user: 'alice', password: 'hunter2-very-secret' });
    expect(sealed).not.toContain('hunter2');
    expect(sealed).not.toContain('alice');
    expect(openCredentials(key, 'mirror', sealed)).toEqual({ user: 'alice', password: 'hunter2-very-secret' });
    // A fresh nonce each time: the same credentials never seal to the same text.
    expect(sealCredentials(key, 'mirror', { token: 't' })).not.toBe(sealCredentials(key, 'mirror', { token: 't' }));
  });

  it('a sealed value copied to another feed, tampered with, or opened with another key does not open', async () => {
    const key = await feedKey(store);
    const sealed = sealCredentials(key, 'mirror', { token: 'abc' });
    expect(() => openCredentials(key, 'other', sealed)).toThrow(AccordError);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64');
    expect(() => openCredentials(key, 'mirror', parts.join('.'))).toThrow(AccordError);
    expect(() => openCredentials(Buffer.alloc(32, 1), 'mirror', sealed)).toThrow(/cannot be opened with this key/);
  });

  it('reads a key file (hex) that only its owner can read, and refuses one others can read', async () => {
    const file = join(dir, 'feed.key');
    writeFileSync(file, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    expect(await feedKey(store, file)).toEqual(Buffer.alloc(32, 0xab));
    chmodSync(file, 0o644);
    await expect(feedKey(store, file)).rejects.toThrow(/readable by others/);
    writeFileSync(join(dir, 'short.key'), 'abcd', { mode: 0o600 });
    await expect(feedKey(store, join(dir, 'short.key'))).rejects.toThrow(/must hold 32 bytes/);
    await expect(feedKey(store, join(dir, 'missing.key'))).rejects.toThrow(/cannot read feed key file .*ENOENT/);
  });

  it('sends a token as Bearer and a user and password as HTTP Basic', () => {
    expect(authorization({ token: 'abc' })).toBe('Bearer abc');
    expect(authorization({ user: 'u', password: 'p:w' })).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
  });
});
