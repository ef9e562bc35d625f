/**
 * Tokens of the STIX 2.1 patterning language (STIX 2.1 §9, and the token rules of the
 * OASIS grammar STIXPattern.g4).
 *
 * The lexer is pulled one token at a time by the parser, so a malformed literal further
 * on is never reported before an earlier syntax error. Every scan moves forward only,
 * so lexing the whole input is linear in its length.
 *
 * Over 300 lines on purpose: every token rule of the grammar in one place, checked against it in one reading.
 */

export class PatternError extends Error {
  constructor(
    readonly position: number,
    message: string,
  ) {
    super(message);
  }
}

export type TokenKind =
  | '['
  | ']'
  | '('
  | ')'
  | ':'
  | '.'
  | ','
  | '*'
  | 'equality'
  | 'order'
  | 'keyword'
  | 'identifier'
  | 'string'
  | 'integer'
  | 'float'
  | 'boolean'
  | 'timestamp'
  | 'hex'
  | 'binary'
  // A character no token starts with; the parser reports it as what it found.
  | 'invalid'
  | 'end';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  text: string;
}

// Keywords are case-sensitive in STIX 2.1 (unlike 2.0). LAST is reserved, unused.
const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'LIKE',
  'MATCHES',
  'ISSUPERSET',
  'ISSUBSET',
  'EXISTS',
  'LAST',
  'IN',
  'START',
  'STOP',
  'SECONDS',
  'WITHIN',
  'REPEATS',
  'TIMES',
]);

// The grammar's WS rule: ASCII whitespace plus the Unicode space separators.
const WHITESPACE = new Set(
  [
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
    0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
  ].map((c) => String.fromCharCode(c)),
);

const QUOTE = "'";

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isLetter = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isIdentifierStart = (c: string): boolean => isLetter(c) || c === '_';
const isIdentifierPart = (c: string): boolean => isIdentifierStart(c) || isDigit(c) || c === '-';
const isHexDigit = (c: string): boolean => isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
const isBase64Char = (c: string): boolean => isLetter(c) || isDigit(c) || c === '+' || c === '/';

const SHOWN_LENGTH = 40;

/**
 * How a piece of the input is quoted in messages: long text is cut so messages stay short,
 * and control characters are escaped so a message stays on one line.
 */
export function quoteText(text: string): string {
  const shown = text.length > SHOWN_LENGTH ? `${text.slice(0, SHOWN_LENGTH)}…` : text;
  let visible = '';
  for (const c of shown) {
    const code = c.charCodeAt(0);
    visible += code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : c;
  }
  return `"${visible}"`;
}

export class Lexer {
  private pos = 0;

  constructor(private readonly src: string) {}

  next(): Token {
    this.skipTrivia();
    const start = this.pos;
    if (start >= this.src.length) return this.token('end', start);
    const c = this.src.charAt(start);
    switch (c) {
      case '[':
      case ']':
      case '(':
      case ')':
      case ':':
      case ',':
      case '*':
        return this.token(c, start + 1);
      case '.':
        return isDigit(this.at(start + 1)) ? this.number(start) : this.token('.', start + 1);
      case '=':
        return this.token('equality', this.at(start + 1) === '=' ? start + 2 : start + 1);
      case '!':
        return this.at(start + 1) === '=' ? this.token('equality', start + 2) : this.invalid(start);
      case '<':
        if (this.at(start + 1) === '>') return this.token('equality', start + 2);
        return this.token('order', this.at(start + 1) === '=' ? start + 2 : start + 1);
      case '>':
        return this.token('order', this.at(start + 1) === '=' ? start + 2 : start + 1);
      case QUOTE:
        return this.string(start);
      case '+':
      case '-': {
        const after = this.at(start + 1);
        const startsNumber = isDigit(after) || (after === '.' && isDigit(this.at(start + 2)));
        return startsNumber ? this.number(start) : this.invalid(start);
      }
      default:
        break;
    }
    if (isDigit(c)) return this.number(start);
    if (isIdentifierStart(c)) {
      if (this.at(start + 1) === QUOTE) {
        if (c === 't') return this.timestamp(start);
        if (c === 'h') return this.hex(start);
        if (c === 'b') return this.binary(start);
      }
      return this.word(start);
    }
    return this.invalid(start);
  }

