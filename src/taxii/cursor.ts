/**
 * `next` cursors (TAXII 2.1 §3.5 Pagination). A cursor is stateless: the date_added of the
 * last record returned, plus a digest of that position and the query it belongs to. Nothing
 * is kept on the server, so a cursor works on any server process and after restarts, and a
 * page never skips or repeats a record because date_added values are unique and increasing.
 */
import { createHash } from 'node:crypto';
import { fail } from '../errors';
import type { Micros } from '../time';

// The digest covers the position too, so an edited or corrupted cursor is refused rather
// than silently read as another position. (It is a checksum, not a secret: a position is no
// more than an added_after value, which every client may send anyway.)
function digest(position: string, scope: string): string {
  return createHash('sha256').update(`${position}|${scope}`).digest('base64url').slice(0, 16);
}

export function encodeCursor(position: Micros, scope: string): string {
  return Buffer.from(`${position}.${digest(String(position), scope)}`).toString('base64url');
}

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const CURSOR = /^(\d{1,17})\.([A-Za-z0-9_-]{16})$/;

export function decodeCursor(token: string, scope: string): Micros {
  // Node's base64 decoder skips characters outside the alphabet and ignores unused bits, so
  // only the exact canonical encoding of what was decoded counts as a cursor we issued.
  const text = TOKEN.test(token) ? Buffer.from(token, 'base64url').toString('latin1') : '';
  const m = Buffer.from(text, 'latin1').toString('base64url') === token ? CURSOR.exec(text) : null;
  if (!m) throw fail('malformed-parameter', '"next" is not a value this server issued');
  if (m[2] !== digest(m[1] as string, scope)) {
    throw fail('malformed-parameter', '"next" belongs to a different query; repeat the original filters with it');
  }
  return Number(m[1]);
}
