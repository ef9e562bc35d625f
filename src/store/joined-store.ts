/**
 * A `Store` joined from its three roles: every method hands over to the catalogue, object or
 * sharing-log part. Each adapter builds its parts over one connection and adds ping/close.
 */
import type { Checkpoint } from '../audit/chain';
import type { AuditEvent, AuditEventInput, ObjectRef, StoredAuditEvent } from '../audit/events';
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
} from '../catalog/types';
import type { DailyKey, DailyRow, DayRange, WithheldKey, WithheldRow } from '../audit/daily';
import type { Micros } from '../time';
import type { AuditAppender, AuditHead, AuditQuery, AuditStore, SummaryGroup, SummaryRow } from './audit-store';
import type { CatalogStore } from './catalog-store';
import type { FeedStore } from './feeds';
import type { AddEnvelope, ManifestRecord, ObjectPage, ObjectQuery, ObjectScope, ObjectStore, StatusRecord, VersionSelector } from './object-store';
import type { Page } from './page';
import type { Store } from './store';

export abstract class JoinedStore implements Store {
  constructor(
    private readonly catalog: CatalogStore,
    private readonly objects: ObjectStore,
    private readonly audit: AuditStore,
  ) {}

  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
  abstract startBackgroundCheckpoints(warn: (message: string) => void): Promise<void>;
  abstract feeds(): FeedStore;

  // ---- the catalogue ----------------------------------------------------------

  secretKey(): Promise<Buffer> {
    return this.catalog.secretKey();
  }
  upsertApiRoot(root: ApiRootRecord, change: ChangeRecord): Promise<void> {
    return this.catalog.upsertApiRoot(root, change);
  }
  listApiRoots(): Promise<ApiRootRecord[]> {
    return this.catalog.listApiRoots();
  }
  getApiRoot(path: string): Promise<ApiRootRecord | undefined> {
    return this.catalog.getApiRoot(path);
  }
  upsertCollection(collection: CollectionRecord, change: ChangeRecord): Promise<void> {
    return this.catalog.upsertCollection(collection, change);
  }
  listCollections(apiRoot?: string): Promise<CollectionRecord[]> {
    return this.catalog.listCollections(apiRoot);
  }
  getCollection(apiRoot: string, idOrAlias: string): Promise<CollectionRecord | undefined> {
    return this.catalog.getCollection(apiRoot, idOrAlias);
  }
  upsertParty(party: PartyRecord, change: ChangeRecord): Promise<void> {
    return this.catalog.upsertParty(party, change);
  }
  listParties(): Promise<PartyRecord[]> {
    return this.catalog.listParties();
  }
  getParty(id: string): Promise<PartyRecord | undefined> {
    return this.catalog.getParty(id);
  }
  createAccount(account: AccountRecord, change: ChangeRecord): Promise<void> {
    return this.catalog.createAccount(account, change);
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
  updateAccount(id: string, patch: AccountPatch, now: Micros, change: ChangeRecord): Promise<AccountRecord | undefined> {
    return this.catalog.updateAccount(id, patch, now, change);
  }
  createToken(token: TokenRecord, change: ChangeRecord): Promise<void> {
    return this.catalog.createToken(token, change);
  }
  getTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    return this.catalog.getTokenByHash(hash);
  }
  listTokens(accountId: string): Promise<TokenRecord[]> {
    return this.catalog.listTokens(accountId);
  }
  revokeToken(id: string, now: Micros, change: ChangeRecord): Promise<boolean> {
    return this.catalog.revokeToken(id, now, change);
  }
  createSession(session: SessionRecord): Promise<void> {
    return this.catalog.createSession(session);
  }
  getSession(idHash: string): Promise<SessionRecord | undefined> {
    return this.catalog.getSession(idHash);
  }
  touchSession(idHash: string, lastSeenAt: Micros): Promise<void> {
    return this.catalog.touchSession(idHash, lastSeenAt);
  }
  deleteSession(idHash: string): Promise<void> {
    return this.catalog.deleteSession(idHash);
  }
  deleteExpiredSessions(idleBefore: Micros, createdBefore: Micros): Promise<number> {
    return this.catalog.deleteExpiredSessions(idleBefore, createdBefore);
  }
  createCertificate(certificate: CertificateRecord, change: ChangeRecord): Promise<void> {
    return this.catalog.createCertificate(certificate, change);
  }
  listCertificates(accountId: string): Promise<CertificateRecord[]> {
    return this.catalog.listCertificates(accountId);
  }
  findCertificates(fingerprint: string, subject: string, issuer: string): Promise<CertificateRecord[]> {
    return this.catalog.findCertificates(fingerprint, subject, issuer);
  }
  revokeCertificate(id: string, now: Micros, change: ChangeRecord): Promise<boolean> {
    return this.catalog.revokeCertificate(id, now, change);
  }
  saveAgreement(agreement: AgreementRecord, change: ChangeRecord): Promise<void> {
    return this.catalog.saveAgreement(agreement, change);
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
  catalogRevision(): Promise<number> {
    return this.catalog.catalogRevision();
  }

  // ---- objects ---------------------------------------------------------------

  addObjects(envelope: AddEnvelope): Promise<StatusRecord> {
    return this.objects.addObjects(envelope);
  }
  rehearseAdd(envelope: AddEnvelope): Promise<StatusRecord> {
    return this.objects.rehearseAdd(envelope);
  }
  getStatus(id: string): Promise<StatusRecord | undefined> {
    return this.objects.getStatus(id);
  }
  ownerOf(collectionId: string, objectId: string): Promise<string | undefined> {
    return this.objects.ownerOf(collectionId, objectId);
  }
  setOwner(collectionId: string, objectId: string, party: string, change: ChangeRecord): Promise<boolean> {
    return this.objects.setOwner(collectionId, objectId, party, change);
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
    scope: ObjectScope | undefined,
    audit: (removed: ObjectRef[]) => AuditEventInput,
  ): Promise<number> {
    return this.objects.deleteObject(collectionId, objectId, versions, specVersions, scope, audit);
  }

  // ---- the sharing log ----------------------------------------------------------

  probeWrite(now: Micros): Promise<void> {
    return this.audit.probeWrite(now);
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
  auditDaily(range: DayRange, by: readonly DailyKey[]): Promise<DailyRow[]> {
    return this.audit.auditDaily(range, by);
  }
  auditWithheldDaily(range: DayRange, by: readonly WithheldKey[]): Promise<WithheldRow[]> {
    return this.audit.auditWithheldDaily(range, by);
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
