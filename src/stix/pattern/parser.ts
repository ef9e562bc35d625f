/**
 * Syntax check of STIX 2.1 patterns (STIX 2.1 §9 STIX Patterning), written from the
 * standard and the token and production rules of the OASIS grammar STIXPattern.g4:
 *
 *   pattern          := observations END
 *   observations     := obsOr ("FOLLOWEDBY" obsOr)*
 *   obsOr            := obsAnd ("OR" obsAnd)*
 *   obsAnd           := qualified ("AND" qualified)*
 *   qualified        := ("[" comparison "]" | "(" observations ")") qualifier*
 *   qualifier        := "WITHIN" positive-number "SECONDS" | "REPEATS" positive-integer "TIMES"
 *                     | "START" timestamp "STOP" timestamp
 *   comparison       := compAnd ("OR" compAnd)*
 *   compAnd          := test ("AND" test)*
 *   test             := "(" comparison ")" | "EXISTS" path | path "NOT"? operator operand
 *   path             := type ":" name ("." name | "[" integer "]" | "[" "*" "]")*
 *
 * It is LL(1): every token is looked at once and nothing is re-parsed, so the run time is
 * linear in the input. Nesting is capped so hostile input cannot exhaust the JS stack.
 *
 * Over 300 lines on purpose: a recursive-descent parser reads best with all its productions side by side.
 */
import { Lexer, PatternError, quoteText, type Token, type TokenKind } from './lexer';

export type PatternResult = { ok: true } | { ok: false; position: number; message: string };

export const MAX_NESTING_DEPTH = 100;

const COMPARISON_OPERATORS = '=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET or ISSUPERSET';
const CONSTANT_KINDS: ReadonlySet<TokenKind> = new Set(['string', 'integer', 'float', 'boolean', 'timestamp', 'hex', 'binary']);
const STRING_OPERATORS = new Set(['LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET']);
const QUALIFIERS = new Set(['WITHIN', 'REPEATS', 'START']);

// STIX 2.1 type names (§3.1, §11.2): a-z, 0-9 and hyphen, starting with a letter, 3 to 250
// characters, and no "--", which separates the type from the UUID in identifiers.
const TYPE_NAME = /^[a-z][a-z0-9-]{2,249}$/;
const TYPE_NAME_RULE = 'an object type (3 to 250 of a-z, 0-9 and hyphen, starting with a letter, without "--")';

/**
 * Checks `text` against the STIX 2.1 patterning grammar. Never throws: any problem,
 * including a non-string argument from untyped callers, comes back as `ok: false` with
 * the 0-based offset of the first error.
 */
export function parseStixPattern(text: string): PatternResult {
  if (typeof text !== 'string') {
    return { ok: false, position: 0, message: `expected a pattern string, found ${typeof text}` };
  }
  try {
    new Parser(text).parsePattern();
    return { ok: true };
  } catch (err) {
    if (err instanceof PatternError) return { ok: false, position: err.position, message: err.message };
    // Callers validate untrusted input in request handlers; a parser defect must surface
    // as a rejected pattern with its cause, never as a crash.
    return { ok: false, position: 0, message: `internal error while parsing the pattern: ${String(err)}` };
  }
}

class Parser {
  private readonly lexer: Lexer;
  private tok: Token;
  private depth = 0;

  constructor(text: string) {
    this.lexer = new Lexer(text);
    this.tok = this.lexer.next();
  }

  parsePattern(): void {
    this.observations();
    if (this.kind() !== 'end') {
      this.fail('"AND", "OR", "FOLLOWEDBY", a qualifier or end of input');
    }
  }

  // Lookahead tokens are only fetched after the current one is fully checked, so an error
  // further on can never be reported before this one.
  private advance(): void {
    this.tok = this.lexer.next();
  }

  private fail(expected: string, note?: string): never {
    const tok = this.tok;
    const found = tok.kind === 'end' ? 'end of input' : quoteText(tok.text);
    const suffix = note !== undefined ? ` (${note})` : '';
    const message = `expected ${expected} at position ${tok.start}, found ${found}${suffix}`;
    throw new PatternError(tok.start, message);
  }

  // A method rather than a field read: TypeScript would otherwise narrow the kind across
  // advance() calls, which replace the current token.
  private kind(): TokenKind {
    return this.tok.kind;
  }

  private isKeyword(word: string): boolean {
    return this.tok.kind === 'keyword' && this.tok.text === word;
  }

