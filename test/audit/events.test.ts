import request from 'supertest';
import { createAgreement } from '../../src/catalog/agreements';
import { addAccount, issueToken } from '../../src/catalog/accounts';
import type { AuditEvent } from '../../src/audit/events';
import { createHarness, indicator, type Harness } from '../support/harness';
import { add, del, get, manifestUrl, objectUrl, objectsUrl, statusUrl, versionsUrl } from '../http/wire';
import { testChange } from '../support/changes';

const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
const RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1';

/** Events since `start` (the harness's own setup is logged too). */
async function events(h: Harness, action?: string): Promise<AuditEvent[]> {
  await h.ctx.audit.flush();
  const page = await h.store.queryAuditEvents({ limit: 1000, afterSeq: start, ...(action !== undefined && { action }) });
  return page.records;
}

let start = 0;

describe('sharing log: an event for every exchange of STIX content', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
    start = (await h.store.auditHead()).seq;
  });
  afterEach(() => h.close());

  it('an add is logged with the account, party, credential, agreement basis, objects added and status id', async () => {
    const c = h.collections.alpha;
    const status = await add(h, c, [indicator(1), indicator(2), { type: 'indicator', id: 'bad' }]);
    const [e] = await events(h, 'objects.add');
    expect(e).toMatchObject({
      seq: expect.any(Number),
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      action: 'objects.add',
      outcome: 'success',
      account: 'writer',
      account_id: h.accounts.writer.id,
      party: 'operator',
      credential: expect.stringMatching(/^token:/),
      method: 'POST',
      api_root: 'api1',
      collection: c.id,
      agreements: ['operator-all@1'],
      objects: [
        { id: indicator(1).id, version: '2026-01-01T00:00:00.000000Z' },
        { id: indicator(2).id, version: '2026-01-01T00:00:00.000000Z' },
      ],
      http_status: 202,
      status_id: status.id,
      detail: { failed: 1, total: 3 },
    });
    expect(JSON.stringify(e)).not.toContain(h.accounts.writer.token);
  });

  it('reads of objects, one object, the manifest, versions and a status each log the versions delivered', async () => {
    const c = h.collections.alpha;
    const status = await add(h, c, [indicator(1), indicator(1, '2026-02-01T00:00:00.000Z')]);
    await get(h, objectsUrl(c), h.accounts.reader.auth);
    await get(h, objectUrl(c, indicator(1).id as string) + '?match[version]=all', h.accounts.reader.auth);
    await get(h, manifestUrl(c), h.accounts.reader.auth);
    await get(h, versionsUrl(c, indicator(1).id as string), h.accounts.reader.auth);
    await get(h, statusUrl('api1', status.id), h.accounts.writer.auth);
    const reads = (await events(h)).filter((e) => e.action.endsWith('.read'));
    const v1 = { id: indicator(1).id, version: '2026-01-01T00:00:00.000000Z' };
    const v2 = { id: indicator(1).id, version: '2026-02-01T00:00:00.000000Z' };
    expect(reads.map((e) => [e.action, e.account, e.objects ?? e.status_id])).toEqual([
      ['objects.read', 'reader', [v2]],
      ['object.read', 'reader', [v1, v2]],
      ['manifest.read', 'reader', [v2]],
      ['versions.read', 'reader', [v1, v2]],
      ['status.read', 'writer', status.id],
    ]);
    expect(reads[1]?.query).toEqual({ 'match[version]': 'all' });
  });

  it('a delete is logged with the versions removed, in the same transaction', async () => {
    const c = h.collections.alpha;
    await add(h, c, [indicator(3), indicator(3, '2026-03-01T00:00:00.000Z')]);
    await del(h, objectUrl(c, indicator(3).id as string) + '?match[version]=first');
    const [e] = await events(h, 'object.delete');
    expect(e).toMatchObject({
      outcome: 'success',
      account: 'editor',
      http_status: 200,
      objects: [{ id: indicator(3).id, version: '2026-01-01T00:00:00.000000Z' }],
    });
  });

  it('authentication failures and authorization denials are logged, with what was attempted', async () => {
    const c = h.collections.alpha;
    await request(h.app).get(objectsUrl(c)).set('Authorization', 'Bearer accord_wrong');
    await request(h.app)
      .post(objectsUrl(c))
      .set('Authorization', h.accounts.reader.auth)
      .set('Content-Type', 'application/taxii+json;version=2.1')
      .send('{"objects":[]}');
    await get(h, objectsUrl(c), h.accounts.auditor.auth);
    const all = await events(h);
    expect(
      all.map((e) => [e.action, e.outcome, e.http_status, e.account ?? null, (e.detail as { attempted?: string } | undefined)?.attempted ?? null]),
    ).toEqual([
      ['auth.failure', 'denied', 401, null, 'objects.read'],
      ['access.denied', 'denied', 403, 'reader', 'objects.add'],
      ['access.denied', 'denied', 404, 'auditor', 'objects.read'],
    ]);
  });

  it('a failed content request (bad parameter) is logged as a failure with its status', async () => {
    await get(h, objectsUrl(h.collections.alpha) + '?limit=0', h.accounts.reader.auth);
    expect((await events(h, 'objects.read')).map((e) => [e.outcome, e.http_status])).toEqual([['failure', 400]]);
  });

  it('catalogue changes are logged with who made them', async () => {
    await addAccount(h.store, h.clock.read, { name: 'new-reader', roles: ['reader'], partyId: 'operator', password: null }, h.accounts.admin.id);
    const [e] = await events(h, 'catalog.account');
    expect(e).toMatchObject({
      action: 'catalog.account.create',
      account_id: h.accounts.admin.id,
      detail: { entity: 'account', change: { name: 'new-reader', roles: ['reader'] } },
    });
  });
});

