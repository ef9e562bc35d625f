/**
 * Issue #12 item 10: request rates "per agreement, as its terms say". Two parties read the
 * collection `alpha` under one agreement that allows each party 6 requests a minute in bursts
 * of 2 (all its accounts together); a request past that gets 429 with Retry-After and a TAXII
 * 2.1 §3.6.1 error body that names nothing of the other party. The test clock stands still
 * unless a test advances it, so buckets refill only when told.
 */
import request from 'supertest';
import type { AgreementInput } from '../../src/catalog/agreements';
import { account, agree, party } from '../access/support';
import { admin } from '../admin/support';
import { createHarness, envelope, indicator, TAXII, type Harness, type TestAccount } from '../support/harness';
import { taxii } from './wire';

const RATE = { requests_per_minute: 6, burst: 2 };
const objectsOf = (h: Harness, alias = 'alpha') => `/api1/collections/${h.collections[alias as 'alpha'].id}/objects/`;
const get = (h: Harness, who: TestAccount, path = objectsOf(h)) => request(h.app).get(path).set('Accept', TAXII).set('Authorization', who.auth);

/** The agreement every test starts from: both parties read `alpha`, at RATE. */
const exchange = (terms: AgreementInput['terms'] = { rate_limit: RATE }) => ({
  grants: [
    { party: 'fr-police', actions: ['read' as const], collections: { aliases: ['alpha'] }, max_tlp: 'red' as const },
    { party: 'de-bsi', actions: ['read' as const], collections: { aliases: ['alpha'] }, max_tlp: 'red' as const },
  ],
  terms,
});

/** A 429 with Retry-After and a TAXII error body; returns the body's description. */
function overRate(res: request.Response, retryAfter: string): string {
  const body = taxii(res, 429, 'error');
  expect(body.title).toBe('Too many requests');
  expect(res.headers['retry-after']).toBe(retryAfter);
  return String(body.description);
}

