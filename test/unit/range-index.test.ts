import fc from 'fast-check';
import { binsHolding, rangeBin } from '../../src/store/sqlite/range-index';

// Timestamps Accord stores: µs from 1970 to past 2255 (parseTimestamp's range).
const micros = fc.integer({ min: 0, max: 2 ** 53 - 1 });

describe('sharing log: binned range index for reads (custody lookups)', () => {
  it('a date_added inside a read span always probes the bin the span is filed under', () => {
    fc.assert(
      fc.property(micros, micros, fc.double({ min: 0, max: 1, noNaN: true }), (a, b, t) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const at = Math.min(hi, lo + Math.floor((hi - lo) * t));
        expect(binsHolding(at)).toContain(rangeBin(lo, hi));
      }),
      { numRuns: 5000 },
    );
  });

  it('spans of a page are filed in fine bins: a one-second span is not filed with year-long ones', () => {
    const t = Date.UTC(2026, 10, 23) * 1000;
    const oneSecond = rangeBin(t, t + 999_999);
    const aYear = rangeBin(t, t + 365 * 86_400_000_000);
    expect(binsHolding(t).indexOf(oneSecond)).toBeLessThan(binsHolding(t).indexOf(aYear));
    expect(new Set(binsHolding(t)).size).toBe(binsHolding(t).length);
  });
});
