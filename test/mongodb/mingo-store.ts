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

/**
 * A MongoStore whose documents `seed` wrote, then made as a database written before `fields`
 * existed (the fields removed from every object version, their upgrade markers from `meta`)
 * and connected again, which runs those upgrades. Returns it with the double's database and
 * the object documents as `seed` left them.
 */
export async function reconnectedWithout(
  fields: string[],
  seed: (s: MongoStore) => Promise<void>,
): Promise<{ store: MongoStore; db: MingoDb; before: Record<string, unknown>[] }> {
  const client = new MingoClient();
  const open = async () => new MongoStore(await MongoDatabase.open(client.asDriver(), 'accord', 'the mingo double'));
  await seed(await open());
  const { database: db } = client;
  const before = db.collection('objects').docs.map((d) => ({ ...d }));
  await db.collection('objects').updateMany({}, { $unset: Object.fromEntries(fields.map((f) => [f, ''])) });
  await db.collection('meta').deleteMany({ _id: { $in: fields } });
  if (db.collection('objects').docs.some((d) => fields.some((f) => f in d))) throw new Error(`the double kept one of ${fields.join(', ')}`);
  return { store: await open(), db, before };
}