describe('issue #12 item 10 — rate limits per agreement, as its terms say', () => {
  let h: Harness;
  let fr1: TestAccount;
  let fr2: TestAccount;
  let de: TestAccount;

  beforeEach(async () => {
    h = await createHarness({ operatorAgreement: false });
    await party(h, 'fr-police', 'FR');
    await party(h, 'de-bsi', 'DE');
    fr1 = await account(h, 'fr-siem', 'fr-police', ['reader']);
    fr2 = await account(h, 'fr-analyst', 'fr-police', ['reader']);
    de = await account(h, 'de-siem', 'de-bsi', ['reader']);
    const { grants, terms } = exchange();
    await agree(h, 'eu-exchange', grants, { terms });
  });
  afterEach(() => h.close());

  it('past the burst, 429 with Retry-After and a TAXII error body naming only the caller’s own agreement and its term; the other party is unaffected', async () => {
    for (let i = 0; i < 2; i++) expect((await get(h, fr1)).status).toBe(200);
    const description = overRate(await get(h, fr1), '10');
    expect(description).toBe('agreement "eu-exchange" allows your organisation 6 requests a minute (bursts of 2), all its accounts together');
    expect(description).not.toMatch(/de-bsi|de-siem/);
    // The other party to the same agreement has its own bucket.
    for (let i = 0; i < 2; i++) expect((await get(h, de)).status).toBe(200);
    overRate(await get(h, de), '10');
    // 6 a minute: a token is back after 10 s, for each party.
    h.clock.advance(10e6);
    expect((await get(h, fr1)).status).toBe(200);
    expect((await get(h, de)).status).toBe(200);
    overRate(await get(h, fr1), '10');
  });

  it('two accounts of one party share the bucket: more accounts buy no more requests', async () => {
    expect((await get(h, fr1)).status).toBe(200);
    expect((await get(h, fr2)).status).toBe(200);
    overRate(await get(h, fr2), '10');
    overRate(await get(h, fr1), '10');
  });

  it('every request under the agreement draws from it (objects, object, manifest, versions, HEAD); requests that rest on no agreement do not', async () => {
    const id = 'indicator--00000001-0000-4000-8000-000000000000';
    expect((await get(h, fr1, `${objectsOf(h).replace(/objects\/$/, 'manifest/')}`)).status).toBe(200);
    expect((await get(h, fr1, `${objectsOf(h)}${id}/versions/`)).status).toBe(404);
    overRate(await get(h, fr1, `${objectsOf(h)}${id}/`), '10');
    const head = await request(h.app).head(objectsOf(h)).set('Accept', TAXII).set('Authorization', fr1.auth);
    expect([head.status, head.headers['retry-after']]).toEqual([429, '10']);
    // Discovery, the collections list and one collection's resource deliver no shared content: the per-account limit alone.
    for (const path of ['/taxii2/', '/api1/', '/api1/collections/', `/api1/collections/${h.collections.alpha.id}/`])
      expect((await get(h, fr1, path)).status).toBe(200);
  });

  it('adding objects under a rated agreement draws from it too', async () => {
    const writer = await account(h, 'fr-feed', 'fr-police', ['writer']);
    await agree(h, 'fr-push', [{ party: 'fr-police', actions: ['write'], collections: { aliases: ['alpha'] }, max_tlp: 'red' }], {
      terms: { rate_limit: { requests_per_minute: 1, burst: 1 } },
    });
    const add = (n: number) =>
      request(h.app)
        .post(objectsOf(h))
        .set('Accept', TAXII)
        .set('Content-Type', TAXII)
        .set('Authorization', writer.auth)
        .send(envelope([indicator(n)]));
    expect((await add(1)).status).toBe(202);
    expect(overRate(await add(2), '60')).toMatch(/^agreement "fr-push" allows your organisation 1 request a minute/);
    // The refused envelope stored nothing.
    expect(taxii(await get(h, fr1), 200, 'envelope').objects?.map((o) => o.id)).toEqual([indicator(1).id]);
  });

  it('a collection the party may not see stays 404, never 429: the rate reveals nothing about what is hidden', async () => {
    for (let i = 0; i < 2; i++) await get(h, fr1);
    expect((await get(h, fr1, objectsOf(h, 'beta'))).status).toBe(404);
  });

  it('a refusal is in the sharing log as rate.limited under the agreement, aggregated like the per-account limit', async () => {
    for (let i = 0; i < 6; i++) await get(h, fr1);
    await h.ctx.audit.flush();
    const events = (await h.store.queryAuditEvents({ account: 'fr-siem', limit: 100 })).records;
    expect(events.map((e) => [e.action, e.http_status])).toEqual([
      ['objects.read', 200],
      ['objects.read', 200],
      ['rate.limited', 429],
    ]);
    expect(events[2]).toMatchObject({ outcome: 'denied', agreements: ['eu-exchange@1'], party: 'fr-police', detail: { attempted: 'objects.read' } });
    // The repeats are counted in one event when the interval ends.
    h.ctx.refusals.roll(h.clock.read(), true);
    await h.ctx.audit.flush();
    const summary = (await h.store.queryAuditEvents({ account: 'fr-siem', limit: 100 })).records[3];
    expect(summary).toMatchObject({ action: 'rate.limited', detail: { repeated: 3 } });
  });

  it('an edit of the agreement applies on the next request: a higher rate, then none, then a lower one', async () => {
    for (let i = 0; i < 2; i++) await get(h, fr1);
    overRate(await get(h, fr1), '10');
    // As an administrator does it: through the admin API.
    const revise = async (terms: AgreementInput['terms']) => {
      const input = {
        title: 'eu-exchange',
        instrument: 'urn:test:eu-exchange',
        parties: ['fr-police', 'de-bsi'],
        valid_from: '2025-01-01T00:00:00Z',
      };
      expect((await admin(h, 'put', '/admin/agreements/eu-exchange', { ...input, ...exchange(terms) })).status).toBe(200);
    };
    // 60 a minute: the bucket refills ten times faster; still empty now, a token in 1 s.
    await revise({ rate_limit: { requests_per_minute: 60, burst: 2 } });
    overRate(await get(h, fr1), '1');
    h.clock.advance(1e6);
    expect((await get(h, fr1)).status).toBe(200);
    // No rate term: the agreement no longer limits.
    await revise({});
    for (let i = 0; i < 5; i++) expect((await get(h, fr1)).status).toBe(200);
    // A lower burst applies at once to the tokens held.
    h.clock.advance(60e6);
    await revise({ rate_limit: { requests_per_minute: 1, burst: 1 } });
    expect((await get(h, fr1)).status).toBe(200);
    overRate(await get(h, fr1), '60');
  });

  it('a partner whose access also rests on an unrated agreement is limited by the rated one until it is suspended', async () => {
    await agree(h, 'fr-bilateral', [{ party: 'fr-police', actions: ['read'], collections: { aliases: ['alpha'] }, max_tlp: 'red' }]);
    for (let i = 0; i < 2; i++) expect((await get(h, fr1)).status).toBe(200);
    overRate(await get(h, fr1), '10');
    expect((await admin(h, 'post', '/admin/agreements/eu-exchange/suspend')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await get(h, fr1)).status).toBe(200);
  });

  it('/me/access tells the partner its rate under each agreement', async () => {
    const res = await request(h.app).get('/me/access').set('Authorization', fr1.auth);
    expect(res.status).toBe(200);
    expect((res.body as { access: { agreement: string; rate_limit?: unknown }[] }).access).toEqual([
      expect.objectContaining({ agreement: 'eu-exchange@1', rate_limit: { requests_per_minute: 6, burst: 2 } }),
    ]);
  });
});
