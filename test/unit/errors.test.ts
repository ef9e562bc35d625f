/**
 * The error catalogue (src/errors.ts) and docs/errors.md say the same: every code a door can
 * report appears in that door's table with the status (or exit code) its kind maps to and its
 * title, and the tables list nothing the catalogue does not have.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_OF_KIND } from '../../src/cli/failure';
import { ERRORS, type Door, type ErrorCode } from '../../src/errors';
import { STATUS_OF_KIND } from '../../src/http/errors';

const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');

/** `number title` pairs of the first table under the heading (a row may join titles with " / "). */
function documented(heading: string): Set<string> {
  const section = DOC.split(/^## /m).find((s) => s.startsWith(heading));
  if (!section) throw new Error(`docs/errors.md has no "## ${heading}" section`);
  const rows = section.split('\n').filter((l) => /^\| \d{1,3} \|/.test(l));
  return new Set(
    rows.flatMap((row) => {
      const [, code, titles] = row.split('|').map((c) => c.trim());
      return (titles as string).split(' / ').map((t) => `${code} ${t}`);
    }),
  );
}

function catalogue(door: Door, number: (code: ErrorCode) => number): Set<string> {
  const codes = (Object.keys(ERRORS) as ErrorCode[]).filter((c) => (ERRORS[c].doors as readonly Door[]).includes(door));
  return new Set(codes.map((c) => `${number(c)} ${ERRORS[c].title}`));
}

describe('docs/errors.md against the error catalogue', () => {
  it('TAXII (§3.6.1 Error Message): every status and title, and no other', () => {
    expect([...documented('TAXII')].sort()).toEqual([...catalogue('taxii', (c) => STATUS_OF_KIND[ERRORS[c].kind])].sort());
  });

  it('the admin and auditor API: every status and title, and no other', () => {
    expect([...documented('Admin and auditor API')].sort()).toEqual([...catalogue('admin', (c) => STATUS_OF_KIND[ERRORS[c].kind])].sort());
  });

  it('the command line: every exit code and title, and no other', () => {
    expect([...documented('Command line')].sort()).toEqual([...catalogue('cli', (c) => EXIT_OF_KIND[ERRORS[c].kind])].sort());
  });

  it('lists 503 "Sharing log unavailable", which it once left out; no longer 413 "Object too large" (a large object fails alone, TAXII 2.1 §4.2.1)', () => {
    expect(documented('TAXII').has('413 Object too large')).toBe(false);
    expect(documented('TAXII').has('503 Sharing log unavailable')).toBe(true);
  });
});
