/**
 * The MongoDB store, for deployments where several Accord instances share one replica set.
 *
 * The query documents come from queries.ts and the write plans from writes.ts (pure, and
 * tested in-process against the SQLite reference). Object writes on a replica set (or
 * through mongos) run in a transaction that also updates the single date_added counter
 * document: concurrent writers, in this process or another, conflict on that document and
 * retry, so transactions commit in counter order and a reader never sees a later date_added
 * before an earlier one. A standalone server has no transactions; what still holds there is
 * in docs/operations-mongodb.md.
 *
 * This class joins the roles over one connection (database.ts): the catalogue (catalog.ts),
 * objects (objects.ts) and the sharing log (audit.ts).
 */
import type { Checkpoint } from '../../audit/chain';
import type { AuditEvent, AuditEventInput, ObjectRef, StoredAuditEvent } from '../../audit/events';
import type { AccountPatch, AccountRecord, AgreementRecord, ApiRootRecord, CertificateRecord, ChangeRecord, CollectionRecord, PartyRecord, TokenRecord } from '../../catalog/types';
import type { Micros } from '../../time';
import type { AuditAppender, AuditHead, AuditQuery, SummaryGroup, SummaryRow } from '../audit-store';
import type { AddEnvelope, ManifestRecord, ObjectPage, ObjectQuery, ObjectScope, StatusRecord, VersionSelector } from '../object-store';
import type { Page } from '../page';
import type { Store } from '../store';
import { MongoAudit } from './audit';
import { MongoCatalog } from './catalog';
import { MongoDatabase } from './database';
import { type FeedDoc, MongoFeeds } from './feeds';
import { MongoObjects } from './objects';
import { databaseOf } from './uri';

/** For openStore(): whether a location is a MongoDB connection string. */
export { isMongoUri } from './uri';

export class MongoStore implements Store {
  private readonly catalog: MongoCatalog;
  private readonly objects: MongoObjects;
  private readonly audit: MongoAudit;

  /** Over a database already opened (MongoDatabase.open: checked, collections and indexes in place). */
  constructor(private readonly db: MongoDatabase) {
    this.catalog = new MongoCatalog(db);
    this.audit = new MongoAudit(db);
    this.objects = new MongoObjects(db, this.audit);
  }

  /**
   * Connects, checks the server, and creates the collections, indexes and counter it needs
   * (idempotent: several instances may start at once). `database` defaults to the one named
   * in the connection string, else `accord`. Fails with StoreUnavailable naming the hosts.
   */
  static async connect(uri: string, database = databaseOf(uri)): Promise<MongoStore> {
    return new MongoStore(await MongoDatabase.connect(uri, database));
  }

  async ping(): Promise<void> {
    await this.db.ping();
  }

  async probeWrite(now: Micros): Promise<void> {
    await this.audit.probeWrite(now);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  feeds(): MongoFeeds {
    return new MongoFeeds(this.db.collection<FeedDoc>('feeds'), (fn) => this.db.guard(fn));
  }

  // ---- the catalogue (catalog.ts) ----------------------------------------------------------

  secretKey(): Promise<Buffer> {
    return this.catalog.secretKey();
  }
  upsertApiRoot(root: ApiRootRecord): Promise<void> {
    return this.catalog.upsertApiRoot(root);
  }
  listApiRoots(): Promise<ApiRootRecord[]> {
    return this.catalog.listApiRoots();
  }
  getApiRoot(path: string): Promise<ApiRootRecord | undefined> {
    return this.catalog.getApiRoot(path);
  }
  upsertCollection(collection: CollectionRecord): Promise<void> {
    return this.catalog.upsertCollection(collection);
  }
  listCollections(apiRoot?: string): Promise<CollectionRecord[]> {
    return this.catalog.listCollections(apiRoot);
  }
  getCollection(apiRoot: string, idOrAlias: string): Promise<CollectionRecord | undefined> {
    return this.catalog.getCollection(apiRoot, idOrAlias);
  }
  upsertParty(party: PartyRecord): Promise<void> {
    return this.catalog.upsertParty(party);
  }
  listParties(): Promise<PartyRecord[]> {
    return this.catalog.listParties();
  }
  getParty(id: string): Promise<PartyRecord | undefined> {
    return this.catalog.getParty(id);
  }
  createAccount(account: AccountRecord): Promise<void> {
    return this.catalog.createAccount(account);
  }
  getAccount(id: string): Promise<AccountRecord | undefined> {
    return this.catalog.getAccount(id);
  }
  getAccountByName(name: string): Promise<AccountRecord | undefined> {
    return this.catalog.getAccountByName(name);
  }
  listAccounts(): Promise<AccountRecord[]> {
    return this.catalog.listAccounts();
  }
  updateAccount(id: string, patch: AccountPatch, now: Micros): Promise<AccountRecord | undefined> {
    return this.catalog.updateAccount(id, patch, now);
  }
  createToken(token: TokenRecord): Promise<void> {
    return this.catalog.createToken(token);
  }
  getTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    return this.catalog.getTokenByHash(hash);
  }
  listTokens(accountId: string): Promise<TokenRecord[]> {
    return this.catalog.listTokens(accountId);
  }
  revokeToken(id: string, now: Micros): Promise<boolean> {
    return this.catalog.revokeToken(id, now);
  }

