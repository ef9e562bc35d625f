/**
 * The catalogue in MongoDB: API roots, collections, parties, accounts, tokens and agreement
 * versions, and the deployment's secret key (collection `meta`).
 *
 * Over 300 lines on purpose: every catalogue write goes through one transaction helper (changing) with its change event; split by entity, that rule would be scattered.
 */
import { randomBytes } from 'node:crypto';
import { Binary, type ClientSession, type Collection } from 'mongodb';
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
import { expiredSessions, toSession, toSessionDoc, type SessionDoc } from './console';
import {
  type AccountDoc,
  type AgreementDoc,
  type ApiRootDoc,
  type CollectionDoc,
  type MetaDoc,
  type PartyDoc,
  type RevisionDoc,
  type TokenDoc,
  type CertificateDoc,
  toAccount,
  toApiRoot,
  toCollection,
  collectionDoc,
  toParty,
  toToken,
  toCertificate,
} from './catalog-docs';
import type { MongoAudit } from './audit';
import { ignoreConflict, type MongoDatabase } from './database';

const SECRET_KEY = 'secret_key';
const CATALOG_REVISION = 'catalog';

export class MongoCatalog implements CatalogStore {
  private readonly apiRoots: Collection<ApiRootDoc>;
  private readonly collections: Collection<CollectionDoc>;
  private readonly parties: Collection<PartyDoc>;
  private readonly accounts: Collection<AccountDoc>;
  private readonly tokens: Collection<TokenDoc>;
  private readonly certificates: Collection<CertificateDoc>;
  private readonly meta: Collection<MetaDoc>;
  private readonly agreements: Collection<AgreementDoc>;
  private readonly revisions: Collection<RevisionDoc>;
  private readonly sessions: Collection<SessionDoc>;

  /** `audit`: where each write's change event goes, in the write's own transaction. */
  constructor(
    private readonly db: MongoDatabase,
    private readonly audit: MongoAudit,
  ) {
    this.apiRoots = db.collection('api_roots');
    this.collections = db.collection('collections');
    this.parties = db.collection('parties');
    this.accounts = db.collection('accounts');
    this.tokens = db.collection('tokens');
    this.certificates = db.collection('certificates');
    this.meta = db.collection('meta');
    this.agreements = db.collection('agreements');
    this.revisions = db.collection('revisions');
    this.sessions = db.collection('sessions');
  }

  /**
   * Runs a catalogue write, appends its change event and bumps the catalogue revision in one
   * write (a transaction on a replica set; feeds.ts too). MongoDB has no triggers: this is where every
   * catalogue change tells the caches of every process (src/access/catalog-cache.ts).
   */
  changing<T>(
    change: ChangeRecord,
    write: (session: ClientSession | undefined) => Promise<T>,
    recorded: (result: T) => boolean = () => true,
  ): Promise<T> {
    return this.db.write(async (session) => {
      const result = await write(session);
      if (recorded(result)) {
        await this.audit.appendLocked([changeEvent(change)], session);
        await this.revisions.updateOne({ _id: CATALOG_REVISION }, { $inc: { value: 1 } }, { upsert: true, session });
      }
      return result;
    });
  }

  async secretKey(): Promise<Buffer> {
    return this.db.guard(async () => {
      const found = await this.meta.findOne({ _id: SECRET_KEY });
      if (found) return Buffer.from(found.value.buffer);
      // Insert if absent, then re-read: two instances starting together agree on one key.
      await ignoreConflict(() =>
        this.meta.updateOne({ _id: SECRET_KEY }, { $setOnInsert: { value: new Binary(randomBytes(32)) } }, { upsert: true }),
      );
      const doc = (await this.meta.findOne({ _id: SECRET_KEY })) as MetaDoc;
      return Buffer.from(doc.value.buffer);
    });
  }

  // ---- API roots and collections -------------------------------------------------------

  async upsertApiRoot(r: ApiRootRecord, change: ChangeRecord): Promise<void> {
    const doc: ApiRootDoc = {
      _id: r.path,
      title: r.title,
      ...(r.description !== undefined && { description: r.description }),
      max_content_length: r.maxContentLength,
      content_policy: r.contentPolicy,
      allowed_spec_versions: r.allowedSpecVersions,
    };
    await this.changing(change, (session) => this.apiRoots.replaceOne({ _id: r.path }, doc, { upsert: true, session }));
  }

  async listApiRoots(): Promise<ApiRootRecord[]> {
    return (await this.db.guard(() => this.apiRoots.find().sort({ _id: 1 }).toArray())).map(toApiRoot);
  }

