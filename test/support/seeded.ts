/**
 * A SQLite store with one API root (`api1`), one collection, the operator party and a writer
 * account holding an API token under an agreement to read and write everything: the smallest
 * catalogue a real server (startServer) can be driven with.
 */
import { addAccount, issueToken } from '../../src/catalog/accounts';
import { createAgreement } from '../../src/catalog/agreements';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { systemClock } from '../../src/time';
import { testChange } from './changes';

export const SEEDED_COLLECTION = '2d4e9c1e-8a55-4b52-9d43-0c4f1a5e7b10';

export async function seeded(file = ':memory:'): Promise<{ store: SqliteStore; token: string }> {
  const store = new SqliteStore(file);
  await store.upsertApiRoot(
    { path: 'api1', title: 'one', maxContentLength: 1 << 20, contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] },
    testChange('api-root', 'test'),
  );
  await store.upsertCollection({ id: SEEDED_COLLECTION, apiRoot: 'api1', title: 'c', mediaTypes: [] }, testChange('collection', 'test'));
  await store.upsertParty({ id: 'operator', name: 'Operator', kind: 'operator' }, testChange('party', 'test'));
  const { account } = await addAccount(store, systemClock, { name: 'w', roles: ['writer'], partyId: 'operator', password: null }, 'test');
  await createAgreement(store, systemClock, 'test', {
    title: 'write access',
    instrument: 'test',
    parties: ['operator'],
    valid_from: '2000-01-01T00:00:00Z',
    status: 'active',
    grants: [{ party: 'operator', actions: ['read', 'write'], collections: { all: true }, max_tlp: 'red' }],
  });
  return { store, token: (await issueToken(store, systemClock, account.id, 't', 'test')).token };
}
