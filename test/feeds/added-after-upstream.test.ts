/**
 * Feeds against a tiny TAXII 2.1 server that pages only with `added_after` (TAXII 2.1 §3.4.1
 * and the X-TAXII-Date-Added-Last header, §3.3): it never sends `next` and refuses one. Its
 * answers are gzip-compressed when asked. Also: objects that fail validation are reported and
 * the rest stored; oversized and silent upstreams fail the run, not the server.
 */
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { addFeed } from '../../src/feeds/feeds';
import { runFeed, type FeedRunner } from '../../src/feeds/runner';
import { createHarness, indicator, TAXII, type Harness } from '../support/harness';
import { runnerFor, serve, storedVersions, testChange, type Served } from './support';

interface Entry {
  dateAdded: string;
  object: Record<string, unknown>;
}

/** date_added values one second apart, in order. */
const entries = (objects: Record<string, unknown>[]): Entry[] =>
  objects.map((object, i) => ({ dateAdded: new Date(Date.UTC(2026, 2, 1, 0, 0, i)).toISOString(), object }));

function addedAfterOnly(data: () => Entry[], seen: string[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    // What was asked, and (after #) which encodings the client accepts.
    seen.push(`${req.url ?? ''}#${String(req.headers['accept-encoding'])}`);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.searchParams.has('next')) return void res.writeHead(400, { 'Content-Type': TAXII }).end('{"title":"next is not supported"}');
    const after = url.searchParams.get('added_after');
    const limit = Number(url.searchParams.get('limit') ?? '100');
    const matching = data().filter((e) => after === null || e.dateAdded > after);
    const page = matching.slice(0, limit);
    const body = JSON.stringify({ more: matching.length > page.length, ...(page.length > 0 && { objects: page.map((e) => e.object) }) });
    const headers: Record<string, string> = { 'Content-Type': TAXII };
    if (page.length > 0) headers['X-TAXII-Date-Added-Last'] = (page[page.length - 1] as Entry).dateAdded;
    if (/\bgzip\b/.test(String(req.headers['accept-encoding']))) {
      headers['Content-Encoding'] = 'gzip';
      res.writeHead(200, headers).end(gzipSync(body));
    } else res.writeHead(200, headers).end(body);
  };
}

describe('Feeds from an upstream that pages only with added_after (TAXII 2.1 §3.4.1)', () => {
  let down: Harness;
  let runner: FeedRunner;
  let upstream: Served;
  let data: Entry[];
  let seen: string[];

  /** The feed every test pulls: collection c1 of the upstream's root into alpha. */
  const addPlainFeed = () =>
    addFeed(down.store, down.clock.read, runner.key, 'test', {
      name: 'plain',
      url: `${upstream.url}/root/`,
      collection: 'c1',
      into: 'alpha',
      as: 'operator',
    });

  beforeEach(async () => {
    down = await createHarness();
    runner = await runnerFor(down.store, down.clock);
    data = [];
    seen = [];
    upstream = await serve(addedAfterOnly(() => data, seen));
    await addPlainFeed();
  });

  afterEach(async () => {
    await upstream.close();
    await down.close();
  });

  const run = async () => {
    const r = await runFeed(runner, 'plain');
    if (!r.ran) throw new Error(r.reason);
    return r.summary;
  };

  it('pages with X-TAXII-Date-Added-Last as the next added_after, and resumes from it on the next run (gzip answers)', async () => {
    data = entries([1, 2, 3, 4, 5].map((n) => indicator(n)));
    expect(await run()).toMatchObject({ outcome: 'success', pages: 3, fetched: 5, stored: 5, duplicates: 0 });
    const afters = seen.map((u) => new URL(u, 'http://x').searchParams.get('added_after'));
    expect(afters).toEqual([null, data[1]?.dateAdded, data[3]?.dateAdded]);
    expect((await storedVersions(down.store, down.collections.alpha.id)).length).toBe(5);
    // Every answer came gzip-compressed: the client asked for it and decoded it.
    expect(seen.every((u) => /#.*\bgzip\b/.test(u))).toBe(true);

    data = [
      ...data,
      ...entries([indicator(6), indicator(7)]).map((e, i) => ({ ...e, dateAdded: new Date(Date.UTC(2026, 2, 2, 0, 0, i)).toISOString() })),
    ];
    seen.length = 0;
    expect(await run()).toMatchObject({ outcome: 'success', fetched: 2, stored: 2, duplicates: 0 });
    expect(new URL(seen[0] ?? '', 'http://x').searchParams.get('added_after')).toBe(data[4]?.dateAdded);
  });

  it('reports objects that fail validation and stores the rest; the run succeeds', async () => {
    const broken = { ...indicator(2), pattern: undefined };
    data = entries([indicator(1), broken, indicator(3)]);
    const summary = await run();
    expect(summary).toMatchObject({ outcome: 'success', fetched: 3, stored: 2, failed: 1 });
    const event = (await down.store.readAuditEvents(0, 1000)).map((e) => e.event).find((e) => e.action === 'feed.run');
    expect(event?.detail?.failures).toEqual([expect.stringMatching(/indicator--00000002.*pattern/)]);
  });

  it('fails the run, not the server, when an answer is larger than feeds.maxResponseBytes', async () => {
    data = entries(Array.from({ length: 50 }, (_, n) => indicator(n, undefined, { description: 'x'.repeat(400) })));
    runner = { ...runner, settings: { ...runner.settings, pageSize: 50, maxResponseBytes: 4096 } };
    const r = await runFeed(runner, 'plain');
    expect(r.ran && r.summary).toMatchObject({ outcome: 'failure', stored: 0 });
    expect(r.ran && r.summary.error).toMatch(/larger than 4096 bytes/);
  });

  it('refuses a feed whose upstream says "more" but gives neither next nor X-TAXII-Date-Added-Last', async () => {
    await upstream.close();
    upstream = await serve(
      (_req, res) => void res.writeHead(200, { 'Content-Type': TAXII }).end(JSON.stringify({ more: true, objects: [indicator(1)] })),
    );
    await down.store.feeds().removeFeed('plain', testChange('plain', 'remove'));
    await addPlainFeed();
    const summary = await run();
    expect(summary).toMatchObject({ outcome: 'failure', pages: 1, stored: 1 });
    expect(summary.error).toMatch(/neither "next" nor X-TAXII-Date-Added-Last/);
  });
});
