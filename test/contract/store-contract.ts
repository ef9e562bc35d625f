/**
 * The storage contract: every `Store` adapter (SQLite today, MongoDB later) must pass this
 * suite. It talks to the store only through the `Store` interface, never through SQL or any
 * adapter internals, so that one suite states what "a correct store" means for all of them.
 *
 * Section numbers are those of the OASIS Standard "TAXII Version 2.1" (10 June 2021):
 * §3.3 Sorting, §3.4 Filtering (§3.4.1 Supported Fields for Match), §3.5 Pagination,
 * §4.3 Get Status, §5.3–§5.8 the collection endpoints.
 */
import { randomUUID } from 'node:crypto';
import { HIDDEN_COPY, NOT_OWNER } from '../../src/access/ownership';
import { EVERYTHING } from '../../src/store/scope';
import fc from 'fast-check';
import type {
  AccountRecord,
  AgreementRecord,
  ApiRootRecord,
  CertificateRecord,
  ChangeRecord,
  CollectionRecord,
  SessionRecord,
  TokenRecord,
} from '../../src/catalog/types';
import type { AddEnvelope, ManifestRecord, NewObject, ObjectQuery, ObjectScope, StatusDetail, VersionSelector } from '../../src/store/object-store';
import type { Store } from '../../src/store/store';
import { formatTimestamp, type Micros, parseTimestamp } from '../../src/time';
import { admits, withheldReason } from '../../src/store/scope';
import { testChange, deleteEvent, addEvent } from '../support/changes';

// ---- fixtures ------------------------------------------------------------------------------

/** 2026-01-01T00:00:00Z in microseconds: the clock reading the tests start from. */
const T0: Micros = Date.UTC(2026, 0, 1) * 1000;

function ts(text: string): Micros {
  const us = parseTimestamp(text);
  if (us === undefined) throw new Error(`test bug: ${text} is not a timestamp`);
  return us;
}

/**
 * The API root fields added with content policies. Spread (not written in the literal) so the
 * records below stay valid ApiRootRecords whichever optional fields the interface carries.
 */
const ROOT_POLICY = { contentPolicy: 'permissive' as const, allowedSpecVersions: ['2.1'] };
const STRICT_POLICY = { contentPolicy: 'strict' as const, allowedSpecVersions: ['2.0', '2.1'] };

const API1: ApiRootRecord = { path: 'api1', title: 'API root one', description: 'first', maxContentLength: 1048576, ...ROOT_POLICY };
const API2: ApiRootRecord = { path: 'api2', title: 'API root two', maxContentLength: 2048, ...ROOT_POLICY };

const MEDIA = ['application/stix+json;version=2.1'];
const ALPHA: CollectionRecord = {
  id: '2b1f0a1e-6a8c-4d0e-9f53-1c1f7c0c2a01',
  apiRoot: 'api1',
  title: 'Alpha',
  description: 'the alpha collection',
  alias: 'alpha',
  mediaTypes: MEDIA,
};
const BETA: CollectionRecord = { id: '5e9d4c43-0f6e-4b8a-8c11-8d3f2f4a9b02', apiRoot: 'api1', title: 'Beta', alias: 'beta', mediaTypes: MEDIA };
const GAMMA: CollectionRecord = {
  id: '9a7c2e10-3b4d-4f5e-a6b7-c8d9e0f1a203',
  apiRoot: 'api2',
  title: 'France (FR)',
  alias: 'fr',
  country: 'FR',
  mediaTypes: MEDIA,
};
/** An id no collection has. */
const NO_COLLECTION = '00000000-0000-4000-8000-0000000000ff';

const LAST: VersionSelector = { all: false, first: false, last: true, at: [] };
const FIRST: VersionSelector = { all: false, first: true, last: false, at: [] };
const FIRST_LAST: VersionSelector = { all: false, first: true, last: true, at: [] };
const ALL: VersionSelector = { all: true, first: false, last: false, at: [] };
const at = (...versions: Micros[]): VersionSelector => ({ all: false, first: false, last: false, at: versions });

