/**
 * Issue 12, strangers and floods: failed sign-ins are throttled per client address and per
 * account (429 + Retry-After + a TAXII 2.1 §3.6.1 error body) without locking out the owner's
 * tokens or other accounts; each account's requests are rate-limited; every answer carries
 * nosniff and no-store. Client addresses vary through X-Forwarded-For (trustProxy on).
 */
import request from 'supertest';
import { CatalogCache } from '../../src/access/catalog-cache';
import { Authenticator } from '../../src/auth/authenticator';
import { DEFAULTS } from '../../src/config/config';
import { isError } from '../../src/errors';
import { createHarness, TAXII, type Harness } from '../support/harness';
import { taxii } from './wire';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function harness(config: Parameters<typeof createHarness>[0] = {}): Promise<Harness> {
  return createHarness({ ...config, config: { trustProxy: true, ...config.config } });
}

const from = (h: Harness, address: string, auth: string, path = '/api1/collections/') =>
  request(h.app).get(path).set('Accept', TAXII).set('X-Forwarded-For', address).set('Authorization', auth);

/** A 429 with Retry-After and a TAXII error body; returns Retry-After in seconds. */
function throttled(res: request.Response): number {
  const body = taxii(res, 429, 'error');
  expect(body.title).toBe('Too many requests');
  const retry = Number(res.headers['retry-after']);
  expect(retry).toBeGreaterThanOrEqual(1);
  return retry;
}

describe('issue 12 §8 — no brute-force protection (failed sign-ins are throttled)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ config: { signInLimit: { addressBurst: 3, addressPerMinute: 1, accountBurst: 5, accountPerMinute: 1 } } });
  });
  afterEach(() => h.close());

  it('wrong passwords from one address: 401 until its bucket is empty, then 429 before any password is checked, the right one included', async () => {
    for (let i = 0; i < 3; i++) expect((await from(h, '198.51.100.1', basic(`nobody-${i}`, 'guess'))).status).toBe(401);
    expect(throttled(await from(h, '198.51.100.1', basic('nobody-9', 'guess')))).toBe(60);
    throttled(await from(h, '198.51.100.1', basic(h.basic.name, h.basic.password)));
    // Another address is not affected.
    expect((await from(h, '198.51.100.2', basic(h.basic.name, h.basic.password))).status).toBe(200);
  });

  it('guesses sent in parallel cannot slip past the bucket: at most addressBurst passwords are checked', async () => {
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => from(h, '198.51.100.4', basic(`nobody-${i}`, 'guess'))));
    expect(replies.filter((r) => r.status === 401)).toHaveLength(3);
    for (const r of replies.filter((x) => x.status !== 401)) throttled(r);
  });

  it('a right password gives its token back: the owner signing in again and again is never throttled', async () => {
    // Nothing remembered: every sign-in is checked in full and charged.
    const uncached = await harness({
      config: { authCacheSeconds: 0, signInLimit: { addressBurst: 3, addressPerMinute: 1, accountBurst: 3, accountPerMinute: 1 } },
    });
    try {
      for (let i = 0; i < 5; i++)
        expect((await from(uncached, '198.51.100.5', basic(uncached.basic.name, uncached.basic.password))).status).toBe(200);
      expect((await from(uncached, '198.51.100.5', basic('nobody', 'guess'))).status).toBe(401);
    } finally {
      await uncached.close();
    }
  });

  it('a throttled address still signs in with a valid API token (the owner is not locked out), but not with a wrong one', async () => {
    for (let i = 0; i < 3; i++) await from(h, '198.51.100.3', basic(`nobody-${i}`, 'guess'));
    expect((await from(h, '198.51.100.3', h.accounts.reader.auth)).status).toBe(200);
    expect((await from(h, '198.51.100.3', 'Bearer accord_not-a-real-token')).status).toBe(401);
  });

  it('one account attacked from many addresses is throttled for passwords; its tokens and other accounts are not', async () => {
    for (let i = 0; i < 5; i++) expect((await from(h, `203.0.113.${i}`, basic(h.basic.name, 'wrong password'))).status).toBe(401);
    throttled(await from(h, '203.0.113.50', basic(h.basic.name, 'wrong password')));
    // Even the right password waits: nothing tells an attacker it guessed right.
    throttled(await from(h, '203.0.113.51', basic(h.basic.name, h.basic.password)));
    expect((await from(h, '203.0.113.52', h.accounts.reader.auth)).status).toBe(200);
    expect((await from(h, '203.0.113.53', basic('someone-else', 'wrong'))).status).toBe(401);
  });

  it('a password remembered from a successful sign-in keeps working while its account is throttled', async () => {
    expect((await from(h, '192.0.2.1', basic(h.basic.name, h.basic.password))).status).toBe(200);
    for (let i = 0; i < 6; i++) await from(h, `203.0.113.${100 + i}`, basic(h.basic.name, 'wrong password'));
    throttled(await from(h, '203.0.113.120', basic(h.basic.name, 'wrong password')));
    expect((await from(h, '192.0.2.1', basic(h.basic.name, h.basic.password))).status).toBe(200);
  });

  it('the throttle lifts as the bucket refills (accountPerMinute)', async () => {
    for (let i = 0; i < 6; i++) await from(h, `203.0.113.${i}`, basic(h.basic.name, 'wrong password'));
    throttled(await from(h, '203.0.113.60', basic(h.basic.name, h.basic.password)));
    h.clock.advance(60e6);
    expect((await from(h, '203.0.113.61', basic(h.basic.name, h.basic.password))).status).toBe(200);
  });

  it('throttled attempts are in the sharing log as rate.limited, aggregated per source', async () => {
    for (let i = 0; i < 10; i++) await from(h, '198.51.100.9', basic(`nobody-${i}`, 'guess'), '/api1/collections/x/objects/');
    await h.ctx.audit.flush();
    const events = (await h.store.queryAuditEvents({ limit: 100 })).records.filter((e) => e.client === '198.51.100.9');
    expect(events.map((e) => [e.action, e.http_status])).toEqual([
      ['auth.failure', 401],
      ['rate.limited', 429],
    ]);
  });
});