describe('sharing log: what the agreement scope withheld', () => {
  it('counts withheld objects by reason, matching what the caller did not receive', async () => {
    const h = await createHarness({ operatorAgreement: false });
    try {
      await h.store.upsertParty({ id: 'fr', name: 'FR', kind: 'national-agency', country: 'FR' }, testChange('party', 'test'));
      const { account } = await addAccount(h.store, h.clock.read, { name: 'fr-siem', roles: ['reader'], partyId: 'fr', password: null }, 'test');
      const { token } = await issueToken(h.store, h.clock.read, account.id, 't', 'test');
      await createAgreement(h.store, h.clock.read, 'test', {
        id: 'fr',
        title: 'fr',
        instrument: 'x',
        parties: ['operator', 'fr'],
        valid_from: '2000-01-01T00:00:00Z',
        status: 'active',
        grants: [
          { party: 'fr', actions: ['read'], collections: { all: true }, max_tlp: 'green', unmarked_as: 'deny', types: { deny: ['malware'] } },
          { party: 'operator', actions: ['read', 'write'], collections: { all: true }, max_tlp: 'red', unmarked_as: 'clear' },
        ],
      });
      await createAgreement(h.store, h.clock.read, 'test', {
        id: 'op',
        title: 'op',
        instrument: 'x',
        parties: ['operator'],
        valid_from: '2000-01-01T00:00:00Z',
        status: 'active',
        grants: [{ party: 'operator', actions: ['read', 'write'], collections: { all: true }, max_tlp: 'red', unmarked_as: 'clear' }],
      });
      const c = h.collections.alpha;
      const malware = {
        type: 'malware',
        spec_version: '2.1',
        id: 'malware--00000000-0000-4000-8000-000000000009',
        created: '2026-01-01T00:00:00.000Z',
        modified: '2026-01-01T00:00:00.000Z',
        is_family: false,
        object_marking_refs: [GREEN],
      };
      await add(h, c, [
        indicator(1, undefined, { object_marking_refs: [GREEN] }),
        indicator(2, undefined, { object_marking_refs: [RED] }),
        indicator(3),
        malware,
        indicator(4, undefined, { object_marking_refs: [GREEN] }),
      ]);
      const res = await get(h, objectsUrl(c), `Bearer ${token}`);
      expect((JSON.parse(res.text) as { objects: { id: string }[] }).objects.map((o) => o.id)).toEqual([indicator(1).id, indicator(4).id]);
      await h.ctx.audit.flush();
      const [e] = (await h.store.queryAuditEvents({ action: 'objects.read', limit: 10 })).records;
      expect(e?.withheld).toEqual({ count: 3, reasons: { tlp: 1, unmarked: 1, type: 1 } });
      expect(e?.agreements).toEqual(['fr@1']);
    } finally {
      await h.close();
    }
  });
});