function stixId(type: string, n: number): string {
  return `${type}--${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
}

/** TLP levels as the store indexes them (src/stix/markings.ts): -1 unmarked, 0 clear … 4 red. */
const UNMARKED = -1;
const GREEN = 1;
const AMBER = 2;
const RED = 4;

/** An SDO version; `specVersion` '2.0' leaves `spec_version` out of the JSON, as STIX 2.0 does. */
function sdo(type: string, n: number, modified: string, specVersion = '2.1', tlp = UNMARKED): NewObject {
  const id = stixId(type, n);
  const json = JSON.stringify({
    type,
    ...(specVersion !== '2.0' && { spec_version: specVersion }),
    id,
    created: '2024-01-01T00:00:00.000Z',
    modified,
    name: `${type} ${n} at ${modified}`,
  });
  return { id, type, specVersion, version: ts(modified), tlp, json };
}

/** An SCO without `modified`/`created`: its version is the date_added the store assigns. */
function sco(n: number, value: string, tlp = UNMARKED): NewObject {
  const id = stixId('ipv4-addr', n);
  return {
    id,
    type: 'ipv4-addr',
    specVersion: '2.1',
    version: null,
    tlp,
    json: JSON.stringify({ type: 'ipv4-addr', spec_version: '2.1', id, value }),
  };
}

/** An add of `objects` to a collection at the clock reading `now`, as the HTTP layer builds one. */
export function envelope(collectionId: string, now: Micros, objects: NewObject[], failures: StatusDetail[] = []): AddEnvelope {
  return {
    statusId: randomUUID(),
    apiRoot: 'api1',
    collectionId,
    accountId: 'account-1',
    partyId: 'party-1',
    visible: EVERYTHING,
    requestTimestamp: now - 10,
    now,
    objects,
    failures,
    audit: addEvent,
  };
}

function query(collectionId: string, over: Partial<ObjectQuery> = {}): ObjectQuery {
  return { collectionId, versions: LAST, limit: 1000, ...over };
}

/** A record as `id@version/spec_version`: what the assertions compare. */
const key = (r: ManifestRecord): string => `${r.id}@${formatTimestamp(r.version)}/${r.specVersion}`;
const keyOf = (o: NewObject, version = o.version): string => `${o.id}@${formatTimestamp(version as Micros)}/${o.specVersion}`;

async function seedCatalogue(store: Store): Promise<void> {
  await store.upsertApiRoot(API1, testChange('api-root', 'test'));
  await store.upsertApiRoot(API2, testChange('api-root', 'test'));
  for (const c of [ALPHA, BETA, GAMMA]) await store.upsertCollection(c, testChange('collection', 'test'));
  await store.upsertParty({ id: 'operator', name: 'Exchange operator', kind: 'operator' }, testChange('party', 'test'));
  await store.upsertParty(
    { id: 'fr-ncb', name: 'NCB Paris', kind: 'ncb', country: 'FR', identityRef: 'identity--00000000-0000-4000-8000-00000000000f' },
    testChange('party', 'test'),
  );
}

/** An account record as the catalogue creates one (reader of the operator party, at T0). */
export function account(name: string, over: Partial<AccountRecord> = {}): AccountRecord {
  return {
    id: randomUUID(),
    name,
    partyId: 'operator',
    roles: ['reader'],
    disabled: false,
    passwordHash: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

function token(accountId: string, hash: string, over: Partial<TokenRecord> = {}): TokenRecord {
  return { id: randomUUID(), accountId, hash, label: `token ${hash}`, createdAt: T0, revokedAt: null, ...over };
}

/**
 * The object fixture for the query and delete tests, added one object per envelope with the
 * clock at T0 + i ms, so each date_added is known exactly (a fresh store has handed out none).
 *
 *   A  indicator, 2.1: versions Jan, Mar (TLP:RED), then Feb added last (an old version arriving late)
 *   B  malware, 2.1: one version (Jan 15), TLP:GREEN
 *   C  indicator with 2.0 versions (2025-01, 2025-06) and 2.1 versions (2026-01, 2026-04 TLP:AMBER)
 *   D  ipv4-addr SCO without timestamps: version = date_added
 * Everything else is unmarked.
 */
const A1 = sdo('indicator', 1, '2026-01-01T00:00:00.000Z');
const A3 = sdo('indicator', 1, '2026-03-01T00:00:00.000Z', '2.1', RED);
const B1 = sdo('malware', 2, '2026-01-15T00:00:00.000Z', '2.1', GREEN);
const C20a = sdo('indicator', 3, '2025-01-01T00:00:00.000Z', '2.0');
const C20b = sdo('indicator', 3, '2025-06-01T00:00:00.000Z', '2.0');
const A2 = sdo('indicator', 1, '2026-02-01T00:00:00.000Z');
const C21a = sdo('indicator', 3, '2026-01-01T00:00:00.000Z');
const D = sco(4, '198.51.100.4');
const C21b = sdo('indicator', 3, '2026-04-01T00:00:00.000Z', '2.1', AMBER);
const FIXTURE = [A1, A3, B1, C20a, C20b, A2, C21a, D, C21b];
const addedAt = (o: NewObject): Micros => T0 + 1000 * (FIXTURE.indexOf(o) + 1);
const kD = keyOf(D, addedAt(D));
const [kA1, kA2, kA3, kB1, kC20a, kC20b, kC21a, kC21b] = [A1, A2, A3, B1, C20a, C20b, C21a, C21b].map((o) => keyOf(o));

async function seedObjects(store: Store, collectionId = ALPHA.id): Promise<void> {
  for (const o of FIXTURE) await store.addObjects(envelope(collectionId, addedAt(o), [o]));
}

async function keys(store: Store, q: ObjectQuery): Promise<string[]> {
  return (await store.queryManifest(q)).records.map(key);
}

// ---- the suite -----------------------------------------------------------------------------

export function runStoreContract(name: string, makeStore: () => Promise<Store>, teardown?: (s: Store) => Promise<void>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
      await seedCatalogue(store);
    });
    afterEach(async () => {
      if (teardown) await teardown(store);
      else await store.close();
    });

    describe('TAXII 2.1 §4.2 API roots', () => {
      it('§4.2.1 returns an upserted API root exactly, by path and in the list', async () => {
        expect(await store.getApiRoot('api1')).toEqual(API1);
        expect(await store.getApiRoot('api2')).toEqual(API2);
        const listed = (await store.listApiRoots()).sort((a, b) => a.path.localeCompare(b.path));
        expect(listed).toEqual([API1, API2]);
      });

      it('an unknown path is undefined', async () => {
        expect(await store.getApiRoot('nope')).toBeUndefined();
        expect(await store.getApiRoot('API1')).toBeUndefined();
      });

      it('upserting the same root again is idempotent; upserting a changed one replaces it', async () => {
        await store.upsertApiRoot(API1, testChange('api-root', 'test'));
        expect(await store.listApiRoots()).toHaveLength(2);
        expect(await store.getApiRoot('api1')).toEqual(API1);
        const changed: ApiRootRecord = { ...API1, title: 'Renamed', maxContentLength: 4096, ...STRICT_POLICY };
        delete changed.description;
        await store.upsertApiRoot(changed, testChange('api-root', 'test'));
        expect(await store.getApiRoot('api1')).toEqual(changed);
        expect(await store.listApiRoots()).toHaveLength(2);
      });
    });

    describe('TAXII 2.1 §5.1–§5.2 collections', () => {
      it('§5.2 finds a collection by id and by alias within its API root', async () => {
        expect(await store.getCollection('api1', ALPHA.id)).toEqual(ALPHA);
        expect(await store.getCollection('api1', 'alpha')).toEqual(ALPHA);
        expect(await store.getCollection('api2', 'fr')).toEqual(GAMMA);
      });

      it('§5.2 does not find a collection through another API root, an unknown id or alias', async () => {
        expect(await store.getCollection('api2', ALPHA.id)).toBeUndefined();
        expect(await store.getCollection('api2', 'alpha')).toBeUndefined();
        expect(await store.getCollection('api1', NO_COLLECTION)).toBeUndefined();
        expect(await store.getCollection('api1', 'Alpha')).toBeUndefined();
        expect(await store.getCollection('api2', 'FR')).toBeUndefined();
        expect(await store.getCollection('nope', 'alpha')).toBeUndefined();
      });

      it('an id wins over another collection whose alias is that id', async () => {
        // Aliases are chosen by operators; they must never shadow a collection's real id.
        const shadow: CollectionRecord = { id: randomUUID(), apiRoot: 'api1', title: 'Shadow', alias: BETA.id, mediaTypes: MEDIA };
        await store.upsertCollection(shadow, testChange('collection', 'test'));
        expect(await store.getCollection('api1', BETA.id)).toEqual(BETA);
        expect(await store.getCollection('api1', shadow.id)).toEqual(shadow);
      });

      it('a collection without alias, description or country is found by id and returned without them', async () => {
        const plain: CollectionRecord = { id: randomUUID(), apiRoot: 'api2', title: 'Plain', mediaTypes: MEDIA };
        await store.upsertCollection(plain, testChange('collection', 'test'));
        const got = await store.getCollection('api2', plain.id);
        expect(got).toEqual(plain);
        expect([got?.alias, got?.description, got?.country]).toEqual([undefined, undefined, undefined]);
      });

      it('§5.1 lists the collections of one API root, or of all', async () => {
        const byId = (a: CollectionRecord, b: CollectionRecord) => a.id.localeCompare(b.id);
        expect((await store.listCollections('api1')).sort(byId)).toEqual([ALPHA, BETA].sort(byId));
        expect(await store.listCollections('api2')).toEqual([GAMMA]);
        expect(await store.listCollections('nope')).toEqual([]);
        expect((await store.listCollections()).sort(byId)).toEqual([ALPHA, BETA, GAMMA].sort(byId));
      });

      it('upserting the same collection again is idempotent; a changed one replaces it', async () => {
        await store.upsertCollection(ALPHA, testChange('collection', 'test'));
        expect(await store.listCollections('api1')).toHaveLength(2);
        const renamed: CollectionRecord = {
          ...ALPHA,
          title: 'Alpha renamed',
          alias: 'alpha2',
          mediaTypes: [...MEDIA, 'application/stix+json;version=2.0'],
        };
        await store.upsertCollection(renamed, testChange('collection', 'test'));
        expect(await store.getCollection('api1', ALPHA.id)).toEqual(renamed);
        expect(await store.getCollection('api1', 'alpha2')).toEqual(renamed);
        expect(await store.getCollection('api1', 'alpha')).toBeUndefined();
        expect(await store.listCollections('api1')).toHaveLength(2);
      });
    });

    describe('parties', () => {
      it('returns parties exactly, with and without the optional fields', async () => {
        expect(await store.getParty('operator')).toEqual({ id: 'operator', name: 'Exchange operator', kind: 'operator' });
        expect(await store.getParty('fr-ncb')).toEqual({
          id: 'fr-ncb',
          name: 'NCB Paris',
          kind: 'ncb',
          country: 'FR',
          identityRef: 'identity--00000000-0000-4000-8000-00000000000f',
        });
        expect(await store.getParty('nobody')).toBeUndefined();
        expect((await store.listParties()).map((p) => p.id).sort()).toEqual(['fr-ncb', 'operator']);
      });

      it('upserting is idempotent and replaces changed fields', async () => {
        await store.upsertParty({ id: 'operator', name: 'Exchange operator', kind: 'operator' }, testChange('party', 'test'));
        expect(await store.listParties()).toHaveLength(2);
        await store.upsertParty({ id: 'operator', name: 'The operator', kind: 'operator', country: 'FR' }, testChange('party', 'test'));
        expect(await store.getParty('operator')).toEqual({ id: 'operator', name: 'The operator', kind: 'operator', country: 'FR' });
        expect(await store.listParties()).toHaveLength(2);
      });
    });

    describe('accounts', () => {
      it('finds an account by id and by name; unknown ones are undefined', async () => {
        const a = account('alice', { roles: ['reader', 'writer'], passwordHash: 'scrypt$abc' });
        await store.createAccount(a, testChange('account', 'test'));
        expect(await store.getAccount(a.id)).toEqual(a);
        expect(await store.getAccountByName('alice')).toEqual(a);
        expect(await store.getAccount(randomUUID())).toBeUndefined();
        expect(await store.getAccountByName('Alice')).toBeUndefined();
      });

      it('lists every account', async () => {
        const a = account('alice');
        const b = account('bob', { roles: ['admin'], disabled: true });
        await store.createAccount(a, testChange('account', 'test'));
        await store.createAccount(b, testChange('account', 'test'));
        expect((await store.listAccounts()).sort((x, y) => x.name.localeCompare(y.name))).toEqual([a, b]);
      });

      it('rejects a second account with the same name', async () => {
        await store.createAccount(account('alice'), testChange('account', 'test'));
        // Not toThrow(): native driver errors are not always \`instanceof Error\` inside jest's sandbox.
        await expect(store.createAccount(account('alice'), testChange('account', 'test'))).rejects.toHaveProperty('message');
        expect(await store.listAccounts()).toHaveLength(1);
      });

      it('updateAccount patches only the given fields, stamps updatedAt and returns the result', async () => {
        const a = account('alice', { passwordHash: 'scrypt$old' });
        await store.createAccount(a, testChange('account', 'test'));
        const disabled = await store.updateAccount(a.id, { disabled: true }, T0 + 5, testChange('account', 'test'));
        expect(disabled).toEqual({ ...a, disabled: true, updatedAt: T0 + 5 });
        expect(await store.getAccount(a.id)).toEqual(disabled);

        const patched = await store.updateAccount(
          a.id,
          { roles: ['admin', 'auditor'], passwordHash: null, partyId: 'fr-ncb' },
          T0 + 9,
          testChange('account', 'test'),
        );
        const expected = { ...a, disabled: true, roles: ['admin', 'auditor'], passwordHash: null, partyId: 'fr-ncb', updatedAt: T0 + 9 };
        expect(patched).toEqual(expected);
        expect(await store.getAccountByName('alice')).toEqual(expected);
        expect((await store.getAccount(a.id))?.createdAt).toBe(T0);
      });

      it('updateAccount of an unknown account is undefined and creates nothing', async () => {
        expect(await store.updateAccount(randomUUID(), { disabled: true }, T0, testChange('account', 'test'))).toBeUndefined();
        expect(await store.listAccounts()).toEqual([]);
      });
    });

    describe('tokens', () => {
      it('finds a token by hash and lists an account’s tokens only', async () => {
        const alice = account('alice');
        const bob = account('bob');
        await store.createAccount(alice, testChange('account', 'test'));
        await store.createAccount(bob, testChange('account', 'test'));
        const t1 = token(alice.id, 'aa11', { createdAt: T0 });
        const t2 = token(alice.id, 'bb22', { createdAt: T0 + 1 });
        const t3 = token(bob.id, 'cc33');
        for (const t of [t1, t2, t3]) await store.createToken(t, testChange('token', 'test'));
        expect(await store.getTokenByHash('bb22')).toEqual(t2);
        expect(await store.getTokenByHash('dd44')).toBeUndefined();
        expect((await store.listTokens(alice.id)).sort((x, y) => x.createdAt - y.createdAt)).toEqual([t1, t2]);
        expect(await store.listTokens(bob.id)).toEqual([t3]);
        expect(await store.listTokens(randomUUID())).toEqual([]);
      });

      it('revokeToken succeeds once, stamps revokedAt, and is false after that or for unknown ids', async () => {
        const alice = account('alice');
        await store.createAccount(alice, testChange('account', 'test'));
        const t = token(alice.id, 'aa11');
        await store.createToken(t, testChange('token', 'test'));
        expect(await store.revokeToken(t.id, T0 + 7, testChange('token', 'test'))).toBe(true);
        expect(await store.getTokenByHash('aa11')).toEqual({ ...t, revokedAt: T0 + 7 });
        expect(await store.revokeToken(t.id, T0 + 8, testChange('token', 'test'))).toBe(false);
        expect((await store.getTokenByHash('aa11'))?.revokedAt).toBe(T0 + 7);
        expect(await store.revokeToken(randomUUID(), T0, testChange('token', 'test'))).toBe(false);
      });
    });

    describe('client certificates (issue 12 §14)', () => {
      const cert = (accountId: string, over: Partial<CertificateRecord>): CertificateRecord => ({
        id: randomUUID(),
        accountId,
        fingerprint: null,
        subject: null,
        issuer: null,
        label: 'machine',
        createdAt: T0,
        revokedAt: null,
        ...over,
      });

      it('finds unrevoked certificates by fingerprint or by subject and issuer, lists an account’s own, and revokes once', async () => {
        const alice = account('alice');
        const bob = account('bob');
        await store.createAccount(alice, testChange('account', 'test'));
        await store.createAccount(bob, testChange('account', 'test'));
        const pinned = cert(alice.id, { fingerprint: 'ab'.repeat(32) });
        const named = cert(alice.id, { subject: 'CN=siem-fr, O=Police', issuer: 'CN=Exchange CA', createdAt: T0 + 1 });
        const other = cert(bob.id, { fingerprint: 'cd'.repeat(32) });
        for (const c of [pinned, named, other]) await store.createCertificate(c, testChange('certificate', c.id));
        expect(await store.findCertificates('ab'.repeat(32), 'CN=x', 'CN=y')).toEqual([pinned]);
        expect(await store.findCertificates('ee'.repeat(32), 'CN=siem-fr, O=Police', 'CN=Exchange CA')).toEqual([named]);
        // The subject alone, under another issuer, names nothing.
        expect(await store.findCertificates('ee'.repeat(32), 'CN=siem-fr, O=Police', 'CN=Other CA')).toEqual([]);
        expect(await store.listCertificates(alice.id)).toEqual([pinned, named]);
        expect(await store.revokeCertificate(pinned.id, T0 + 5, testChange('certificate', pinned.id, 'revoke'))).toBe(true);
        expect(await store.revokeCertificate(pinned.id, T0 + 6, testChange('certificate', pinned.id, 'revoke'))).toBe(false);
        expect(await store.findCertificates('ab'.repeat(32), '', '')).toEqual([]);
        expect((await store.listCertificates(alice.id))[0]).toEqual({ ...pinned, revokedAt: T0 + 5 });
      });

      it('an account’s requireCertificate is stored and patched', async () => {
        const a = account('alice');
        await store.createAccount(a, testChange('account', 'test'));
        expect((await store.getAccount(a.id))?.requireCertificate ?? false).toBe(false);
        expect((await store.updateAccount(a.id, { requireCertificate: true }, T0 + 1, testChange('account', 'test')))?.requireCertificate).toBe(true);
        expect((await store.getAccountByName('alice'))?.requireCertificate).toBe(true);
        expect(
          (await store.updateAccount(a.id, { requireCertificate: false }, T0 + 2, testChange('account', 'test')))?.requireCertificate ?? false,
        ).toBe(false);
      });
    });

    describe('secretKey', () => {
      it('is at least 32 bytes and the same on every call', async () => {
        const k1 = await store.secretKey();
        const k2 = await store.secretKey();
        expect(k1.length).toBeGreaterThanOrEqual(32);
        expect(Buffer.compare(k1, k2)).toBe(0);
      });

      it('differs between two deployments (it is random, not a constant)', async () => {
        const other = await makeStore();
        try {
          expect(Buffer.compare(await store.secretKey(), await other.secretKey())).not.toBe(0);
        } finally {
          if (teardown) await teardown(other);
          else await other.close();
        }
      });
    });

    describe('TAXII 2.1 §5.5 Add Objects', () => {
      it('§5.5 date_added is now, then last + 1 µs while the clock is frozen or goes backwards, within and across envelopes', async () => {
        const objs = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => sdo('indicator', n, '2026-01-01T00:00:00.000Z'));
        await store.addObjects(envelope(ALPHA.id, T0, objs.slice(0, 3))); // frozen clock within one envelope
        await store.addObjects(envelope(ALPHA.id, T0, objs.slice(3, 5))); // the same reading again
        await store.addObjects(envelope(ALPHA.id, T0 - 60_000_000, objs.slice(5, 7))); // the clock went back a minute
        await store.addObjects(envelope(ALPHA.id, T0 + 1_000_000, objs.slice(7, 9))); // and forward again
        const page = await store.queryManifest(query(ALPHA.id, { versions: ALL }));
        expect(page.records.map((r) => r.id)).toEqual(objs.map((o) => o.id));
        expect(page.records.map((r) => r.dateAdded - T0)).toEqual([0, 1, 2, 3, 4, 5, 6, 1_000_000, 1_000_001]);
      });

      // Regression (issue 13 item 2): versions were given back re-formatted (6 fraction digits).
      it('§5.3 / §5.8 queryManifest gives each version as the object states it (versionText); none for a version that is the date_added', async () => {
        const stated = { ...sdo('indicator', 90, '2026-01-01T00:00:00.5Z'), versionText: '2026-01-01T00:00:00.5Z' };
        const sco91 = sco(91, '198.51.100.9');
        await store.addObjects(envelope(ALPHA.id, T0, [stated, sco91]));
        const records = (await store.queryManifest(query(ALPHA.id, { versions: ALL }))).records;
        expect(records.map((r) => [r.id, r.versionText])).toEqual([
          [stated.id, '2026-01-01T00:00:00.5Z'],
          [sco91.id, undefined],
        ]);
        expect(records[0]?.version).toBe(ts('2026-01-01T00:00:00.500Z'));
      });

      it('§5.5 with a frozen clock, adds alternating between collections keep each collection’s date_added increasing', async () => {
        // TAXII needs the order per collection only; whether the clock is shared between
        // collections is the adapter's choice.
        for (let i = 0; i < 6; i++) {
          await store.addObjects(
            envelope(i % 2 === 0 ? ALPHA.id : BETA.id, T0, [sdo('indicator', i, '2026-01-01T00:00:00Z'), sdo('malware', i, '2026-01-01T00:00:00Z')]),
          );
        }
        for (const c of [ALPHA, BETA]) {
          const added = (await store.queryManifest(query(c.id))).records.map((r) => r.dateAdded);
          expect(added).toHaveLength(6);
          expect(added[0]).toBeGreaterThanOrEqual(T0);
          for (let i = 1; i < added.length; i++) expect(added[i]).toBeGreaterThan(added[i - 1] as number);
        }
      });

      it('§4.3.1 returns the status it stores, with counts, successes and the failures passed in', async () => {
        const failures: StatusDetail[] = [{ id: 'objects[1]', message: 'objects[1] is not a JSON object' }];
        const a = sdo('indicator', 1, '2026-01-01T12:00:00.123456Z');
        const s = sco(2, '203.0.113.2');
        const env = { ...envelope(ALPHA.id, T0, [a, s], failures), apiRoot: 'api1', accountId: 'acct-42', requestTimestamp: T0 - 3 };
        const status = await store.addObjects(env);
        const expected = {
          id: env.statusId,
          apiRoot: 'api1',
          accountId: 'acct-42',
          partyId: 'party-1',
          status: 'complete',
          requestTimestamp: T0 - 3,
          totalCount: 3,
          successCount: 2,
          failureCount: 1,
          pendingCount: 0,
          successes: [
            { id: a.id, version: '2026-01-01T12:00:00.123456Z' },
            { id: s.id, version: formatTimestamp(T0 + 1) },
          ],
          failures,
          pendings: [],
        };
        expect(status).toEqual(expected);
        expect(await store.getStatus(env.statusId)).toEqual(expected);
        expect(await store.getStatus(randomUUID())).toBeUndefined();
      });

      it('§4.3.1 an envelope whose objects all failed stores its status and no objects', async () => {
        const failures: StatusDetail[] = [
          { id: 'indicator--00000001-0000-4000-8000-000000000000', version: '2026-01-01T00:00:00Z', message: 'bad pattern' },
          { id: 'objects[1]', message: 'objects[1] is not a JSON object' },
        ];
        const env = envelope(ALPHA.id, T0, [], failures);
        const status = await store.addObjects(env);
        expect(status).toMatchObject({ totalCount: 2, successCount: 0, failureCount: 2, pendingCount: 0, successes: [], failures });
        expect((await store.getStatus(env.statusId))?.failures).toEqual(failures);
        expect((await store.queryManifest(query(ALPHA.id, { versions: ALL }))).records).toEqual([]);
      });

      it('§5.5 the same id, version and spec_version twice is stored once; the second add is a success “already stored”', async () => {
        const a = sdo('indicator', 1, '2026-01-01T00:00:00.000Z');
        await store.addObjects(envelope(ALPHA.id, T0, [a]));
        const second = await store.addObjects(envelope(ALPHA.id, T0 + 50, [a]));
        expect(second.successes).toEqual([{ id: a.id, version: '2026-01-01T00:00:00.000000Z', message: 'already stored' }]);
        expect([second.successCount, second.failureCount, second.totalCount]).toEqual([1, 0, 1]);
        const page = await store.queryObjects(query(ALPHA.id, { versions: ALL }));
        expect(page.records).toEqual([{ id: a.id, type: 'indicator', specVersion: '2.1', version: a.version, dateAdded: T0, tlp: UNMARKED }]);
        expect(page.json.toString('utf8')).toBe(a.json);
      });

      it('§5.5 a duplicate within one envelope is stored once', async () => {
        const a = sdo('indicator', 1, '2026-01-01T00:00:00.000Z');
        const status = await store.addObjects(envelope(ALPHA.id, T0, [a, a]));
        expect(status.successes).toEqual([
          { id: a.id, version: '2026-01-01T00:00:00.000000Z' },
          { id: a.id, version: '2026-01-01T00:00:00.000000Z', message: 'already stored' },
        ]);
        expect(await keys(store, query(ALPHA.id, { versions: ALL }))).toEqual([keyOf(a)]);
      });

      it('§5.5 the same id and version under another spec_version, or in another collection, is a separate record', async () => {
        const a21 = sdo('indicator', 1, '2026-01-01T00:00:00.000Z');
        const a20 = sdo('indicator', 1, '2026-01-01T00:00:00.000Z', '2.0');
        await store.addObjects(envelope(ALPHA.id, T0, [a21, a20]));
        await store.addObjects(envelope(BETA.id, T0, [a21]));
        expect(await keys(store, query(ALPHA.id, { versions: ALL, specVersions: ['2.0', '2.1'] }))).toEqual([keyOf(a21), keyOf(a20)]);
        expect(await keys(store, query(BETA.id, { versions: ALL }))).toEqual([keyOf(a21)]);
      });

      it('§5.5 an SCO without version is stored once when the identical JSON is sent again; a changed one is a new version', async () => {
        const first = sco(7, '192.0.2.7');
        const s1 = await store.addObjects(envelope(ALPHA.id, T0, [first]));
        expect(s1.successes).toEqual([{ id: first.id, version: formatTimestamp(T0) }]);
        const again = await store.addObjects(envelope(ALPHA.id, T0 + 100, [first]));
        expect(again.successes).toEqual([{ id: first.id, version: formatTimestamp(T0), message: 'already stored' }]);
        const changed = { ...first, json: JSON.stringify({ ...(JSON.parse(first.json) as object), x_note: 'changed' }) };
        const s3 = await store.addObjects(envelope(ALPHA.id, T0 + 200, [changed]));
        expect(s3.successes).toEqual([{ id: first.id, version: formatTimestamp(T0 + 200) }]);
        const all = await store.queryObjects(query(ALPHA.id, { versions: ALL }));
        expect(all.records.map((r) => [r.version, r.dateAdded])).toEqual([
          [T0, T0],
          [T0 + 200, T0 + 200],
        ]);
        expect(all.json.toString('utf8')).toBe(`${first.json},${changed.json}`);
        // The newer content is the object's last version.
        expect((await store.queryObjects(query(ALPHA.id))).json.toString('utf8')).toBe(changed.json);
      });

      it('§5.5 adding to an unknown collection is rejected and stores no status', async () => {
        const env = envelope(NO_COLLECTION, T0, [sdo('indicator', 1, '2026-01-01T00:00:00Z')]);
        await expect(store.addObjects(env)).rejects.toMatchObject({ kind: 'not-found' });
        expect(await store.getStatus(env.statusId)).toBeUndefined();
      });
    });

    describe('TAXII 2.1 §3.4 Filtering and §3.3 Sorting (queryObjects, queryManifest)', () => {
      beforeEach(() => seedObjects(store));

      it('§3.3 records are sorted by date_added ascending and carry their exact metadata', async () => {
        const page = await store.queryObjects(query(ALPHA.id, { versions: ALL, specVersions: ['2.0', '2.1'] }));
        expect(page.more).toBe(false);
        expect(page.records.map((r) => r.dateAdded)).toEqual(FIXTURE.map(addedAt));
        expect(page.records[2]).toEqual({
          id: B1.id,
          type: 'malware',
          specVersion: '2.1',
          version: ts('2026-01-15T00:00:00Z'),
          dateAdded: addedAt(B1),
          tlp: GREEN,
        });
        expect(page.records[7]).toEqual({
          id: D.id,
          type: 'ipv4-addr',
          specVersion: '2.1',
          version: addedAt(D),
          dateAdded: addedAt(D),
          tlp: UNMARKED,
        });
        // The JSON of every record, exactly as stored, in page order.
        expect(page.json.toString('utf8')).toBe(FIXTURE.map((o) => o.json).join(','));
        expect(page.records.map((r) => r.tlp)).toEqual(FIXTURE.map((o) => o.tlp));
      });

      it('§5.3 queryManifest returns the same records as queryObjects, without the JSON', async () => {
        const q = query(ALPHA.id, { versions: ALL, specVersions: ['2.0', '2.1'] });
        const objects = await store.queryObjects(q);
        const manifest = await store.queryManifest(q);
        expect(manifest.more).toBe(objects.more);
        expect(manifest.records).toEqual(objects.records);
        expect(manifest).not.toHaveProperty('json');
      });

      it('§3.4.1 the default is the last version of each object’s newest spec_version', async () => {
        expect(await keys(store, query(ALPHA.id))).toEqual([kA3, kB1, kD, kC21b]);
        expect((await store.queryObjects(query(ALPHA.id))).json.toString('utf8')).toBe([A3.json, B1.json, D.json, C21b.json].join(','));
      });

      it('§3.4.1 an old version added late does not replace the last one', async () => {
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id] }))).toEqual([kA3]);
      });

      it('§3.4.1 a 2.0 version added after the 2.1 ones does not become the default', async () => {
        const late20 = sdo('indicator', 3, '2027-01-01T00:00:00.000Z', '2.0');
        await store.addObjects(envelope(ALPHA.id, T0 + 100_000, [late20]));
        expect(await keys(store, query(ALPHA.id, { ids: [C21a.id] }))).toEqual([kC21b]);
        expect(await keys(store, query(ALPHA.id, { ids: [C21a.id], specVersions: ['2.0'] }))).toEqual([keyOf(late20)]);
        expect(await keys(store, query(ALPHA.id, { ids: [C21a.id], specVersions: ['2.0'], versions: FIRST }))).toEqual([kC20a]);
      });

      it('§3.4.1 match[version]=first', async () => {
        expect(await keys(store, query(ALPHA.id, { versions: FIRST }))).toEqual([kA1, kB1, kC21a, kD]);
      });

      it('§3.4.1 match[version]=first,last selects both (an object with one version appears once)', async () => {
        expect(await keys(store, query(ALPHA.id, { versions: FIRST_LAST }))).toEqual([kA1, kA3, kB1, kC21a, kD, kC21b]);
      });

      it('§3.4.1 match[version]=all selects every version of the newest spec_version', async () => {
        expect(await keys(store, query(ALPHA.id, { versions: ALL }))).toEqual([kA1, kA3, kB1, kA2, kC21a, kD, kC21b]);
      });

      it('§3.4.1 match[version]=<timestamp> selects exactly that version, of every object that has it', async () => {
        expect(await keys(store, query(ALPHA.id, { versions: at(ts('2026-02-01T00:00:00Z')) }))).toEqual([kA2]);
        expect(await keys(store, query(ALPHA.id, { versions: at(ts('2026-01-01T00:00:00Z')) }))).toEqual([kA1, kC21a]);
        expect(await keys(store, query(ALPHA.id, { versions: at(ts('2026-01-01T00:00:00Z'), ts('2026-01-15T00:00:00Z')) }))).toEqual([
          kA1,
          kB1,
          kC21a,
        ]);
        expect(await keys(store, query(ALPHA.id, { versions: at(ts('2026-01-01T00:00:00.000001Z')) }))).toEqual([]);
        expect(await keys(store, query(ALPHA.id, { versions: at(addedAt(D)) }))).toEqual([kD]);
      });

      it('§3.4.1 version selectors combine with OR: first plus a timestamp, last plus a timestamp', async () => {
        expect(await keys(store, query(ALPHA.id, { versions: { all: false, first: true, last: false, at: [ts('2026-02-01T00:00:00Z')] } }))).toEqual([
          kA1,
          kB1,
          kA2,
          kC21a,
          kD,
        ]);
        expect(await keys(store, query(ALPHA.id, { versions: { all: false, first: false, last: true, at: [ts('2026-01-01T00:00:00Z')] } }))).toEqual([
          kA1,
          kA3,
          kB1,
          kC21a,
          kD,
          kC21b,
        ]);
      });

      it('§3.4.1 match[spec_version]: without it only 2.1 rows of an object that also has 2.0 versions; with 2.0 the 2.0 rows', async () => {
        expect(await keys(store, query(ALPHA.id, { ids: [C21a.id], versions: ALL }))).toEqual([kC21a, kC21b]);
        expect(await keys(store, query(ALPHA.id, { ids: [C21a.id], versions: ALL, specVersions: ['2.0'] }))).toEqual([kC20a, kC20b]);
        expect(await keys(store, query(ALPHA.id, { specVersions: ['2.0'] }))).toEqual([kC20b]);
        expect(await keys(store, query(ALPHA.id, { specVersions: ['2.0'], versions: FIRST }))).toEqual([kC20a]);
        expect(await keys(store, query(ALPHA.id, { specVersions: ['2.1'] }))).toEqual([kA3, kB1, kD, kC21b]);
      });

      it('§3.4.1 match[spec_version]=2.0,2.1 applies first/last within each spec version', async () => {
        expect(await keys(store, query(ALPHA.id, { specVersions: ['2.0', '2.1'] }))).toEqual([kA3, kB1, kC20b, kD, kC21b]);
        expect(await keys(store, query(ALPHA.id, { specVersions: ['2.1', '2.0'], versions: FIRST }))).toEqual([kA1, kB1, kC20a, kC21a, kD]);
        expect(await keys(store, query(ALPHA.id, { specVersions: ['2.2'] }))).toEqual([]);
      });

      it('§3.4.1 match[id] and match[type] are OR within a field and AND between fields', async () => {
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id] }))).toEqual([kA3]);
        expect(await keys(store, query(ALPHA.id, { ids: [B1.id, A1.id] }))).toEqual([kA3, kB1]);
        expect(await keys(store, query(ALPHA.id, { ids: [stixId('indicator', 99)] }))).toEqual([]);
        expect(await keys(store, query(ALPHA.id, { types: ['malware'] }))).toEqual([kB1]);
        expect(await keys(store, query(ALPHA.id, { types: ['indicator'] }))).toEqual([kA3, kC21b]);
        expect(await keys(store, query(ALPHA.id, { types: ['ipv4-addr', 'malware'] }))).toEqual([kB1, kD]);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id, B1.id], types: ['malware'] }))).toEqual([kB1]);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], types: ['malware'] }))).toEqual([]);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: ALL }))).toEqual([kA1, kA3, kA2]);
      });

      it('§3.4 added_after selects records added strictly later', async () => {
        expect(await keys(store, query(ALPHA.id, { versions: ALL, addedAfter: addedAt(B1) }))).toEqual([kA2, kC21a, kD, kC21b]);
        expect(await keys(store, query(ALPHA.id, { versions: ALL, addedAfter: addedAt(B1) - 1 }))).toEqual([kB1, kA2, kC21a, kD, kC21b]);
        expect(await keys(store, query(ALPHA.id, { addedAfter: addedAt(C21b) }))).toEqual([]);
        expect(await keys(store, query(ALPHA.id, { addedAfter: 0 }))).toEqual([kA3, kB1, kD, kC21b]);
      });

      it('§3.4 added_after and the paging position together: the later of the two applies', async () => {
        const q = { versions: ALL, specVersions: ['2.0', '2.1'] };
        expect(await keys(store, query(ALPHA.id, { ...q, addedAfter: addedAt(A3), after: addedAt(C20b) }))).toEqual([kA2, kC21a, kD, kC21b]);
        expect(await keys(store, query(ALPHA.id, { ...q, addedAfter: addedAt(C20b), after: addedAt(A3) }))).toEqual([kA2, kC21a, kD, kC21b]);
      });

      it('§3.5 limit returns at most that many records and more is true exactly when more remain', async () => {
        // The default selection holds 4 records.
        expect(await store.queryManifest(query(ALPHA.id, { limit: 4 }))).toMatchObject({ more: false });
        expect((await store.queryManifest(query(ALPHA.id, { limit: 4 }))).records).toHaveLength(4);
        expect(await store.queryManifest(query(ALPHA.id, { limit: 5 }))).toMatchObject({ more: false });
        const three = await store.queryManifest(query(ALPHA.id, { limit: 3 }));
        expect([three.records.map(key), three.more]).toEqual([[kA3, kB1, kD], true]);
        const one = await store.queryObjects(query(ALPHA.id, { limit: 1 }));
        expect([one.records.map((r) => r.id), one.more]).toEqual([[A3.id], true]);
        const lastOne = await store.queryObjects(query(ALPHA.id, { limit: 1, after: addedAt(D) }));
        expect([lastOne.records.map((r) => r.id), lastOne.more]).toEqual([[C21b.id], false]);
      });

      it('§3.5 paging by position never skips or repeats a record, for every page size', async () => {
        const q = { versions: ALL, specVersions: ['2.0', '2.1'] };
        const everything = await keys(store, query(ALPHA.id, q));
        expect(everything).toHaveLength(FIXTURE.length);
        for (let limit = 1; limit <= FIXTURE.length + 1; limit++) {
          for (const how of ['after', 'addedAfter'] as const) {
            const seen: string[] = [];
            let position: Micros | undefined;
            for (let pages = 0; ; pages++) {
              const page = await store.queryManifest(query(ALPHA.id, { ...q, limit, ...(position !== undefined && { [how]: position }) }));
              seen.push(...page.records.map(key));
              expect(page.records.length).toBe(page.more ? limit : Math.min(limit, everything.length - (seen.length - page.records.length)));
              if (!page.more) break;
              position = page.records[page.records.length - 1]?.dateAdded;
              expect(pages).toBeLessThan(FIXTURE.length);
            }
            expect(seen).toEqual(everything);
          }
        }
      });

      it('§5.4 collections are separate, and an unknown collection is an empty page', async () => {
        expect((await store.queryObjects(query(BETA.id, { versions: ALL }))).records).toEqual([]);
        expect(await store.queryObjects(query(NO_COLLECTION))).toEqual({ records: [], more: false, json: Buffer.alloc(0) });
        expect(await store.queryManifest(query(NO_COLLECTION, { versions: ALL }))).toEqual({ records: [], more: false });
      });
    });

    describe('TAXII 2.1 §5.7 Delete an Object (deleteObject)', () => {
      beforeEach(() => seedObjects(store));

      it('§5.7 deleting the last version makes the previous one last; first is unchanged', async () => {
        expect(await store.deleteObject(ALPHA.id, A1.id, LAST, undefined, undefined, deleteEvent)).toBe(1);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: ALL }))).toEqual([kA1, kA2]);
        expect(await keys(store, query(ALPHA.id))).toEqual([kB1, kA2, kD, kC21b]);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: FIRST }))).toEqual([kA1]);
      });

      it('§5.7 deleting the first version makes the next one first', async () => {
        expect(await store.deleteObject(ALPHA.id, A1.id, FIRST, undefined, undefined, deleteEvent)).toBe(1);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: FIRST }))).toEqual([kA2]);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id] }))).toEqual([kA3]);
      });

      it('§5.7 deleting one exact version removes only it', async () => {
        expect(await store.deleteObject(ALPHA.id, A1.id, at(A2.version as Micros), undefined, undefined, deleteEvent)).toBe(1);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: ALL }))).toEqual([kA1, kA3]);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: FIRST_LAST }))).toEqual([kA1, kA3]);
      });

      it('§5.7 deleting first and last together leaves the middle version as both', async () => {
        expect(await store.deleteObject(ALPHA.id, A1.id, FIRST_LAST, undefined, undefined, deleteEvent)).toBe(2);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: FIRST }))).toEqual([kA2]);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: LAST }))).toEqual([kA2]);
      });

      it('§5.7 after deleting every 2.1 row, the 2.0 rows become the default', async () => {
        expect(await store.deleteObject(ALPHA.id, C21a.id, ALL, ['2.1'], undefined, deleteEvent)).toBe(2);
        expect(await keys(store, query(ALPHA.id))).toEqual([kA3, kB1, kC20b, kD]);
        expect(await keys(store, query(ALPHA.id, { ids: [C20a.id], versions: ALL }))).toEqual([kC20a, kC20b]);
        expect(await keys(store, query(ALPHA.id, { ids: [C20a.id], versions: FIRST }))).toEqual([kC20a]);
      });

      it('§5.7 without spec versions, deleting all removes the newest spec version’s rows, then the next', async () => {
        expect(await store.deleteObject(ALPHA.id, C21a.id, ALL, undefined, undefined, deleteEvent)).toBe(2);
        expect(await keys(store, query(ALPHA.id, { ids: [C21a.id], versions: ALL, specVersions: ['2.0', '2.1'] }))).toEqual([kC20a, kC20b]);
        expect(await store.deleteObject(ALPHA.id, C21a.id, ALL, undefined, undefined, deleteEvent)).toBe(2);
        expect(await store.deleteObject(ALPHA.id, C21a.id, ALL, undefined, undefined, deleteEvent)).toBe(0);
        expect(await keys(store, query(ALPHA.id, { ids: [C21a.id], versions: ALL, specVersions: ['2.0', '2.1'] }))).toEqual([]);
      });

      it('§5.7 deleting the 2.0 rows by spec version leaves the 2.1 rows and their flags alone', async () => {
        expect(await store.deleteObject(ALPHA.id, C21a.id, ALL, ['2.0'], undefined, deleteEvent)).toBe(2);
        expect(await keys(store, query(ALPHA.id, { ids: [C21a.id], versions: FIRST_LAST, specVersions: ['2.0', '2.1'] }))).toEqual([kC21a, kC21b]);
      });

      it('§5.7 nothing matching deletes nothing and returns 0', async () => {
        const before = await keys(store, query(ALPHA.id, { versions: ALL, specVersions: ['2.0', '2.1'] }));
        expect(await store.deleteObject(ALPHA.id, A1.id, at(ts('2020-01-01T00:00:00Z')), undefined, undefined, deleteEvent)).toBe(0);
        expect(await store.deleteObject(ALPHA.id, A1.id, ALL, ['2.0'], undefined, deleteEvent)).toBe(0);
        expect(await store.deleteObject(ALPHA.id, stixId('indicator', 99), ALL, undefined, undefined, deleteEvent)).toBe(0);
        expect(await store.deleteObject(NO_COLLECTION, A1.id, ALL, undefined, undefined, deleteEvent)).toBe(0);
        expect(await store.deleteObject(BETA.id, A1.id, ALL, undefined, undefined, deleteEvent)).toBe(0);
        expect(await keys(store, query(ALPHA.id, { versions: ALL, specVersions: ['2.0', '2.1'] }))).toEqual(before);
      });

      it('§5.7 deletes only in the given collection', async () => {
        await store.addObjects(envelope(BETA.id, T0 + 100_000, [A1, A3]));
        expect(await store.deleteObject(ALPHA.id, A1.id, ALL, undefined, undefined, deleteEvent)).toBe(3);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: ALL }))).toEqual([]);
        expect(await keys(store, query(BETA.id, { versions: ALL }))).toEqual([kA1, kA3]);
      });

      it('§5.7 a version added after a delete is the object again, with correct first/last', async () => {
        await store.deleteObject(ALPHA.id, A1.id, ALL, undefined, undefined, deleteEvent);
        const a4 = sdo('indicator', 1, '2026-05-01T00:00:00.000Z');
        await store.addObjects(envelope(ALPHA.id, T0 + 100_000, [a4]));
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: FIRST_LAST }))).toEqual([keyOf(a4)]);
        await store.addObjects(envelope(ALPHA.id, T0 + 100_000, [A2]));
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: FIRST }))).toEqual([kA2]);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: LAST }))).toEqual([keyOf(a4)]);
      });
    });

    describe('agreement scope (ObjectQuery.scope, deleteObject scope)', () => {
      beforeEach(() => seedObjects(store));
      const EVERY_TLP = [UNMARKED, 0, 1, 2, 3, 4];
      const upToGreen: ObjectScope = { clauses: [{ tlpLevels: [UNMARKED, 0, GREEN] }] };

      it('keeps only records whose TLP level a clause admits', async () => {
        expect(await keys(store, query(ALPHA.id, { scope: upToGreen, versions: ALL }))).toEqual([kA1, kB1, kA2, kC21a, kD]);
        expect(await keys(store, query(ALPHA.id, { scope: { clauses: [{ tlpLevels: [RED] }] } }))).toEqual([kA3]);
      });

      it('"last" within a scope is the newest version in scope: an out-of-scope last version leaves the newest visible one (issue #12: no inference across endpoints)', async () => {
        // A's last version is TLP:RED. A reader limited to GREEN gets A2, its newest version in
        // scope, as match[version]=all would show it; C's newest 2.1 version is out of scope too.
        expect(await keys(store, query(ALPHA.id, { scope: upToGreen }))).toEqual([kB1, kA2, kC21a, kD]);
        expect(await keys(store, query(ALPHA.id, { scope: upToGreen, ids: [A1.id] }))).toEqual([kA2]);
        expect((await store.queryManifest(query(ALPHA.id, { scope: upToGreen, limit: 2 }))).records.map(key)).toEqual([kB1, kA2]);
        expect(await keys(store, query(ALPHA.id, { scope: upToGreen, versions: FIRST, ids: [A1.id] }))).toEqual([kA1]);
      });

      it('§3.4.1 "first" within a scope is the oldest version in scope: an out-of-scope first version leaves the oldest visible one (issue #12)', async () => {
        // A's versions: Jan (A1), Feb (A2), both unmarked, and Mar (A3, RED). For a reader of RED
        // only, A's first version is A3, as match[version]=all shows it; so it is on DELETE.
        const redOnly: ObjectScope = { clauses: [{ tlpLevels: [RED] }] };
        expect(await keys(store, query(ALPHA.id, { scope: redOnly, versions: FIRST }))).toEqual([kA3]);
        expect(await keys(store, query(ALPHA.id, { scope: redOnly, versions: FIRST, ids: [A1.id] }))).toEqual([kA3]);
        expect(await keys(store, query(ALPHA.id, { scope: redOnly, versions: FIRST_LAST }))).toEqual([kA3]);
        expect(await store.deleteObject(ALPHA.id, A1.id, FIRST, undefined, redOnly, deleteEvent)).toBe(1);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: ALL }))).toEqual([kA1, kA2]);
        expect(await keys(store, query(ALPHA.id, { scope: redOnly, versions: FIRST, ids: [A1.id] }))).toEqual([]);
        // A reader of AMBER only: C's first 2.1 version in scope is C21b, its last.
        const amberOnly: ObjectScope = { clauses: [{ tlpLevels: [AMBER] }] };
        expect(await keys(store, query(ALPHA.id, { scope: amberOnly, versions: FIRST }))).toEqual([kC21b]);
      });

      it('allowTypes and denyTypes restrict a clause; clauses combine with OR', async () => {
        expect(await keys(store, query(ALPHA.id, { scope: { clauses: [{ tlpLevels: EVERY_TLP, allowTypes: ['indicator'] }] } }))).toEqual([
          kA3,
          kC21b,
        ]);
        expect(await keys(store, query(ALPHA.id, { scope: { clauses: [{ tlpLevels: EVERY_TLP, denyTypes: ['indicator'] }] } }))).toEqual([kB1, kD]);
        const two: ObjectScope = {
          clauses: [
            { tlpLevels: [GREEN], allowTypes: ['malware'] },
            { tlpLevels: [UNMARKED], allowTypes: ['ipv4-addr', 'indicator'], denyTypes: ['indicator'] },
          ],
        };
        expect(await keys(store, query(ALPHA.id, { scope: two, versions: ALL }))).toEqual([kB1, kD]);
      });

      it('an empty scope, a clause without TLP levels or with an empty type allow-list admits nothing', async () => {
        const none = await store.queryObjects(query(ALPHA.id, { scope: { clauses: [] } }));
        expect([none.records, none.more]).toEqual([[], false]);
        expect(await keys(store, query(ALPHA.id, { scope: { clauses: [{ tlpLevels: [] }] } }))).toEqual([]);
        expect(await keys(store, query(ALPHA.id, { scope: { clauses: [{ tlpLevels: EVERY_TLP, allowTypes: [] }] } }))).toEqual([]);
        expect(await keys(store, query(ALPHA.id, { scope: { clauses: [{ tlpLevels: EVERY_TLP, denyTypes: [] }] } }))).toEqual([kA3, kB1, kD, kC21b]);
      });

      it('§3.5 the scope is applied before paging: full pages and an exact more', async () => {
        const q = { scope: upToGreen, versions: ALL, limit: 2 };
        const p1 = await store.queryManifest(query(ALPHA.id, q));
        expect([p1.records.map(key), p1.more]).toEqual([[kA1, kB1], true]);
        const p2 = await store.queryManifest(query(ALPHA.id, { ...q, after: p1.records[1]?.dateAdded as Micros }));
        expect([p2.records.map(key), p2.more]).toEqual([[kA2, kC21a], true]);
        const p3 = await store.queryManifest(query(ALPHA.id, { ...q, after: p2.records[1]?.dateAdded as Micros }));
        expect([p3.records.map(key), p3.more]).toEqual([[kD], false]);
      });

      it('agrees with admits() for any scope and selection, page by page, and counts what it withheld (property)', async () => {
        const arbClause = fc.record(
          {
            tlpLevels: fc.subarray(EVERY_TLP),
            allowTypes: fc.subarray(['indicator', 'malware', 'ipv4-addr']),
            denyTypes: fc.subarray(['indicator', 'malware', 'ipv4-addr']),
          },
          { requiredKeys: ['tlpLevels'] },
        );
        const arbSelection = fc.constantFrom(LAST, FIRST, ALL, FIRST_LAST, at(ts('2026-01-01T00:00:00Z')));
        const arbSpecs = fc.constantFrom<string[] | undefined>(undefined, ['2.0'], ['2.0', '2.1']);
        await fc.assert(
          fc.asyncProperty(
            fc.array(arbClause, { maxLength: 3 }),
            arbSelection,
            arbSpecs,
            fc.integer({ min: 1, max: 4 }),
            async (clauses, versions, specVersions, limit) => {
              const scope: ObjectScope = { clauses };
              const base = query(ALPHA.id, { versions, ...(specVersions && { specVersions }) });
              const unscoped = (await store.queryManifest(base)).records;
              // "last" ("first") in scope is the newest (oldest) version in scope of each (id, spec_version).
              const every = (await store.queryManifest({ ...base, versions: ALL })).records;
              const newestInScope = new Map<string, Micros>();
              const oldestInScope = new Map<string, Micros>();
              for (const r of every) {
                const group = `${r.id} ${r.specVersion}`;
                if (!admits(scope, r.type, r.tlp)) continue;
                if (r.version > (newestInScope.get(group) ?? -Infinity)) newestInScope.set(group, r.version);
                if (r.version < (oldestInScope.get(group) ?? Infinity)) oldestInScope.set(group, r.version);
              }
              const admitted = every.filter(
                (r) =>
                  admits(scope, r.type, r.tlp) &&
                  (versions.all ||
                    (versions.last && newestInScope.get(`${r.id} ${r.specVersion}`) === r.version) ||
                    (versions.first && oldestInScope.get(`${r.id} ${r.specVersion}`) === r.version) ||
                    versions.at.includes(r.version)),
              );
              // Page through with the scope: the pages together are exactly the admitted records,
              // and each page's withheld count covers the records skipped in its range.
              const seen: ManifestRecord[] = [];
              let position: Micros | undefined;
              for (let guard = 0; guard <= unscoped.length + 1; guard++) {
                const page = await store.queryManifest({ ...base, scope, limit, ...(position !== undefined && { after: position }) });
                seen.push(...page.records);
                const upTo = page.more ? (page.records[page.records.length - 1] as ManifestRecord).dateAdded : Infinity;
                const skipped = unscoped.filter((r) => r.dateAdded > (position ?? -Infinity) && r.dateAdded <= upTo && !admits(scope, r.type, r.tlp));
                const reasons: Record<string, number> = {};
                for (const r of skipped) {
                  const why = withheldReason(scope, r.type, r.tlp);
                  reasons[why] = (reasons[why] ?? 0) + 1;
                }
                expect(page.withheld?.count ?? 0).toBe(skipped.length);
                if (skipped.length > 0) expect(page.withheld?.reasons).toEqual(reasons);
                if (!page.more) break;
                position = upTo;
              }
              expect(seen.map(key)).toEqual(admitted.map(key));
            },
          ),
          { numRuns: 80 },
        );
      });

      it('§5.7 deleteObject with a scope removes only the versions in scope and recomputes first/last', async () => {
        expect(await store.deleteObject(ALPHA.id, A1.id, ALL, undefined, upToGreen, deleteEvent)).toBe(2);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: ALL }))).toEqual([kA3]);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id], versions: FIRST }))).toEqual([kA3]);
        expect(await store.deleteObject(ALPHA.id, A1.id, ALL, undefined, upToGreen, deleteEvent)).toBe(0);
        expect(await store.deleteObject(ALPHA.id, A1.id, ALL, undefined, { clauses: [] }, deleteEvent)).toBe(0);
        expect(await keys(store, query(ALPHA.id, { ids: [A1.id] }))).toEqual([kA3]);
      });
    });

    describe('ownership of object ids and honest statuses (issue #12, src/access/ownership.ts)', () => {
      const v1 = sdo('indicator', 50, '2026-01-01T00:00:00.000Z', '2.1', GREEN);
      const v2 = sdo('indicator', 50, '2026-02-01T00:00:00.000Z', '2.1', GREEN);
      const redCopy = sdo('indicator', 51, '2026-01-01T00:00:00.000Z', '2.1', RED);
      const upToGreen: ObjectScope = { clauses: [{ tlpLevels: [UNMARKED, 0, GREEN] }] };
      const as = (party: string, objects: NewObject[], visible?: ObjectScope): AddEnvelope => {
        const { visible: _all, ...env } = envelope(ALPHA.id, T0, objects);
        return { ...env, partyId: party, ...(visible && { visible }) };
      };

      it('the first party to store an id owns it; another party’s version fails alone and changes nothing', async () => {
        await store.addObjects(as('acme', [v1]));
        expect(await store.ownerOf(ALPHA.id, v1.id)).toBe('acme');
        const status = await store.addObjects(as('rival', [v2, sdo('indicator', 52, '2026-01-01T00:00:00.000Z')], upToGreen));
        expect([status.successCount, status.failureCount, status.failures.map((f) => f.message)]).toEqual([1, 1, [`${v2.id}: ${NOT_OWNER}`]]);
        expect(await keys(store, query(ALPHA.id, { ids: [v1.id], versions: ALL }))).toEqual([keyOf(v1)]);
        expect((await store.addObjects(as('acme', [v2]))).successCount).toBe(1);
      });

      it('a copy of a version the writer may not read is neither "already stored" nor a success', async () => {
        await store.addObjects(as('acme', [redCopy]));
        const own = await store.addObjects(as('acme', [redCopy], upToGreen));
        expect([own.successCount, own.failures.map((f) => f.message)]).toEqual([0, [`${redCopy.id}: ${HIDDEN_COPY}`]]);
        const other = await store.addObjects(as('rival', [redCopy], upToGreen));
        expect(other.failures.map((f) => f.message)).toEqual([`${redCopy.id}: ${NOT_OWNER}`]);
        // With read access to it, the copy is the honest "already stored", whoever sends it.
        expect((await store.addObjects(as('rival', [redCopy], EVERYTHING))).successes).toEqual([
          { id: redCopy.id, version: formatTimestamp(redCopy.version as Micros), message: 'already stored' },
        ]);
      });

      it('an id keeps its owner when all its versions are deleted: only the owner may add it again', async () => {
        await store.addObjects(as('acme', [v1, v2]));
        const removed = await store.deleteObject(ALPHA.id, v1.id, ALL, undefined, undefined, deleteEvent);
        expect(removed).toBe(2);
        expect(await store.ownerOf(ALPHA.id, v1.id)).toBe('acme');
        const rival = await store.addObjects(as('rival', [v1], EVERYTHING));
        expect(rival.failures.map((f) => f.message)).toEqual([`${v1.id}: ${NOT_OWNER}`]);
        expect((await store.addObjects(as('acme', [v1], EVERYTHING))).successCount).toBe(1);
        expect(await store.ownerOf(ALPHA.id, v1.id)).toBe('acme');
        // Deleted and transferred while it has no version: the transfer needs a version to act on.
        const change = { at: T0, by: 'op', entity: 'object' as const, entityId: v1.id, action: 'transfer', detail: { to: 'rival' } };
        expect(await store.setOwner(ALPHA.id, v1.id, 'rival', change)).toBe(true);
        await store.deleteObject(ALPHA.id, v1.id, ALL, undefined, undefined, deleteEvent);
        expect(await store.ownerOf(ALPHA.id, v1.id)).toBe('rival');
        expect((await store.addObjects(as('acme', [v2], EVERYTHING))).failureCount).toBe(1);
      });

      it('rehearseAdd (cold start, issue 15) answers the status the add would, and stores, owns and logs nothing', async () => {
        await store.addObjects(as('acme', [v1]));
        const stored = await keys(store, query(ALPHA.id, { versions: ALL }));
        const head = await store.auditHead();
        const fresh = sdo('indicator', 53, '2026-01-01T00:00:00.000Z');
        // Already stored, a new version, another party's id (its own id is new), a new id.
        const objects = [v1, v2, sdo('indicator', 50, '2026-03-01T00:00:00.000Z'), fresh];
        const rehearsal = { ...as('acme', objects, EVERYTHING), now: T0 + 5000 };
        const rehearsed = await store.rehearseAdd(rehearsal);
        expect(await keys(store, query(ALPHA.id, { versions: ALL }))).toEqual(stored);
        expect(await store.getStatus(rehearsal.statusId)).toBeUndefined();
        expect(await store.ownerOf(ALPHA.id, fresh.id)).toBeUndefined();
        expect(await store.auditHead()).toEqual(head);
        const rival = await store.rehearseAdd({ ...as('rival', [v2, fresh], EVERYTHING), now: T0 + 5000 });
        expect(rival.failures.map((f) => f.message)).toEqual([`${v2.id}: ${NOT_OWNER}`]);
        expect(rival.successes).toEqual([{ id: fresh.id, version: formatTimestamp(fresh.version as Micros) }]);
        // The real add of the same envelope answers as rehearsed.
        const added = await store.addObjects(rehearsal);
        expect(rehearsed).toEqual(added);
        expect(added.successes.map((s) => s.message)).toEqual(['already stored', undefined, undefined, undefined]);
        expect(await store.ownerOf(ALPHA.id, fresh.id)).toBe('acme');
      });

      it('setOwner transfers an id with its change in the log; an id the collection does not hold is refused and not logged', async () => {
        await store.addObjects(as('acme', [v1]));
        const before = (await store.auditHead()).seq;
        const change = { at: T0, by: 'op', entity: 'object' as const, entityId: v1.id, action: 'transfer', detail: { to: 'rival' } };
        expect(await store.setOwner(ALPHA.id, v1.id, 'rival', change)).toBe(true);
        expect(await store.ownerOf(ALPHA.id, v1.id)).toBe('rival');
        expect((await store.listChanges(10, before)).map((c) => [c.entity, c.action, c.entityId])).toEqual([['object', 'transfer', v1.id]]);
        expect(await store.setOwner(ALPHA.id, stixId('indicator', 99), 'rival', { ...change, entityId: 'x' })).toBe(false);
        expect(await store.setOwner(BETA.id, v1.id, 'rival', change)).toBe(false);
        expect((await store.auditHead()).seq).toBe(before + 1);
        expect((await store.addObjects(as('acme', [v2]))).failureCount).toBe(1);
      });

      it('a status records the adding party', async () => {
        expect((await store.addObjects(as('acme', [v1]))).partyId).toBe('acme');
      });
    });

    describe('data-sharing agreements', () => {
      const agreement = (id: string, version: number, over: Partial<AgreementRecord> = {}): AgreementRecord => ({
        id,
        version,
        title: `Agreement ${id}`,
        instrument: `https://agreements.example.org/${id}.pdf`,
        parties: ['operator', 'fr-ncb'],
        validFrom: T0,
        validUntil: null,
        status: 'active',
        terms: { text: 'Use for defence only', onwardSharing: 'none' },
        grants: [
          {
            party: 'fr-ncb',
            actions: ['read', 'write'],
            collections: { countries: ['FR'] },
            types: { deny: ['identity'] },
            maxTlp: 'amber',
            unmarkedAs: 'green',
          },
          { party: 'operator', actions: ['read'], collections: { all: true }, maxTlp: 'red', unmarkedAs: 'deny' },
        ],
        createdAt: T0,
        createdBy: 'cli',
        updatedAt: T0 + version,
        updatedBy: 'cli',
        ...over,
      });

      it('keeps every version; get returns the latest or the one asked for', async () => {
        const v1 = agreement('agr-fr', 1);
        const v2 = agreement('agr-fr', 2, { status: 'suspended', validUntil: T0 + 1_000_000, terms: {} });
        await store.saveAgreement(v1, testChange('agreement', 'test'));
        await store.saveAgreement(v2, testChange('agreement', 'test'));
        expect(await store.getAgreement('agr-fr')).toEqual(v2);
        expect(await store.getAgreement('agr-fr', 1)).toEqual(v1);
        expect(await store.getAgreement('agr-fr', 3)).toBeUndefined();
        expect(await store.getAgreement('agr-xx')).toBeUndefined();
        expect(await store.listAgreementVersions('agr-fr')).toEqual([v1, v2]);
        expect(await store.listAgreementVersions('agr-xx')).toEqual([]);
      });

      it('issue #12 item 10: keeps the rate term of each version, and its absence', async () => {
        const v1 = agreement('agr-rated', 1, { terms: { text: 'polling limited', rateLimit: { requestsPerMinute: 600, burst: 50 } } });
        const v2 = agreement('agr-rated', 2, { terms: { rateLimit: { requestsPerMinute: 6, burst: 1 } } });
        const v3 = agreement('agr-rated', 3, { terms: {} });
        for (const v of [v1, v2, v3]) await store.saveAgreement(v, testChange('agreement', 'test'));
        expect((await store.getAgreement('agr-rated', 1))?.terms).toEqual({
          text: 'polling limited',
          rateLimit: { requestsPerMinute: 600, burst: 50 },
        });
        expect((await store.getAgreement('agr-rated', 2))?.terms.rateLimit).toEqual({ requestsPerMinute: 6, burst: 1 });
        expect(await store.getAgreement('agr-rated')).toEqual(v3);
        expect(await store.listAgreementVersions('agr-rated')).toEqual([v1, v2, v3]);
        expect((await store.listAgreements()).find((a) => a.id === 'agr-rated')).toEqual(v3);
      });

      it('lists the latest version of every agreement', async () => {
        const fr2 = agreement('agr-fr', 2);
        const br1 = agreement('agr-br', 1, { parties: ['operator'] });
        await store.saveAgreement(agreement('agr-fr', 1), testChange('agreement', 'test'));
        await store.saveAgreement(fr2, testChange('agreement', 'test'));
        await store.saveAgreement(br1, testChange('agreement', 'test'));
        expect((await store.listAgreements()).sort((a, b) => a.id.localeCompare(b.id))).toEqual([br1, fr2]);
      });

      it('saving the same (id, version) again replaces it', async () => {
        await store.saveAgreement(agreement('agr-fr', 1), testChange('agreement', 'test'));
        const fixed = agreement('agr-fr', 1, { title: 'Corrected title' });
        await store.saveAgreement(fixed, testChange('agreement', 'test'));
        expect(await store.listAgreementVersions('agr-fr')).toEqual([fixed]);
      });

      it('the catalogue revision changes on every agreement save', async () => {
        const r0 = await store.catalogRevision();
        expect(await store.catalogRevision()).toBe(r0);
        await store.saveAgreement(agreement('agr-fr', 1), testChange('agreement', 'test'));
        const r1 = await store.catalogRevision();
        expect(r1).not.toBe(r0);
        await store.saveAgreement(agreement('agr-fr', 1, { title: 'again' }), testChange('agreement', 'test'));
        const r2 = await store.catalogRevision();
        expect(new Set([r0, r1, r2]).size).toBe(3);
      });

      it('the catalogue revision changes on every change a cached lookup could miss (accounts, tokens, certificates, parties, API roots, collections), and not on reads or content', async () => {
        const changes: [string, () => Promise<unknown>][] = [
          ['party', () => store.upsertParty({ id: 'de-ncb', name: 'NCB Wiesbaden', kind: 'ncb' }, testChange('party', 'test'))],
          [
            'api root',
            () =>
              store.upsertApiRoot(
                { path: 'rev-root', title: 'r', maxContentLength: 1024, contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] },
                testChange('api-root', 'test'),
              ),
          ],
          [
            'collection',
            () =>
              store.upsertCollection(
                { id: '11111111-2222-4333-8444-555555555555', apiRoot: 'rev-root', title: 'c', mediaTypes: [] },
                testChange('collection', 'test'),
              ),
          ],
          [
            'account',
            () =>
              store.createAccount(
                {
                  id: 'acc-rev',
                  name: 'rev',
                  partyId: 'de-ncb',
                  roles: ['reader'],
                  disabled: false,
                  passwordHash: null,
                  createdAt: T0,
                  updatedAt: T0,
                },
                testChange('account', 'test'),
              ),
          ],
          ['account disabled', () => store.updateAccount('acc-rev', { disabled: true }, T0 + 1, testChange('account', 'test'))],
          [
            'token',
            () =>
              store.createToken(
                { id: 'tok-rev', accountId: 'acc-rev', hash: 'h-rev', label: 'x', createdAt: T0, revokedAt: null },
                testChange('token', 'test'),
              ),
          ],
          ['token revoked', () => store.revokeToken('tok-rev', T0 + 2, testChange('token', 'test'))],
          [
            'certificate',
            () =>
              store.createCertificate(
                {
                  id: 'cert-rev',
                  accountId: 'acc-rev',
                  fingerprint: 'ab'.repeat(32),
                  subject: null,
                  issuer: null,
                  label: 'x',
                  createdAt: T0,
                  revokedAt: null,
                },
                testChange('certificate', 'test'),
              ),
          ],
          ['certificate revoked', () => store.revokeCertificate('cert-rev', T0 + 3, testChange('certificate', 'test'))],
        ];
        for (const [what, change] of changes) {
          const before = await store.catalogRevision();
          await store.listCollections();
          await store.getTokenByHash('h-rev');
          expect([what, await store.catalogRevision()]).toEqual([what, before]);
          await change();
          expect([what, await store.catalogRevision()]).not.toEqual([what, before]);
        }
      });
    });

    describe('change log', () => {
      const change = (n: number, over: Partial<ChangeRecord> = {}): ChangeRecord => ({
        at: T0 + n,
        by: 'cli',
        entity: 'account',
        entityId: `account-${n}`,
        action: 'disable',
        ...over,
      });

      /** Every catalogue write carries its change; a party update is the vehicle here. */
      const record = (c: ChangeRecord) => store.upsertParty({ id: 'operator', name: 'Exchange operator', kind: 'operator' }, c);

      it('lists changes oldest first with increasing sequence numbers, exactly as recorded', async () => {
        const c1 = change(1, { detail: { roles: ['reader', 'writer'], note: 'promoted' } });
        const c2 = change(2, { entity: 'token', action: 'revoke' });
        const c3 = change(3, { at: T0 - 50, entity: 'agreement', entityId: 'agr-fr', action: 'save', detail: { version: 2 } });
        const { seq: before } = await store.auditHead();
        for (const c of [c1, c2, c3]) await record(c);
        const listed = await store.listChanges(10, before);
        expect(listed.map(({ seq: _seq, ...c }) => c)).toEqual([c1, c2, c3]);
        const seqs = listed.map((c) => c.seq);
        expect(seqs[0]).toBeLessThan(seqs[1] as number);
        expect(seqs[1]).toBeLessThan(seqs[2] as number);
      });

      it('pages with limit and afterSeq', async () => {
        const { seq: before } = await store.auditHead();
        for (let n = 1; n <= 5; n++) await record(change(n));
        const first = await store.listChanges(2, before);
        expect(first.map((c) => c.entityId)).toEqual(['account-1', 'account-2']);
        const rest = await store.listChanges(10, first[1]?.seq);
        expect(rest.map((c) => c.entityId)).toEqual(['account-3', 'account-4', 'account-5']);
        expect(await store.listChanges(10, rest[2]?.seq)).toEqual([]);
      });
    });

    describe('console sessions', () => {
      const session = (n: number, over: Partial<SessionRecord> = {}): SessionRecord => ({
        idHash: `id-${n}`,
        csrfHash: `csrf-${n}`,
        accountId: 'acct-1',
        credential: 'password',
        createdAt: T0 + n,
        lastSeenAt: T0 + n,
        ...over,
      });

      it('finds a session by the hash of its id, follows touches, and forgets a deleted one', async () => {
        await store.createSession(session(1, { credential: 'token:t-1' }));
        expect(await store.getSession('id-1')).toEqual(session(1, { credential: 'token:t-1' }));
        expect(await store.getSession('id-2')).toBeUndefined();
        await store.touchSession('id-1', T0 + 99);
        expect((await store.getSession('id-1'))?.lastSeenAt).toBe(T0 + 99);
        await store.deleteSession('id-1');
        expect(await store.getSession('id-1')).toBeUndefined();
      });

      it('expires sessions idle too long or opened too long ago, and keeps the others', async () => {
        await store.createSession(session(1, { createdAt: T0 + 50, lastSeenAt: T0 + 5 })); // idle
        await store.createSession(session(2, { createdAt: T0 + 1, lastSeenAt: T0 + 60 })); // too old
        await store.createSession(session(3, { createdAt: T0 + 50, lastSeenAt: T0 + 60 }));
        expect(await store.deleteExpiredSessions(T0 + 10, T0 + 10)).toBe(2);
        expect(await store.getSession('id-1')).toBeUndefined();
        expect(await store.getSession('id-2')).toBeUndefined();
        expect(await store.getSession('id-3')).toBeDefined();
      });
    });

    describe('sharing-log daily summaries (the console)', () => {
      it('adds each appended event to its day, action, outcome, party and collection, with objects and withheld reasons; groups by any of them', async () => {
        // A month after the seeded catalogue's changes (logged on T0's day), to see only these.
        const day1 = T0 + 31 * 86_400_000_000 + 3_600_000_000;
        const day2 = T0 + 32 * 86_400_000_000 + 5;
        const ours = { from: '2026-02-01' };
        const read = { action: 'objects.read', outcome: 'success' as const, party: 'fr-ncb', collection: 'c-fr', country: 'FR' };
        await store.appendAuditEvents([
          {
            ...read,
            time: day1,
            objects: [{ id: 'indicator--1', version: '2026-01-01T00:00:00.000Z' }],
            withheld: { count: 3, reasons: { tlp: 2, type: 1 } },
          },
          { ...read, time: day1 + 1, objects: [], withheld: { count: 1, reasons: { tlp: 1 } } },
          { ...read, time: day2, outcome: 'denied' },
          { time: day2, action: 'auth.failure', outcome: 'denied' },
        ]);
        expect(await store.auditDaily(ours, ['day', 'action', 'outcome', 'party', 'collection', 'country'])).toEqual([
          { day: '2026-02-01', ...read, events: 2, objects: 1, withheld: 4 },
          {
            day: '2026-02-02',
            action: 'auth.failure',
            outcome: 'denied',
            party: '',
            collection: '',
            country: '',
            events: 1,
            objects: 0,
            withheld: 0,
          },
          { day: '2026-02-02', ...read, outcome: 'denied', events: 1, objects: 0, withheld: 0 },
        ]);
        expect(await store.auditDaily({ from: '2026-02-02', to: '2026-02-02' }, ['day', 'action', 'outcome', 'party', 'collection'])).toHaveLength(2);
        expect(await store.auditDaily({ from: '2026-02-01', to: '2026-02-01' }, ['day'])).toHaveLength(1);
        // Grouped by fewer keys: the others summed over, and '' in the rows.
        expect(await store.auditDaily(ours, ['action', 'outcome'])).toEqual([
          { day: '', action: 'auth.failure', outcome: 'denied', party: '', collection: '', country: '', events: 1, objects: 0, withheld: 0 },
          { day: '', action: 'objects.read', outcome: 'denied', party: '', collection: '', country: '', events: 1, objects: 0, withheld: 0 },
          { day: '', action: 'objects.read', outcome: 'success', party: '', collection: '', country: '', events: 2, objects: 1, withheld: 4 },
        ]);
        expect(await store.auditWithheldDaily(ours, ['reason'])).toEqual([
          { day: '', party: '', collection: '', country: '', reason: 'tlp', count: 3 },
          { day: '', party: '', collection: '', country: '', reason: 'type', count: 1 },
        ]);
        expect(await store.auditWithheldDaily(ours, ['day', 'party', 'collection', 'country', 'reason'])).toEqual([
          { day: '2026-02-01', party: 'fr-ncb', collection: 'c-fr', country: 'FR', reason: 'tlp', count: 3 },
          { day: '2026-02-01', party: 'fr-ncb', collection: 'c-fr', country: 'FR', reason: 'type', count: 1 },
        ]);
      });

      it('queries events newest first, paging backwards with afterSeq', async () => {
        await store.appendAuditEvents(
          [1, 2, 3, 4].map((n) => ({ time: T0 + n, action: 'objects.read', outcome: 'success' as const, account: `a${n}` })),
        );
        const first = await store.queryAuditEvents({ action: 'objects.read', newestFirst: true, limit: 2 });
        expect(first.records.map((e) => e.account)).toEqual(['a4', 'a3']);
        expect(first.more).toBe(true);
        const rest = await store.queryAuditEvents({ action: 'objects.read', newestFirst: true, limit: 2, afterSeq: first.records[1]?.seq });
        expect(rest.records.map((e) => e.account)).toEqual(['a2', 'a1']);
        expect(rest.more).toBe(false);
      });
    });

    describe('TAXII 2.1 §3.5 Pagination while objects are being added (property)', () => {
      paginationProperties(() => store);
    });
  });
}