  private expect(kind: TokenKind, expected: string): void {
    if (this.kind() !== kind) this.fail(expected);
    this.advance();
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) this.fail(`"${word}"`);
    this.advance();
  }

  private enter(): void {
    this.depth += 1;
    if (this.depth > MAX_NESTING_DEPTH) {
      this.fail(`at most ${MAX_NESTING_DEPTH} nested brackets and parentheses`, 'nesting too deep');
    }
  }

  private observations(): void {
    this.observationOr();
    while (this.isKeyword('FOLLOWEDBY')) {
      this.advance();
      this.observationOr();
    }
  }

  private observationOr(): void {
    this.observationAnd();
    while (this.isKeyword('OR')) {
      this.advance();
      this.observationAnd();
    }
  }

  private observationAnd(): void {
    this.qualifiedObservation();
    while (this.isKeyword('AND')) {
      this.advance();
      this.qualifiedObservation();
    }
  }

  private qualifiedObservation(): void {
    if (this.kind() === '[') {
      this.enter();
      this.advance();
      this.comparison();
      this.expect(']', '"AND", "OR" or "]"');
      this.depth -= 1;
    } else if (this.kind() === '(') {
      this.enter();
      this.advance();
      this.observations();
      this.expect(')', '"AND", "OR", "FOLLOWEDBY", a qualifier or ")"');
      this.depth -= 1;
    } else {
      this.fail('"[" or "("');
    }
    // The OASIS validator rejects two qualifiers of one kind on the same expression: they
    // would contradict or repeat each other.
    const seen = new Set<string>();
    while (this.kind() === 'keyword' && QUALIFIERS.has(this.tok.text)) {
      const kind = this.tok.text;
      if (seen.has(kind)) {
        const note = `this observation expression already has a ${kind} qualifier`;
        this.fail('a single qualifier of each kind', note);
      }
      seen.add(kind);
      this.qualifier();
    }
  }

  private qualifier(): void {
    if (this.isKeyword('WITHIN')) {
      this.advance();
      const number = this.tok;
      if ((number.kind !== 'integer' && number.kind !== 'float') || !isPositive(number.text)) {
        this.fail('a positive number of seconds');
      }
      this.advance();
      this.expectKeyword('SECONDS');
    } else if (this.isKeyword('REPEATS')) {
      this.advance();
      if (this.kind() !== 'integer' || !isPositive(this.tok.text)) this.fail('a positive integer');
      this.advance();
      this.expectKeyword('TIMES');
    } else {
      this.expectKeyword('START');
      this.expect('timestamp', "a timestamp t'…'");
      this.expectKeyword('STOP');
      this.expect('timestamp', "a timestamp t'…'");
    }
  }

  private comparison(): void {
    this.comparisonAnd();
    while (this.isKeyword('OR')) {
      this.advance();
      this.comparisonAnd();
    }
  }

  private comparisonAnd(): void {
    this.test();
    while (this.isKeyword('AND')) {
      this.advance();
      this.test();
    }
  }

  private test(): void {
    if (this.kind() === '(') {
      this.enter();
      this.advance();
      this.comparison();
      this.expect(')', '"AND", "OR" or ")"');
      this.depth -= 1;
    } else if (this.isKeyword('EXISTS')) {
      this.advance();
      this.objectPath();
    } else if (this.kind() === 'identifier') {
      this.objectPath();
      this.operatorAndOperand();
    } else {
      this.fail('an object path, "(" or "EXISTS"');
    }
  }

  private objectPath(): void {
    const name = this.tok.text;
    if (this.kind() !== 'identifier' || !TYPE_NAME.test(name) || name.includes('--')) this.fail(TYPE_NAME_RULE);
    this.advance();
    this.expect(':', '":"');
    this.propertyName();
    for (;;) {
      if (this.kind() === '.') {
        this.advance();
        this.propertyName();
      } else if (this.kind() === '[') {
        this.advance();
        if (this.kind() !== 'integer' && this.kind() !== '*') this.fail('a list index or "*"');
        this.advance();
        this.expect(']', '"]"');
      } else {
        return;
      }
    }
  }

  // Unquoted property names are identifiers without hyphens; anything else is quoted.
  private propertyName(): void {
    const tok = this.tok;
    if (tok.kind === 'string') {
      this.advance();
    } else if (tok.kind === 'identifier' && !tok.text.includes('-')) {
      this.advance();
    } else if (tok.kind === 'identifier') {
      this.fail('a property name', `a name with "-" must be quoted, as '${tok.text}'`);
    } else {
      this.fail('a property name');
    }
  }

  private operatorAndOperand(): void {
    const negated = this.isKeyword('NOT');
    if (negated) this.advance();
    const op = this.tok;
    if (op.kind === 'equality') {
      this.advance();
      this.constant(true);
    } else if (op.kind === 'order') {
      this.advance();
      this.constant(false);
    } else if (op.kind === 'keyword' && op.text === 'IN') {
      this.advance();
      this.set();
    } else if (op.kind === 'keyword' && STRING_OPERATORS.has(op.text)) {
      this.advance();
      this.expect('string', `a string constant after ${op.text}`);
    } else {
      this.fail(`a comparison operator (${negated ? '' : 'NOT, '}${COMPARISON_OPERATORS})`);
    }
  }

  private constant(booleanAllowed: boolean): void {
    const kind = this.kind();
    if (!CONSTANT_KINDS.has(kind) || (kind === 'boolean' && !booleanAllowed)) {
      this.fail(booleanAllowed ? 'a constant' : 'an orderable constant (not a boolean)');
    }
    this.advance();
  }

  private set(): void {
    this.expect('(', '"(" to open a set of constants');
    if (this.kind() === ')') {
      this.advance();
      return;
    }
    for (;;) {
      this.constant(true);
      if (this.kind() === ')') {
        this.advance();
        return;
      }
      this.expect(',', '"," or ")"');
    }
  }
}

/** Whether a numeric literal is greater than zero, decided on its text so huge values stay exact. */
function isPositive(literal: string): boolean {
  return !literal.startsWith('-') && /[1-9]/.test(literal);
}
