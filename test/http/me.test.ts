/** /me/: an account's own access under its party's agreements, and its latest submissions with their statuses. */
import request from 'supertest';
import { createAgreement } from '../../src/catalog/agreements';
import { createHarness, indicator, type Harness } from '../support/harness';
import { add } from './wire';
import { testChange } from '../support/changes';

describe('/me/ (any account: my access, my submissions)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.store.upsertCollection({ ...h.collections.beta, country: 'BR' }, testChange('collection', h.collections.beta.id, 'update'));
    await createAgreement(h.store, h.clock.read, 'test', {
      id: 'brazil-green',
      title: 'Brazil up to green',
      instrument: 'test',
      parties: ['operator'],
      valid_from: '2000-01-01T00:00:00Z',
      valid_until: '2026-01-20T00:00:00Z',
      status: 'active',
      grants: [{ party: 'operator', actions: ['read', 'write'], collections: { countries: ['BR'] }, max_tlp: 'green', unmarked_as: 'deny' }],
    });
    await add(h, h.collections.alpha, [indicator(1), { id: 'bad' }]);
    await h.ctx.audit.flush();
  });
  afterAll(() => h.close());

  const me = (path: string, auth: string) => request(h.app).get(`/me${path}`).set('Authorization', auth);

  it('lists what my party may do under each agreement, where, up to which TLP and until when, and what my roles let me use', async () => {
    const body = (await me('/access', h.accounts.reader.auth)).body as { account: string; access: Record<string, unknown>[] };
    expect(body.account).toBe('reader');
    const brazil = body.access.find((a) => a.agreement === 'brazil-green@1');
    expect(brazil).toMatchObject({
      in_force: true,
      valid_until: '2026-01-20T00:00:00.000000Z',
      actions: ['read', 'write'],
      usable_actions: ['read'],
      max_tlp: 'green',
      unmarked_as: 'deny',
      collections: [{ id: h.collections.beta.id, alias: 'beta', country: 'BR' }],
    });
    const all = body.access.find((a) => a.agreement === 'operator-all@1');
    expect((all?.collections as unknown[]).length).toBe(3);
  });

  it('lists my latest submissions, newest first, with their status counts; nobody else’s', async () => {
    const mine = (await me('/submissions', h.accounts.writer.auth)).body as { submissions: Record<string, unknown>[] };
    expect(mine.submissions).toHaveLength(1);
    expect(mine.submissions[0]).toMatchObject({
      collection: h.collections.alpha.id,
      status: { status: 'complete', total_count: 2, success_count: 1, failure_count: 1 },
    });
    expect(((await me('/submissions', h.accounts.reader.auth)).body as { submissions: unknown[] }).submissions).toEqual([]);
  });

  it('needs credentials, and refuses unknown parameters', async () => {
    expect((await request(h.app).get('/me/access')).status).toBe(401);
    expect((await me('/access?x=1', h.accounts.reader.auth)).status).toBe(400);
    expect((await me('/submissions?limit=0', h.accounts.reader.auth)).status).toBe(400);
  });
});
