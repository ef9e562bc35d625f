/**
 * The auditor API's console summaries: overview, flows, map, withheld, integrity, and events
 * newest first. Built from the daily summary tables the appends maintain.
 */
import request from 'supertest';
import { createHarness, indicator, type Harness } from '../support/harness';
import { add, get, objectsUrl } from '../http/wire';
import { addAccount, issueToken } from '../../src/catalog/accounts';
import { createAgreement } from '../../src/catalog/agreements';
import { OPERATOR, testChange } from '../support/changes';

type Json = Record<string, unknown>;
const json = (res: request.Response) => JSON.parse(res.text) as Json;
const RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1';

describe('auditor API console summaries (/audit/overview, /flows, /map, /withheld, /integrity)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.store.upsertCollection({ ...h.collections.alpha, country: 'FR' }, testChange('collection', h.collections.alpha.id, 'update'));
    await add(h, h.collections.alpha, [indicator(1), indicator(2), indicator(3, '2026-01-01T00:00:00.000Z', { object_marking_refs: [RED] })]);
    h.clock.advance(86_400_000_000);
    await get(h, objectsUrl(h.collections.alpha), h.accounts.reader.auth);
    // A party whose agreement stops at TLP:GREEN: the TLP:RED indicator is withheld from it.
    await h.store.upsertParty({ id: 'green-ncb', name: 'Green NCB', kind: 'other' }, testChange('party', 'green-ncb'));
    const { account } = await addAccount(
      h.store,
      h.clock.read,
      { name: 'green-reader', roles: ['reader'], partyId: 'green-ncb', password: null },
      OPERATOR,
    );
    const { token } = await issueToken(h.store, h.clock.read, account.id, 'test', OPERATOR);
    await createAgreement(h.store, h.clock.read, 'test', {
      id: 'green-only',
      title: 'Green only',
      instrument: 'test',
      parties: ['green-ncb'],
      valid_from: '2000-01-01T00:00:00Z',
      status: 'active',
      grants: [{ party: 'green-ncb', actions: ['read'], collections: { all: true }, max_tlp: 'green', unmarked_as: 'clear' }],
    });
    await get(h, objectsUrl(h.collections.alpha), `Bearer ${token}`);
    await get(h, objectsUrl(h.collections.beta), h.accounts.auditor.auth); // refused: auditors hold no agreement
    await h.ctx.audit.flush();
  });
  afterAll(() => h.close());

  const audit = (path: string, auth = h.accounts.auditor.auth) => request(h.app).get(`/audit${path}`).set('Authorization', auth);

  it('is for auditors only', async () => {
    for (const path of ['/overview', '/flows', '/map', '/withheld', '/integrity']) {
      expect((await audit(path, h.accounts.admin.auth)).status).toBe(403);
      expect((await audit(path, h.accounts.reader.auth)).status).toBe(403);
    }
  });

  it('overview: events per day by action and outcome, objects received and delivered per day, refusals', async () => {
    const o = json(await audit('/overview?from=2026-01-01&to=2026-01-03'));
    expect(o.days).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
    expect(o.received).toEqual([3, 0, 0]);
    expect(o.delivered).toEqual([0, 5, 0]);
    const events = o.events as { action: string; outcome: string; perDay: number[] }[];
    expect(events.find((e) => e.action === 'objects.add' && e.outcome === 'success')?.perDay).toEqual([1, 0, 0]);
    expect(events.find((e) => e.action === 'objects.read' && e.outcome === 'success')?.perDay).toEqual([0, 2, 0]);
    expect(o.refusals).toContainEqual({ action: 'access.denied', outcome: 'denied', events: 1 });
  });

  it('defaults to the 30 days up to today and refuses bad or oversized ranges', async () => {
    const o = json(await audit('/overview'));
    expect([o.from, o.to]).toEqual(['2025-12-04', '2026-01-02']);
    expect((o.days as string[]).length).toBe(30);
    expect((await audit('/overview?from=2026-01-05&to=2026-01-01')).status).toBe(400);
    expect((await audit('/overview?from=2020-01-01&to=2026-01-01')).status).toBe(400);
    expect((await audit('/overview?from=yesterday')).status).toBe(400);
    expect((await audit('/flows?party=x')).status).toBe(400);
  });

  it('flows: party → collection (adds) and collection → party (reads), with objects and requests', async () => {
    const f = json(await audit('/flows?from=2026-01-01&to=2026-01-02'));
    expect(f.pushed).toEqual([{ party: 'operator', collection: h.collections.alpha.id, country: 'FR', objects: 3, requests: 1 }]);
    expect(f.delivered).toEqual([
      { party: 'operator', collection: h.collections.alpha.id, country: 'FR', objects: 3, requests: 1 },
      { party: 'green-ncb', collection: h.collections.alpha.id, country: 'FR', objects: 2, requests: 1 },
    ]);
    expect(f.collections).toEqual({ [h.collections.alpha.id]: { title: 'Collection alpha', alias: 'alpha', country: 'FR' } });
    // A range without the day of the add has no pushed flow.
    expect(json(await audit('/flows?from=2026-01-02&to=2026-01-02')).pushed).toEqual([]);
  });

  it('map: objects pushed and delivered per country', async () => {
    expect(json(await audit('/map?from=2026-01-01&to=2026-01-02')).countries).toEqual([{ country: 'FR', pushed: 3, delivered: 5 }]);
  });

  it('withheld: what was withheld from which party, from which collection, and why', async () => {
    expect(json(await audit('/withheld?from=2026-01-01&to=2026-01-02')).withheld).toEqual([
      { party: 'green-ncb', collection: h.collections.alpha.id, country: 'FR', reason: 'tlp', count: 1 },
    ]);
  });

  it('integrity: head, checkpoints and the last verification (verifying is logged)', async () => {
    const before = json(await audit('/integrity'));
    expect(before.last_verification).toBeUndefined();
    expect((before.head as { seq: number }).seq).toBeGreaterThan(0);
    expect(json(await audit('/verify')).ok).toBe(true);
    const after = json(await audit('/integrity'));
    expect(after.last_verification).toMatchObject({ ok: true, account: 'auditor' });
  });

  it('events newest first, with a cursor that pages backwards', async () => {
    const first = json(await audit('/events?order=desc&limit=2'));
    const seqs = (first.events as { seq: number }[]).map((e) => e.seq);
    expect(seqs[0]).toBeGreaterThan(seqs[1] as number);
    const next = json(await audit(`/events?order=desc&limit=2&next=${String(first.next)}`));
    expect((next.events as { seq: number }[])[0]?.seq).toBeLessThan(seqs[1] as number);
    expect((await audit('/events?order=sideways')).status).toBe(400);
  });
});
