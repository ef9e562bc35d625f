/**
 * Binned interval index for the sharing log's reads (audit_ranges). A read event names up to
 * a page of objects; indexing each would cost one random B-tree insert per object returned,
 * which bounded read throughput. Instead a read is filed once, by its collection and
 * date_added span, under the finest bin that holds the span whole. Bins at level j are
 * 2^(20+4j) µs wide (about 1 s at level 0, up to 2^56 µs), so "which reads span this
 * date_added" is one index seek per level.
 */
import type { Micros } from '../../time';

const RANGE_LEVELS = 10;

const width = (level: number) => 2 ** (20 + 4 * level);
// Level in the high part, bin number in the low 40 bits: one integer key, below 2^53.
const key = (level: number, at: Micros) => level * 2 ** 40 + Math.floor(at / width(level));

/** The bin a span [lo, hi] is filed under. */
export function rangeBin(lo: Micros, hi: Micros): number {
  for (let level = 0; level < RANGE_LEVELS - 1; level++) {
    if (Math.floor(lo / width(level)) === Math.floor(hi / width(level))) return key(level, lo);
  }
  return key(RANGE_LEVELS - 1, lo);
}

/** Every bin a span holding `at` can be filed under: one per level. */
export function binsHolding(at: Micros): number[] {
  return Array.from({ length: RANGE_LEVELS }, (_, level) => key(level, at));
}
