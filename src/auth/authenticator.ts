/**
 * Turns presented credentials into a Principal. Every authentication first validates the
 * catalogue cache (one revision read: src/access/catalog-cache.ts), which any change to an
 * account, token or certificate invalidates, so disabling an account or revoking a token or
 * certificate takes effect on the next request; the slow password check is remembered besides.
 *
 * TLS client certificates (docs/security.md): a certificate is a credential on its own, or,
 * for an account with `requireCertificate`, the second factor a password or token needs.
 * An account lists the certificates it may use: pinned by SHA-256 fingerprint, or by
 * subject and issuer, which count only when the certificate chains to the configured CA.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { AccountRecord } from '../catalog/types';
import type { CatalogCache } from '../access/catalog-cache';
import type { Clock, Micros } from '../time';
import type { Principal } from './principal';
import { tooManyRequests } from '../errors';
import { Turns } from '../throttle/turns';
import { DUMMY_PASSWORD_HASH, TOKEN_PREFIX, keyedHash, verifyPassword } from './secrets';

export type Credentials = { kind: 'basic'; username: string; password: string } | { kind: 'token'; token: string };

/** The client certificate of the TLS connection, as the HTTP layer read it. */
export interface PresentedCertificate {
  /** SHA-256 of the DER bytes, lowercase hex. */
  fingerprint: string;
  subject: string;
  issuer: string;
  /** Whether it chains to the configured CA (`tls.ca`). */
  verified: boolean;
}

export interface AuthenticateOptions {
  /**
   * Asked before a password is checked in full (not for tokens, nor for a password
   * remembered from a successful check): it throws to refuse the attempt, which is how
   * failed sign-ins are throttled without locking out the owner's tokens.
   */
  mayCheckPassword?: () => Promise<void>;
  certificate?: PresentedCertificate;
}

interface Match {
  account: AccountRecord;
  credential: string;
}

export interface AuthenticatorOptions {
  /** How long a successful password check is remembered. */
  cacheSeconds: number;
  /** Most remembered checks; the oldest is dropped beyond it. */
  cacheSize: number;
  /**
   * Most password checks (scrypt) running at once; more wait their turn. scrypt runs on
   * libuv's thread pool (4 threads), which compression and file work share: a flood of
   * guesses must not take it all, nor the cores the request thread needs. Default 2.
   */
  concurrentChecks?: number;
  /** Checks that may wait for a slot; beyond, sign-ins are refused at once (429). Default 64. */
  waitingChecks?: number;
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
  /** Password checks running, and those waiting for a slot. */
  private readonly checks: Turns;
  private readonly key: KeyObject;

  constructor(
    private readonly catalog: CatalogCache,
    private readonly clock: Clock,
    key: Buffer,
    private readonly options: AuthenticatorOptions,
  ) {
    this.key = createSecretKey(key);
    this.checks = new Turns(options.concurrentChecks ?? 2, {
      maxWaiting: options.waitingChecks ?? 64,
      refuse: () => tooManyRequests('too many sign-ins are being checked; try again shortly', 1),
    });
  }

  /** `c` absent: the client certificate alone, if there is one. */
  async authenticate(c: Credentials | undefined, options: AuthenticateOptions = {}): Promise<Principal | undefined> {
    await this.catalog.refresh();
    const { certificate } = options;
    if (!c) return certificate ? this.byCertificateAlone(certificate) : undefined;
    const match = await this.bySecret(c, options.mayCheckPassword);
    if (!match) return undefined;
    if (!match.account.requireCertificate) return principal(match.account, match.credential);
    const cert = certificate && (await this.certificateOf(match.account.id, certificate));
    return cert ? principal(match.account, `${match.credential}+certificate:${cert}`) : undefined;
  }

  private async bySecret(c: Credentials, mayCheckPassword?: () => Promise<void>): Promise<Match | undefined> {
    if (c.kind === 'token') return this.byToken(c.token);
    // Some clients can send a token only as the Basic password; a real password that merely
    // looks like a token still works.
    if (c.password.startsWith(TOKEN_PREFIX)) return (await this.byToken(c.password)) ?? this.byPassword(c.username, c.password, mayCheckPassword);
    return this.byPassword(c.username, c.password, mayCheckPassword);
  }

  /** The account's unrevoked certificate the presented one is (its id), if any. */
  private async certificateOf(accountId: string, presented: PresentedCertificate): Promise<string | undefined> {
    return (await this.matchingCertificates(presented)).find((r) => r.accountId === accountId)?.id;
  }

  private async matchingCertificates(presented: PresentedCertificate) {
    const records = await this.catalog.findCertificates(presented.fingerprint, presented.subject, presented.issuer);
    return records.filter(
      (r) => r.fingerprint === presented.fingerprint || (presented.verified && r.subject === presented.subject && r.issuer === presented.issuer),
    );
  }

  private async byCertificateAlone(presented: PresentedCertificate): Promise<Principal | undefined> {
    const records = await this.matchingCertificates(presented);
    // A certificate listed by two accounts says nothing about which one is calling.
    if (records.length === 0 || new Set(records.map((r) => r.accountId)).size > 1) return undefined;
    const record = records[0] as (typeof records)[number];
    const account = await this.catalog.getAccount(record.accountId);
    // An account that requires certificate plus token is not reached by the certificate alone.
    if (!account || account.disabled || account.requireCertificate) return undefined;
    return principal(account, `certificate:${record.id}`);
  }

  private async byToken(token: string): Promise<Match | undefined> {
    const record = await this.catalog.getTokenByHash(keyedHash(this.key, token));
    if (!record || record.revokedAt !== null) return undefined;
    const account = await this.catalog.getAccount(record.accountId);
    return account && !account.disabled ? { account, credential: `token:${record.id}` } : undefined;
  }

  private async byPassword(username: string, password: string, mayCheckPassword?: () => Promise<void>): Promise<Match | undefined> {
    const now = this.clock();
    const cacheKey = keyedHash(this.key, `${username}\u0000${password}`);
    const cached = this.cache.get(cacheKey);
    const account = await this.catalog.getAccountByName(username);
    if (cached && cached.expires > now && account && account.id === cached.accountId && account.passwordHash === cached.passwordHash) {
      return account.disabled ? undefined : { account, credential: 'password' };
    }
    await mayCheckPassword?.();
    // Spend the same time whether or not the account exists.
    const ok = await this.checks.run(() => verifyPassword(password, account?.passwordHash ?? DUMMY_PASSWORD_HASH));
    if (!ok || !account || account.passwordHash === null || account.disabled) return undefined;
    this.remember(cacheKey, { accountId: account.id, passwordHash: account.passwordHash, expires: now + this.options.cacheSeconds * 1e6 });
    return { account, credential: 'password' };
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
