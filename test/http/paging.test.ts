/**
 * TAXII 2.1 §3.5 Pagination through the HTTP API: `more`/`next`, the page cap, `next` bound
 * to its query, and two properties checked with fast-check against random interleavings of
 * POSTs and page reads:
 *  - a client following `next` sees every record present when it started exactly once and
 *    never any record twice;
 *  - a client paging only with `added_after` = the previous page's X-TAXII-Date-Added-Last
 *    sees every record exactly once, even when one POST adds 2,000 objects.
 */
import fc from 'fast-check';
import type { CollectionRecord } from '../../src/catalog/types';
import { createHarness, indicator, type Harness } from '../support/harness';
import {
  add,
  freshCollection,
  get,
  manifestUrl,
  objectsUrl,
  objectUrl,
  post,
  qs,
  taxii,
  versionsUrl,
  type EnvelopeBody,
  type ManifestBody,
} from './wire';

/** A record's identity whatever endpoint returned it: id and version instant. */
const key = (id: string, version: string) => `${id}|${Date.parse(version)}`;

/** Version `v` (seconds after 2026-01-01) of indicator `n`. */
const version = (v: number) => new Date(Date.UTC(2026, 0, 1) + v * 1000).toISOString();

describe('TAXII 2.1 §3.5 Pagination', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('§3.5 on objects, manifest, object and versions: next is present exactly when more is true, and walks to the end', async () => {
    const c = await freshCollection(h);
    await add(
      h,
      c,
      [1, 2, 3, 4, 5].map((v) => indicator(1, version(v))),
    );
    await add(
      h,
      c,
      [2, 3, 4].map((n) => indicator(n)),
    );
    const id = indicator(1).id as string;
    const walks: [string, Record<string, string>, 'envelope' | 'manifest' | 'versions', number][] = [
      [objectsUrl(c), { 'match[version]': 'all' }, 'envelope', 8],
      [manifestUrl(c), { 'match[version]': 'all' }, 'manifest', 8],
      [objectUrl(c, id), { 'match[version]': 'all' }, 'envelope', 5],
      [versionsUrl(c, id), {}, 'versions', 5],
    ];
    for (const [url, filters, kind, total] of walks) {
      let next: string | undefined;
      let seen = 0;
      let pages = 0;
      do {
        const body = taxii(await get(h, url + qs({ ...filters, limit: 2, ...(next !== undefined && { next }) })), 200, kind) as EnvelopeBody & {
          versions?: string[];
        };
        seen += (body.objects ?? body.versions ?? []).length;
        expect(body.more !== undefined).toBe(true);
        expect(body.next !== undefined).toBe(body.more);
        next = body.next;
        pages++;
      } while (next !== undefined);
      expect([seen, pages]).toEqual([total, Math.ceil(total / 2)]);
    }
  });

  it('§3.5 a next reused with different filters, another collection or another object is 400', async () => {
    const c = await freshCollection(h);
    const other = await freshCollection(h);
    await add(
      h,
      c,
      [1, 2, 3].map((n) => indicator(n)),
    );
    await add(
      h,
      c,
      [1, 2, 3].map((v) => indicator(9, version(v))),
    );
    const first = taxii(await get(h, objectsUrl(c) + qs({ 'match[type]': 'indicator', limit: 1 })), 200, 'envelope');
    const next = first.next as string;
    // The same query with another page size is fine: limit is not part of the query.
    taxii(await get(h, objectsUrl(c) + qs({ 'match[type]': 'indicator', limit: 2, next })), 200, 'envelope');
    for (const url of [
      objectsUrl(c) + qs({ 'match[type]': 'malware', next }),
      objectsUrl(c) + qs({ next }),
      objectsUrl(c) + qs({ 'match[type]': 'indicator', added_after: '2020-01-01T00:00:00Z', next }),
      objectsUrl(c) + qs({ 'match[type]': 'indicator', 'match[version]': 'all', next }),
      objectsUrl(other) + qs({ 'match[type]': 'indicator', next }),
    ]) {
      expect(taxii(await get(h, url), 400, 'error').description).toContain('"next"');
    }
    const versions = taxii(await get(h, versionsUrl(c, indicator(9).id as string) + qs({ limit: 1 })), 200, 'versions');
    taxii(await get(h, versionsUrl(c, indicator(1).id as string) + qs({ next: versions.next as string })), 400, 'error');
  });

  it('§3.5 limit above the page cap is capped, and the cap is the page size without limit', async () => {
    const capped = await createHarness({ config: { pageCap: 5 } });
    try {
      const c = await freshCollection(capped);
      await add(
        capped,
        c,
        Array.from({ length: 12 }, (_, i) => indicator(i + 1)),
      );
      await add(
        capped,
        c,
        Array.from({ length: 7 }, (_, v) => indicator(1, version(v + 10))),
      );
      const id = indicator(1).id as string;
      const count = async (url: string, kind: 'envelope' | 'manifest' | 'versions') => {
        const body = taxii(await get(capped, url), 200, kind) as EnvelopeBody & { versions?: string[] };
        return [(body.objects ?? body.versions ?? []).length, body.more];
      };
      expect(await count(objectsUrl(c) + qs({ limit: 100 }), 'envelope')).toEqual([5, true]);
      expect(await count(objectsUrl(c), 'envelope')).toEqual([5, true]);
      expect(await count(objectsUrl(c) + qs({ limit: 3 }), 'envelope')).toEqual([3, true]);
      expect(await count(manifestUrl(c) + qs({ limit: 999999999 }), 'manifest')).toEqual([5, true]);
      expect(await count(versionsUrl(c, id) + qs({ limit: 6 }), 'versions')).toEqual([5, true]);
      expect(await count(objectUrl(c, id) + qs({ limit: 50, 'match[version]': 'all' }), 'envelope')).toEqual([5, true]);
    } finally {
      await capped.close();
    }
  });

  /** One page read by a client; returns the records' keys and the page's metadata. */
  async function readPage(c: CollectionRecord, endpoint: 'objects' | 'manifest', params: Record<string, string | number>) {
    const res = await get(h, (endpoint === 'objects' ? objectsUrl(c) : manifestUrl(c)) + qs(params), h.accounts.reader.auth);
    let body: EnvelopeBody | ManifestBody;
    let keys: string[];
    if (endpoint === 'objects') {
      const envelope = taxii(res, 200, 'envelope');
      keys = (envelope.objects ?? []).map((o) => key(o.id, o.modified as string));
      body = envelope;
    } else {
      const manifest = taxii(res, 200, 'manifest');
      keys = (manifest.objects ?? []).map((r) => key(r.id, r.version));
      body = manifest;
    }
    expect(body.next !== undefined).toBe(body.more === true);
    return {
      keys,
      more: body.more === true,
      next: body.next,
      last: res.headers['x-taxii-date-added-last'] as string | undefined,
      first: res.headers['x-taxii-date-added-first'] as string | undefined,
    };
  }

  type Op = { kind: 'post'; fresh: number; updates: number[]; advance: number } | { kind: 'read' };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('post' as const), fresh: fc.nat(4), updates: fc.array(fc.nat(), { maxLength: 3 }), advance: fc.nat(2_000_000) }),
    fc.record({ kind: fc.constant('read' as const) }),
  );

  /** The writer's side: new objects and new versions of existing ones; returns the keys added. */
  function writer(c: CollectionRecord) {
    let nextN = 1;
    let nextVersion = 1;
    const ids: number[] = [];
    return {
      async post(fresh: number, updates: number[]): Promise<{ keys: string[]; updatedIds: string[] }> {
        const objects: Record<string, unknown>[] = [];
        for (let i = 0; i < fresh; i++) {
          ids.push(nextN);
          objects.push(indicator(nextN++, version(nextVersion++)));
        }
        const updatedIds: string[] = [];
        for (const u of updates) {
          if (ids.length === 0) break;
          const n = ids[u % ids.length] as number;
          const o = indicator(n, version(nextVersion++));
          objects.push(o);
          updatedIds.push(o.id as string);
        }
        if (objects.length) taxii(await post(h, objectsUrl(c), JSON.stringify({ objects })), 202, 'status');
        return { keys: objects.map((o) => key(o.id as string, o.modified as string)), updatedIds };
      },
    };
  }

  it('§3.5 property: a client following next sees every record present when it started exactly once, and none twice', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 12 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(opArb, { maxLength: 14 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom('all' as const, 'last' as const),
        fc.constantFrom('objects' as const, 'manifest' as const),
        async (initial, initialUpdates, ops, limit, versions, endpoint) => {
          const c = await freshCollection(h);
          const w = writer(c);
          const atStart = await w.post(initial, initialUpdates);
          // With match[version]=last only the newest version of each id is present at the start.
          const latestAtStart = new Map(atStart.keys.map((k) => [k.split('|')[0] as string, k]));
          const updatedDuringWalk = new Set<string>();
          const filters = { limit, 'match[version]': versions };

          const seen: string[] = [];
          let lastHeader = '';
          let page = await readPage(c, endpoint, filters);
          const consume = (p: typeof page) => {
            seen.push(...p.keys);
            // Pages move strictly forward in date_added.
            if (p.first !== undefined) {
              expect(p.first > lastHeader).toBe(true);
              lastHeader = p.last as string;
            }
          };
          consume(page);
          for (const op of ops) {
            if (op.kind === 'post') {
              h.clock.advance(op.advance);
              const added = await w.post(op.fresh, op.updates);
              for (const id of added.updatedIds) updatedDuringWalk.add(id);
            } else if (page.more) {
              page = await readPage(c, endpoint, { ...filters, next: page.next as string });
              consume(page);
            }
          }
          // Bounded, so a server that never ends the walk fails fast instead of timing out.
          for (let guard = 0; page.more; guard++) {
            expect(guard).toBeLessThan(1000);
            page = await readPage(c, endpoint, { ...filters, next: page.next as string });
            consume(page);
          }

          // Never the same record twice.
          expect(new Set(seen).size).toBe(seen.length);
          if (versions === 'all') {
            // Every record present at the start, exactly once.
            for (const k of atStart.keys) expect(seen.filter((s) => s === k)).toHaveLength(1);
          } else {
            const seenIds = seen.map((s) => s.split('|')[0] as string);
            for (const [id, k] of latestAtStart) {
              if (updatedDuringWalk.has(id)) {
                // Superseded while the client walked: it sees the object, possibly at a newer version too.
                expect(seenIds).toContain(id);
              } else {
                // Untouched objects: exactly once, at the version they had at the start.
                expect(seen.filter((s) => s.split('|')[0] === id)).toEqual([k]);
              }
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('§3.5 property: a client paging with added_after = X-TAXII-Date-Added-Last sees every record exactly once, even around a 2,000-object POST', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 30 }),
        fc.array(opArb, { minLength: 1, maxLength: 10 }),
        fc.nat(),
        // No tiny limits here: a page of 1 would make this walk thousands of requests long.
        fc.constantFrom(undefined, 97, 400, 1000),
        async (initial, ops, bigAt, limit) => {
          const c = await freshCollection(h);
          const w = writer(c);
          const all = [...(await w.post(initial, [])).keys];
          // One POST of 2,000 new objects goes in at a random point of the walk.
          const plan: (Op | { kind: 'big' })[] = [...ops];
          plan.splice(bigAt % (ops.length + 1), 0, { kind: 'big' });

          const seen: string[] = [];
          const params = (after: string | undefined) => ({
            'match[version]': 'all',
            ...(limit !== undefined && { limit }),
            ...(after !== undefined && { added_after: after }),
          });
          let after: string | undefined;
          let page = await readPage(c, 'objects', params(after));
          const consume = (p: typeof page) => {
            seen.push(...p.keys);
            if (p.last !== undefined) after = p.last;
          };
          consume(page);
          for (const op of plan) {
            if (op.kind === 'big') all.push(...(await w.post(2000, [])).keys);
            else if (op.kind === 'post') {
              h.clock.advance(op.advance);
              all.push(...(await w.post(op.fresh, op.updates)).keys);
            } else {
              page = await readPage(c, 'objects', params(after));
              consume(page);
            }
          }
          // Then to the end: added_after paging has no `more` to trust once writes stop, so
          // read until a page comes back empty.
          for (let guard = 0; ; guard++) {
            expect(guard).toBeLessThan(all.length + 2); // a walk that never ends fails fast
            page = await readPage(c, 'objects', params(after));
            consume(page);
            if (page.keys.length === 0) break;
          }

          expect(seen).toHaveLength(all.length);
          expect(new Set(seen)).toEqual(new Set(all));
        },
      ),
      { numRuns: 5 },
    );
  });
});
