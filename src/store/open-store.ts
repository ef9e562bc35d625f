/**
 * Chooses the storage adapter from the configured location: a `mongodb://` or
 * `mongodb+srv://` connection string opens the MongoDB store (connected, its indexes
 * ensured); a file path (or `sqlite:PATH`, or `:memory:`) opens the embedded SQLite store.
 */
import type { Store } from './store';
// The lint pattern that keeps the `mongodb` driver inside src/store/mongodb/ also matches
// this folder's path: what is imported here is the adapter, not the driver.
// eslint-disable-next-line no-restricted-imports
import { isMongoUri, MongoStore } from './mongodb/mongo-store';
import { SqliteStore } from './sqlite/sqlite-store';

export async function openStore(location: string): Promise<Store> {
  if (isMongoUri(location)) return MongoStore.connect(location);
  const path = location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location;
  return new SqliteStore(path);
}
