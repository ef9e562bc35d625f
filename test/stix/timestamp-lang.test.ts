/** Unit tests of the STIX 2.1 §2.16 timestamp parser and the RFC 5646 tag checker. */
import { isLanguageTag } from '../../src/stix/lang';
import { compareTimestamps, daysInMonth, parseTimestamp, timestampProblem } from '../../src/stix/timestamp';

describe('STIX 2.1 §2.16 Timestamp', () => {
  const parsed = (text: string) => {
    const value = parseTimestamp(text);
    if (!value) throw new Error(`${text} should parse`);
    return value;
  };

  it('§2.16 compares timestamps independently of their precision', () => {
    expect(compareTimestamps(parsed('2016-04-06T20:03:48Z'), parsed('2016-04-06T20:03:48.000000Z'))).toBe(0);
    expect(compareTimestamps(parsed('2016-04-06T20:03:48.1Z'), parsed('2016-04-06T20:03:48.09999Z'))).toBe(1);
    expect(compareTimestamps(parsed('2016-04-06T20:03:47.999Z'), parsed('2016-04-06T20:03:48Z'))).toBe(-1);
    expect(compareTimestamps(parsed('1999-12-31T23:59:60Z'), parsed('2000-01-01T00:00:00Z'))).toBe(-1);
  });

  it('§2.16 knows the Gregorian leap years', () => {
    expect([1900, 2000, 2023, 2024].map((y) => daysInMonth(y, 2))).toEqual([28, 29, 28, 29]);
    expect(daysInMonth(2021, 4)).toBe(30);
    expect(daysInMonth(2021, 12)).toBe(31);
  });

  it('§2.16 says what is wrong', () => {
    expect(timestampProblem('2021-02-30T00:00:00Z')).toBe('is not a real calendar date: 2021-02-30 does not exist');
    expect(timestampProblem('2021-01-01T00:00:00+01:00')).toMatch(/the time zone must be "Z"/);
    expect(timestampProblem('2021-01-01T00:00:00.Z')).toMatch(/a "\." must be followed by digits/);
    expect(timestampProblem('2021-13-01T00:00:00Z')).toBe('has month 13, which does not exist');
    expect(timestampProblem('2021-01-01T23:60:00Z')).toBe('has time 23:60, which does not exist');
    expect(timestampProblem('2021-01-01T10:59:60Z')).toBe('has second 60, which does not exist at 10:59');
    expect(timestampProblem('2021-01-01T00:00:00.123456789Z')).toBeUndefined();
    expect(parseTimestamp(12)).toBeUndefined();
  });
});

describe('RFC 5646 language tags (STIX 2.1 §3.2 lang, §7.1, §7.2.3)', () => {
  it.each([
    'de',
    'fr-CA',
    'zh-yue-HK',
    'zh-Hans-CN',
    'sr-Latn-RS',
    'es-419',
    'sl-nedis',
    'de-CH-1901',
    'hy-Latn-IT-arevela',
    'en-a-bbb-x-a-ccc',
    'x-whatever',
    'qaa-Qaaa-QM-x-southern',
    'i-enochian',
    'en-GB-oed',
    'EN-us',
  ])('accepts %s', (tag) => expect(isLanguageTag(tag)).toBe(true));

  it.each([
    '',
    'a',
    'de-',
    '-de',
    'de--CH',
    'de-419-DE',
    'a-DE',
    'ar-a-aaa-b-bbb-a-ccc',
    'de-1901-1901',
    'en-x',
    'x',
    'abcdefghi',
    'en_US',
    'en US',
    'zh-a',
    `en-${'x'.repeat(300)}`,
  ])('rejects %j', (tag) => expect(isLanguageTag(tag)).toBe(false));
});
