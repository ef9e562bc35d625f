/**
 * The catalogue half of the storage contract: API roots, collections, parties, accounts,
 * tokens and agreements, and the deployment's secret key.
 */
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
import type { Micros } from '../time';

export interface CatalogStore {
  /** A per-deployment random key (created on first use) for keyed hashes of secrets. */
  secretKey(): Promise<Buffer>;

  /**
   * Catalogue writes take the change they make: the store appends it to the sharing log (as an
   * event `catalog.<entity>.<action>`) in the same transaction as the write, so no catalogue
   * change can be made, or expressed, without its event.
   */
  upsertApiRoot(root: ApiRootRecord, change: ChangeRecord): Promise<void>;
  listApiRoots(): Promise<ApiRootRecord[]>;
  getApiRoot(path: string): Promise<ApiRootRecord | undefined>;

  upsertCollection(collection: CollectionRecord, change: ChangeRecord): Promise<void>;
  listCollections(apiRoot?: string): Promise<CollectionRecord[]>;
  getCollection(apiRoot: string, idOrAlias: string): Promise<CollectionRecord | undefined>;

  upsertParty(party: PartyRecord, change: ChangeRecord): Promise<void>;
  listParties(): Promise<PartyRecord[]>;
  getParty(id: string): Promise<PartyRecord | undefined>;

  createAccount(account: AccountRecord, change: ChangeRecord): Promise<void>;
  getAccount(id: string): Promise<AccountRecord | undefined>;
  getAccountByName(name: string): Promise<AccountRecord | undefined>;
  listAccounts(): Promise<AccountRecord[]>;
  /** Records the change only when the account exists. */
  updateAccount(id: string, patch: AccountPatch, now: Micros, change: ChangeRecord): Promise<AccountRecord | undefined>;

  createToken(token: TokenRecord, change: ChangeRecord): Promise<void>;
  getTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  listTokens(accountId: string): Promise<TokenRecord[]>;
  /** Records the change only when an active token was revoked. */
  revokeToken(id: string, now: Micros, change: ChangeRecord): Promise<boolean>;

  createSession(session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  touchSession(idHash: string, lastSeenAt: Micros): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Removes sessions idle since before `idleBefore` or created before `createdBefore`; returns how many. */
  deleteExpiredSessions(idleBefore: Micros, createdBefore: Micros): Promise<number>;
  createCertificate(certificate: CertificateRecord, change: ChangeRecord): Promise<void>;
  listCertificates(accountId: string): Promise<CertificateRecord[]>;
  /** Unrevoked certificates pinned to this fingerprint or naming this subject and issuer. */
  findCertificates(fingerprint: string, subject: string, issuer: string): Promise<CertificateRecord[]>;
  /** Records the change only when an active certificate was revoked. */
  revokeCertificate(id: string, now: Micros, change: ChangeRecord): Promise<boolean>;

  /** Inserts or replaces one agreement version (id, version) and bumps the catalogue revision. */
  saveAgreement(agreement: AgreementRecord, change: ChangeRecord): Promise<void>;
  /** The given version, or the latest when none is given. */
  getAgreement(id: string, version?: number): Promise<AgreementRecord | undefined>;
  /** The latest version of every agreement. */
  listAgreements(): Promise<AgreementRecord[]>;
  listAgreementVersions(id: string): Promise<AgreementRecord[]>;
  /**
   * Changes whenever an API root, collection, party, account, token or agreement changes, in
   * any process: one read of it tells a cache whether every catalogue entry it holds is current.
   */
  catalogRevision(): Promise<number>;
}
