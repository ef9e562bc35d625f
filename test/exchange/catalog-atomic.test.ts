/**
 * A catalogue change and its sharing-log event commit together or not at all: when the event
 * cannot be appended, the change is rolled back (src/store/catalog-store.ts). The append is
 * made to fail with a change whose detail the log cannot encode (a BigInt has no JSON form),
 * which fails at the very point a full disk or a damaged log table would: after the write,
 * inside its transaction.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { AgreementRecord, ChangeRecord } from '../../src/catalog/types';
import { account as contractAccount } from '../contract/store-contract';
import { testChange } from '../support/changes';

const T0 = Date.UTC(2026, 0, 1) * 1000;

const account = contractAccount('alice', { id: 'acc-1' });
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
  /** A change the log cannot append. */
  const unloggable = (entity: ChangeRecord['entity'], id: string, action = 'create'): ChangeRecord => ({
    ...testChange(entity, id, action),
    detail: { size: 1n },
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-atomic-'));
    store = new SqliteStore(join(dir, 'a.db'));
    await store.upsertApiRoot(
      { path: 'api1', title: 'Root', maxContentLength: 1000, contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] },
      testChange('api-root', 'api1'),
    );
    await store.upsertParty({ id: 'operator', name: 'Operator', kind: 'operator' }, testChange('party', 'operator'));
    await store.createAccount(account, testChange('account', account.id));
    await store.createToken(
      { id: 'tok-1', accountId: account.id, hash: 'ab', label: 'x', createdAt: T0, revokedAt: null },
      testChange('token', 'tok-1'),
    );
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when its event cannot be appended, no write of any catalogue entity is kept, and the log is unchanged', async () => {
    const head = await store.auditHead();
    await expect(
      store.upsertParty({ id: 'fr-police', name: 'Police', kind: 'national-agency', country: 'FR' }, unloggable('party', 'fr-police')),
    ).rejects.toThrow('BigInt');
    await expect(store.upsertParty({ id: 'operator', name: 'Renamed', kind: 'operator' }, unloggable('party', 'operator', 'update'))).rejects.toThrow(
      'BigInt',
    );
    await expect(
      store.upsertApiRoot(
        { path: 'api2', title: 'Two', maxContentLength: 1, contentPolicy: 'strict', allowedSpecVersions: ['2.1'] },
        unloggable('api-root', 'api2'),
      ),
    ).rejects.toThrow('BigInt');
    await expect(store.upsertCollection({ id: 'c-1', apiRoot: 'api1', title: 'C', mediaTypes: [] }, unloggable('collection', 'c-1'))).rejects.toThrow(
      'BigInt',
    );
    await expect(store.createAccount({ ...account, id: 'acc-2', name: 'bob' }, unloggable('account', 'acc-2'))).rejects.toThrow('BigInt');
    await expect(store.updateAccount(account.id, { disabled: true }, T0 + 1, unloggable('account', account.id, 'update'))).rejects.toThrow('BigInt');
    await expect(
      store.createToken({ id: 'tok-2', accountId: account.id, hash: 'cd', label: 'y', createdAt: T0, revokedAt: null }, unloggable('token', 'tok-2')),
    ).rejects.toThrow('BigInt');
    await expect(store.revokeToken('tok-1', T0 + 1, unloggable('token', 'tok-1', 'revoke'))).rejects.toThrow('BigInt');
    const revision = await store.agreementsRevision();
    await expect(store.saveAgreement(agreement, unloggable('agreement', agreement.id))).rejects.toThrow('BigInt');

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