// ---- pagination under concurrent adds --------------------------------------------------------

type Command = { kind: 'add'; objects: NewObject[]; clockStep: number } | { kind: 'read'; limit: number };
type Selection = 'all' | 'default';
type Mode = 'after' | 'addedAfter';

const VERSION_TIMES = ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'];

/** A small pool of ids and versions, so re-adds, old versions and 2.0/2.1 pairs happen often. */
const arbObject: fc.Arbitrary<NewObject> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({ n: fc.integer({ min: 0, max: 5 }), v: fc.integer({ min: 0, max: 3 }), spec: fc.constantFrom('2.1', '2.1', '2.1', '2.0') })
      .map(({ n, v, spec }) => sdo(n % 2 === 0 ? 'indicator' : 'malware', n, VERSION_TIMES[v] as string, spec)),
  },
  {
    weight: 1,
    arbitrary: fc.record({ n: fc.integer({ min: 10, max: 11 }), v: fc.integer({ min: 0, max: 2 }) }).map(({ n, v }) => sco(n, `192.0.2.${v}`)),
  },
);

/** clockStep moves the clock the store is given: 0 freezes it, negative values turn it back. */
const arbAdd: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('add' as const),
  objects: fc.array(arbObject, { minLength: 1, maxLength: 6 }),
  clockStep: fc.oneof(fc.constant(0), fc.integer({ min: -5_000, max: 5_000 })),
});
const arbRead: fc.Arbitrary<Command> = fc.record({ kind: fc.constant('read' as const), limit: fc.integer({ min: 1, max: 7 }) });

