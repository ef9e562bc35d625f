/**
 * Feed tests: an upstream served on 127.0.0.1 (port 0), a downstream store with the
 * collection a feed fills, and a runner over it with a test clock.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CatalogCache, freshBindings } from '../../src/access/catalog-cache';
import { DEFAULTS } from '../../src/config/config';
import type { FeedRunner } from '../../src/feeds/runner';
import { feedKey } from '../../src/feeds/secrets';
import { ALL_VERSIONS } from '../../src/taxii/filters';
import type { ChangeRecord } from '../../src/catalog/types';
import type { Store } from '../../src/store/store';
import request from 'supertest';
import { TAXII, type Harness, type TestClock } from '../support/harness';

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serve(handler: http.RequestListener): Promise<Served> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A catalogue change as a test makes it (the store commits it with the write). */
export const testChange = (entityId: string, action: string): ChangeRecord => ({ at: 1, by: 'test', entity: 'feed', entityId, action });

/** Pushes objects into the upstream harness's `alpha` collection (as its writer), then moves its clock on a second. */
export async function pushUpstream(up: Harness, objects: Record<string, unknown>[]): Promise<void> {
  const res = await request(up.app)
    .post(`/api1/collections/${up.collections.alpha.id}/objects/`)
    .set('Authorization', up.accounts.writer.auth)
    .set('Content-Type', TAXII)
    .set('Accept', TAXII)
    .send(JSON.stringify({ objects }));
  expect(res.status).toBe(202);
  up.clock.advance(1_000_000);
}

export async function runnerFor(store: Store, clock: TestClock, settings: Partial<FeedRunner['settings']> = {}): Promise<FeedRunner> {
  return {
    store,
    clock: clock.read,
    key: await feedKey(store),
    agreements: freshBindings(new CatalogCache(store)),
    settings: { ...DEFAULTS.feeds, pageSize: 2, timeoutSeconds: 5, ...settings },
    maxObjectSize: DEFAULTS.maxObjectSize,
    operatorParty: DEFAULTS.operatorParty,
    owner: randomUUID(),
  };
}

/** Every stored version in a collection, as `id@version` sorted (what a feed must mirror). */
export async function storedVersions(store: Store, collectionId: string): Promise<string[]> {
  const page = await store.queryManifest({ collectionId, versions: ALL_VERSIONS, specVersions: ['2.0', '2.1'], limit: 10000 });
  return page.records.map((r) => `${r.id}@${r.version}`).sort();
}
