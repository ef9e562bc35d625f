/**
 * Console sign-ins. A session id and a CSRF token are 256 random bits each, handed to the
 * browser once; the store keeps only keyed hashes of them (a copy of the database cannot
 * ride a session). Sessions live in the store, so every server process (--workers) and
 * instance honours them. Each request re-reads the account (and the token a session was
 * opened with), so disabling an account or revoking the token ends its sessions at once.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { keyedHash } from '../auth/secrets';
import type { SessionRecord } from '../catalog/types';
import type { Store } from '../store/store';
import type { Clock } from '../time';

export interface SessionOptions {
  idleMinutes: number;
  sessionHours: number;
}

export interface OpenedSession {
  id: string;
  csrf: string;
  expiresAt: number;
}

/** A session is not touched again within this long (µs): one store write per minute, not per request. */
const TOUCH_EVERY = 60_000_000;

export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly key: Buffer,
    private readonly options: SessionOptions,
  ) {}

  private get idle(): number {
    return this.options.idleMinutes * 60_000_000;
  }

  private get absolute(): number {
    return this.options.sessionHours * 3_600_000_000;
  }

  private hash(kind: 'session' | 'csrf', value: string): string {
    return keyedHash(this.key, `${kind}:${value}`);
  }

  async open(principal: Principal): Promise<OpenedSession> {
    const now = this.clock();
    // Expired sessions go when new ones come, so the table stays the size of current use.
    await this.store.deleteExpiredSessions(now - this.idle, now - this.absolute);
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    await this.store.createSession({
      idHash: this.hash('session', id),
      csrfHash: this.hash('csrf', csrf),
      accountId: principal.accountId,
      credential: principal.credential,
      createdAt: now,
      lastSeenAt: now,
    });
    return { id, csrf, expiresAt: now + this.absolute };
  }

  /** The principal of a live session, or undefined (unknown, expired, account disabled, token revoked). */
  async resolve(id: string): Promise<{ principal: Principal; session: SessionRecord } | undefined> {
    if (id.length > 100) return undefined;
    const idHash = this.hash('session', id);
    const session = await this.store.getSession(idHash);
    if (!session) return undefined;
    const now = this.clock();
    if (now - session.lastSeenAt >= this.idle || now - session.createdAt >= this.absolute) {
      await this.store.deleteSession(idHash);
      return undefined;
    }
    const account = await this.store.getAccount(session.accountId);
    if (!account || account.disabled) return undefined;
    if (session.credential.startsWith('token:')) {
      const tokenId = session.credential.slice('token:'.length);
      const token = (await this.store.listTokens(account.id)).find((t) => t.id === tokenId);
      if (!token || token.revokedAt !== null) return undefined;
    }
    if (now - session.lastSeenAt >= TOUCH_EVERY) await this.store.touchSession(idHash, now);
    return {
      principal: {
        accountId: account.id,
        accountName: account.name,
        partyId: account.partyId,
        roles: account.roles,
        credential: `session:${session.credential}`,
      },
      session,
    };
  }

  /** Whether `presented` is the session's CSRF token (compared in constant time). */
  csrfMatches(session: SessionRecord, presented: string | undefined): boolean {
    if (presented === undefined || presented.length > 100) return false;
    const a = Buffer.from(this.hash('csrf', presented));
    const b = Buffer.from(session.csrfHash);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async close(id: string): Promise<void> {
    if (id.length <= 100) await this.store.deleteSession(this.hash('session', id));
  }
}
