/**
 * Regression (issue 12, "files readable by everyone" and "start-up failures print a raw
 * stack"): the database (RED content, password hashes, the token key) was created 0644.
 * Now the database, its WAL and shared-memory files and sharing-log exports are created 0600,
 * the server warns at start about any such file that group or others can read, and a store
 * that cannot be used at start-up ends `accord serve` with one clear line, not a stack.
 */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accord, startAccord } from '../support/cli';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('files private by default (0600)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'accord-files-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accord init creates the database, its WAL and shared-memory files 0600; audit export writes 0600', async () => {
    const db = join(dir, 'accord.db');
    expect((await accord(['init', '--db', db])).code).toBe(0);
    // The files as the next server finds them; -wal and -shm exist while a connection is open.
    const server = startAccord(['serve', '--db', db, '--port', '0']);
    try {
      await server.until(() => /listening on/.exec(server.stdout()));
      for (const f of [db, `${db}-wal`, `${db}-shm`]) expect([f, mode(f)]).toEqual([f, 0o600]);
    } finally {
      server.signal('SIGTERM');
      await server.ended;
    }
    const out = join(dir, 'export.jsonl');
    const exported = await accord(['audit', 'export', '--db', db, '--out', out]);
    expect(exported.code).toBe(0);
    expect(mode(out)).toBe(0o600);
  }, 60_000);

  it('serve warns at start when the database is readable by group or others, naming the file', async () => {
    const db = join(dir, 'accord.db');
    expect((await accord(['init', '--db', db])).code).toBe(0);
    chmodSync(db, 0o644);
    const server = startAccord(['serve', '--db', db, '--port', '0'], { env: { ACCORD_LOG_LEVEL: 'info' } });
    try {
      const warning = await server.until(() => server.logs().find((l) => l.level === 40 && l.file === db));
      expect(warning.msg).toMatch(/readable by group or others.*chmod 600/);
    } finally {
      server.signal('SIGTERM');
      await server.ended;
    }
  }, 60_000);
});

describe('start-up failures: one clear line, exit non-zero', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'accord-startup-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a place where no file can be created (a read-only file system)', () => '/proc/accord.db'],
    [
      'a file that is not a database',
      (d: string) => {
        const f = join(d, 'not.db');
        writeFileSync(f, 'this is not a SQLite database, it is plain text long enough to have a header');
        return f;
      },
    ],
  ])(
    '%s',
    async (_what, path) => {
      const db = path(dir);
      const r = await accord(['serve', '--db', db, '--port', '0']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^accord: cannot (open|use) SQLite database ${db.replace(/[.]/g, '\\.')}: .+\n$`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
    30_000,
  );
});
