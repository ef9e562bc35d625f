import request from 'supertest';
import { verifyExport } from '../../src/audit/export';
import { createHarness, indicator, type Harness } from '../support/harness';
import { add, get, objectsUrl } from '../http/wire';

const json = (res: request.Response) => JSON.parse(res.text) as Record<string, unknown>;

describe('auditor API (/audit/)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    const c = h.collections.alpha;
    await add(h, c, [indicator(1), indicator(2)]);
    h.clock.advance(86_400_000_000);
    await add(h, h.collections.gamma, [indicator(1, '2026-02-01T00:00:00.000Z')]);
    await get(h, objectsUrl(c), h.accounts.reader.auth);
    await get(h, objectsUrl(h.collections.gamma), h.accounts.reader.auth);
    await h.ctx.audit.flush();
  });
  afterAll(() => h.close());

  const audit = (path: string, auth = h.accounts.auditor.auth) => request(h.app).get(`/audit${path}`).set('Authorization', auth);

  it('is for auditors only: other roles get 403, no credentials 401', async () => {
    expect((await audit('/events', h.accounts.admin.auth)).status).toBe(403);
    expect((await audit('/events', h.accounts.reader.auth)).status).toBe(403);
    const none = await request(h.app).get('/audit/events');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/Basic/);
  });

  it('auditors read the log but not STIX content', async () => {
    expect((await get(h, objectsUrl(h.collections.alpha), h.accounts.auditor.auth)).status).toBe(404);
    expect((await audit('/events')).status).toBe(200);
  });

  it('filters events by action, account and collection, with cursor paging', async () => {
    const reads = json(await audit(`/events?action=objects.read&account=reader&collection=${h.collections.alpha.id}`));
    expect((reads.events as { action: string; collection: string }[]).map((e) => [e.action, e.collection])).toEqual([
      ['objects.read', h.collections.alpha.id],
    ]);
    const first = json(await audit('/events?action=objects&limit=2'));
    expect(first.more).toBe(true);
    const second = json(await audit(`/events?action=objects&limit=2&next=${String(first.next)}`));
    const seqs = [...(first.events as { seq: number }[]), ...(second.events as { seq: number }[])].map((e) => e.seq);
    expect(seqs).toHaveLength(4);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(4);
  });

  it('filters by time range and by agreement', async () => {
    const day2 = '2026-01-02T00:00:00Z';
    const late = json(await audit(`/events?action=objects.add&from=${day2}`));
    expect((late.events as { collection: string }[]).map((e) => e.collection)).toEqual([h.collections.gamma.id]);
    const byAgreement = json(await audit('/events?agreement=operator-all&action=objects.add'));
    expect((byAgreement.events as unknown[]).length).toBe(2);
    expect((await audit('/events?from=yesterday')).status).toBe(400);
    expect((await audit('/events?colour=blue')).status).toBe(400);
  });

  it("gives an object's chain of custody: who submitted each version and who received it", async () => {
    const custody = json(await audit(`/objects/${String(indicator(1).id)}/custody`)) as {
      versions: { version: string; submitted: { account: string; collection: string }[]; received: { account: string }[] }[];
    };
    expect(custody.versions.map((v) => [v.version, v.submitted.map((s) => s.account), v.received.map((r) => r.account)])).toEqual([
      ['2026-01-01T00:00:00.000000Z', ['writer'], ['reader']],
      ['2026-02-01T00:00:00.000000Z', ['writer'], ['reader']],
    ]);
    expect((await audit('/objects/indicator--99999999-0000-4000-8000-000000000000/custody')).status).toBe(404);
  });

  it('summarises objects shared per agreement and per day', async () => {
    const summary = json(await audit('/summary?group=agreement'));
    expect(summary.rows).toEqual([{ day: '2026-01-02', key: 'operator-all@1', objects: 3, requests: 2 }]);
    expect((await audit('/summary?group=planet')).status).toBe(400);
  });

  it('verifies the whole log', async () => {
    expect(json(await audit('/verify'))).toMatchObject({ ok: true, firstSeq: 1 });
  });

  it('exports NDJSON and CSV that verify offline', async () => {
    for (const format of ['ndjson', 'csv']) {
      const res = await audit(`/export?format=${format}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(format === 'csv' ? /^text\/csv/ : /^application\/x-ndjson/);
      expect(verifyExport(res.text)).toMatchObject({ ok: true, complete: true, firstSeq: 1 });
    }
  });
});
