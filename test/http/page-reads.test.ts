/**
 * Issue 15 (memory): a process holds at most `pageReadConcurrency` full pages at once (a page
 * with a smaller limit counts for its share), from the query to handing the response to the
 * socket; further reads wait their turn and are answered in full. Held pages are what a
 * server's memory grows with under many readers.
 */
import type { CollectionRecord } from '../../src/catalog/types';
import type { ObjectPage, ObjectQuery } from '../../src/store/object-store';
import { createHarness, indicator, type Harness } from '../support/harness';
import { add, get, manifestUrl, objectsUrl, taxii } from './wire';

/** Settles once the event loop has run everything already queued (no clock involved). */
const drained = async () => {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** Waits until `reached` holds: requests travel through real sockets, in no fixed number of turns. */
const until = async (reached: () => boolean) => {
  while (!reached()) await new Promise<void>((resolve) => setTimeout(resolve, 1));
};

describe('issue 15: page reads assembled at once are bounded (TAXII 2.1 §5.3, §5.4)', () => {
  let h: Harness;
  let c: CollectionRecord;
  beforeAll(async () => {
    h = await createHarness({ config: { pageReadConcurrency: 2 } });
    c = h.collections.alpha;
    await add(h, c, [indicator(1), indicator(2), indicator(3)]);
  });
  afterAll(() => h.close());

  it('six concurrent Get Objects: two pages are assembled at a time, and every reader gets the whole page', async () => {
    const query = h.store.queryObjects.bind(h.store);
    const held: (() => void)[] = [];
    let inside = 0;
    let most = 0;
    h.store.queryObjects = async (q: ObjectQuery): Promise<ObjectPage> => {
      inside++;
      most = Math.max(most, inside);
      // Held until the test lets it go: the page stays "in assembly" meanwhile.
      await new Promise<void>((resolve) => held.push(resolve));
      const page = await query(q);
      inside--;
      return page;
    };
    try {
      const replies = Promise.all(Array.from({ length: 6 }, () => get(h, objectsUrl(c), h.accounts.reader.auth).then((res) => res)));
      await until(() => held.length === 2);
      await drained();
      expect(held).toHaveLength(2);
      for (let released = 0; released < 6; released++) {
        await until(() => held.length > 0);
        held.shift()?.();
      }
      for (const res of await replies) {
        expect(taxii(res, 200, 'envelope').objects).toHaveLength(3);
      }
      expect(most).toBe(2);
    } finally {
      // On a failed expectation, the held reads are let go too, or the suite would never end.
      for (const release of held.splice(0)) release();
      h.store.queryObjects = query;
    }
  });

  it('pages asked with a smaller limit count for their share: six limit=100 Get Objects and a full page are assembled at once, a second full page waits for room', async () => {
    const query = h.store.queryObjects.bind(h.store);
    const held: (() => void)[] = [];
    h.store.queryObjects = async (q: ObjectQuery): Promise<ObjectPage> => {
      await new Promise<void>((resolve) => held.push(resolve));
      return query(q);
    };
    try {
      // A budget of two full pages (2,000 objects): six tenths of a page, then two full pages.
      const small = Promise.all(Array.from({ length: 6 }, () => get(h, `${objectsUrl(c)}?limit=100`, h.accounts.reader.auth)));
      await until(() => held.length === 6);
      const full = Promise.all([get(h, objectsUrl(c), h.accounts.reader.auth), get(h, objectsUrl(c), h.accounts.reader.auth)]);
      await until(() => held.length === 7);
      await drained();
      expect(held).toHaveLength(7);
      for (const release of held.splice(0, 6)) release();
      // The small pages answered (each after its sharing-log commit): the second full page fits beside the first.
      for (const res of await small) expect(taxii(res, 200, 'envelope').objects).toHaveLength(3);
      await until(() => held.length === 2);
      for (const release of held.splice(0)) release();
      for (const res of await full) expect(taxii(res, 200, 'envelope').objects).toHaveLength(3);
    } finally {
      for (const release of held.splice(0)) release();
      h.store.queryObjects = query;
    }
  });

  it('pageReadConcurrency 0: no bound, six full pages are assembled at once', async () => {
    const unbounded = await createHarness({ config: { pageReadConcurrency: 0 } });
    const held: (() => void)[] = [];
    try {
      const uc = unbounded.collections.alpha;
      await add(unbounded, uc, [indicator(1), indicator(2), indicator(3)]);
      const query = unbounded.store.queryObjects.bind(unbounded.store);
      unbounded.store.queryObjects = async (q: ObjectQuery): Promise<ObjectPage> => {
        await new Promise<void>((resolve) => held.push(resolve));
        return query(q);
      };
      const replies = Promise.all(Array.from({ length: 6 }, () => get(unbounded, objectsUrl(uc), unbounded.accounts.reader.auth)));
      await until(() => held.length === 6);
      for (const release of held.splice(0)) release();
      for (const res of await replies) expect(taxii(res, 200, 'envelope').objects).toHaveLength(3);
    } finally {
      for (const release of held.splice(0)) release();
      await unbounded.close();
    }
  });

  it('a read that fails gives its turn back: the next ones are answered (Get Object Manifests)', async () => {
    const manifest = h.store.queryManifest.bind(h.store);
    let calls = 0;
    h.store.queryManifest = async (q) => {
      calls++;
      if (calls <= 2) throw new Error('storage fault');
      return manifest(q);
    };
    try {
      const replies = await Promise.all(Array.from({ length: 4 }, () => get(h, manifestUrl(c), h.accounts.reader.auth)));
      expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 500, 500]);
    } finally {
      h.store.queryManifest = manifest;
    }
  });
});
