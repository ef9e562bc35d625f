import request from 'supertest';
import { addAccount, issueToken } from '../../src/catalog/accounts';
import { createHarness, indicator, type Harness } from '../support/harness';
import { add, freshCollection, get, slashForms, statusUrl, taxii, TIMESTAMP, uuid } from './wire';

describe('TAXII 2.1 §4.3 Get Status', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('§4.3 the status returned by Add Objects is readable at /{root}/status/{id}/, with and without the trailing slash', async () => {
    const c = await freshCollection(h);
    h.clock.now = Date.UTC(2026, 2, 4, 5, 6, 7, 89) * 1000 + 123;
    const posted = await add(h, c, [indicator(1), indicator(2)]);
    expect(posted.request_timestamp).toBe('2026-03-04T05:06:07.089123Z');
    for (const url of slashForms(statusUrl('api1', posted.id))) {
      const res = await get(h, url, h.accounts.writer.auth);
      const status = taxii(res, 200, 'status');
      expect(status).toEqual(posted);
    }
  });

  it('§4.3.1 reports every count, and the successes with id and canonical version', async () => {
    const c = await freshCollection(h);
    const posted = await add(h, c, [indicator(3, '2026-01-02T03:04:05.678Z')]);
    const status = taxii(await get(h, statusUrl('api1', posted.id), h.accounts.writer.auth), 200, 'status');
    expect(status).toMatchObject({
      status: 'complete',
      total_count: 1,
      success_count: 1,
      failure_count: 0,
      pending_count: 0,
      successes: [{ id: indicator(3).id, version: '2026-01-02T03:04:05.678000Z' }],
    });
    expect(status.failures).toBeUndefined();
    expect(status.pendings).toBeUndefined();
    expect(status.request_timestamp).toMatch(TIMESTAMP);
  });

  // Issue #12: admins of any party read every party's statuses (which list object ids, RED
  // ones included). A status is its requester's; auditors read it through the sharing log.
  it('§4.3 status leak: an admin gets the same 404 as for an unknown status; an auditor reads it at /audit/statuses/', async () => {
    const c = await freshCollection(h);
    const posted = await add(h, c, [indicator(4)]);
    const unknown = taxii(await get(h, statusUrl('api1', '00000000-0000-4000-8000-000000000000'), h.accounts.admin.auth), 404, 'error');
    expect(taxii(await get(h, statusUrl('api1', posted.id), h.accounts.admin.auth), 404, 'error')).toEqual(unknown);
    const audited = await request(h.app).get(`/audit/statuses/${posted.id}`).set('Authorization', h.accounts.auditor.auth);
    expect(audited.status).toBe(200);
    expect(audited.body).toEqual({ ...posted, api_root: 'api1', account_id: h.accounts.writer.id, party: 'operator' });
    expect((await request(h.app).get(`/audit/statuses/${posted.id}`).set('Authorization', h.accounts.admin.auth)).status).toBe(403);
  });

  it('§4.3 any other account (another writer, a reader, an auditor) gets the same 404 as for an unknown status', async () => {
    const c = await freshCollection(h);
    const posted = await add(h, c, [indicator(5)]);
    const { account } = await addAccount(
      h.store,
      h.clock.read,
      { name: 'second-writer', roles: ['writer'], partyId: 'operator', password: null },
      'test',
    );
    const { token } = await issueToken(h.store, h.clock.read, account.id, 'test', 'test');
    const unknown = taxii(await get(h, statusUrl('api1', '2f0c9d7e-1b1c-4c5e-9a55-0e7d3a1b2c3d')), 404, 'error');
    for (const auth of [`Bearer ${token}`, h.accounts.reader.auth, h.accounts.auditor.auth]) {
      const res = await get(h, statusUrl('api1', posted.id), auth);
      expect(taxii(res, 404, 'error')).toEqual(unknown);
    }
  });

  it('§4.3 a status belongs to its API root: asked for under another root it is 404', async () => {
    const c = await freshCollection(h);
    const posted = await add(h, c, [indicator(6)]);
    taxii(await get(h, statusUrl('api2', posted.id), h.accounts.writer.auth), 404, 'error');
    taxii(await get(h, statusUrl('api2', posted.id), h.accounts.admin.auth), 404, 'error');
  });

  it('§4.3 an unknown API root is 404 before any status is looked up', async () => {
    const c = await freshCollection(h);
    const posted = await add(h, c, [indicator(7)]);
    taxii(await get(h, statusUrl('nope', posted.id)), 404, 'error');
  });

  it('§4.3 a status id that is not a UUID is 404, not an error', async () => {
    for (const id of ['not-a-uuid', uuid(1).toUpperCase(), "x'%20OR%201=1"]) {
      taxii(await get(h, statusUrl('api1', id)), 404, 'error');
    }
  });

  it('§4.3 a status stays readable after more objects are added', async () => {
    const c = await freshCollection(h);
    const first = await add(h, c, [indicator(8)]);
    for (let i = 0; i < 3; i++) await add(h, c, [indicator(100 + i)]);
    expect(taxii(await get(h, statusUrl('api1', first.id), h.accounts.writer.auth), 200, 'status')).toEqual(first);
  });
});