/**
 * A reader that pages through a collection while writers add to it. Records are never
 * removed here, so with `match[version]=all` every record present when the reader finishes
 * must have been seen exactly once. With the default selection (latest version) a record can
 * drop out while the reader is on its way (a newer version arrived), but the store's flags
 * only ever go from selected to unselected, so every record still selected when the reader
 * finishes must have been seen, and none twice.
 */
class Reader {
  readonly seen: ManifestRecord[] = [];
  position: Micros | undefined;
  done = false;
  /** What the whole selection held when the reader saw `more: false`. */
  atEnd: ManifestRecord[] = [];

  constructor(
    private readonly store: Store,
    private readonly base: ObjectQuery,
    private readonly mode: Mode,
  ) {}

  async read(limit: number): Promise<void> {
    if (this.done) return;
    const q: ObjectQuery = { ...this.base, limit };
    if (this.position !== undefined) q[this.mode] = this.position;
    const page = await this.store.queryManifest(q);
    // Checked page by page (not only at the end) so that a reader stuck on one position fails
    // at once instead of looping.
    const first = page.records[0];
    if (first && this.position !== undefined) expect(first.dateAdded).toBeGreaterThan(this.position);
    if (page.more) expect(page.records).toHaveLength(limit);
    else expect(page.records.length).toBeLessThanOrEqual(limit);
    this.seen.push(...page.records);
    const last = page.records[page.records.length - 1];
    if (last) this.position = last.dateAdded;
    if (!page.more) {
      this.done = true;
      this.atEnd = (await this.store.queryManifest({ ...this.base, limit: 1_000_000 })).records;
    }
  }

