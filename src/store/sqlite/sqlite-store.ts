/**
 * The embedded default store: one SQLite file (WAL mode) through better-sqlite3.
 *
 * Reads walk indexes only: the default TAXII selection (latest version of each object's
 * newest spec version) is a partial index on (collection, date_added), and paging is a
 * keyset on date_added, so a page costs the same at a million objects as at a thousand.
 *
 * This class joins the roles over one connection (database.ts): the catalogue (catalog.ts),
 * objects (objects.ts, paging.ts) and the sharing log (audit.ts).
 */
import type { Checkpoint } from '../../audit/chain';
import type { AuditEvent, AuditEventInput, ObjectRef, StoredAuditEvent } from '../../audit/events';
import type { AccountPatch, AccountRecord, AgreementRecord, ApiRootRecord, CertificateRecord, ChangeRecord, CollectionRecord, PartyRecord, TokenRecord } from '../../catalog/types';
import type { Micros } from '../../time';
import type { AuditAppender, AuditHead, AuditQuery, SummaryGroup, SummaryRow } from '../audit-store';
import type { AddEnvelope, ManifestRecord, ObjectPage, ObjectQuery, ObjectScope, StatusRecord, VersionSelector } from '../object-store';
import type { Page } from '../page';
import type { Store } from '../store';
import { SqliteAudit } from './audit';
import { SqliteCatalog } from './catalog';
import { SqliteDatabase } from './database';
import { SqliteFeeds } from './feeds';
import { SqliteObjects } from './objects';

export class SqliteStore implements Store {
  private readonly db: SqliteDatabase;
  private readonly catalog: SqliteCatalog;
  private readonly objects: SqliteObjects;
  private readonly audit: SqliteAudit;

  /** `file` is a path, or `:memory:` for a private in-memory database; `syncEveryCommit`: see SqliteDatabase. */
  constructor(file: string, syncEveryCommit = false) {
    this.db = new SqliteDatabase(file, syncEveryCommit);
    this.catalog = new SqliteCatalog(this.db);
    this.audit = new SqliteAudit(this.db);
    this.objects = new SqliteObjects(this.db, this.audit);
  }

  async ping(): Promise<void> {
    this.db.ping();
  }

  async probeWrite(now: Micros): Promise<void> {
    return this.audit.probeWrite(now);
  }

  async close(): Promise<void> {
    this.db.close();
  }

  feeds(): SqliteFeeds {
    return new SqliteFeeds(this.db);
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
