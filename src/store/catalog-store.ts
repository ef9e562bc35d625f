/**
 * The catalogue half of the storage contract: API roots, collections, parties, accounts,
 * tokens and agreements, and the deployment's secret key.
 */
import type { AccountPatch, AccountRecord, AgreementRecord, ApiRootRecord, CertificateRecord, CollectionRecord, PartyRecord, TokenRecord } from '../catalog/types';
import type { Micros } from '../time';

export interface CatalogStore {
  /** A per-deployment random key (created on first use) for keyed hashes of secrets. */
  secretKey(): Promise<Buffer>;

  upsertApiRoot(root: ApiRootRecord): Promise<void>;
  listApiRoots(): Promise<ApiRootRecord[]>;
  getApiRoot(path: string): Promise<ApiRootRecord | undefined>;

  upsertCollection(collection: CollectionRecord): Promise<void>;
  listCollections(apiRoot?: string): Promise<CollectionRecord[]>;
  getCollection(apiRoot: string, idOrAlias: string): Promise<CollectionRecord | undefined>;

  upsertParty(party: PartyRecord): Promise<void>;
  listParties(): Promise<PartyRecord[]>;
  getParty(id: string): Promise<PartyRecord | undefined>;

  createAccount(account: AccountRecord): Promise<void>;
  getAccount(id: string): Promise<AccountRecord | undefined>;
  getAccountByName(name: string): Promise<AccountRecord | undefined>;
  listAccounts(): Promise<AccountRecord[]>;
  updateAccount(id: string, patch: AccountPatch, now: Micros): Promise<AccountRecord | undefined>;

  createToken(token: TokenRecord): Promise<void>;
  getTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  listTokens(accountId: string): Promise<TokenRecord[]>;
  revokeToken(id: string, now: Micros): Promise<boolean>;

  createCertificate(certificate: CertificateRecord): Promise<void>;
  listCertificates(accountId: string): Promise<CertificateRecord[]>;
  /** Unrevoked certificates pinned to this fingerprint or naming this subject and issuer. */
  findCertificates(fingerprint: string, subject: string, issuer: string): Promise<CertificateRecord[]>;
  revokeCertificate(id: string, now: Micros): Promise<boolean>;

  /** Inserts or replaces one agreement version (id, version) and bumps the agreements revision. */
  saveAgreement(agreement: AgreementRecord): Promise<void>;
  /** The given version, or the latest when none is given. */
  getAgreement(id: string, version?: number): Promise<AgreementRecord | undefined>;
  /** The latest version of every agreement. */
  listAgreements(): Promise<AgreementRecord[]>;
  listAgreementVersions(id: string): Promise<AgreementRecord[]>;
  /** Changes whenever any agreement changes, in any process: lets callers cache agreements. */
  agreementsRevision(): Promise<number>;
}