  async finish(): Promise<void> {
    for (let guard = 0; !this.done; guard++) {
      if (guard > 5_000) throw new Error('the reader never reached more: false');
      await this.read(7);
    }
  }

  check(selection: Selection): void {
    const seenKeys = this.seen.map(key);
    expect(new Set(seenKeys).size).toBe(seenKeys.length);
    for (let i = 1; i < this.seen.length; i++) {
      expect((this.seen[i] as ManifestRecord).dateAdded).toBeGreaterThan((this.seen[i - 1] as ManifestRecord).dateAdded);
    }
    const endKeys = this.atEnd.map(key);
    if (selection === 'all') expect(seenKeys).toEqual(endKeys);
    else {
      const seenSet = new Set(seenKeys);
      expect(endKeys.filter((k) => !seenSet.has(k))).toEqual([]);
    }
  }
}

/**
 * What first/last and the default spec_version must select, computed from every stored row:
 * per object its newest spec_version, within that the lowest and highest version.
 */
async function expectSelectionsMatchModel(store: Store, collectionId: string): Promise<void> {
  const rows = (await store.queryManifest({ collectionId, versions: ALL, specVersions: ['2.0', '2.1'], limit: 1_000_000 })).records;
  const newestSpec = new Map<string, string>();
  for (const r of rows) if (r.specVersion > (newestSpec.get(r.id) ?? '')) newestSpec.set(r.id, r.specVersion);
  const current = rows.filter((r) => r.specVersion === newestSpec.get(r.id));
  const pick = (better: (a: number, b: number) => boolean) => {
    const best = new Map<string, ManifestRecord>();
    for (const r of current) {
      const b = best.get(r.id);
      if (!b || better(r.version, b.version)) best.set(r.id, r);
    }
    return current.filter((r) => best.get(r.id) === r).map(key);
  };
  expect(await keys(store, { collectionId, versions: LAST, limit: 1_000_000 })).toEqual(pick((a, b) => a > b));
  expect(await keys(store, { collectionId, versions: FIRST, limit: 1_000_000 })).toEqual(pick((a, b) => a < b));
  expect(await keys(store, { collectionId, versions: ALL, limit: 1_000_000 })).toEqual(current.map(key));
}