describe('issue 12 §10 — per-partner rate limits (token bucket per account)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ config: { rateLimit: { perSecond: 2, burst: 3 } } });
  });
  afterAll(() => h.close());

  it('an account past its burst gets 429 with Retry-After; other accounts are served; the bucket refills with time', async () => {
    for (let i = 0; i < 3; i++) expect((await from(h, '192.0.2.10', h.accounts.reader.auth)).status).toBe(200);
    expect(throttled(await from(h, '192.0.2.10', h.accounts.reader.auth))).toBe(1);
    // From another address too: the limit is the account's.
    throttled(await from(h, '192.0.2.11', h.accounts.reader.auth));
    expect((await from(h, '192.0.2.10', h.accounts.writer.auth)).status).toBe(200);
    h.clock.advance(1e6);
    expect((await from(h, '192.0.2.10', h.accounts.reader.auth)).status).toBe(200);
    expect((await from(h, '192.0.2.10', h.accounts.reader.auth)).status).toBe(200);
    throttled(await from(h, '192.0.2.10', h.accounts.reader.auth));
  });

  it('the admin API is limited the same way, with a JSON error and Retry-After', async () => {
    h.clock.advance(10e6);
    for (let i = 0; i < 3; i++) expect((await request(h.app).get('/admin/parties').set('Authorization', h.accounts.admin.auth)).status).toBe(200);
    const res = await request(h.app).get('/admin/parties').set('Authorization', h.accounts.admin.auth);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toMatchObject({ title: 'Too many requests', http_status: '429' });
  });
});

describe('issue 12 §13 — transport headers on content and errors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it.each([
    ['content (200)', '/api1/collections/', true],
    ['an error (401)', '/api1/collections/', false],
    ['an unknown path (404)', '/nowhere/', true],
  ])('%s carries X-Content-Type-Options: nosniff and Cache-Control: no-store, and no HSTS without TLS', async (_what, path, authenticated) => {
    const r = request(h.app).get(path).set('Accept', TAXII);
    const res = authenticated ? await r.set('Authorization', h.accounts.reader.auth) : await r;
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('the defaults turn every limit on', () => {
    expect(DEFAULTS.signInLimit.addressBurst).toBeGreaterThan(0);
    expect(DEFAULTS.signInLimit.accountBurst).toBeGreaterThan(0);
    expect(DEFAULTS.rateLimit.burst).toBeGreaterThan(0);
  });
});

describe('issue 12 §8 — a flood of guesses cannot take every thread and core (password checks in turn)', () => {
  it('at most concurrentChecks scrypt checks run at once; beyond waitingChecks queued, sign-ins get 429 at once', async () => {
    const h = await harness();
    try {
      const auth = new Authenticator(new CatalogCache(h.store), h.clock.read, await h.store.secretKey(), {
        cacheSeconds: 0,
        cacheSize: 10,
        concurrentChecks: 1,
        waitingChecks: 2,
      });
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) => auth.authenticate({ kind: 'basic', username: `nobody-${i}`, password: 'guess' })),
      );
      expect(results.filter((r) => r.status === 'fulfilled' && r.value === undefined)).toHaveLength(3);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused).toHaveLength(2);
      for (const r of refused) expect(isError(r.reason, 'too-many-requests')).toBe(true);
      // The queue drained: the owner signs in.
      expect(await auth.authenticate({ kind: 'basic', username: h.basic.name, password: h.basic.password })).toMatchObject({
        accountName: h.basic.name,
      });
    } finally {
      await h.close();
    }
  });
});
