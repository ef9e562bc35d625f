/**
 * The catalogue as requests need it (accounts, tokens and certificates, API roots,
 * collections, grants by party), cached in memory and validated by one read of the store's catalogue revision per
 * request (`refresh()`, called when a request authenticates). Any change to the catalogue,
 * by any process, changes the revision (SQLite: triggers; MongoDB: every catalogue write), so
 * a revoked token, a disabled account or a suspended agreement applies to the next request,
 * as it did when each request re-read them, for one indexed read instead of six.
 *
 * Only what exists is cached for keys a caller chooses (token hashes, account names): a flood
 * of made-up credentials cannot grow the cache.
 */
import type { AccountRecord, ApiRootRecord, CertificateRecord, CollectionRecord, TokenRecord } from '../catalog/types';
import type { Store } from '../store/store';
import { grantCovers, type GrantBinding } from './decide';

/** Most tokens or accounts remembered between catalogue changes; beyond it they are re-read. */
const ENTRY_LIMIT = 10_000;

interface RootCollections {
  /** In the store's order (by title). */
  list: CollectionRecord[];
  byId: Map<string, CollectionRecord>;
  byAlias: Map<string, CollectionRecord>;
  byCountry: Map<string, CollectionRecord[]>;
}

export class CatalogCache {
  private revision = -1;
  private tokens = new Map<string, TokenRecord>();
  private certificates = new Map<string, CertificateRecord[]>();
  private accounts = new Map<string, AccountRecord>();
  private accountsByName = new Map<string, AccountRecord>();
  private apiRoots: Promise<Map<string, ApiRootRecord>> | undefined;
  private collections: Promise<Map<string, RootCollections>> | undefined;
  private byParty: Promise<Map<string, GrantBinding[]>> | undefined;

  constructor(private readonly store: Store) {}

  /** Drops everything cached when the catalogue changed since the last call. */
  async refresh(): Promise<void> {
    const revision = await this.store.catalogRevision();
    if (revision === this.revision) return;
    this.revision = revision;
    this.tokens = new Map();
    this.certificates = new Map();
    this.accounts = new Map();
    this.accountsByName = new Map();
    this.apiRoots = undefined;
    this.collections = undefined;
    this.byParty = undefined;
  }

  async getTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    return this.tokens.get(hash) ?? remember(this.tokens, hash, await this.store.getTokenByHash(hash));
  }

  /** As Store.findCertificates; only answers that name a certificate are remembered. */
  async findCertificates(fingerprint: string, subject: string, issuer: string): Promise<CertificateRecord[]> {
    const key = `${fingerprint}\u0000${subject}\u0000${issuer}`;
    const found = this.certificates.get(key) ?? (await this.store.findCertificates(fingerprint, subject, issuer));
    if (found.length > 0) remember(this.certificates, key, found);
    return found;
  }

  async getAccount(id: string): Promise<AccountRecord | undefined> {
    return this.accounts.get(id) ?? remember(this.accounts, id, await this.store.getAccount(id));
  }

  async getAccountByName(name: string): Promise<AccountRecord | undefined> {
    return this.accountsByName.get(name) ?? remember(this.accountsByName, name, await this.store.getAccountByName(name));
  }

  /** In the store's order (by path). */
  async listApiRoots(): Promise<ApiRootRecord[]> {
    return [...(await this.roots()).values()];
  }

  async getApiRoot(path: string): Promise<ApiRootRecord | undefined> {
    return (await this.roots()).get(path);
  }

  private roots(): Promise<Map<string, ApiRootRecord>> {
    this.apiRoots ??= this.store.listApiRoots().then((roots) => new Map(roots.map((r) => [r.path, r])));
    return this.apiRoots;
  }

  /** By id, or by alias when no collection of the API root has that id (as Store.getCollection). */
  async getCollection(apiRoot: string, idOrAlias: string): Promise<CollectionRecord | undefined> {
    const root = (await this.rootCollections()).get(apiRoot);
    return root?.byId.get(idOrAlias) ?? root?.byAlias.get(idOrAlias);
  }

  /**
   * The API root's collections that some of `bindings` name, in the store's order: all of
   * them only when a grant covers every collection. A caller who sees few costs little
   * however large the catalogue is; decide() still judges each one.
   */
  async collectionsNamedBy(apiRoot: string, bindings: readonly GrantBinding[]): Promise<CollectionRecord[]> {
    const root = (await this.rootCollections()).get(apiRoot);
    if (!root) return [];
    if (bindings.some((b) => b.grant.collections.all === true || b.grant.collections.countries?.includes('*'))) return root.list;
    const named = new Set<CollectionRecord>();
    for (const { grant } of bindings) {
      for (const id of grant.collections.ids ?? []) add(named, root.byId.get(id));
      for (const alias of grant.collections.aliases ?? []) add(named, root.byAlias.get(alias));
      for (const country of grant.collections.countries ?? []) for (const c of root.byCountry.get(country) ?? []) add(named, c);
    }
    const order = new Map(root.list.map((c, i) => [c, i]));
    return [...named]
      .filter((c) => bindings.some((b) => grantCovers(b.grant, c)))
      .sort((a, b) => (order.get(a) as number) - (order.get(b) as number));
  }

  /** bindingsFor() after a refresh, for callers outside a request (feeds, the CLI): each call sees the current agreements. */
  async currentBindingsFor(partyId: string): Promise<GrantBinding[]> {
    await this.refresh();
    return this.bindingsFor(partyId);
  }

  /** The grants of every agreement naming the party, with their agreements (decide() judges them at `now`). */
  async bindingsFor(partyId: string): Promise<GrantBinding[]> {
    this.byParty ??= this.store.listAgreements().then((agreements) => {
      const byParty = new Map<string, GrantBinding[]>();
      for (const agreement of agreements) {
        for (const grant of agreement.grants) {
          const list = byParty.get(grant.party) ?? [];
          list.push({ agreement, grant });
          byParty.set(grant.party, list);
        }
      }
      return byParty;
    });
    return (await this.byParty).get(partyId) ?? [];
  }

  private rootCollections(): Promise<Map<string, RootCollections>> {
    this.collections ??= this.store.listCollections().then((all) => {
      const roots = new Map<string, RootCollections>();
      for (const c of all) {
        let root = roots.get(c.apiRoot);
        if (!root) roots.set(c.apiRoot, (root = { list: [], byId: new Map(), byAlias: new Map(), byCountry: new Map() }));
        root.list.push(c);
        root.byId.set(c.id, c);
        if (c.alias !== undefined) root.byAlias.set(c.alias, c);
        if (c.country !== undefined) root.byCountry.set(c.country, [...(root.byCountry.get(c.country) ?? []), c]);
      }
      return roots;
    });
    return this.collections;
  }
}

function add<T>(set: Set<T>, value: T | undefined): void {
  if (value !== undefined) set.add(value);
}

function remember<T>(map: Map<string, T>, key: string, value: T | undefined): T | undefined {
  if (value === undefined) return undefined;
  if (map.size >= ENTRY_LIMIT) map.clear();
  map.set(key, value);
  return value;
}

/** Grants for a door outside requests (feeds, CLI): every lookup checks the catalogue revision first. */
export function freshBindings(catalog: CatalogCache): { bindingsFor(partyId: string): Promise<GrantBinding[]> } {
  return { bindingsFor: (partyId) => catalog.currentBindingsFor(partyId) };
}
