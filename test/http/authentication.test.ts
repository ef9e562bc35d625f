/**
 * TAXII 2.1 §1.6.7 Authentication and Authorization: HTTP Basic is what every client
 * supports; Accord also takes API tokens (Bearer, Token, or as the Basic password).
 */
import request from 'supertest';
import { hashPassword } from '../../src/auth/secrets';
import { addAccount, issueToken } from '../../src/catalog/accounts';
import type { Role } from '../../src/catalog/types';
import { createHarness, indicator, PASSWORD, TAXII, type Harness } from '../support/harness';
import { add, collectionUrl, freshCollection, objectsUrl, objectUrl, statusUrl, taxii, versionsUrl, manifestUrl } from './wire';
import { testChange } from '../support/changes';

const basic = (user: string, password: string, scheme = 'Basic') => `${scheme} ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('TAXII 2.1 §1.6.7 Authentication', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const as = (auth: string | undefined, path = '/api1/collections/') => {
    const r = request(h.app).get(path).set('Accept', TAXII);
    return auth === undefined ? r : r.set('Authorization', auth);
  };

  /** A 401 with both challenges and a TAXII error body; returns the body text. */
  const unauthorized = async (auth: string | undefined, path?: string) => {
    const res = await as(auth, path);
    const body = taxii(res, 401, 'error');
    const challenges = ([] as string[]).concat(res.headers['www-authenticate'] ?? []).join(', ');
    expect(challenges).toMatch(/^Basic realm="Accord"/);
    expect(challenges).toContain('Bearer realm="Accord"');
    expect(body.title).toBe('Authentication required');
    return res.text;
  };

  /**
   * A fresh account (the harness's are shared by the other tests) with a token and, when
   * `withPassword`, the password PASSWORD. Its hash is the basic account's: scrypt is slow by
   * design, and hashing again for every account would dominate this file's run time.
   */
  let serial = 0;
  async function newAccount(role: Role, withPassword = false) {
    const name = `auth-test-${++serial}`;
    const { account } = await addAccount(h.store, h.clock.read, { name, roles: [role], partyId: 'operator', password: null }, 'test');
    if (withPassword) {
      const passwordHash = (await h.store.getAccountByName(h.basic.name))?.passwordHash ?? null;
      await h.store.updateAccount(account.id, { passwordHash }, h.clock.read(), testChange('account', 'test'));
    }
    const { token, record } = await issueToken(h.store, h.clock.read, account.id, 'test', 'test');
    return { account, name, token, tokenId: record.id };
  }

  it.each(['Basic', 'basic', 'BASIC', 'bAsIc'])('HTTP Basic is accepted with the scheme written %s', async (scheme) => {
    const body = taxii(await as(basic(h.basic.name, h.basic.password, scheme)), 200, 'collections');
    // The basic account is a reader: it can read but not write.
    expect(body.collections?.map((c) => [c.can_read, c.can_write])).toEqual([
      [true, false],
      [true, false],
    ]);
  });

  it.each(['Bearer', 'bearer', 'Token', 'TOKEN'])('an API token is accepted with the scheme %s', async (scheme) => {
    taxii(await as(`${scheme} ${h.accounts.reader.token}`), 200, 'collections');
  });

  it.each(['anyone', '', 'writer', 'basic-reader'])('an API token is accepted as the Basic password, whatever the username (%j)', async (user) => {
    // The writer's token: the request acts as the writer whatever the username says.
    const res = await request(h.app)
      .post(objectsUrl(h.collections.beta))
      .set('Accept', TAXII)
      .set('Content-Type', TAXII)
      .set('Authorization', basic(user, h.accounts.writer.token))
      .send(JSON.stringify({ objects: [indicator(1)] }));
    taxii(res, 202, 'status');
  });

  it('no credentials: 401 with WWW-Authenticate on every endpoint, even an unknown API root', async () => {
    const c = h.collections.alpha;
    const id = indicator(1).id as string;
    for (const path of [
      '/taxii2/',
      '/api1/',
      '/nope/',
      '/nope/collections/',
      statusUrl('api1', '4d3c2b1a-0f9e-4d8c-b7a6-958473625140'),
      '/api1/collections/',
      collectionUrl(c),
      manifestUrl(c),
      objectsUrl(c),
      objectUrl(c, id),
      versionsUrl(c, id),
    ]) {
      await unauthorized(undefined, path);
    }
    const post = await request(h.app).post(objectsUrl(c)).set('Content-Type', TAXII).send('{"objects":[]}');
    taxii(post, 401, 'error');
    taxii(await request(h.app).delete(objectUrl(c, id)), 401, 'error');
  });

  it('an unknown user and a wrong password get the very same answer', async () => {
    const wrongPassword = await unauthorized(basic(h.basic.name, 'not the password at all'));
    const unknownUser = await unauthorized(basic('no-such-user', PASSWORD));
    expect(unknownUser).toBe(wrongPassword);
    expect(wrongPassword).not.toContain(h.basic.name);
    expect(wrongPassword).not.toContain('no-such-user');
  });

  it('a wrong token, a token-only account with a password, and malformed headers get that same answer', async () => {
    const reference = await unauthorized(basic(h.basic.name, 'not the password at all'));
    for (const auth of [
      'Bearer accord_not-a-real-token',
      'Bearer not-even-prefixed',
      basic('anyone', 'accord_not-a-real-token'),
      basic('reader', 'some password of the right length'),
      basic(h.basic.name, ''),
      'Basic',
      'Basic ',
      'Basic !!!!',
      `Basic ${Buffer.from('no colon here').toString('base64')}`,
      'Bearer',
      'Digest username="x"',
      'Negotiate abc',
      h.accounts.reader.token,
      `Bearer ${'x'.repeat(10_000)}`,
    ]) {
      expect(await unauthorized(auth)).toBe(reference);
    }
  });

  it('a revoked token fails on the very next request', async () => {
    const a = await newAccount('reader');
    taxii(await as(`Bearer ${a.token}`), 200, 'collections');
    expect(await h.store.revokeToken(a.tokenId, h.clock.read(), testChange('token', 'test'))).toBe(true);
    await unauthorized(`Bearer ${a.token}`);
    await unauthorized(basic('anyone', a.token));
  });

  it('a disabled account fails on the very next request, by token; re-enabled it works again', async () => {
    const a = await newAccount('reader');
    taxii(await as(`Bearer ${a.token}`), 200, 'collections');
    await h.store.updateAccount(a.account.id, { disabled: true }, h.clock.read(), testChange('account', 'test'));
    await unauthorized(`Bearer ${a.token}`);
    await h.store.updateAccount(a.account.id, { disabled: false }, h.clock.read(), testChange('account', 'test'));
    taxii(await as(`Bearer ${a.token}`), 200, 'collections');
  });

  it('a disabled account fails on the very next request even after a cached Basic login', async () => {
    const password = PASSWORD;
    const a = await newAccount('reader', true);
    taxii(await as(basic(a.name, password)), 200, 'collections');
    taxii(await as(basic(a.name, password)), 200, 'collections'); // now served from the cache
    await h.store.updateAccount(a.account.id, { disabled: true }, h.clock.read(), testChange('account', 'test'));
    const denied = await unauthorized(basic(a.name, password));
    // Not distinguishable from a wrong password: a disabled account is not revealed.
    expect(denied).toBe(await unauthorized(basic(a.name, 'a wrong password here')));
    await h.store.updateAccount(a.account.id, { disabled: false }, h.clock.read(), testChange('account', 'test'));
    taxii(await as(basic(a.name, password)), 200, 'collections');
  });

  it('a password that merely starts like an API token (accord_…) still signs in; a wrong one still fails', async () => {
    const a = await newAccount('reader', true);
    const lookalike = 'accord_but-really-a-password';
    await h.store.updateAccount(a.account.id, { passwordHash: await hashPassword(lookalike) }, h.clock.read(), testChange('account', 'test'));
    taxii(await as(basic(a.name, lookalike)), 200, 'collections');
    await unauthorized(basic(a.name, 'accord_not-the-password'));
  });

  it('changing the password invalidates a cached Basic login at once', async () => {
    const oldPassword = PASSWORD;
    const newPassword = 'the new password 456';
    const a = await newAccount('reader', true);
    taxii(await as(basic(a.name, oldPassword)), 200, 'collections');
    await h.store.updateAccount(a.account.id, { passwordHash: await hashPassword(newPassword) }, h.clock.read(), testChange('account', 'test'));
    await unauthorized(basic(a.name, oldPassword));
    taxii(await as(basic(a.name, newPassword)), 200, 'collections');
  });

  it('removing the password (a token-only account now) refuses the cached Basic login', async () => {
    const password = PASSWORD;
    const a = await newAccount('reader', true);
    taxii(await as(basic(a.name, password)), 200, 'collections');
    await h.store.updateAccount(a.account.id, { passwordHash: null }, h.clock.read(), testChange('account', 'test'));
    await unauthorized(basic(a.name, password));
    taxii(await as(`Bearer ${a.token}`), 200, 'collections');
  });

  it('a role change takes effect on the next request, also after a cached Basic login', async () => {
    const password = PASSWORD;
    const a = await newAccount('writer', true);
    const c = await freshCollection(h);
    await add(h, c, [indicator(2)], basic(a.name, password));
    await h.store.updateAccount(a.account.id, { roles: ['reader'] }, h.clock.read(), testChange('account', 'test'));
    const res = await request(h.app)
      .post(objectsUrl(c))
      .set('Accept', TAXII)
      .set('Content-Type', TAXII)
      .set('Authorization', basic(a.name, password))
      .send(JSON.stringify({ objects: [indicator(3)] }));
    taxii(res, 403, 'error');
  });

  it('a Basic login is still accepted after its cache entry expires', async () => {
    const password = PASSWORD;
    const a = await newAccount('reader', true);
    taxii(await as(basic(a.name, password)), 200, 'collections');
    h.clock.advance((h.config.authCacheSeconds + 1) * 1_000_000);
    taxii(await as(basic(a.name, password)), 200, 'collections');
    await unauthorized(basic(a.name, 'a wrong password here'));
  });
});
