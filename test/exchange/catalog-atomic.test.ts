/**
 * A catalogue change and its sharing-log event commit together or not at all: when the log
 * refuses the event, the change is rolled back (src/store/store.ts). The log is made to refuse
 * by a trigger on its table, as a full disk or a damaged file would refuse at that point.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { AccountRecord, AgreementRecord } from '../../src/catalog/types';
import { testChange } from '../support/changes';

const T0 = Date.UTC(2026, 0, 1) * 1000;

const account: AccountRecord = { id: 'acc-1', name: 'alice', partyId: 'operator', roles: ['reader'], disabled: false, passwordHash: null, createdAt: T0, updatedAt: T0 };
const agreement: AgreementRecord = {
  id: 'agr-1',
  version: 1,
  title: 'Agreement',
  instrument: 'doc-1',
  parties: ['operator'],
  validFrom: T0,
  validUntil: null,
  status: 'active',
  terms: {},
  grants: [],
  createdAt: T0,
  createdBy: 'cli:test',
  updatedAt: T0,
  updatedBy: 'cli:test',
};

describe('a catalogue change commits with its sharing-log event', () => {
  let dir: string;
  let store: SqliteStore;
  let raw: Database.Database;
  // Changed between two openings of the store, so that its connection reads the new schema.
  const reopenAfter = async (sql: string) => {
    await store.close();
    raw.exec(sql);
    store = new SqliteStore(join(dir, 'a.db'));
  };
  const refuse = () => reopenAfter("CREATE TRIGGER refuse BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'the log refuses'); END");
  const accept = () => reopenAfter('DROP TRIGGER refuse');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-atomic-'));
    store = new SqliteStore(join(dir, 'a.db'));
    await store.upsertApiRoot({ path: 'api1', title: 'Root', maxContentLength: 1000, contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] }, testChange('api-root', 'api1'));
    await store.upsertParty({ id: 'operator', name: 'Operator', kind: 'operator' }, testChange('party', 'operator'));
    await store.createAccount(account, testChange('account', account.id));
    await store.createToken({ id: 'tok-1', accountId: account.id, hash: 'ab', label: 'x', createdAt: T0, revokedAt: null }, testChange('token', 'tok-1'));
    raw = new Database(join(dir, 'a.db'));
  });
  afterEach(async () => {
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the event cannot be appended, no write of any catalogue entity is kept', async () => {
    const head = await store.auditHead();
    await refuse();
    await expect(store.upsertParty({ id: 'fr-police', name: 'Police', kind: 'national-agency', country: 'FR' }, testChange('party', 'fr-police'))).rejects.toThrow('the log refuses');
    await expect(store.upsertParty({ id: 'operator', name: 'Renamed', kind: 'operator' }, testChange('party', 'operator', 'update'))).rejects.toThrow('the log refuses');
    await expect(store.upsertApiRoot({ path: 'api2', title: 'Two', maxContentLength: 1, contentPolicy: 'strict', allowedSpecVersions: ['2.1'] }, testChange('api-root', 'api2'))).rejects.toThrow();
    await expect(store.upsertCollection({ id: 'c-1', apiRoot: 'api1', title: 'C', mediaTypes: [] }, testChange('collection', 'c-1'))).rejects.toThrow();
    await expect(store.createAccount({ ...account, id: 'acc-2', name: 'bob' }, testChange('account', 'acc-2'))).rejects.toThrow();
    await expect(store.updateAccount(account.id, { disabled: true }, T0 + 1, testChange('account', account.id, 'update'))).rejects.toThrow();
    await expect(store.createToken({ id: 'tok-2', accountId: account.id, hash: 'cd', label: 'y', createdAt: T0, revokedAt: null }, testChange('token', 'tok-2'))).rejects.toThrow();
    await expect(store.revokeToken('tok-1', T0 + 1, testChange('token', 'tok-1', 'revoke'))).rejects.toThrow();
    const revision = await store.agreementsRevision();
    await expect(store.saveAgreement(agreement, testChange('agreement', agreement.id))).rejects.toThrow();

    expect(await store.getParty('fr-police')).toBeUndefined();
    expect((await store.getParty('operator'))?.name).toBe('Operator');
    expect(await store.getApiRoot('api2')).toBeUndefined();
    expect(await store.listCollections()).toEqual([]);
    expect(await store.getAccount('acc-2')).toBeUndefined();
    expect((await store.getAccount(account.id))?.disabled).toBe(false);
    expect(await store.getTokenByHash('cd')).toBeUndefined();
    expect((await store.getTokenByHash('ab'))?.revokedAt).toBeNull();
    expect(await store.getAgreement(agreement.id)).toBeUndefined();
    expect(await store.agreementsRevision()).toBe(revision);
    expect(await store.auditHead()).toEqual(head);

    await accept();
    await store.saveAgreement(agreement, testChange('agreement', agreement.id));
    expect(await store.getAgreement(agreement.id)).toEqual(agreement);
    expect((await store.listChanges(10, head.seq)).map((c) => `${c.entity}:${c.entityId}`)).toEqual(['agreement:agr-1']);
  });

  it('a write that changes nothing records nothing: an unknown account, a token already revoked', async () => {
    const head = await store.auditHead();
    expect(await store.updateAccount('nobody', { disabled: true }, T0, testChange('account', 'nobody', 'update'))).toBeUndefined();
    expect(await store.revokeToken('tok-1', T0 + 1, testChange('token', 'tok-1', 'revoke'))).toBe(true);
    expect(await store.revokeToken('tok-1', T0 + 2, testChange('token', 'tok-1', 'revoke'))).toBe(false);
    expect((await store.listChanges(10, head.seq)).map((c) => `${c.entity}:${c.action}`)).toEqual(['token:revoke']);
  });
});