  async getApiRoot(path: string): Promise<ApiRootRecord | undefined> {
    const doc = await this.db.guard(() => this.apiRoots.findOne({ _id: path }));
    return doc ? toApiRoot(doc) : undefined;
  }

  async upsertCollection(c: CollectionRecord, change: ChangeRecord): Promise<void> {
    await this.changing(change, (session) => this.collections.replaceOne({ _id: c.id }, collectionDoc(c), { upsert: true, session }));
  }

  async listCollections(apiRoot?: string): Promise<CollectionRecord[]> {
    const docs = await this.db.guard(() =>
      (apiRoot === undefined
        ? this.collections.find().sort({ api_root: 1, title: 1 })
        : this.collections.find({ api_root: apiRoot }).sort({ title: 1 })
      ).toArray(),
    );
    return docs.map(toCollection);
  }

  async getCollection(apiRoot: string, idOrAlias: string): Promise<CollectionRecord | undefined> {
    const docs = await this.db.guard(() => this.collections.find({ api_root: apiRoot, $or: [{ _id: idOrAlias }, { alias: idOrAlias }] }).toArray());
    // An id wins over another collection whose alias is that id.
    const doc = docs.find((d) => d._id === idOrAlias) ?? docs[0];
    return doc ? toCollection(doc) : undefined;
  }

  // ---- parties, accounts, tokens -------------------------------------------------------

  async upsertParty(p: PartyRecord, change: ChangeRecord): Promise<void> {
    const doc: PartyDoc = {
      _id: p.id,
      name: p.name,
      kind: p.kind,
      ...(p.country !== undefined && { country: p.country }),
      ...(p.identityRef !== undefined && { identity_ref: p.identityRef }),
    };
    await this.changing(change, (session) => this.parties.replaceOne({ _id: p.id }, doc, { upsert: true, session }));
  }

  async listParties(): Promise<PartyRecord[]> {
    return (await this.db.guard(() => this.parties.find().sort({ _id: 1 }).toArray())).map(toParty);
  }

  async getParty(id: string): Promise<PartyRecord | undefined> {
    const doc = await this.db.guard(() => this.parties.findOne({ _id: id }));
    return doc ? toParty(doc) : undefined;
  }

  async createAccount(a: AccountRecord, change: ChangeRecord): Promise<void> {
    const doc: AccountDoc = {
      _id: a.id,
      name: a.name,
      party_id: a.partyId,
      roles: a.roles,
      disabled: a.disabled,
      password_hash: a.passwordHash,
      created_at: a.createdAt,
      updated_at: a.updatedAt,
    };
    await this.changing(change, (session) => this.accounts.insertOne(doc, { session }));
  }

  async getAccount(id: string): Promise<AccountRecord | undefined> {
    const doc = await this.db.guard(() => this.accounts.findOne({ _id: id }));
    return doc ? toAccount(doc) : undefined;
  }

  async getAccountByName(name: string): Promise<AccountRecord | undefined> {
    const doc = await this.db.guard(() => this.accounts.findOne({ name }));
    return doc ? toAccount(doc) : undefined;
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return (await this.db.guard(() => this.accounts.find().sort({ name: 1 }).toArray())).map(toAccount);
  }

  async updateAccount(id: string, patch: AccountPatch, now: Micros, change: ChangeRecord): Promise<AccountRecord | undefined> {
    const set: Partial<AccountDoc> = { updated_at: now };
    if (patch.roles !== undefined) set.roles = patch.roles;
    if (patch.disabled !== undefined) set.disabled = patch.disabled;
    if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
    if (patch.partyId !== undefined) set.party_id = patch.partyId;
    if (patch.requireCertificate !== undefined) set.require_certificate = patch.requireCertificate;
    const doc = await this.changing(
      change,
      (session) => this.accounts.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after', session }),
      (found) => found !== null,
    );
    return doc ? toAccount(doc) : undefined;
  }

  async createToken(t: TokenRecord, change: ChangeRecord): Promise<void> {
    await this.changing(change, (session) =>
      this.tokens.insertOne(
        { _id: t.id, account_id: t.accountId, hash: t.hash, label: t.label, created_at: t.createdAt, revoked_at: t.revokedAt },
        { session },
      ),
    );
  }

