/**
 * Transferring an object id to another party: the operator's action when a party takes over
 * another's content (or content stored before owners were recorded needs one). Only the
 * admin API and the CLI call it; the change goes on the record in the sharing log.
 */
import { badRequest, notFound } from '../errors';
import type { Store } from '../store/store';
import type { Clock } from '../time';

export interface Transfer {
  collection: string;
  object: string;
  from: string | null;
  to: string;
}

export async function transferOwnership(store: Store, clock: Clock, by: string, collectionId: string, objectId: string, party: string): Promise<Transfer> {
  if (!(await store.getParty(party))) throw badRequest('Invalid owner', `no party "${party}"`);
  const from = (await store.ownerOf(collectionId, objectId)) ?? null;
  if (!(await store.setOwner(collectionId, objectId, party))) throw notFound('Object not found', `collection ${collectionId} holds no object ${objectId}`);
  const transfer = { collection: collectionId, object: objectId, from, to: party };
  await store.recordChange({ at: clock(), by, entity: 'object', entityId: objectId, action: 'transfer', detail: { collection: collectionId, from, to: party } });
  return transfer;
}
