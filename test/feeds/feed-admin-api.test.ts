/**
 * /admin/feeds: the admin API's view of upstream feeds, each reply checked against the
 * OpenAPI document the router serves. Credentials go in and never come out.
 */
import { DEFAULTS } from '../../src/config/config';
import { createHarness, indicator, type Harness } from '../support/harness';
import { admin, expectError, expectReply } from '../admin/support';
import { pushUpstream, serve, type Served } from './support';

describe('Admin API: /admin/feeds', () => {
  let h: Harness;
  let up: Harness;
  let upstream: Served;

  beforeEach(async () => {
    h = await createHarness({ config: { feeds: { ...DEFAULTS.feeds, pageSize: 2 } } });
    up = await createHarness();
    upstream = await serve(up.app);
  });

  afterEach(async () => {
    await upstream.close();
    await up.close();
    await h.close();
  });

  const input = () => ({
    name: 'mirror',
    url: `${upstream.url}/api1/`,
    collection: up.collections.alpha.id,
    into: 'alpha',
    as: 'operator',
    every: '30m',
    credentials: { user: 'basic-reader', password: up.basic.password },
  });

  it('creates a feed (201), lists and shows it without its credentials, runs it now, pauses, resumes and removes it', async () => {
    const createdFeed = expectReply(await admin(h, 'post', '/admin/feeds', input()), 201, 'post', '/admin/feeds');
    expect(createdFeed).toMatchObject({
      name: 'mirror',
      into: h.collections.alpha.id,
      every: '30m',
      credentials: 'sealed',
      failures: 0,
      paused: false,
    });
    const list = await admin(h, 'get', '/admin/feeds');
    expect(expectReply(list, 200, 'get', '/admin/feeds')).toEqual({ feeds: [createdFeed] });
    expect(list.text).not.toContain(up.basic.password);

    await pushUpstream(up, [indicator(1), indicator(2), indicator(3)]);

    const ran = expectReply(await admin(h, 'post', '/admin/feeds/mirror/run'), 200, 'post', '/admin/feeds/mirror/run');
    expect(ran.last_run).toMatchObject({ outcome: 'success', pages: 2, fetched: 3, stored: 3, duplicates: 0, failed: 0 });
    expect(typeof ran.added_after).toBe('string');

    expect(expectReply(await admin(h, 'post', '/admin/feeds/mirror/pause'), 200, 'post', '/admin/feeds/mirror/pause').paused).toBe(true);
    expect(expectReply(await admin(h, 'post', '/admin/feeds/mirror/resume'), 200, 'post', '/admin/feeds/mirror/resume').paused).toBe(false);
    expectReply(await admin(h, 'delete', '/admin/feeds/mirror'), 204, 'delete', '/admin/feeds/mirror');
    expectError(await admin(h, 'get', '/admin/feeds/mirror'), 404);
    const changes = (await h.store.listChanges(100)).filter((c) => c.entity === 'feed').map((c) => c.action);
    expect(changes).toEqual(['create', 'pause', 'resume', 'remove']);
    expect(JSON.stringify(await h.store.listChanges(100))).not.toContain(up.basic.password);
  });

  it.each([
    ['credentials in the URL', { url: 'https://u:p@upstream.example/api1/' }, /must not carry credentials/],
    ['credentials over plain http to another machine', { url: 'http://upstream.example/api1/' }, /only over https/],
    ['an unknown collection', { into: 'nowhere' }, /no collection "nowhere"/],
    ['an unknown party', { as: 'nobody' }, /no party "nobody"/],
    ['a schedule under a minute', { every: '30s' }, /at least 1m/],
    ['an unknown property', { token: 'x' }, /unknown property "token"/],
  ])('refuses %s (400) and stores nothing', async (_what, change, message) => {
    expect(expectError(await admin(h, 'post', '/admin/feeds', { ...input(), ...change }), 400)).toMatch(message);
    expect(await h.store.feeds().listFeeds()).toEqual([]);
  });

  it('refuses a second feed with the same name (409) and unknown feeds (404)', async () => {
    expectReply(await admin(h, 'post', '/admin/feeds', input()), 201, 'post', '/admin/feeds');
    expectError(await admin(h, 'post', '/admin/feeds', input()), 409);
    for (const [method, path] of [
      ['post', '/admin/feeds/nope/run'],
      ['post', '/admin/feeds/nope/pause'],
      ['delete', '/admin/feeds/nope'],
    ] as const) {
      expectError(await admin(h, method, path), 404);
    }
  });

  it('is for administrators only', async () => {
    expectError(await admin(h, 'get', '/admin/feeds', undefined, h.accounts.writer.auth), 403);
    expectError(await admin(h, 'post', '/admin/feeds', input(), h.accounts.reader.auth), 403);
  });
});