  async getTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const doc = await this.db.guard(() => this.tokens.findOne({ hash }));
    return doc ? toToken(doc) : undefined;
  }

  async listTokens(accountId: string): Promise<TokenRecord[]> {
    return (await this.db.guard(() => this.tokens.find({ account_id: accountId }).sort({ created_at: 1 }).toArray())).map(toToken);
  }

  async revokeToken(id: string, now: Micros, change: ChangeRecord): Promise<boolean> {
    return this.changing(
      change,
      async (session) => (await this.tokens.updateOne({ _id: id, revoked_at: null }, { $set: { revoked_at: now } }, { session })).modifiedCount > 0,
      (revoked) => revoked,
    );
  }

  // ---- console sessions (console.ts) ----------------------------------------------------

  async createSession(session: SessionRecord): Promise<void> {
    await this.db.guard(() => this.sessions.insertOne(toSessionDoc(session)));
  }

  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const doc = await this.db.guard(() => this.sessions.findOne({ _id: idHash }));
    return doc ? toSession(doc) : undefined;
  }

  async touchSession(idHash: string, lastSeenAt: Micros): Promise<void> {
    await this.db.guard(() => this.sessions.updateOne({ _id: idHash }, { $set: { last_seen_at: lastSeenAt } }));
  }

  async deleteSession(idHash: string): Promise<void> {
    // _id is unique: this removes at most the one session.
    await this.db.guard(() => this.sessions.deleteMany({ _id: idHash }));
  }

  async deleteExpiredSessions(idleBefore: Micros, createdBefore: Micros): Promise<number> {
    return (await this.db.guard(() => this.sessions.deleteMany(expiredSessions(idleBefore, createdBefore)))).deletedCount;
  }

  async createCertificate(c: CertificateRecord, change: ChangeRecord): Promise<void> {
    await this.changing(change, (session) =>
      this.certificates.insertOne(
        {
          _id: c.id,
          account_id: c.accountId,
          fingerprint: c.fingerprint,
          subject: c.subject,
          issuer: c.issuer,
          label: c.label,
          created_at: c.createdAt,
          revoked_at: c.revokedAt,
        },
        { session },
      ),
    );
  }

  async listCertificates(accountId: string): Promise<CertificateRecord[]> {
    return (await this.db.guard(() => this.certificates.find({ account_id: accountId }).sort({ created_at: 1, _id: 1 }).toArray())).map(
      toCertificate,
    );
  }

  async findCertificates(fingerprint: string, subject: string, issuer: string): Promise<CertificateRecord[]> {
    const docs = await this.db.guard(() =>
      this.certificates
        .find({ revoked_at: null, $or: [{ fingerprint }, { subject, issuer }] })
        .sort({ created_at: 1, _id: 1 })
        .toArray(),
    );
    return docs.map(toCertificate);
  }

  async revokeCertificate(id: string, now: Micros, change: ChangeRecord): Promise<boolean> {
    return this.changing(
      change,
      async (session) =>
        (await this.certificates.updateOne({ _id: id, revoked_at: null }, { $set: { revoked_at: now } }, { session })).modifiedCount > 0,
      (revoked) => revoked,
    );
  }

  // ---- agreements --------------------------------------------------------------------------

  async saveAgreement(a: AgreementRecord, change: ChangeRecord): Promise<void> {
    await this.changing(change, async (session) => {
      await this.agreements.updateOne({ id: a.id, version: a.version }, { $set: { body: JSON.stringify(a) } }, { upsert: true, session });
    });
  }

  async getAgreement(id: string, version?: number): Promise<AgreementRecord | undefined> {
    const doc = await this.db.guard(() => this.agreements.findOne(version === undefined ? { id } : { id, version }, { sort: { version: -1 } }));
    return doc ? (JSON.parse(doc.body) as AgreementRecord) : undefined;
  }

  async listAgreements(): Promise<AgreementRecord[]> {
    const docs = await this.db.guard(() =>
      this.agreements
        .aggregate<{ body: string }>([
          { $sort: { id: 1, version: -1 } },
          { $group: { _id: '$id', body: { $first: '$body' } } },
          { $sort: { _id: 1 } },
        ])
        .toArray(),
    );
    return docs.map((d) => JSON.parse(d.body) as AgreementRecord);
  }

  async listAgreementVersions(id: string): Promise<AgreementRecord[]> {
    const docs = await this.db.guard(() => this.agreements.find({ id }).sort({ version: 1 }).toArray());
    return docs.map((d) => JSON.parse(d.body) as AgreementRecord);
  }

  async catalogRevision(): Promise<number> {
    const doc = await this.db.guard(() => this.revisions.findOne({ _id: CATALOG_REVISION }));
    return doc?.value ?? 0;
  }
}
