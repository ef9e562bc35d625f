/**
 * Chooses the storage adapter from the configured location: a `mongodb://` or
 * `mongodb+srv://` connection string opens the MongoDB store (connected, its indexes
 * ensured); a file path (or `sqlite:PATH`, or `:memory:`) opens the embedded SQLite store.
 */
import type { Store } from './store';
import { isMongoUri, MongoStore } from './mongodb/mongo-store';
import { SqliteStore } from './sqlite/sqlite-store';

/** The location as it may be shown or logged: a connection string without its credentials. */
export function describeStore(location: string): string {
  return isMongoUri(location) ? location.replace(/^(mongodb(?:\+srv)?:\/\/)[^@/]*@/, '$1***@') : location;
}

export async function openStore(location: string): Promise<Store> {
  if (isMongoUri(location)) return MongoStore.connect(location);
  const path = location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location;
  return new SqliteStore(path);
}
