/**
 * The catalogue in SQLite: API roots, collections, parties, accounts, tokens and agreement
 * versions, and the deployment's secret key (table `meta`).
 */
import { randomBytes } from 'node:crypto';
import { changeEvent } from '../../audit/changes';
import type {
  AccountPatch,
  AccountRecord,
  AgreementRecord,
  ApiRootRecord,
  CertificateRecord,
  ChangeRecord,
  CollectionRecord,
  PartyRecord,
  SessionRecord,
  TokenRecord,
} from '../../catalog/types';
import type { Micros } from '../../time';
import type { CatalogStore } from '../catalog-store';
import type { SqliteAudit } from './audit';
import { insertSession, removeExpiredSessions, removeSession, selectSession, updateSessionSeen } from './console-tables';
import { toAccount, toApiRoot, toCertificate, toCollection, toParty, toToken } from './catalog-rows';
import type { Row, SqliteDatabase } from './database';

export class SqliteCatalog implements CatalogStore {
  /** `audit`: where each write's change event goes, in the write's own transaction. */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly audit: SqliteAudit,
  ) {}

  /** Runs a catalogue write and appends its change event in one IMMEDIATE transaction (feeds.ts too). */
  changing<T>(change: ChangeRecord, write: () => T, recorded: (result: T) => boolean = () => true): T {
    return this.db.write(() => {
      const result = write();
      if (recorded(result)) this.audit.appendLocked([changeEvent(change)]);
      return result;
    });
  }

  async secretKey(): Promise<Buffer> {
    const row = this.db.stmt("SELECT value FROM meta WHERE key = 'secret_key'").get() as Row | undefined;
    if (row) return row.value as Buffer;
    // INSERT OR IGNORE + re-read: two processes starting together agree on one key.
    this.db.stmt("INSERT OR IGNORE INTO meta (key, value) VALUES ('secret_key', ?)").run(randomBytes(32));
    return (this.db.stmt("SELECT value FROM meta WHERE key = 'secret_key'").get() as Row).value as Buffer;
  }

  // ---- API roots and collections -------------------------------------------------------

  async upsertApiRoot(r: ApiRootRecord, change: ChangeRecord): Promise<void> {
    this.changing(change, () =>
      this.db
        .stmt(
          `INSERT INTO api_roots (path, title, description, max_content_length, content_policy, allowed_spec_versions)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET title = excluded.title, description = excluded.description,
         max_content_length = excluded.max_content_length, content_policy = excluded.content_policy,
         allowed_spec_versions = excluded.allowed_spec_versions`,
        )
        .run(r.path, r.title, r.description ?? null, r.maxContentLength, r.contentPolicy, JSON.stringify(r.allowedSpecVersions)),
    );
  }

  async listApiRoots(): Promise<ApiRootRecord[]> {
    return (this.db.stmt('SELECT * FROM api_roots ORDER BY path').all() as Row[]).map(toApiRoot);
  }

  async getApiRoot(path: string): Promise<ApiRootRecord | undefined> {
    const row = this.db.stmt('SELECT * FROM api_roots WHERE path = ?').get(path) as Row | undefined;
    return row && toApiRoot(row);
  }

  async upsertCollection(c: CollectionRecord, change: ChangeRecord): Promise<void> {
    this.changing(change, () =>
      this.db
        .stmt(
          `INSERT INTO collections (id, api_root, title, description, alias, country, media_types, unmarked_as) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET api_root = excluded.api_root, title = excluded.title,
         description = excluded.description, alias = excluded.alias, country = excluded.country, media_types = excluded.media_types,
         unmarked_as = excluded.unmarked_as`,
        )
        .run(c.id, c.apiRoot, c.title, c.description ?? null, c.alias ?? null, c.country ?? null, JSON.stringify(c.mediaTypes), c.unmarkedAs ?? null),
    );
  }

  async listCollections(apiRoot?: string): Promise<CollectionRecord[]> {
    const rows =
      apiRoot === undefined
        ? this.db.stmt('SELECT * FROM collections ORDER BY api_root, title').all()
        : this.db.stmt('SELECT * FROM collections WHERE api_root = ? ORDER BY title').all(apiRoot);
    return (rows as Row[]).map(toCollection);
  }

  async getCollection(apiRoot: string, idOrAlias: string): Promise<CollectionRecord | undefined> {
    const row = this.db
      .stmt('SELECT * FROM collections WHERE api_root = ? AND (id = ? OR alias = ?) ORDER BY id = ? DESC LIMIT 1')
      .get(apiRoot, idOrAlias, idOrAlias, idOrAlias) as Row | undefined;
    return row && toCollection(row);
  }

  // ---- parties, accounts, tokens -------------------------------------------------------

  async upsertParty(p: PartyRecord, change: ChangeRecord): Promise<void> {
    this.changing(change, () =>
      this.db
        .stmt(
          `INSERT INTO parties (id, name, kind, country, identity_ref) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, country = excluded.country,
         identity_ref = excluded.identity_ref`,
        )
        .run(p.id, p.name, p.kind, p.country ?? null, p.identityRef ?? null),
    );
  }

  async listParties(): Promise<PartyRecord[]> {
    return (this.db.stmt('SELECT * FROM parties ORDER BY id').all() as Row[]).map(toParty);
  }

  async getParty(id: string): Promise<PartyRecord | undefined> {
    const row = this.db.stmt('SELECT * FROM parties WHERE id = ?').get(id) as Row | undefined;
    return row && toParty(row);
  }

  async createAccount(a: AccountRecord, change: ChangeRecord): Promise<void> {
    this.changing(change, () =>
      this.db
        .stmt(
          `INSERT INTO accounts (id, name, party_id, roles, disabled, password_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(a.id, a.name, a.partyId, JSON.stringify(a.roles), a.disabled ? 1 : 0, a.passwordHash, a.createdAt, a.updatedAt),
    );
  }

  async getAccount(id: string): Promise<AccountRecord | undefined> {
    const row = this.db.stmt('SELECT * FROM accounts WHERE id = ?').get(id) as Row | undefined;
    return row && toAccount(row);
  }

  async getAccountByName(name: string): Promise<AccountRecord | undefined> {
    const row = this.db.stmt('SELECT * FROM accounts WHERE name = ?').get(name) as Row | undefined;
    return row && toAccount(row);
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return (this.db.stmt('SELECT * FROM accounts ORDER BY name').all() as Row[]).map(toAccount);
  }

  async updateAccount(id: string, patch: AccountPatch, now: Micros, change: ChangeRecord): Promise<AccountRecord | undefined> {
    return this.changing(
      change,
      () => {
        const row = this.db.stmt('SELECT * FROM accounts WHERE id = ?').get(id) as Row | undefined;
        if (!row) return undefined;
        const next: AccountRecord = { ...toAccount(row), ...patch, updatedAt: now };
        this.db
          .stmt('UPDATE accounts SET party_id = ?, roles = ?, disabled = ?, password_hash = ?, require_certificate = ?, updated_at = ? WHERE id = ?')
          .run(next.partyId, JSON.stringify(next.roles), next.disabled ? 1 : 0, next.passwordHash, next.requireCertificate === true ? 1 : 0, now, id);
        return next;
      },
      (next) => next !== undefined,
    );
  }

  async createToken(t: TokenRecord, change: ChangeRecord): Promise<void> {
    this.changing(change, () =>
      this.db
        .stmt('INSERT INTO tokens (id, account_id, hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(t.id, t.accountId, t.hash, t.label, t.createdAt, t.revokedAt),
    );
  }

  async getTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const row = this.db.stmt('SELECT * FROM tokens WHERE hash = ?').get(hash) as Row | undefined;
    return row && toToken(row);
  }

  async listTokens(accountId: string): Promise<TokenRecord[]> {
    return (this.db.stmt('SELECT * FROM tokens WHERE account_id = ? ORDER BY created_at').all(accountId) as Row[]).map(toToken);
  }

  async revokeToken(id: string, now: Micros, change: ChangeRecord): Promise<boolean> {
    return this.changing(
      change,
      () => this.db.stmt('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0,
      (revoked) => revoked,
    );
  }

  // ---- console sessions (console-tables.ts) -------------------------------------------------

  async createSession(session: SessionRecord): Promise<void> {
    insertSession((sql) => this.db.stmt(sql), session);
  }

  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    return selectSession((sql) => this.db.stmt(sql), idHash);
  }

  async touchSession(idHash: string, lastSeenAt: Micros): Promise<void> {
    updateSessionSeen((sql) => this.db.stmt(sql), idHash, lastSeenAt);
  }

  async deleteSession(idHash: string): Promise<void> {
    removeSession((sql) => this.db.stmt(sql), idHash);
  }

  async deleteExpiredSessions(idleBefore: Micros, createdBefore: Micros): Promise<number> {
    return removeExpiredSessions((sql) => this.db.stmt(sql), idleBefore, createdBefore);
  }

  async createCertificate(c: CertificateRecord, change: ChangeRecord): Promise<void> {
    this.changing(change, () =>
      this.db
        .stmt(
          'INSERT INTO certificates (id, account_id, fingerprint, subject, issuer, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(c.id, c.accountId, c.fingerprint, c.subject, c.issuer, c.label, c.createdAt, c.revokedAt),
    );
  }

  async listCertificates(accountId: string): Promise<CertificateRecord[]> {
    return (this.db.stmt('SELECT * FROM certificates WHERE account_id = ? ORDER BY created_at, id').all(accountId) as Row[]).map(toCertificate);
  }

  async findCertificates(fingerprint: string, subject: string, issuer: string): Promise<CertificateRecord[]> {
    const rows = this.db
      .stmt('SELECT * FROM certificates WHERE revoked_at IS NULL AND (fingerprint = ? OR (subject = ? AND issuer = ?)) ORDER BY created_at, id')
      .all(fingerprint, subject, issuer) as Row[];
    return rows.map(toCertificate);
  }

  async revokeCertificate(id: string, now: Micros, change: ChangeRecord): Promise<boolean> {
    return this.changing(
      change,
      () => this.db.stmt('UPDATE certificates SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0,
      (revoked) => revoked,
    );
  }

  // ---- agreements --------------------------------------------------------------------------

  async saveAgreement(a: AgreementRecord, change: ChangeRecord): Promise<void> {
    // A trigger bumps the catalogue revision (migrations.ts).
    this.changing(change, () => {
      this.db
        .stmt('INSERT INTO agreements (id, version, body) VALUES (?, ?, ?) ON CONFLICT(id, version) DO UPDATE SET body = excluded.body')
        .run(a.id, a.version, JSON.stringify(a));
    });
  }

  async getAgreement(id: string, version?: number): Promise<AgreementRecord | undefined> {
    const row = (
      version === undefined
        ? this.db.stmt('SELECT body FROM agreements WHERE id = ? ORDER BY version DESC LIMIT 1').get(id)
        : this.db.stmt('SELECT body FROM agreements WHERE id = ? AND version = ?').get(id, version)
    ) as Row | undefined;
    return row && (JSON.parse(row.body as string) as AgreementRecord);
  }

  async listAgreements(): Promise<AgreementRecord[]> {
    const rows = this.db
      .stmt('SELECT body FROM agreements a WHERE version = (SELECT MAX(version) FROM agreements b WHERE b.id = a.id) ORDER BY id')
      .all() as Row[];
    return rows.map((r) => JSON.parse(r.body as string) as AgreementRecord);
  }

  async listAgreementVersions(id: string): Promise<AgreementRecord[]> {
    return (this.db.stmt('SELECT body FROM agreements WHERE id = ? ORDER BY version').all(id) as Row[]).map(
      (r) => JSON.parse(r.body as string) as AgreementRecord,
    );
  }

  async catalogRevision(): Promise<number> {
    return (this.db.stmt("SELECT value FROM revisions WHERE name = 'catalog'").get() as Row).value as number;
  }
}
