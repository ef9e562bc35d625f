/**
 * Administrators create agreements, revise them (a new version once in force, the old one
 * still readable) and move them through their lifecycle; access follows on the next request.
 */
import request from 'supertest';
import { createHarness, TAXII, type Harness } from '../support/harness';
import { admin, agreementInput, expectError, expectReply } from './support';
import { testChange } from '../support/changes';

interface AgreementBody {
  id: string;
  version: number;
  title: string;
  status: string;
  created_by: string;
  updated_by: string;
  grants: { party: string; max_tlp: string; unmarked_as: string }[];
}

describe('Admin API: agreements', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.store.upsertParty({ id: 'fr-police', name: 'Police nationale', kind: 'national-agency', country: 'FR' }, testChange('party', 'test'));
  });
  afterAll(() => h.close());

  const create = async (id: string, extra: Record<string, unknown> = {}) =>
    expectReply<AgreementBody>(
      await admin(h, 'post', '/admin/agreements', agreementInput(id, 'fr-police', { aliases: ['alpha'] }, extra)),
      201,
      'post',
      '/admin/agreements',
    );
  const move = async (id: string, action: 'activate' | 'suspend' | 'revoke') => admin(h, 'post', `/admin/agreements/${id}/${action}`);
  const moved = async (id: string, action: 'activate' | 'suspend' | 'revoke') =>
    expectReply<AgreementBody>(await move(id, action), 200, 'post', `/admin/agreements/${id}/${action}`);

  it('an administrator creates an agreement: version 1, a draft, recorded as made by them', async () => {
    const body = await create('fr-national');
    expect(body).toMatchObject({ id: 'fr-national', version: 1, status: 'draft', created_by: h.accounts.admin.id, updated_by: h.accounts.admin.id });
    expect(body.grants).toEqual([
      { party: 'fr-police', actions: ['read'], collections: { aliases: ['alpha'] }, max_tlp: 'amber', unmarked_as: 'amber' },
    ]);
    expect(expectReply(await admin(h, 'get', '/admin/agreements/fr-national'), 200, 'get', '/admin/agreements/fr-national')).toEqual(body);
  });

  it('an administrator lists agreements, the latest version of each', async () => {
    const body = expectReply<{ agreements: AgreementBody[] }>(await admin(h, 'get', '/admin/agreements'), 200, 'get', '/admin/agreements');
    expect(body.agreements.map((a) => [a.id, a.version, a.status])).toEqual([
      ['fr-national', 1, 'draft'],
      ['operator-all', 1, 'active'],
    ]);
  });

  it('an agreement id in use is 409', async () => {
    expect(expectError(await admin(h, 'post', '/admin/agreements', agreementInput('fr-national', 'fr-police', { all: true })), 409)).toMatch(
      /exists already/,
    );
  });

  it.each([
    [{ grants: [{ party: 'de-bka', actions: ['read'], collections: { all: true }, max_tlp: 'green' }] }, /grant to "de-bka", who is not a party/],
    [{ parties: ['operator', 'nobody'] }, /no party "nobody"/],
    [{ valid_from: 'yesterday' }, /"valid_from" must be an RFC 3339 timestamp/],
    [{ valid_until: '2024-01-01T00:00:00Z' }, /"valid_until" must be later than "valid_from"/],
    [{ status: 'suspended' }, /\/status must be equal to one of the allowed values/],
    [{ signed_by: 'x' }, /unknown property "signed_by"/],
    // issue #12 item 10: a rate term is whole numbers of requests, at least one.
    [{ terms: { rate_limit: { requests_per_minute: 0 } } }, /\/terms\/rate_limit\/requests_per_minute must be >= 1/],
    [{ terms: { rate_limit: { requests_per_minute: 1.5 } } }, /\/terms\/rate_limit\/requests_per_minute must be integer/],
    [{ terms: { rate_limit: { requests_per_minute: '60' } } }, /\/terms\/rate_limit\/requests_per_minute must be integer/],
    [{ terms: { rate_limit: { requests_per_minute: 60, burst: 0 } } }, /\/terms\/rate_limit\/burst must be >= 1/],
    [{ terms: { rate_limit: { burst: 10 } } }, /\/terms\/rate_limit must have required property 'requests_per_minute'/],
    [{ terms: { rate_limit: { requests_per_second: 1 } } }, /\/terms\/rate_limit has unknown property "requests_per_second"/],
    [{ terms: { rate_limit: { requests_per_minute: 600001 } } }, /\/terms\/rate_limit\/requests_per_minute must be <= 600000/],
  ])('an invalid agreement is 400 with the reason (%j)', async (change, reason) => {
    expect(
      expectError(await admin(h, 'post', '/admin/agreements', { ...agreementInput('bad', 'fr-police', { all: true }), ...change }), 400),
    ).toMatch(reason);
    expect(await h.store.getAgreement('bad')).toBeUndefined();
  });

  it('issue #12 item 10: a rate term is kept with the agreement (burst defaults to requests_per_minute), per version, and can be revised away', async () => {
    const rated = await create('rated', { status: 'active', terms: { text: 'polling limited', rate_limit: { requests_per_minute: 120 } } });
    expect(rated).toMatchObject({ terms: { text: 'polling limited', rate_limit: { requests_per_minute: 120, burst: 120 } } });
    const path = '/admin/agreements/rated';
    const v2 = agreementInput('rated', 'fr-police', { aliases: ['alpha'] }, { terms: { rate_limit: { requests_per_minute: 30, burst: 5 } } });
    expect(expectReply(await admin(h, 'put', path, v2), 200, 'put', path)).toMatchObject({
      version: 2,
      terms: { rate_limit: { requests_per_minute: 30, burst: 5 } },
    });
    expect(expectReply(await admin(h, 'get', `${path}/versions/1`), 200, 'get', `${path}/versions/1`)).toMatchObject({
      terms: { rate_limit: { requests_per_minute: 120, burst: 120 } },
    });
    const v3 = expectReply<{ terms: object }>(
      await admin(h, 'put', path, agreementInput('rated', 'fr-police', { aliases: ['alpha'] })),
      200,
      'put',
      path,
    );
    expect(v3.terms).toEqual({});
  });

  it('revising a draft changes it in place', async () => {
    const body = expectReply<AgreementBody>(
      await admin(
        h,
        'put',
        '/admin/agreements/fr-national',
        agreementInput('fr-national', 'fr-police', { aliases: ['alpha'] }, { title: 'France reads alpha' }),
      ),
      200,
      'put',
      '/admin/agreements/fr-national',
    );
    expect(body).toMatchObject({ version: 1, status: 'draft', title: 'France reads alpha' });
  });

  it('an agreement revised while active gets version 2, and version 1 stays readable', async () => {
    await moved('fr-national', 'activate');
    h.clock.advance(60e6);
    const v2 = expectReply<AgreementBody>(
      await admin(
        h,
        'put',
        '/admin/agreements/fr-national',
        agreementInput('fr-national', 'fr-police', { aliases: ['alpha'] }, { title: 'France reads alpha, v2' }),
      ),
      200,
      'put',
      '/admin/agreements/fr-national',
    );
    expect(v2).toMatchObject({ version: 2, status: 'active', title: 'France reads alpha, v2' });
    expect(
      expectReply<AgreementBody>(await admin(h, 'get', '/admin/agreements/fr-national'), 200, 'get', '/admin/agreements/fr-national').version,
    ).toBe(2);
    const v1 = expectReply<AgreementBody>(
      await admin(h, 'get', '/admin/agreements/fr-national/versions/1'),
      200,
      'get',
      '/admin/agreements/fr-national/versions/1',
    );
    expect(v1).toMatchObject({ version: 1, title: 'France reads alpha' });
    const all = expectReply<{ versions: AgreementBody[] }>(
      await admin(h, 'get', '/admin/agreements/fr-national/versions'),
      200,
      'get',
      '/admin/agreements/fr-national/versions',
    );
    expect(all.versions.map((v) => [v.version, v.title])).toEqual([
      [1, 'France reads alpha'],
      [2, 'France reads alpha, v2'],
    ]);
  });

  it('a revision with another id is 400; revising an unknown agreement is 404', async () => {
    expect(expectError(await admin(h, 'put', '/admin/agreements/fr-national', agreementInput('other', 'fr-police', { all: true })), 400)).toMatch(
      /id cannot change/,
    );
    expectError(await admin(h, 'put', '/admin/agreements/nothing', agreementInput('nothing', 'fr-police', { all: true })), 404);
  });

  it('an unknown agreement or version is 404; a version that is not a number is 400', async () => {
    expectError(await admin(h, 'get', '/admin/agreements/nothing'), 404);
    expectError(await admin(h, 'get', '/admin/agreements/nothing/versions'), 404);
    expectError(await admin(h, 'get', '/admin/agreements/fr-national/versions/9'), 404);
    expect(expectError(await admin(h, 'get', '/admin/agreements/fr-national/versions/two'), 400)).toMatch(/not a version number/);
    expectError(await admin(h, 'get', '/admin/agreements/fr-national/versions/0'), 400);
    for (const action of ['activate', 'suspend', 'revoke'] as const) expectError(await move('nothing', action), 404);
  });

  it('status moves: draft → active, active → suspended → active; a draft cannot be suspended (409)', async () => {
    await create('lifecycle');
    expect(expectError(await move('lifecycle', 'suspend'), 409)).toMatch(/is draft; it cannot become suspended/);
    expect((await moved('lifecycle', 'activate')).status).toBe('active');
    expectError(await move('lifecycle', 'activate'), 409);
    expect((await moved('lifecycle', 'suspend')).status).toBe('suspended');
    expectError(await move('lifecycle', 'suspend'), 409);
    expect((await moved('lifecycle', 'activate')).status).toBe('active');
  });

  it('revoking is final: every later move or revision is 409', async () => {
    expect((await moved('lifecycle', 'revoke')).status).toBe('revoked');
    for (const action of ['activate', 'suspend', 'revoke'] as const) expect(expectError(await move('lifecycle', action), 409)).toMatch(/revoked/);
    expectError(await admin(h, 'put', '/admin/agreements/lifecycle', agreementInput('lifecycle', 'fr-police', { all: true })), 409);
    expect((await h.store.getAgreement('lifecycle'))?.status).toBe('revoked');
  });

  it("an agreement created through the API lets its party's reader read the collection at once; suspending it hides the collection again", async () => {
    await h.store.upsertParty({ id: 'br-police', name: 'Polícia Federal', kind: 'national-agency', country: 'BR' }, testChange('party', 'test'));
    expectReply(
      await admin(h, 'post', '/admin/accounts', { name: 'br-reader', roles: ['reader'], party: 'br-police', password: null }),
      201,
      'post',
      '/admin/accounts',
    );
    const token = expectReply<{ token: string }>(
      await admin(h, 'post', '/admin/accounts/br-reader/tokens', { label: 'siem' }),
      201,
      'post',
      '/admin/accounts/br-reader/tokens',
    ).token;
    const collection = () =>
      request(h.app).get(`/api1/collections/${h.collections.beta.id}/`).set('Accept', TAXII).set('Authorization', `Bearer ${token}`);

    expect((await collection()).status).toBe(404);
    expectReply(
      await admin(h, 'post', '/admin/agreements', agreementInput('br-beta', 'br-police', { aliases: ['beta'] }, { status: 'active' })),
      201,
      'post',
      '/admin/agreements',
    );
    const visible = await collection();
    expect(visible.status).toBe(200);
    expect(JSON.parse(visible.text)).toMatchObject({ id: h.collections.beta.id, can_read: true, can_write: false });
    await moved('br-beta', 'suspend');
    expect((await collection()).status).toBe(404);
    await moved('br-beta', 'activate');
    expect((await collection()).status).toBe(200);
  });
});
