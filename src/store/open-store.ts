/**
 * Chooses the storage adapter from the configured location: a file path (or
 * `sqlite:PATH`, or `:memory:`) opens the embedded SQLite store.
 */
import type { Store } from './store';
import { SqliteStore } from './sqlite/sqlite-store';

export async function openStore(location: string): Promise<Store> {
  const path = location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location;
  return new SqliteStore(path);
}
