/**
 * The bench's database, prepared in-process with the store and catalogue APIs before any
 * server opens it: one API root and collection, and three callers with API tokens.
 *   writer  pushes the workload (operator party, writer role);
 *   full    reads everything (operator party, agreement up to TLP:RED);
 *   clear   reads only TLP:CLEAR (partner party, agreement up to TLP:CLEAR): with the
 *           workload's TLP mix, ~90% of the collection is withheld from it. Its agreement
 *           names the bench collection only, among CATALOGUE others (as many as a country
 *           catalogue has): the collections list it reads must not cost per collection.
 */
import { addAccount, issueToken } from '../../src/catalog/accounts';
import { createAgreement } from '../../src/catalog/agreements';
import type { Role } from '../../src/catalog/types';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { systemClock } from '../../src/time';
import type { ChangeRecord } from '../../src/catalog/types';

export const API_ROOT = 'bench';
export const COLLECTION = '5b0e8a4e-3f4f-4c3b-9d0a-7f6c1e2d3a4b';
/** Path of the collection, under any origin. */
export const COLLECTION_PATH = `/${API_ROOT}/collections/${COLLECTION}`;
const CATALOGUE = 195;

/** Each catalogue write is logged with its change, as the bench's operator. */
const change = (entity: ChangeRecord['entity'], entityId: string): ChangeRecord => ({
  at: systemClock(),
  by: 'cli:bench',
  entity,
  entityId,
  action: 'create',
});

export interface Tokens {
  writer: string;
  full: string;
  clear: string;
}

export async function prepareStore(file: string): Promise<{ store: SqliteStore; tokens: Tokens }> {
  const store = new SqliteStore(file);
  await store.upsertApiRoot(
    { path: API_ROOT, title: 'bench', maxContentLength: 64 << 20, contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] },
    change('api-root', API_ROOT),
  );
  await store.upsertCollection({ id: COLLECTION, apiRoot: API_ROOT, title: 'bench', mediaTypes: [] }, change('collection', COLLECTION));
  for (let i = 0; i < CATALOGUE; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    await store.upsertCollection(
      { id, apiRoot: API_ROOT, title: `country ${i}`, alias: `c${i}`, mediaTypes: ['application/stix+json;version=2.1'] },
      change('collection', id),
    );
  }
  await store.upsertParty({ id: 'operator', name: 'Operator', kind: 'operator' }, change('party', 'operator'));
  await store.upsertParty({ id: 'partner', name: 'Partner agency', kind: 'agency' }, change('party', 'partner'));
  await createAgreement(store, systemClock, 'cli:bench', {
    title: 'bench',
    instrument: 'bench',
    parties: ['operator', 'partner'],
    valid_from: '2000-01-01T00:00:00Z',
    status: 'active',
    grants: [
      { party: 'operator', actions: ['read', 'write'], collections: { all: true }, max_tlp: 'red', unmarked_as: 'clear' },
      { party: 'partner', actions: ['read'], collections: { ids: [COLLECTION] }, max_tlp: 'clear', unmarked_as: 'clear' },
    ],
  });
  const token = async (name: string, role: Role, partyId: string) => {
    const { account } = await addAccount(store, systemClock, { name, roles: [role], partyId, password: null }, 'cli:bench');
    return (await issueToken(store, systemClock, account.id, 'bench', 'cli:bench')).token;
  };
  return {
    store,
    tokens: {
      writer: await token('writer', 'writer', 'operator'),
      full: await token('full', 'reader', 'operator'),
      clear: await token('clear', 'reader', 'partner'),
    },
  };
}
