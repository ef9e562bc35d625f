/**
 * Issue #12 item 10: taking a request's turn under the rate terms of the agreements it rests
 * on (src/throttle/agreements.ts): one bucket per (agreement, grantee party), a request must
 * fit every one, and a refused request takes nothing.
 */
import type { AgreementRate } from '../../src/access/decide';
import { BucketTable } from '../../src/throttle/bucket';
import { takeAgreementRates } from '../../src/throttle/agreements';

const rate = (agreement: string, requestsPerMinute: number, burst: number): AgreementRate => ({ agreement, rate: { requestsPerMinute, burst } });
const SECOND = 1e6;

describe('issue #12 item 10 — token buckets per (agreement, party)', () => {
  it('a party gets `burst` requests, then a refusal naming the agreement and when a token is back; the bucket refills at requests_per_minute', async () => {
    const t = new BucketTable();
    const rates = [rate('fr', 6, 2)];
    expect(await takeAgreementRates(t, 'fr-police', rates, 0)).toBeUndefined();
    expect(await takeAgreementRates(t, 'fr-police', rates, 0)).toBeUndefined();
    expect(await takeAgreementRates(t, 'fr-police', rates, 0)).toEqual({
      agreement: 'fr',
      rate: { requestsPerMinute: 6, burst: 2 },
      retryAfterSeconds: 10,
    });
    // 6 a minute: one token every 10 s.
    expect(await takeAgreementRates(t, 'fr-police', rates, 10 * SECOND)).toBeUndefined();
    expect(await takeAgreementRates(t, 'fr-police', rates, 10 * SECOND)).toMatchObject({ agreement: 'fr' });
  });

  it('each grantee party has its own bucket under the same agreement, and each agreement its own', async () => {
    const t = new BucketTable();
    expect(await takeAgreementRates(t, 'fr-police', [rate('eu', 1, 1)], 0)).toBeUndefined();
    expect(await takeAgreementRates(t, 'fr-police', [rate('eu', 1, 1)], 0)).toMatchObject({ agreement: 'eu' });
    expect(await takeAgreementRates(t, 'de-bsi', [rate('eu', 1, 1)], 0)).toBeUndefined();
    expect(await takeAgreementRates(t, 'fr-police', [rate('bilateral', 1, 1)], 0)).toBeUndefined();
  });

  it('a request must fit every bucket; refused, it takes nothing from the others and waits for the slowest', async () => {
    const t = new BucketTable();
    const both = [rate('roomy', 60, 5), rate('tight', 6, 1)];
    expect(await takeAgreementRates(t, 'fr-police', both, 0)).toBeUndefined();
    // `tight` is empty: refused, and `roomy` keeps its 4 tokens.
    for (let i = 0; i < 3; i++)
      expect(await takeAgreementRates(t, 'fr-police', both, 0)).toMatchObject({ agreement: 'tight', retryAfterSeconds: 10 });
    for (let i = 0; i < 4; i++) expect(await takeAgreementRates(t, 'fr-police', [rate('roomy', 60, 5)], 0)).toBeUndefined();
    expect(await takeAgreementRates(t, 'fr-police', [rate('roomy', 60, 5)], 0)).toMatchObject({ agreement: 'roomy', retryAfterSeconds: 1 });
    // Both empty: Retry-After is the longer wait.
    expect(await takeAgreementRates(t, 'fr-police', both, 0)).toMatchObject({ agreement: 'tight', retryAfterSeconds: 10 });
  });

  it('a changed term applies to the next request: a lower burst cuts the tokens held, a higher rate refills faster', async () => {
    const t = new BucketTable();
    expect(await takeAgreementRates(t, 'fr-police', [rate('fr', 60, 100)], 0)).toBeUndefined();
    expect(await takeAgreementRates(t, 'fr-police', [rate('fr', 60, 1)], 0)).toBeUndefined();
    expect(await takeAgreementRates(t, 'fr-police', [rate('fr', 60, 1)], 0)).toMatchObject({ retryAfterSeconds: 1 });
    expect(await takeAgreementRates(t, 'fr-police', [rate('fr', 1, 1)], 0)).toMatchObject({ retryAfterSeconds: 60 });
  });
});