  private at(i: number): string {
    return this.src.charAt(i);
  }

  private token(kind: TokenKind, end: number): Token {
    const start = this.pos;
    this.pos = end;
    return { kind, start, end, text: this.src.slice(start, end) };
  }

  private invalid(start: number): Token {
    // Keep surrogate pairs whole so the message shows the real character.
    const code = this.src.charCodeAt(start);
    const low = this.src.charCodeAt(start + 1);
    const pair = code >= 0xd800 && code <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
    return this.token('invalid', start + (pair ? 2 : 1));
  }

  /**
   * Throws "expected X at position p, found Y (note)", where Y is `found` or else the
   * character at p.
   */
  private fail(position: number, expected: string, detail: { found?: string; note?: string } = {}): never {
    const what =
      detail.found !== undefined
        ? quoteText(detail.found)
        : position >= this.src.length
          ? 'end of input'
          : quoteText(String.fromCodePoint(this.src.codePointAt(position) ?? 0));
    const note = detail.note !== undefined ? ` (${detail.note})` : '';
    throw new PatternError(position, `expected ${expected} at position ${position}, found ${what}${note}`);
  }

  private skipTrivia(): void {
    const src = this.src;
    for (;;) {
      const c = src.charAt(this.pos);
      if (WHITESPACE.has(c)) {
        this.pos += 1;
      } else if (c === '/' && src.charAt(this.pos + 1) === '*') {
        const close = src.indexOf('*/', this.pos + 2);
        if (close < 0) {
          this.fail(src.length, '"*/"', { note: `the comment opened at position ${this.pos} is not closed` });
        }
        this.pos = close + 2;
      } else if (c === '/' && src.charAt(this.pos + 1) === '/') {
        while (this.pos < src.length && src.charAt(this.pos) !== '\n' && src.charAt(this.pos) !== '\r') {
          this.pos += 1;
        }
      } else {
        return;
      }
    }
  }

  private word(start: number): Token {
    let end = start + 1;
    while (isIdentifierPart(this.at(end))) end += 1;
    const text = this.src.slice(start, end);
    if (KEYWORDS.has(text)) return this.token('keyword', end);
    if (text === 'true' || text === 'false') return this.token('boolean', end);
    return this.token('identifier', end);
  }

  // IntLiteral: [+-]? (0 | [1-9][0-9]*); FloatLiteral: [+-]? [0-9]* '.' [0-9]+.
  private number(start: number): Token {
    let end = start;
    if (this.at(end) === '+' || this.at(end) === '-') end += 1;
    const digitsStart = end;
    while (isDigit(this.at(end))) end += 1;
    if (this.at(end) === '.' && isDigit(this.at(end + 1))) {
      end += 1;
      while (isDigit(this.at(end))) end += 1;
      return this.token('float', end);
    }
    if (end - digitsStart > 1 && this.at(digitsStart) === '0') {
      this.fail(start, 'an integer without leading zeros', { found: this.src.slice(start, end) });
    }
    return this.token('integer', end);
  }

  // StringLiteral: the only escapes are \' and \\.
  private string(start: number): Token {
    let p = start + 1;
    for (;;) {
      if (p >= this.src.length) {
        this.fail(p, `"'"`, { note: `the string opened at position ${start} is not closed` });
      }
      const c = this.at(p);
      if (c === QUOTE) return this.token('string', p + 1);
      if (c === '\\') {
        const escaped = this.at(p + 1);
        if (escaped !== QUOTE && escaped !== '\\') {
          this.fail(p, "an escape sequence \\' or \\\\", { found: this.src.slice(p, p + 2) });
        }
        p += 2;
      } else {
        p += 1;
      }
    }
  }

