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

/** The files of a SQLite store (database, WAL, shared memory); none for MongoDB or `:memory:`. */
export function storeFiles(location: string): string[] {
  if (isMongoUri(location)) return [];
  const path = sqlitePath(location);
  return path === ':memory:' ? [] : [path, `${path}-wal`, `${path}-shm`];
}

const sqlitePath = (location: string) => (location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location);

/**
 * `sqliteSynchronous`: whether a SQLite store syncs each content commit to disk before it is
 * acknowledged (`full`, the default) or lets a power loss roll back the last ones (`normal`).
 */
export async function openStore(location: string, { sqliteSynchronous = 'full' }: { sqliteSynchronous?: 'full' | 'normal' } = {}): Promise<Store> {
  if (isMongoUri(location)) return MongoStore.connect(location);
  return new SqliteStore(sqlitePath(location), sqliteSynchronous === 'full');
}
