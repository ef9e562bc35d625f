/**
 * `next` cursors (TAXII 2.1 §3.6 Pagination). A cursor is stateless: the date_added of the
 * last record returned, plus a digest of the query it belongs to. Nothing is kept on the
 * server, so a cursor works on any server process and after restarts, and a page never
 * skips or repeats a record because date_added values are unique and increasing.
 */
import { createHash } from 'node:crypto';
import { badRequest } from '../errors';
import type { Micros } from '../store/store';

function digest(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 16);
}

export function encodeCursor(position: Micros, scope: string): string {
  return Buffer.from(`${position}.${digest(scope)}`).toString('base64url');
}

const CURSOR = /^(\d{1,17})\.([A-Za-z0-9_-]{16})$/;

export function decodeCursor(token: string, scope: string): Micros {
  const m = token.length <= 64 ? CURSOR.exec(Buffer.from(token, 'base64url').toString('latin1')) : null;
  if (!m) throw badRequest('Malformed parameter', '"next" is not a value this server issued');
  if (m[2] !== digest(scope)) {
    throw badRequest('Malformed parameter', '"next" belongs to a different query; repeat the original filters with it');
  }
  return Number(m[1]);
}
