/**
 * MongoStore over the mingo double (mingo-double.ts): the real adapter class, opened as
 * MongoStore.connect() opens it (server check, collections, indexes, counter), with its
 * database calls answered in process. For logic tests only; see mingo-double.ts for what
 * this does not show.
 */
import { MongoDatabase } from '../../src/store/mongodb/database';
import { MongoStore } from '../../src/store/mongodb/mongo-store';
import { MingoClient, type MingoDb } from './mingo-double';

export const MINGO_SUITE = 'MongoStore logic (mingo double, not a MongoDB server)';

/** A MongoStore on a fresh in-memory database, and that database (to look at the stored documents). */
export async function openMingoStore(): Promise<{ store: MongoStore; db: MingoDb }> {
  const client = new MingoClient();
  return { store: new MongoStore(await MongoDatabase.open(client.asDriver(), 'accord', 'the mingo double')), db: client.database };
}

export async function mingoStore(): Promise<MongoStore> {
  return (await openMingoStore()).store;
}