function paginationProperties(getStore: () => Store): void {
  let clock = T0;
  const add = async (store: Store, collectionId: string, objects: NewObject[], clockStep: number) => {
    clock += clockStep;
    await store.addObjects(envelope(collectionId, clock, objects));
  };
  const newCollection = async (store: Store): Promise<string> => {
    const id = randomUUID();
    await store.upsertCollection({ id, apiRoot: 'api1', title: `run ${id}`, mediaTypes: MEDIA }, testChange('collection', 'test'));
    return id;
  };
  const selectionQuery = (collectionId: string, selection: Selection): ObjectQuery =>
    selection === 'all' ? { collectionId, versions: ALL, specVersions: ['2.0', '2.1'], limit: 1 } : { collectionId, versions: LAST, limit: 1 };

  for (const mode of ['after', 'addedAfter'] as const) {
    const how = mode === 'after' ? 'the paging position (next)' : 'added_after = the last date_added (the client fallback)';
    it(`§3.5 a reader paging by ${how} never skips or repeats a record while others add`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<Selection>('all', 'default'),
          fc.array(arbAdd, { minLength: 1, maxLength: 6 }),
          fc.array(fc.oneof(arbAdd, arbRead), { maxLength: 30 }),
          async (selection, setup, commands) => {
            const store = getStore();
            const collectionId = await newCollection(store);
            for (const c of setup) if (c.kind === 'add') await add(store, collectionId, c.objects, c.clockStep);
            const atStart = (await store.queryManifest({ ...selectionQuery(collectionId, selection), limit: 1_000_000 })).records;
            const reader = new Reader(store, selectionQuery(collectionId, selection), mode);
            for (const c of commands) {
              if (c.kind === 'add') await add(store, collectionId, c.objects, c.clockStep);
              else await reader.read(c.limit);
            }
            await reader.finish();
            reader.check(selection);
            await expectSelectionsMatchModel(store, collectionId);
            if (selection === 'all') {
              // Nothing is removed, so everything present at the start was seen exactly once.
              const seen = reader.seen.map(key);
              expect(atStart.map(key).filter((k) => seen.filter((s) => s === k).length !== 1)).toEqual([]);
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it(`§3.5 paging by ${how} across one envelope of 2,000 objects added with a frozen clock`, async () => {
      const store = getStore();
      const collectionId = await newCollection(store);
      for (let i = 0; i < 10; i++) await add(store, collectionId, [sdo('indicator', 5000 + i, VERSION_TIMES[0] as string)], 1000);
      const reader = new Reader(store, selectionQuery(collectionId, 'all'), mode);
      await reader.read(7);
      // The clock stands still for the whole bulk add, which even starts behind the last date_added.
      const bulk = Array.from({ length: 2000 }, (_, i) => sdo(i % 3 === 0 ? 'malware' : 'indicator', 10_000 + i, VERSION_TIMES[i % 4] as string));
      await add(store, collectionId, bulk, -2_000);
      let later = 0;
      for (let page = 0; !reader.done; page++) {
        await reader.read(1 + (page % 7));
        if (page % 50 === 0 && !reader.done) {
          await add(store, collectionId, [sdo('indicator', 20_000 + page, VERSION_TIMES[1] as string)], 0);
          later++;
        }
      }
      reader.check('all');
      expect(later).toBeGreaterThan(5);
      expect(reader.seen).toHaveLength(10 + 2000 + later);
      expect(
        reader.seen
          .slice(10, 2010)
          .map((r) => r.id)
          .sort(),
      ).toEqual(bulk.map((o) => o.id).sort());
    });
  }
}
