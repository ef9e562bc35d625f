/**
 * Upstream credentials at rest: sealed with AES-256-GCM under a key derived (HKDF-SHA256)
 * from the store's secretKey(), or read from a key file the operator keeps elsewhere (then a
 * copy of the database alone does not reveal them). The feed's name is the associated data,
 * so a sealed value copied onto another feed does not open. Nothing here logs or returns a
 * secret in an error message.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { fail, isError } from '../errors';
import type { Store } from '../store/store';

export type FeedCredentials = { token: string } | { user: string; password: string };

const VERSION = 'v1';
const INFO = 'accord feed credentials v1';

/** 32 bytes, from a key file (raw, hex or base64) or derived from the store's secret key. */
export async function feedKey(store: Store, keyFile?: string): Promise<Buffer> {
  if (keyFile === undefined) return Buffer.from(hkdfSync('sha256', await store.secretKey(), Buffer.alloc(0), INFO, 32));
  let raw: Buffer;
  try {
    if ((statSync(keyFile).mode & 0o077) !== 0)
      throw fail('feed-key-unavailable', `feed key file ${keyFile} is readable by others: make it private (chmod 600)`);
    raw = readFileSync(keyFile);
  } catch (e) {
    if (isError(e, 'feed-key-unavailable')) throw e;
    throw fail('feed-key-unavailable', `cannot read feed key file ${keyFile}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const text = raw.toString('latin1').trim();
  const key = raw.length === 32 ? raw : /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw fail('feed-key-unavailable', `feed key file ${keyFile} must hold 32 bytes (raw, 64 hex digits or base64)`);
  return key;
}

export function sealCredentials(key: Buffer, feedName: string, credentials: FeedCredentials): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(feedName, 'utf8'));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), sealed.toString('base64')].join('.');
}

export function openCredentials(key: Buffer, feedName: string, sealed: string): FeedCredentials {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || data === undefined)
    throw fail('feed-key-unavailable', 'the stored credentials are not in a known form');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(feedName, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8')) as FeedCredentials;
  } catch {
    throw fail('feed-key-unavailable', 'the stored credentials cannot be opened with this key (was the feed key file changed?)');
  }
}

/** The Authorization header the credentials give. */
export function authorization(credentials: FeedCredentials): string {
  return 'token' in credentials
    ? `Bearer ${credentials.token}`
    : `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`, 'utf8').toString('base64')}`;
}
