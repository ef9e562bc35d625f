/**
 * src/taxii/cursor.ts: stateless `next` cursors (TAXII 2.1 §3.5 Pagination). A cursor is
 * opaque to clients, bound to the query it came from, and anything the server did not issue
 * is a 400 (AccordError 'bad-request'), never a crash or a silently different page.
 */
import fc from 'fast-check';
import { AccordError } from '../../src/errors';
import { decodeCursor, encodeCursor } from '../../src/taxii/cursor';

const SCOPE = '["2b1f0a1e-6a8c-4d0e-9f53-1c1f7c0c2a01|",null,null,false,false,true,[],null,null]';
const POSITION = Date.UTC(2026, 0, 1) * 1000 + 123_456;

function rejection(token: string, scope = SCOPE): AccordError {
  try {
    decodeCursor(token, scope);
  } catch (e) {
    if (e instanceof AccordError) return e;
    throw e;
  }
  throw new Error(`decodeCursor accepted ${JSON.stringify(token)}`);
}

describe('TAXII 2.1 §3.5 next cursors', () => {
  it('round-trips a position for its own scope', () => {
    const cursor = encodeCursor(POSITION, SCOPE);
    expect(decodeCursor(cursor, SCOPE)).toBe(POSITION);
  });

  it('round-trips any position a date_added can take (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.string(), (position, scope) => {
        expect(decodeCursor(encodeCursor(position, scope), scope)).toBe(position);
      }),
    );
  });

  it('is opaque to clients: URL-safe, no visible query or position', () => {
    const cursor = encodeCursor(POSITION, SCOPE);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(String(POSITION));
    expect(cursor.length).toBeLessThanOrEqual(64);
  });

  it('the same position under another scope gives another cursor', () => {
    expect(encodeCursor(POSITION, SCOPE)).not.toBe(encodeCursor(POSITION, SCOPE + 'x'));
  });

  it('a cursor from another query (foreign scope) is a bad request that says so', () => {
    const e = rejection(encodeCursor(POSITION, 'another collection'));
    expect(e.kind).toBe('bad-request');
    expect(e.description).toMatch(/different query/);
  });

  it('a tampered cursor (any one character changed) is a bad request', () => {
    const cursor = encodeCursor(POSITION, SCOPE);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < cursor.length; i++) {
      for (const step of [1, 17, 32]) {
        const replacement = alphabet[(alphabet.indexOf(cursor[i] as string) + step) % alphabet.length] as string;
        expect(rejection(cursor.slice(0, i) + replacement + cursor.slice(i + 1)).kind).toBe('bad-request');
      }
    }
  });

  it('an edited position is refused even when the rest of the cursor is kept', () => {
    const [, tail] = Buffer.from(encodeCursor(POSITION, SCOPE), 'base64url').toString('latin1').split('.');
    const edited = Buffer.from(`${POSITION + 1}.${tail}`).toString('base64url');
    expect(rejection(edited).kind).toBe('bad-request');
  });

  it('truncated cursors are bad requests', () => {
    const cursor = encodeCursor(POSITION, SCOPE);
    for (let n = 0; n < cursor.length; n++) expect(rejection(cursor.slice(0, n)).kind).toBe('bad-request');
  });

  it.each([
    ['empty', ''],
    ['plain text', 'garbage'],
    ['not base64url', '!!!!'],
    ['a bare number', '1767225600123456'],
    ['a negative position', Buffer.from(`-1.${'A'.repeat(16)}`).toString('base64url')],
    ['an 18-digit position', Buffer.from(`100000000000000000.${'A'.repeat(16)}`).toString('base64url')],
    ['a short digest', Buffer.from(`1.${'A'.repeat(15)}`).toString('base64url')],
    ['a long digest', Buffer.from(`1.${'A'.repeat(17)}`).toString('base64url')],
    ['no separator', Buffer.from(`1${'A'.repeat(16)}`).toString('base64url')],
    ['JSON', Buffer.from('{"position":1}').toString('base64url')],
  ])('%s is a bad request', (_what, token) => {
    const e = rejection(token);
    expect(e.kind).toBe('bad-request');
    expect(e.title).toBe('Malformed parameter');
  });

  it.each([
    ['trailing characters outside base64url', '!!'],
    ['padding', '=='],
    ['a trailing space', ' '],
    ['a trailing newline', '\n'],
  ])('a valid cursor with %s appended is a bad request', (_what, suffix) => {
    expect(rejection(encodeCursor(POSITION, SCOPE) + suffix).kind).toBe('bad-request');
  });

  it('a valid cursor with leading whitespace is a bad request', () => {
    expect(rejection(' ' + encodeCursor(POSITION, SCOPE)).kind).toBe('bad-request');
  });

  it('an overlong cursor is a bad request, however it starts', () => {
    const cursor = encodeCursor(POSITION, SCOPE);
    expect(rejection(cursor + 'A'.repeat(65 - cursor.length)).kind).toBe('bad-request');
    expect(rejection('A'.repeat(100_000)).kind).toBe('bad-request');
  });
});
