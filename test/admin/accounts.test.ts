/**
 * Administrators manage accounts and tokens, and every change applies to the account's next
 * TAXII request. Secrets leave the server once, in the response that creates them; hashes never.
 */
import request from 'supertest';
import { createHarness, envelope, indicator, TAXII, type Harness } from '../support/harness';
import { admin, expectError, expectReply } from './support';

const basic = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;

interface AccountBody {
  id: string;
  name: string;
  party: string;
  roles: string[];
  disabled: boolean;
  has_password: boolean;
  tokens: { id: string; label: string; created: string; revoked: string | null }[];
  generated_password?: string;
}

describe('Admin API: accounts and tokens', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  /** The TAXII discovery resource: any valid account may read it, so its status says whether the credentials work. */
  const discovery = (auth: string) => request(h.app).get('/taxii2/').set('Accept', TAXII).set('Authorization', auth);
  const addObject = (auth: string, n: number) =>
    request(h.app)
      .post(`/api1/collections/${h.collections.alpha.id}/objects/`)
      .set('Accept', TAXII)
      .set('Content-Type', TAXII)
      .set('Authorization', auth)
      .send(envelope([indicator(n)]));

  async function tokenFor(name: string): Promise<{ id: string; auth: string }> {
    const body = expectReply<{ id: string; token: string }>(
      await admin(h, 'post', `/admin/accounts/${name}/tokens`, { label: 'test' }),
      201,
      'post',
      `/admin/accounts/${name}/tokens`,
    );
    return { id: body.id, auth: `Bearer ${body.token}` };
  }

  it('an administrator creates an account without a password: one is generated, shown once, and signs in', async () => {
    const res = await admin(h, 'post', '/admin/accounts', { name: 'siem-fr', roles: ['reader'], party: 'operator' });
    const body = expectReply<AccountBody>(res, 201, 'post', '/admin/accounts');
    expect(body).toMatchObject({ name: 'siem-fr', party: 'operator', roles: ['reader'], disabled: false, has_password: true, tokens: [] });
    expect(body.generated_password).toMatch(/^\S{20,}$/);
    expect((await discovery(basic('siem-fr', body.generated_password!))).status).toBe(200);
    const again = expectReply<AccountBody>(await admin(h, 'get', '/admin/accounts/siem-fr'), 200, 'get', '/admin/accounts/siem-fr');
    expect(again).not.toHaveProperty('generated_password');
  });

  it('an administrator creates an account with a given password (none is returned) or a token-only one', async () => {
    const given = expectReply<AccountBody>(
      await admin(h, 'post', '/admin/accounts', {
        name: 'analyst',
        roles: ['reader', 'writer'],
        party: 'operator',
        password: 'a long enough password',
      }),
      201,
      'post',
      '/admin/accounts',
    );
    expect(given).not.toHaveProperty('generated_password');
    expect((await discovery(basic('analyst', 'a long enough password'))).status).toBe(200);
    const tokenOnly = expectReply<AccountBody>(
      await admin(h, 'post', '/admin/accounts', { name: 'feed-bot', roles: ['writer'], party: 'operator', password: null }),
      201,
      'post',
      '/admin/accounts',
    );
    expect(tokenOnly).toMatchObject({ has_password: false });
    expect(tokenOnly).not.toHaveProperty('generated_password');
  });

  it('an account name in use is 409', async () => {
    expect(expectError(await admin(h, 'post', '/admin/accounts', { name: 'siem-fr', roles: ['admin'], party: 'operator' }), 409)).toMatch(
      /exists already/,
    );
    expect((await h.store.getAccountByName('siem-fr'))?.roles).toEqual(['reader']);
  });

  it.each([
    [{ name: 'x1', roles: ['superuser'], party: 'operator' }, /\/roles\/0 must be one of reader, writer, deleter, admin, auditor/],
    [{ name: 'x1', roles: [], party: 'operator' }, /\/roles must NOT have fewer than 1 items/],
    [{ name: 'x1', roles: ['reader'], party: 'nobody' }, /no party "nobody"/],
    [{ name: 'x1', roles: ['reader'], party: 'operator', password: 'short' }, /fewer than 12 characters/],
    [{ name: 'x 1', roles: ['reader'], party: 'operator' }, /\/name must match pattern/],
    [{ name: 'x1', roles: ['reader'], party: 'operator', password_hash: 'scrypt$…' }, /unknown property "password_hash"/],
    [{ roles: ['reader'], party: 'operator' }, /must have required property 'name'/],
  ])('an invalid account is 400 with the reason (%j)', async (input, reason) => {
    expect(expectError(await admin(h, 'post', '/admin/accounts', input), 400)).toMatch(reason);
    expect(await h.store.getAccountByName('x1')).toBeUndefined();
  });

  it('an administrator lists accounts, and no response carries a hash or a stored secret', async () => {
    const body = expectReply<{ accounts: AccountBody[] }>(await admin(h, 'get', '/admin/accounts'), 200, 'get', '/admin/accounts');
    expect(body.accounts.map((a) => a.name)).toEqual(expect.arrayContaining(['admin', 'writer', 'reader', 'auditor', 'basic-reader', 'siem-fr']));
    const texts = [
      (await admin(h, 'get', '/admin/accounts')).text,
      (await admin(h, 'get', '/admin/accounts/basic-reader')).text,
      (await admin(h, 'get', '/admin/accounts/admin')).text,
      (await admin(h, 'get', '/admin/changes?limit=1000')).text,
    ];
    const stored = [
      ...(await h.store.listAccounts()).map((a) => a.passwordHash),
      ...(await h.store.listTokens(h.accounts.admin.id)).map((t) => t.hash),
    ];
    for (const text of texts) {
      expect(text).not.toMatch(/scrypt|hash"/);
      for (const secret of [...stored, h.accounts.admin.token]) if (secret) expect(text).not.toContain(secret);
    }
  });

  it('an administrator reads an account with its tokens: id, label, created, revoked', async () => {
    const body = expectReply<AccountBody>(await admin(h, 'get', '/admin/accounts/reader'), 200, 'get', '/admin/accounts/reader');
    expect(body).toMatchObject({ name: 'reader', roles: ['reader'], has_password: false });
    expect(body.tokens).toEqual([{ id: expect.any(String), label: 'test', created: '2026-01-01T00:00:00.000000Z', revoked: null }]);
  });

  it('an unknown account is 404 to GET, PATCH and token issuing', async () => {
    expectError(await admin(h, 'get', '/admin/accounts/nobody'), 404);
    expectError(await admin(h, 'patch', '/admin/accounts/nobody', { disabled: true }), 404);
    expectError(await admin(h, 'post', '/admin/accounts/nobody/tokens', { label: 'x' }), 404);
  });

  it('a disabled account is refused (401) on its next TAXII request; enabled again, it is admitted', async () => {
    const { auth } = await tokenFor('siem-fr');
    expect((await discovery(auth)).status).toBe(200);
    const body = expectReply<AccountBody>(
      await admin(h, 'patch', '/admin/accounts/siem-fr', { disabled: true }),
      200,
      'patch',
      '/admin/accounts/siem-fr',
    );
    expect(body.disabled).toBe(true);
    expect((await discovery(auth)).status).toBe(401);
    expectReply(await admin(h, 'patch', '/admin/accounts/siem-fr', { disabled: false }), 200, 'patch', '/admin/accounts/siem-fr');
    expect((await discovery(auth)).status).toBe(200);
  });

  it('roles changed through the API apply to the next TAXII request', async () => {
    const { auth } = await tokenFor('siem-fr');
    expect((await addObject(auth, 1)).status).toBe(403);
    const body = expectReply<AccountBody>(
      await admin(h, 'patch', '/admin/accounts/siem-fr', { roles: ['reader', 'writer'] }),
      200,
      'patch',
      '/admin/accounts/siem-fr',
    );
    expect(body.roles).toEqual(['reader', 'writer']);
    expect((await addObject(auth, 1)).status).toBe(202);
    expectReply(await admin(h, 'patch', '/admin/accounts/siem-fr', { roles: ['reader'] }), 200, 'patch', '/admin/accounts/siem-fr');
    expect((await addObject(auth, 2)).status).toBe(403);
  });

  it('a new password applies at once: the old one is refused, the new one admitted; null leaves tokens only', async () => {
    expect((await discovery(basic('analyst', 'a long enough password'))).status).toBe(200);
    expectReply(await admin(h, 'patch', '/admin/accounts/analyst', { password: 'another long password' }), 200, 'patch', '/admin/accounts/analyst');
    expect((await discovery(basic('analyst', 'a long enough password'))).status).toBe(401);
    expect((await discovery(basic('analyst', 'another long password'))).status).toBe(200);
    const body = expectReply<AccountBody>(
      await admin(h, 'patch', '/admin/accounts/analyst', { password: null }),
      200,
      'patch',
      '/admin/accounts/analyst',
    );
    expect(body.has_password).toBe(false);
    expect((await discovery(basic('analyst', 'another long password'))).status).toBe(401);
  });

  it('an administrator moves an account to another party', async () => {
    expectReply(await admin(h, 'post', '/admin/parties', { id: 'acme', name: 'Acme', kind: 'vendor' }), 201, 'post', '/admin/parties');
    expect(
      expectReply<AccountBody>(await admin(h, 'patch', '/admin/accounts/feed-bot', { party: 'acme' }), 200, 'patch', '/admin/accounts/feed-bot')
        .party,
    ).toBe('acme');
    expect((await h.store.getAccountByName('feed-bot'))?.partyId).toBe('acme');
  });

  it.each([
    [{}, /must NOT have fewer than 1 properties/],
    [{ party: 'nobody' }, /no party "nobody"/],
    [{ roles: ['root'] }, /must be one of/],
    [{ disabled: 'yes' }, /\/disabled must be boolean/],
    [{ password: 'short' }, /fewer than 12 characters/],
    [{ name: 'renamed' }, /unknown property "name"/],
  ])('an invalid change is 400 and changes nothing (%j)', async (change, reason) => {
    const before = await h.store.getAccountByName('feed-bot');
    expect(expectError(await admin(h, 'patch', '/admin/accounts/feed-bot', change), 400)).toMatch(reason);
    expect(await h.store.getAccountByName('feed-bot')).toEqual(before);
  });

  it('an administrator cannot disable their own account or drop their own admin role (409); another admin can', async () => {
    expect(expectError(await admin(h, 'patch', '/admin/accounts/admin', { disabled: true }), 409)).toMatch(/your own/);
    expectError(await admin(h, 'patch', '/admin/accounts/admin', { roles: ['reader'] }), 409);
    expect(await h.store.getAccountByName('admin')).toMatchObject({ disabled: false, roles: ['admin'] });
    expectReply(await admin(h, 'patch', '/admin/accounts/admin', { roles: ['admin', 'auditor'] }), 200, 'patch', '/admin/accounts/admin');
    expectReply(
      await admin(h, 'post', '/admin/accounts', { name: 'second-admin', roles: ['admin'], party: 'operator', password: null }),
      201,
      'post',
      '/admin/accounts',
    );
    const other = await tokenFor('second-admin');
    expectReply(await admin(h, 'patch', '/admin/accounts/admin', { roles: ['admin'] }, other.auth), 200, 'patch', '/admin/accounts/admin');
    expectReply(await admin(h, 'patch', '/admin/accounts/second-admin', { disabled: true }), 200, 'patch', '/admin/accounts/second-admin');
    expect((await admin(h, 'get', '/admin/parties', undefined, other.auth)).status).toBe(401);
  });

  it('an administrator issues a token: its secret is returned once, it works at once, and the account lists it without the secret', async () => {
    const res = await admin(h, 'post', '/admin/accounts/feed-bot/tokens', { label: 'nightly import' });
    const body = expectReply<{ id: string; label: string; token: string; revoked: null }>(res, 201, 'post', '/admin/accounts/feed-bot/tokens');
    expect(body).toMatchObject({ label: 'nightly import', revoked: null, token: expect.stringMatching(/^accord_/) as unknown });
    expect((await discovery(`Bearer ${body.token}`)).status).toBe(200);
    const account = await admin(h, 'get', '/admin/accounts/feed-bot');
    expect(expectReply<AccountBody>(account, 200, 'get', '/admin/accounts/feed-bot').tokens).toContainEqual({
      id: body.id,
      label: 'nightly import',
      created: expect.any(String),
      revoked: null,
    });
    expect(account.text).not.toContain(body.token);
  });

  it('a token needs a label (400)', async () => {
    expect(expectError(await admin(h, 'post', '/admin/accounts/feed-bot/tokens', {}), 400)).toMatch(/required property 'label'/);
    expectError(await admin(h, 'post', '/admin/accounts/feed-bot/tokens', { label: '' }), 400);
  });

  it('a revoked token is refused (401) on its next request; revoking it again, or an unknown token, is 404', async () => {
    const { id, auth } = await tokenFor('feed-bot');
    expect((await discovery(auth)).status).toBe(200);
    expectReply(await admin(h, 'delete', `/admin/tokens/${id}`), 204, 'delete', `/admin/tokens/${id}`);
    expect((await discovery(auth)).status).toBe(401);
    const listed = expectReply<AccountBody>(await admin(h, 'get', '/admin/accounts/feed-bot'), 200, 'get', '/admin/accounts/feed-bot');
    expect(listed.tokens.find((t) => t.id === id)?.revoked).toBe('2026-01-01T00:00:00.000000Z');
    expectError(await admin(h, 'delete', `/admin/tokens/${id}`), 404);
    expectError(await admin(h, 'delete', '/admin/tokens/00000000-0000-4000-8000-000000000000'), 404);
  });
});
