/**
 * Credential secrets. Passwords are stored only as scrypt hashes (slow and salted, so a
 * stolen database does not yield them); API tokens are 256-bit random secrets stored as a
 * keyed SHA-256 (HMAC): they are too random to brute-force, so a fast hash is safe and
 * lets a token be looked up by its hash. Every comparison is timing-safe.
 */
import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type KeyObject, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));

// N=2^15, r=8: about 32 MiB and tens of milliseconds per hash (OWASP's scrypt minimum is N=2^17
// with r=8,p=1 or an equivalent; we use p=4 to reach the same cost with less memory).
const PARAMS = { N: 32768, r: 8, p: 4 } as const;
const KEY_LENGTH = 32;
const MAX_MEM = 64 * 1024 * 1024;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...PARAMS, maxmem: MAX_MEM });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] as string, 'base64');
  const expected = Buffer.from(parts[5] as string, 'base64');
  const key = await scrypt(password, salt, expected.length, { N, r, p, maxmem: MAX_MEM });
  return timingSafeEqual(key, expected);
}

/** A hash to spend the same time on when the account does not exist (no user enumeration). */
export const DUMMY_PASSWORD_HASH = `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_LENGTH).toString('base64')}`;

export const TOKEN_PREFIX = 'accord_';

/** A new API token: the prefix makes leaked tokens easy to find with secret scanners. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** `key` as a KeyObject (createSecretKey) where it hashes every request: the Buffer is imported anew on each call. */
export function keyedHash(key: Buffer | KeyObject, secret: string): string {
  return createHmac('sha256', key).update(secret).digest('hex');
}
