/**
 * Timestamps. Accord indexes every timestamp as integer microseconds since the Unix epoch
 * (UTC). Input is parsed liberally (RFC 3339: `T`/`t`/space, `Z` or an offset, 0–9 fraction
 * digits); output is always canonical: UTC, `Z`, exactly six fraction digits.
 */
/**
 * A point in time as integer microseconds since the Unix epoch (UTC). Every STIX timestamp
 * Accord indexes fits exactly in a JS number at this precision until the year 2255;
 * sub-microsecond digits are kept in stored JSON but not used for ordering
 * (docs/conformance.md).
 */
export type Micros = number;

export type Clock = () => Micros;

/** The wall clock, in microseconds. Injected everywhere so tests can control time. */
export const systemClock: Clock = () => Date.now() * 1000;

// Linear: fixed-width fields, one optional bounded fraction, one anchored zone.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Parses an RFC 3339 timestamp to microseconds; undefined when it is not one (incl. Feb 30). */
export function parseTimestamp(text: string): Micros | undefined {
  if (text.length > 40) return undefined;
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMinutes = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const micros = Number(((m[7] ?? '') + '000000').slice(0, 6));
  const seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offsetMinutes * 60;
  return seconds * 1_000_000 + micros;
}

/** Year, month and day of the date `days` after 1970-01-01 (the inverse of daysFromCivil). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, doy - Math.floor((153 * mp + 2) / 5) + 1];
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** The date part ("2016-04-06T") of the last day formatted: a page's timestamps mostly share one. */
let lastDay = { days: NaN, prefix: '' };

/**
 * Canonical form: `2016-04-06T20:03:48.123456Z`. Integer arithmetic rather than Date: every
 * version and date_added of every page goes through here, and toISOString cost more than
 * the rest of producing a page's metadata. The date part is reused while the day is the
 * same (half the cost of a call).
 */
export function formatTimestamp(us: Micros): string {
  const seconds = Math.floor(us / 1_000_000);
  const days = Math.floor(seconds / 86400);
  if (days !== lastDay.days) {
    const [y, m, d] = civilFromDays(days);
    lastDay = { days, prefix: `${y >= 1000 ? String(y) : String(y).padStart(4, '0')}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}T` };
  }
  const sod = seconds - days * 86400;
  const hh = Math.floor(sod / 3600);
  const mm = Math.floor((sod - hh * 3600) / 60);
  const frac = us - seconds * 1_000_000;
  return `${lastDay.prefix}${TWO_DIGITS[hh]}:${TWO_DIGITS[mm]}:${TWO_DIGITS[sod - hh * 3600 - mm * 60]}.${frac >= 100_000 ? String(frac) : String(frac).padStart(6, '0')}Z`;
}
