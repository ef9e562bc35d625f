/**
 * Console sign-in (/console/session): the session cookie is a credential for the existing
 * APIs, with CSRF protection on every change, idle and absolute timeouts, sign-out, and
 * throttled, logged failures.
 */
import request from 'supertest';
import { testChange } from '../support/changes';
import { createHarness, PASSWORD, type Harness } from '../support/harness';

const MINUTE = 60_000_000;

interface SignedIn {
  cookie: string;
  csrf: string;
  setCookie: string[];
}

describe('console sessions (/console/session)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({
      config: { trustProxy: true, signInLimit: { addressBurst: 20, addressPerMinute: 10, accountBurst: 5, accountPerMinute: 5 } },
    });
  });
  afterEach(() => h.close());

  async function signIn(body: Record<string, string>, headers: Record<string, string> = {}): Promise<SignedIn> {
    const res = await request(h.app).post('/console/session').set(headers).send(body);
    expect(res.status).toBe(200);
    const setCookie = res.headers['set-cookie'] as unknown as string[];
    const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
    return { cookie, csrf: (res.body as { csrf: string }).csrf, setCookie };
  }
  const password = () => signIn({ username: h.basic.name, password: h.basic.password });
  const token = (role: 'admin' | 'auditor' | 'reader') => signIn({ token: h.accounts[role].token });
  const events = async (action: string) => {
    await h.ctx.audit.flush();
    return (await h.store.queryAuditEvents({ action, limit: 100 })).records;
  };

  it('signs in with a password: an HttpOnly, SameSite=Strict session cookie (not Secure over plain HTTP) and a CSRF token', async () => {
    const s = await password();
    const session = s.setCookie.find((c) => c.startsWith('accord_session='));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(session).not.toMatch(/Secure/);
    expect(s.setCookie.find((c) => c.startsWith('accord_csrf='))).not.toMatch(/HttpOnly/);
    const me = await request(h.app).get('/console/session').set('Cookie', s.cookie);
    expect(me.body).toEqual({ account: 'basic-reader', party: 'operator', roles: ['reader'] });
    expect(await events('console.signin')).toHaveLength(1);
  });

  it('marks the cookies Secure under TLS', async () => {
    const s = await password().then(() => signIn({ username: h.basic.name, password: PASSWORD }, { 'X-Forwarded-Proto': 'https' }));
    expect(s.setCookie.every((c) => /;\s*Secure/.test(c))).toBe(true);
  });

  it('stores only a hash of the session id', async () => {
    const s = await password();
    const id = s.cookie.split('; ')[0]?.split('=')[1] as string;
    expect(await h.store.getSession(id)).toBeUndefined();
  });

  it('the session authenticates the existing APIs with the role’s own checks: auditor reads /audit/, not /admin/', async () => {
    const s = await token('auditor');
    expect((await request(h.app).get('/audit/events').set('Cookie', s.cookie)).status).toBe(200);
    expect((await request(h.app).get('/admin/parties').set('Cookie', s.cookie)).status).toBe(403);
    const reader = await token('reader');
    expect((await request(h.app).get('/audit/events').set('Cookie', reader.cookie)).status).toBe(403);
  });

  it('CSRF: a change without the session’s token is 403 and changes nothing; with it, it is done and logged', async () => {
    const s = await token('admin');
    const party = { id: 'nl-ncb', name: 'Dutch police', kind: 'national-agency', country: 'NL' };
    const without = await request(h.app).post('/admin/parties').set('Cookie', s.cookie).send(party);
    expect(without.status).toBe(403);
    const wrong = await request(h.app).post('/admin/parties').set('Cookie', s.cookie).set('X-CSRF-Token', 'not-it').send(party);
    expect(wrong.status).toBe(403);
    expect(await h.store.getParty('nl-ncb')).toBeUndefined();
    const ok = await request(h.app).post('/admin/parties').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf).send(party);
    expect(ok.status).toBe(201);
    expect((await events('catalog.party')).map((e) => e.account_id)).toContain(h.accounts.admin.id);
  });

  it('sign-in failures are 401, logged as auth.failure, and throttled like every sign-in (429 with Retry-After, logged) even for the right password', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await request(h.app).post('/console/session').send({ username: h.basic.name, password: 'wrong' })).status).toBe(401);
    }
    const throttled = await request(h.app).post('/console/session').send({ username: h.basic.name, password: h.basic.password });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    // The first failure from an address is logged in full; repeats are counted (src/audit/aggregate.ts).
    expect((await events('auth.failure')).length).toBe(1);
    h.clock.advance(2 * MINUTE);
    await password();
  });

  it('refuses sign-in bodies that are not JSON or lack credentials', async () => {
    expect((await request(h.app).post('/console/session').type('form').send('username=a&password=b')).status).toBe(415);
    expect((await request(h.app).post('/console/session').send({ username: 'a' })).status).toBe(400);
  });

  it('ends a session idle for longer than the idle timeout', async () => {
    const s = await password();
    h.clock.advance(29 * MINUTE);
    expect((await request(h.app).get('/console/session').set('Cookie', s.cookie)).status).toBe(200);
    h.clock.advance(31 * MINUTE);
    expect((await request(h.app).get('/console/session').set('Cookie', s.cookie)).status).toBe(401);
  });

  it('ends a session at the absolute timeout, however active', async () => {
    const s = await password();
    for (let t = 0; t < 11 * 60; t += 20) {
      h.clock.advance(20 * MINUTE);
      expect((await request(h.app).get('/console/session').set('Cookie', s.cookie)).status).toBe(200);
    }
    h.clock.advance(61 * MINUTE);
    expect((await request(h.app).get('/console/session').set('Cookie', s.cookie)).status).toBe(401);
  });

  it('signs out (with the CSRF token): the cookie no longer works, and the sign-out is logged', async () => {
    const s = await password();
    expect((await request(h.app).delete('/console/session').set('Cookie', s.cookie)).status).toBe(403);
    expect((await request(h.app).delete('/console/session').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf)).status).toBe(204);
    expect((await request(h.app).get('/console/session').set('Cookie', s.cookie)).status).toBe(401);
    expect(await events('console.signout')).toHaveLength(1);
  });

  it('disabling the account or revoking the token a session was opened with ends it at once', async () => {
    const byPassword = await password();
    const byToken = await token('reader');
    const reader = await h.store.getAccountByName('basic-reader');
    await h.store.updateAccount(reader?.id as string, { disabled: true }, h.clock.read(), testChange('account', reader?.id as string, 'disable'));
    expect((await request(h.app).get('/console/session').set('Cookie', byPassword.cookie)).status).toBe(401);
    const [t] = await h.store.listTokens(h.accounts.reader.id);
    await h.store.revokeToken(t?.id as string, h.clock.read(), testChange('token', t?.id as string, 'revoke'));
    expect((await request(h.app).get('/console/session').set('Cookie', byToken.cookie)).status).toBe(401);
  });

  it('answers the console’s own requests with no Basic challenge (no browser dialog over the sign-in)', async () => {
    const res = await request(h.app).get('/audit/events').set('X-Accord-Console', '1');
    expect(res.status).toBe(401);
    expect(String(res.headers['www-authenticate'])).not.toMatch(/Basic/);
  });
});
