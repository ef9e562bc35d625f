/**
 * STIX 2.1 §2.16 Timestamp: `YYYY-MM-DDTHH:mm:ss[.s+]Z`, UTC only, on a real calendar date.
 * Parsed by position rather than with a regular expression so that the answer can say exactly
 * what is wrong, and so that any input length is handled in one linear pass.
 */

export interface ParsedTimestamp {
  /** `YYYY-MM-DDTHH:mm:ss`, comparable as a string because every field has a fixed width. */
  readonly seconds: string;
  /** The sub-second digits, possibly empty. */
  readonly fraction: string;
}

const SHAPE = 'YYYY-MM-DDTHH:mm:ss[.s+]Z';

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function digits(text: string, from: number, count: number): number | undefined {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return undefined;
    value = value * 10 + (code - 48);
  }
  return value;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Returns why `text` is not a STIX timestamp, or undefined when it is one. */
export function timestampProblem(text: string): string | undefined {
  const shapeProblem = `must be an RFC 3339 timestamp in UTC of the form ${SHAPE}`;
  if (text.length < 20) return shapeProblem;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    second === undefined ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== 'T' ||
    text[13] !== ':' ||
    text[16] !== ':'
  ) {
    return shapeProblem;
  }
  let end = 19;
  if (text[end] === '.') {
    end++;
    const fractionStart = end;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    if (end === fractionStart) return `${shapeProblem} (a "." must be followed by digits)`;
  }
  if (end !== text.length - 1 || text[end] !== 'Z') {
    return `${shapeProblem} (the time zone must be "Z")`;
  }
  if (month < 1 || month > 12) return `has month ${pad(month)}, which does not exist`;
  if (day < 1 || day > daysInMonth(year, month)) {
    return `is not a real calendar date: ${text.slice(0, 10)} does not exist`;
  }
  if (hour > 23 || minute > 59) return `has time ${text.slice(11, 16)}, which does not exist`;
  // RFC 3339 §5.7 allows a leap second, which can only be the last second of a UTC day.
  if (second > 60 || (second === 60 && (hour !== 23 || minute !== 59))) {
    return `has second ${pad(second)}, which does not exist at ${text.slice(11, 16)}`;
  }
  return undefined;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function isStixTimestamp(text: string): boolean {
  return timestampProblem(text) === undefined;
}

export function parseTimestamp(value: unknown): ParsedTimestamp | undefined {
  if (typeof value !== 'string' || !isStixTimestamp(value)) return undefined;
  return { seconds: value.slice(0, 19), fraction: value.slice(20, -1) };
}

/** Negative when a is earlier than b, 0 when equal, positive when later; precision-independent. */
export function compareTimestamps(a: ParsedTimestamp, b: ParsedTimestamp): number {
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  const width = Math.max(a.fraction.length, b.fraction.length);
  const fa = a.fraction.padEnd(width, '0');
  const fb = b.fraction.padEnd(width, '0');
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}
