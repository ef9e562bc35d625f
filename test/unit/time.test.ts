/**
 * src/time.ts: RFC 3339 parsing into microseconds and the canonical TAXII 2.1 timestamp form
 * (TAXII 2.1 §2 "timestamp": UTC, `Z`, exactly six fraction digits).
 */
import fc from 'fast-check';
import { formatTimestamp, parseTimestamp } from '../../src/time';

/** 2016-04-06T20:03:48Z, from the TAXII examples, in microseconds. */
const BASE = Date.UTC(2016, 3, 6, 20, 3, 48) * 1000;

describe('parseTimestamp (RFC 3339)', () => {
  it.each([
    ['2016-04-06T20:03:48Z', BASE],
    ['2016-04-06t20:03:48z', BASE],
    ['2016-04-06 20:03:48Z', BASE],
    ['2016-04-06T20:03:48+00:00', BASE],
    ['2016-04-06T20:03:48-00:00', BASE],
    ['2016-04-06T22:33:48+02:30', BASE],
    ['2016-04-06T15:03:48-05:00', BASE],
    ['2016-04-07T20:02:48+23:59', BASE],
    ['2016-04-05T20:04:48-23:59', BASE],
  ])('%s is %d µs: T, t or space; Z, z or an offset', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each([
    ['', 0],
    ['.1', 100_000],
    ['.12', 120_000],
    ['.123', 123_000],
    ['.1234', 123_400],
    ['.12345', 123_450],
    ['.123456', 123_456],
    ['.1234567', 123_456],
    ['.12345678', 123_456],
    ['.123456789', 123_456],
    ['.000001', 1],
    ['.999999999', 999_999],
  ])('fraction "%s" gives %d µs: 0–9 digits, digits past the sixth are dropped', (fraction, micros) => {
    expect(parseTimestamp(`2016-04-06T20:03:48${fraction}Z`)).toBe(BASE + micros);
  });

  it.each([
    '2016-04-06T20:03:48.1234567890Z', // 10 fraction digits
    '2016-04-06T20:03:48.Z', // a dot without digits
    '2016-04-06T20:03:48', // no zone
    '2016-04-06',
    '2016-04-06T20:03Z', // no seconds
    '2016-4-06T20:03:48Z',
    '16-04-06T20:03:48Z',
    '2016-04-06X20:03:48Z',
    '2016-04-06T20:03:48UTC',
    ' 2016-04-06T20:03:48Z',
    '2016-04-06T20:03:48Z ',
    '2016-04-06T20:03:48,123Z', // comma fraction (ISO 8601, not RFC 3339)
    '２０１６-04-06T20:03:48Z', // full-width digits
    'not a timestamp',
  ])('%j is not a timestamp', (text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });

  it.each([
    ['2015-02-29T00:00:00Z', 'Feb 29 in a common year'],
    ['1900-02-29T00:00:00Z', 'Feb 29 in a century that is not a leap year'],
    ['2100-02-29T00:00:00Z', 'Feb 29 in 2100'],
    ['2016-02-30T00:00:00Z', 'Feb 30'],
    ['2016-04-31T00:00:00Z', 'April 31'],
    ['2016-06-31T00:00:00Z', 'June 31'],
    ['2016-09-31T00:00:00Z', 'September 31'],
    ['2016-11-31T00:00:00Z', 'November 31'],
    ['2016-01-32T00:00:00Z', 'January 32'],
    ['2016-00-10T00:00:00Z', 'month 0'],
    ['2016-13-10T00:00:00Z', 'month 13'],
    ['2016-01-00T00:00:00Z', 'day 0'],
    ['2016-04-06T24:00:00Z', '24:00'],
    ['2016-04-06T23:60:00Z', 'minute 60'],
    ['2016-04-06T23:59:60Z', 'second 60 (leap seconds are not indexed)'],
  ])('%s is refused: %s', (text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });

  it.each([
    ['2016-02-29T00:00:00Z', Date.UTC(2016, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['2400-02-29T00:00:00Z', Date.UTC(2400, 1, 29)],
    ['2016-12-31T23:59:59Z', Date.UTC(2016, 11, 31, 23, 59, 59)],
  ])('%s is a real date', (text, ms) => {
    expect(parseTimestamp(text)).toBe(ms * 1000);
  });

  it.each(['+24:00', '-24:00', '+01:60', '+0100', '+01', '+1:00', '+01:0', 'Z+01:00', '+01:00Z'])('offset %s is refused', (offset) => {
    expect(parseTimestamp(`2016-04-06T20:03:48${offset}`)).toBeUndefined();
  });

  it('refuses overlong input, even when it starts like a timestamp', () => {
    // The longest accepted form is 35 characters; anything past the 40-character cap is
    // refused before the regular expression sees it.
    expect(parseTimestamp('2016-04-06T20:03:48.123456789+01:00')).toBe(BASE - 3_600_000_000 + 123_456);
    expect(parseTimestamp('2016-04-06T20:03:48.123456789+01:00' + ' '.repeat(6))).toBeUndefined();
    expect(parseTimestamp('2016-04-06T20:03:48.' + '1'.repeat(1_000_000) + 'Z')).toBeUndefined();
  });

  it('handles dates before 1970 and year 0000', () => {
    expect(parseTimestamp('1969-12-31T23:59:59.999999Z')).toBe(-1);
    expect(parseTimestamp('1970-01-01T00:00:00Z')).toBe(0);
    expect(parseTimestamp('1900-01-01T00:00:00Z')).toBe(Date.UTC(1900, 0, 1) * 1000);
    expect(parseTimestamp('0000-01-01T00:00:00Z')).toBe(-62167219200 * 1_000_000);
    expect(parseTimestamp('1970-01-01T00:30:00+01:00')).toBe(-1_800_000_000);
  });

  it('agrees with Date.parse on whole milliseconds for any instant in 1000–2200 (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }), (d) => {
        expect(parseTimestamp(d.toISOString())).toBe(d.getTime() * 1000);
      }),
    );
  });
});

