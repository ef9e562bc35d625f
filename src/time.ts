/**
 * Timestamps. Accord indexes every timestamp as integer microseconds since the Unix epoch
 * (UTC). Input is parsed liberally (RFC 3339: `T`/`t`/space, `Z` or an offset, 0–9 fraction
 * digits); output is always canonical: UTC, `Z`, exactly six fraction digits.
 */
import type { Micros } from './store/store';

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

/** Canonical form: `2016-04-06T20:03:48.123456Z`. */
export function formatTimestamp(us: Micros): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // 2016-04-06T20:03:48.123Z
  const extra = String(us - ms * 1000).padStart(3, '0');
  return iso.slice(0, 23) + extra + 'Z';
}