  createCertificate(certificate: CertificateRecord): Promise<void> {
    return this.catalog.createCertificate(certificate);
  }
  listCertificates(accountId: string): Promise<CertificateRecord[]> {
    return this.catalog.listCertificates(accountId);
  }
  findCertificates(fingerprint: string, subject: string, issuer: string): Promise<CertificateRecord[]> {
    return this.catalog.findCertificates(fingerprint, subject, issuer);
  }
  revokeCertificate(id: string, now: Micros): Promise<boolean> {
    return this.catalog.revokeCertificate(id, now);
  }
  saveAgreement(agreement: AgreementRecord): Promise<void> {
    return this.catalog.saveAgreement(agreement);
  }
  getAgreement(id: string, version?: number): Promise<AgreementRecord | undefined> {
    return this.catalog.getAgreement(id, version);
  }
  listAgreements(): Promise<AgreementRecord[]> {
    return this.catalog.listAgreements();
  }
  listAgreementVersions(id: string): Promise<AgreementRecord[]> {
    return this.catalog.listAgreementVersions(id);
  }
  agreementsRevision(): Promise<number> {
    return this.catalog.agreementsRevision();
  }

  // ---- objects (objects.ts) ---------------------------------------------------------------

  addObjects(envelope: AddEnvelope): Promise<StatusRecord> {
    return this.objects.addObjects(envelope);
  }
  getStatus(id: string): Promise<StatusRecord | undefined> {
    return this.objects.getStatus(id);
  }
  queryObjects(query: ObjectQuery): Promise<ObjectPage> {
    return this.objects.queryObjects(query);
  }
  queryManifest(query: ObjectQuery): Promise<Page<ManifestRecord>> {
    return this.objects.queryManifest(query);
  }
  deleteObject(
    collectionId: string,
    objectId: string,
    versions: VersionSelector,
    specVersions: string[] | undefined,
    scope?: ObjectScope,
    audit?: (removed: ObjectRef[]) => AuditEventInput,
  ): Promise<number> {
    return this.objects.deleteObject(collectionId, objectId, versions, specVersions, scope, audit);
  }

  // ---- the sharing log (audit.ts) ----------------------------------------------------------

  recordChange(change: ChangeRecord): Promise<void> {
    return this.audit.recordChange(change);
  }
  listChanges(limit: number, afterSeq?: number): Promise<(ChangeRecord & { seq: number })[]> {
    return this.audit.listChanges(limit, afterSeq);
  }
  appendAuditEvents(events: AuditEventInput[]): Promise<AuditEvent[]> {
    return this.audit.appendAuditEvents(events);
  }
  queryAuditEvents(query: AuditQuery): Promise<Page<AuditEvent>> {
    return this.audit.queryAuditEvents(query);
  }
  readAuditEvents(afterSeq: number, limit: number): Promise<StoredAuditEvent[]> {
    return this.audit.readAuditEvents(afterSeq, limit);
  }
  auditHead(): Promise<AuditHead> {
    return this.audit.auditHead();
  }
  summarizeAudit(group: SummaryGroup, from?: Micros, to?: Micros): Promise<SummaryRow[]> {
    return this.audit.summarizeAudit(group, from, to);
  }
  listCheckpoints(): Promise<(Checkpoint & { time: Micros })[]> {
    return this.audit.listCheckpoints();
  }
  checkpoint(now: Micros): Promise<Checkpoint | undefined> {
    return this.audit.checkpoint(now);
  }
  backgroundAuditAppender(warn: (message: string) => void): AuditAppender | undefined {
    return this.audit.backgroundAuditAppender(warn);
  }
}
