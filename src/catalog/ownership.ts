/**
 * Transferring an object id to another party: the operator's action when a party takes over
 * another's content (or content stored before owners were recorded needs one). Only the
 * admin API and the CLI call it; the change goes on the record in the sharing log, in the
 * store's transaction with the transfer.
 */
import { fail } from '../errors';
import type { Store } from '../store/store';
import type { Clock } from '../time';

export interface Transfer {
  collection: string;
  object: string;
  from: string | null;
  to: string;
}

export async function transferOwnership(
  store: Store,
  clock: Clock,
  by: string,
  collectionId: string,
  objectId: string,
  party: string,
): Promise<Transfer> {
  if (!(await store.getParty(party))) throw fail('invalid-party', `no party "${party}"`);
  const from = (await store.ownerOf(collectionId, objectId)) ?? null;
  const change = {
    at: clock(),
    by,
    entity: 'object' as const,
    entityId: objectId,
    action: 'transfer',
    detail: { collection: collectionId, from, to: party },
  };
  if (!(await store.setOwner(collectionId, objectId, party, change)))
    throw fail('not-found', `collection ${collectionId} holds no object ${objectId}`);
  return { collection: collectionId, object: objectId, from, to: party };
}
