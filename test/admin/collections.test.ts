/**
 * Administrators list the collections of every API root and define new ones. A collection is
 * addressed by id and by alias, so the alias must be free in its API root.
 */
import request from 'supertest';
import { createHarness, TAXII, type Harness } from '../support/harness';
import { admin, expectError, expectReply } from './support';

const ID = '6f1e2b4c-8a57-4c3e-b0d4-1d2e3f405162';
const url = (id: string) => `/admin/collections/${id}`;

interface CollectionBody {
  id: string;
  api_root: string;
  alias?: string;
  country?: string;
  title: string;
  description?: string;
}

describe('Admin API: collections', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('an administrator lists the collections of every API root', async () => {
    const body = expectReply<{ collections: CollectionBody[] }>(await admin(h, 'get', '/admin/collections'), 200, 'get', '/admin/collections');
    expect(body.collections).toEqual(
      (['alpha', 'beta', 'gamma'] as const).map((alias) => ({
        id: h.collections[alias].id,
        api_root: alias === 'gamma' ? 'api2' : 'api1',
        alias,
        title: `Collection ${alias}`,
        description: `the ${alias} collection`,
      })),
    );
  });

  it('an administrator creates a collection (201); TAXII clients see it at once', async () => {
    const input = { api_root: 'api2', alias: 'fr', title: 'France (FR)', country: 'FR', description: 'shared with and by France' };
    expect(expectReply(await admin(h, 'put', url(ID), input), 201, 'put', url(ID))).toEqual({ id: ID, ...input });
    const taxii = await request(h.app).get(`/api2/collections/${ID}/`).set('Accept', TAXII).set('Authorization', h.accounts.reader.auth);
    expect(taxii.status).toBe(200);
    expect(JSON.parse(taxii.text)).toMatchObject({
      id: ID,
      title: 'France (FR)',
      can_read: true,
      media_types: ['application/stix+json;version=2.1'],
    });
    expect((await request(h.app).get('/api2/collections/fr/').set('Accept', TAXII).set('Authorization', h.accounts.reader.auth)).status).toBe(200);
  });

  it('PUT on an existing collection updates it (200)', async () => {
    const input = { id: ID, api_root: 'api2', alias: 'fr', title: 'France', country: 'FR' };
    expect(expectReply(await admin(h, 'put', url(ID), input), 200, 'put', url(ID))).toEqual(input);
    expect(await h.store.getCollection('api2', ID)).toEqual({
      id: ID,
      apiRoot: 'api2',
      alias: 'fr',
      title: 'France',
      country: 'FR',
      mediaTypes: ['application/stix+json;version=2.1'],
    });
  });

  it('an alias taken in the API root is 409; the same alias in another root is fine', async () => {
    const other = '0b9f6f5e-2f3c-4d6a-9b8e-7c1d2e3f4a5b';
    expect(expectError(await admin(h, 'put', url(other), { api_root: 'api1', alias: 'alpha', title: 'Clash' }), 409)).toMatch(
      /"alpha" is taken in API root "api1"/,
    );
    expect(await h.store.getCollection('api1', other)).toBeUndefined();
    expectReply(await admin(h, 'put', url(other), { api_root: 'api2', alias: 'alpha', title: 'Alpha two' }), 201, 'put', url(other));
  });

  it.each([
    ['not-a-uuid', { api_root: 'api1', alias: 'x1', title: 'X' }, /is not a UUID/],
    ['6F1E2B4C-8A57-4C3E-B0D4-1D2E3F405162', { api_root: 'api1', alias: 'x1', title: 'X' }, /is not a UUID/],
    ['11111111-2222-4333-8444-555555555555', { api_root: 'nowhere', alias: 'x1', title: 'X' }, /no API root "nowhere"/],
    ['11111111-2222-4333-8444-555555555555', { api_root: 'api1', alias: 'X 1', title: 'X' }, /\/alias must match pattern/],
    ['11111111-2222-4333-8444-555555555555', { api_root: 'api1', alias: 'x1', title: 'X', country: 'France' }, /\/country must match pattern/],
    ['11111111-2222-4333-8444-555555555555', { api_root: 'api1', alias: 'x1' }, /must have required property 'title'/],
    ['11111111-2222-4333-8444-555555555555', { api_root: 'api1', alias: 'x1', title: 'X', media_types: [] }, /unknown property "media_types"/],
    ['11111111-2222-4333-8444-555555555555', { id: ID, api_root: 'api1', alias: 'x1', title: 'X' }, /differs from the one in the path/],
  ])('an invalid collection is 400 with the reason (%s %j)', async (id, input, reason) => {
    expect(expectError(await admin(h, 'put', url(id), input), 400)).toMatch(reason);
    expect((await h.store.listCollections()).some((c) => c.alias === 'x1')).toBe(false);
  });
});
