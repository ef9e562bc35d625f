/**
 * THE storage contract. Every adapter (SQLite, MongoDB) implements `Store`, the union of its
 * three roles, and test/contract/ checks every adapter against the same suites:
 * - `CatalogStore` (catalog-store.ts): API roots, collections, parties, accounts, tokens, agreements;
 * - `ObjectStore` (object-store.ts): STIX object versions, their pages, add statuses;
 * - `AuditStore` (audit-store.ts): the hash-chained sharing log.
 *
 * Times are integers: microseconds since the Unix epoch, UTC (`Micros`, src/time.ts).
 */
import type { AuditStore } from './audit-store';
import type { CatalogStore } from './catalog-store';
import type { FeedStore } from './feeds';
import type { ObjectStore } from './object-store';

export interface Store extends CatalogStore, ObjectStore, AuditStore {
  /** Throws StoreUnavailable when the backing database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Moves the store's housekeeping writes off the request thread, where it has any (SQLite:
   * WAL checkpoints by a worker thread, stopped by close()). The server calls it once.
   */
  startBackgroundCheckpoints(warn: (message: string) => void): Promise<void>;

  /** Upstream feeds: definitions, progress and run leases (src/store/feeds.ts). */
  feeds(): FeedStore;
}
