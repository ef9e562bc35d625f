/**
 * Turns presented credentials into a Principal. The account (and token) is re-read on
 * every request, so disabling an account or revoking a token takes effect on the next
 * request; only the slow password check is cached.
 */
import type { AccountRecord } from '../catalog/types';
import type { Store } from '../store/store';
import type { Clock, Micros } from '../time';
import type { Principal } from './principal';
import { DUMMY_PASSWORD_HASH, TOKEN_PREFIX, keyedHash, verifyPassword } from './secrets';

export type Credentials = { kind: 'basic'; username: string; password: string } | { kind: 'token'; token: string };

export interface AuthenticatorOptions {
  /** How long a successful password check is remembered. */
  cacheSeconds: number;
  /** Most remembered checks; the oldest is dropped beyond it. */
  cacheSize: number;
}

interface CachedCheck {
  accountId: string;
  /** The hash the password was checked against: a password change invalidates the entry. */
  passwordHash: string;
  expires: Micros;
}

export class Authenticator {
  // Keyed by a keyed hash of (name, password), so the cache never holds a usable secret.
  private readonly cache = new Map<string, CachedCheck>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly key: Buffer,
    private readonly options: AuthenticatorOptions,
  ) {}

  /**
   * `mayCheckPassword` is asked before a password is checked in full (not for tokens, nor
   * for a password remembered from a successful check): it throws to refuse the attempt,
   * which is how failed sign-ins are throttled without locking out the owner's tokens.
   */
  async authenticate(c: Credentials, mayCheckPassword?: () => Promise<void>): Promise<Principal | undefined> {
    if (c.kind === 'token') return this.byToken(c.token);
    // Some clients can send a token only as the Basic password; a real password that merely
    // looks like a token still works.
    if (c.password.startsWith(TOKEN_PREFIX)) return (await this.byToken(c.password)) ?? this.byPassword(c.username, c.password, mayCheckPassword);
    return this.byPassword(c.username, c.password, mayCheckPassword);
  }

  private async byToken(token: string): Promise<Principal | undefined> {
    const record = await this.store.getTokenByHash(keyedHash(this.key, token));
    if (!record || record.revokedAt !== null) return undefined;
    const account = await this.store.getAccount(record.accountId);
    return account && !account.disabled ? principal(account, `token:${record.id}`) : undefined;
  }

  private async byPassword(username: string, password: string, mayCheckPassword?: () => Promise<void>): Promise<Principal | undefined> {
    const now = this.clock();
    const cacheKey = keyedHash(this.key, `${username}\u0000${password}`);
    const cached = this.cache.get(cacheKey);
    const account = await this.store.getAccountByName(username);
    if (cached && cached.expires > now && account && account.id === cached.accountId && account.passwordHash === cached.passwordHash) {
      return account.disabled ? undefined : principal(account, 'password');
    }
    await mayCheckPassword?.();
    // Spend the same time whether or not the account exists.
    const ok = await verifyPassword(password, account?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!ok || !account || account.passwordHash === null || account.disabled) return undefined;
    this.remember(cacheKey, { accountId: account.id, passwordHash: account.passwordHash, expires: now + this.options.cacheSeconds * 1e6 });
    return principal(account, 'password');
  }

  private remember(key: string, check: CachedCheck): void {
    this.cache.delete(key);
    if (this.cache.size >= this.options.cacheSize) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, check);
  }
}

function principal(account: AccountRecord, credential: string): Principal {
  return { accountId: account.id, accountName: account.name, partyId: account.partyId, roles: account.roles, credential };
}