  // TimestampLiteral: t'YYYY-MM-DDTHH:MM:SS[.fraction]Z', a real UTC date and time.
  private timestamp(start: number): Token {
    const note = { note: "timestamps are written t'YYYY-MM-DDTHH:MM:SS[.fraction]Z'" };
    let p = start + 2;
    const digits = (count: number): number => {
      for (let i = 0; i < count; i += 1) {
        if (!isDigit(this.at(p + i))) this.fail(p + i, 'a digit', note);
      }
      p += count;
      return Number(this.src.slice(p - count, p));
    };
    const literal = (c: string): void => {
      if (this.at(p) !== c) this.fail(p, `"${c}"`, note);
      p += 1;
    };
    const field = (what: string, low: number, high: number, why?: string): number => {
      const at = p;
      const value = digits(2);
      if (value < low || value > high) {
        const found = this.src.slice(at, at + 2);
        const detail = why !== undefined ? { found, note: why } : { found };
        this.fail(at, `${what} ${pad2(low)}-${pad2(high)}`, detail);
      }
      return value;
    };

    const year = digits(4);
    literal('-');
    const month = field('a month', 1, 12);
    literal('-');
    const days = daysInMonth(year, month);
    field('a day', 1, days, `${String(year).padStart(4, '0')}-${pad2(month)} has ${days} days`);
    literal('T');
    const hour = field('an hour', 0, 23);
    literal(':');
    const minute = field('a minute', 0, 59);
    literal(':');
    // RFC 3339 allows a leap second, which in UTC is always inserted at 23:59:60.
    const leap = hour === 23 && minute === 59;
    field('a second', 0, leap ? 60 : 59, leap ? undefined : 'a leap second 60 only follows 23:59');
    if (this.at(p) === '.') {
      p += 1;
      if (!isDigit(this.at(p))) this.fail(p, 'a digit of the fraction of a second', note);
      while (isDigit(this.at(p))) p += 1;
    }
    literal('Z');
    literal(QUOTE);
    return this.token('timestamp', p);
  }

  // HexLiteral: h'' holding pairs of hex digits.
  private hex(start: number): Token {
    let p = start + 2;
    for (;;) {
      const c = this.at(p);
      const odd = (p - start - 2) % 2 === 1;
      if (isHexDigit(c)) {
        p += 1;
      } else if (c === QUOTE && !odd) {
        return this.token('hex', p + 1);
      } else if (odd) {
        this.fail(p, 'a hex digit', { note: 'hex constants have an even number of digits' });
      } else {
        this.fail(p, `a hex digit or "'"`);
      }
    }
  }

  // BinaryLiteral: b'' holding base64 in groups of four, the last group optionally padded
  // with "=" or "=="; the grammar requires at least one group.
  private binary(start: number): Token {
    let p = start + 2;
    for (;;) {
      const c = this.at(p);
      const inGroup = (p - start - 2) % 4;
      const groupsDone = inGroup === 0 && p > start + 2;
      if (isBase64Char(c)) {
        p += 1;
      } else if (c === '=' && inGroup >= 2) {
        p += 1;
        if (inGroup === 2) {
          if (this.at(p) !== '=') {
            this.fail(p, '"="', { note: 'a base64 group of two characters is padded with "=="' });
          }
          p += 1;
        }
        if (this.at(p) !== QUOTE) this.fail(p, `"'"`, { note: 'padding ends a base64 constant' });
        return this.token('binary', p + 1);
      } else if (c === QUOTE && groupsDone) {
        return this.token('binary', p + 1);
      } else if (inGroup >= 2) {
        this.fail(p, 'a base64 character or "="');
      } else {
        this.fail(p, groupsDone ? `a base64 character or "'"` : 'a base64 character', {
          note: 'base64 comes in groups of four characters',
        });
      }
    }
  }
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
