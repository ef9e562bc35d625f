/**
 * Regression (issue 13 item 3): "already stored" disappeared from the status (TAXII 2.1
 * §4.3.1 Status Resource: each success detail) when the posted objects already had more
 * stored versions than one page holds: the visibility check made one capped manifest query
 * over all of them. It now asks for exactly the versions reported, to the last page.
 */
import { createHarness, indicator, type Harness } from '../support/harness';
import { add } from './wire';

/** The n-th version of indicator 1, a second apart. */
const version = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

describe('TAXII 2.1 §4.3.1 Status: "already stored" at any number of stored versions', () => {
  let h: Harness;
  // A page cap of 5: the old single query saw only the first 5 of the stored versions.
  beforeAll(async () => (h = await createHarness({ config: { pageCap: 5 } })));
  afterAll(() => h.close());

  it('re-posting versions beyond the page cap reports each as "already stored"; new ones are plain successes', async () => {
    const c = h.collections.alpha;
    await add(
      h,
      c,
      Array.from({ length: 12 }, (_, i) => indicator(1, version(i))),
    );
    await add(
      h,
      c,
      Array.from({ length: 3 }, (_, i) => indicator(2, version(i))),
    );
    const resent = [indicator(1, version(11)), indicator(1, version(7)), indicator(2, version(2)), indicator(1, version(20))];
    const status = await add(h, c, resent);
    expect(status.success_count).toBe(4);
    expect(status.successes?.map((s) => [s.version?.slice(0, 19), s.message])).toEqual([
      [version(11).slice(0, 19), 'already stored'],
      [version(7).slice(0, 19), 'already stored'],
      [version(2).slice(0, 19), 'already stored'],
      [version(20).slice(0, 19), undefined],
    ]);
  });
});
