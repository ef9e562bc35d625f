/** The change record: administrators see who changed what in the catalogue, and when. */
import { createHarness, type Harness } from '../support/harness';
import { admin, agreementInput, expectError, expectReply } from './support';

interface ChangeBody {
  seq: number;
  at: string;
  by: string;
  by_name?: string;
  entity: string;
  entity_id: string;
  action: string;
  detail?: Record<string, unknown>;
}
interface ChangeList {
  changes: ChangeBody[];
  more: boolean;
  next?: number;
}

describe('Admin API: the change record', () => {
  let h: Harness;
  let start: number;
  beforeAll(async () => {
    h = await createHarness();
    // The harness's own set-up is recorded too; the tests look at what follows it.
    start = (await h.store.listChanges(1000)).at(-1)!.seq;
  });
  afterAll(() => h.close());

  const changes = async (query: string) => expectReply<ChangeList>(await admin(h, 'get', `/admin/changes${query}`), 200, 'get', '/admin/changes');

  it('lists who did what, and when, in order, for every kind of change', async () => {
    h.clock.now = Date.UTC(2026, 2, 1, 9, 30) * 1000 + 123456;
    await admin(h, 'post', '/admin/parties', { id: 'acme', name: 'Acme', kind: 'vendor' });
    h.clock.advance(1e6);
    await admin(h, 'post', '/admin/accounts', { name: 'acme-bot', roles: ['writer'], party: 'acme', password: 'a long enough password' });
    const token = (await admin(h, 'post', '/admin/accounts/acme-bot/tokens', { label: 'push' })).body as { id: string };
    await admin(h, 'patch', '/admin/accounts/acme-bot', { roles: ['writer', 'reader'], password: 'another long password' });
    await admin(h, 'delete', `/admin/tokens/${token.id}`);
    await admin(h, 'put', '/admin/collections/11111111-2222-4333-8444-555555555555', { api_root: 'api1', alias: 'acme', title: 'Acme' });
    await admin(h, 'post', '/admin/agreements', agreementInput('acme-push', 'acme', { aliases: ['acme'] }));
    await admin(h, 'post', '/admin/agreements/acme-push/activate');

    const body = await changes(`?after=${start}`);
    const account = await h.store.getAccountByName('acme-bot');
    expect(body.changes.map((c) => [c.by_name, c.entity, c.entity_id, c.action])).toEqual([
      ['admin', 'party', 'acme', 'create'],
      ['admin', 'account', account!.id, 'create'],
      ['admin', 'token', token.id, 'issue'],
      ['admin', 'account', account!.id, 'update'],
      ['admin', 'token', token.id, 'revoke'],
      ['admin', 'collection', '11111111-2222-4333-8444-555555555555', 'create'],
      ['admin', 'agreement', 'acme-push', 'create'],
      ['admin', 'agreement', 'acme-push', 'active'],
    ]);
    expect(body.changes.every((c) => c.by === h.accounts.admin.id)).toBe(true);
    expect(body.changes[0]!.at).toBe('2026-03-01T09:30:00.123456Z');
    expect(body.changes[1]!.at).toBe('2026-03-01T09:30:01.123456Z');
    expect(body.changes[3]!.detail).toEqual({ roles: ['writer', 'reader'], password: 'changed' });
    expect(body.more).toBe(false);
    expect(body.next).toBe(body.changes.at(-1)!.seq);
  });

  it('never records a secret', async () => {
    const text = (await admin(h, 'get', '/admin/changes?limit=1000')).text;
    for (const secret of ['a long enough password', 'another long password', 'scrypt']) expect(text).not.toContain(secret);
  });

  it('a change from the command line shows by the local operator and no account name', async () => {
    const first = (await changes('?limit=1')).changes[0]!;
    expect(first).toMatchObject({ seq: 1, by: 'cli:test', entity: 'api-root', entity_id: 'api1', action: 'create' });
    expect(first).not.toHaveProperty('by_name');
  });

  it('pages with limit and after, never repeating or skipping a change', async () => {
    const everything = (await changes('?limit=1000')).changes.map((c) => c.seq);
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const page = await changes(`?after=${after}&limit=3`);
      expect(page.changes.length).toBeLessThanOrEqual(3);
      seen.push(...page.changes.map((c) => c.seq));
      if (!page.more) break;
      after = page.next!;
    }
    expect(seen).toEqual(everything);
    expect(everything.length).toBeGreaterThan(10);
    const past = await changes(`?after=${everything.at(-1)!}`);
    expect(past).toEqual({ changes: [], more: false });
  });

  it.each(['?limit=0', '?limit=1001', '?limit=ten', '?after=-1', '?after=1.5', '?since=3'])('a bad parameter is 400 (%s)', async (query) => {
    expectError(await admin(h, 'get', `/admin/changes${query}`), 400);
  });
});