describe('formatTimestamp (canonical TAXII timestamps)', () => {
  it.each([
    [0, '1970-01-01T00:00:00.000000Z'],
    [1, '1970-01-01T00:00:00.000001Z'],
    [999, '1970-01-01T00:00:00.000999Z'],
    [1000, '1970-01-01T00:00:00.001000Z'],
    [BASE + 123_456, '2016-04-06T20:03:48.123456Z'],
    [BASE, '2016-04-06T20:03:48.000000Z'],
    [-1, '1969-12-31T23:59:59.999999Z'],
    [-1000, '1969-12-31T23:59:59.999000Z'],
    [-1001, '1969-12-31T23:59:59.998999Z'],
    [-1_000_001, '1969-12-31T23:59:58.999999Z'],
    [Date.UTC(1900, 0, 1) * 1000 + 5, '1900-01-01T00:00:00.000005Z'],
    [-62167219200 * 1_000_000, '0000-01-01T00:00:00.000000Z'],
  ])('%d µs is %s', (us, text) => {
    expect(formatTimestamp(us)).toBe(text);
  });

  it('always writes UTC, Z and exactly six fraction digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62167219200 * 1_000_000, max: 2 ** 53 - 1 }), (us) => {
        expect(formatTimestamp(us)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      }),
    );
  });

  it('round-trips every microsecond from year 0000 to 2255 (property)', () => {
    // 2^53 µs is in 2255: beyond it a JS number no longer holds every microsecond.
    fc.assert(
      fc.property(fc.integer({ min: -62167219200 * 1_000_000, max: 2 ** 53 - 1 }), (us) => {
        expect(parseTimestamp(formatTimestamp(us))).toBe(us);
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees with the platform's ISO 8601 formatting, extended to microseconds (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62167219200 * 1_000_000, max: 2 ** 53 - 1 }), (us) => {
        const ms = Math.floor(us / 1000);
        expect(formatTimestamp(us)).toBe(`${new Date(ms).toISOString().slice(0, 23)}${String(us - ms * 1000).padStart(3, '0')}Z`);
      }),
      { numRuns: 5000 },
    );
  });

  it('formats runs of instants on the same day and across midnight exactly (the date part is reused) (property)', () => {
    const iso = (us: number) => {
      const ms = Math.floor(us / 1000);
      return `${new Date(ms).toISOString().slice(0, 23)}${String(us - ms * 1000).padStart(3, '0')}Z`;
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 52 }),
        fc.array(fc.integer({ min: 0, max: 2 * 86_400_000_000 }), { minLength: 1, maxLength: 20 }),
        (start, steps) => {
          let us = start;
          for (const step of steps) {
            us += step;
            expect(formatTimestamp(us)).toBe(iso(us));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('normalises any accepted form to the same canonical text', () => {
    const forms = ['2016-04-06T22:33:48.5+02:30', '2016-04-06t20:03:48.500000000z', '2016-04-06 15:03:48.50-05:00'];
    expect(forms.map((f) => formatTimestamp(parseTimestamp(f) as number))).toEqual(Array(3).fill('2016-04-06T20:03:48.500000Z'));
  });
});
