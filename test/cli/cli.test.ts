import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accord } from '../support/cli';

/** The command-line contract operators' scripts rely on (issue: stable CLI). */
describe('accord CLI', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'accord-cli-'));
    db = join(dir, 'accord.db');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('init --db creates the database and applies the catalogue; running it again changes nothing', async () => {
    const first = await accord(['init', '--db', db]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/2 API roots, 199 collections, 1 parties/);
    const again = await accord(['init', '--db', db]);
    expect(again.stdout).toBe(first.stdout);
  });

  it('collection list --json gives id, alias, title and API root path of each collection', async () => {
    const res = await accord(['collection', 'list', '--json', '--db', db]);
    expect(res.code).toBe(0);
    const rows = JSON.parse(res.stdout) as { id: string; alias: string; title: string; api_root: string }[];
    expect(rows).toHaveLength(199);
    const fr = rows.find((r) => r.alias === 'fr');
    expect(fr).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      alias: 'fr',
      title: 'France (FR)',
      api_root: '/exchange/',
    });
  });

  it('account add prints a generated password once; --password-stdin takes the password from standard input', async () => {
    const gen = await accord(['account', 'add', 'siem-fr', '--role', 'reader', '--db', db]);
    expect(gen.code).toBe(0);
    expect(gen.stdout).toMatch(/^password: \S{20,}$/m);
    const given = await accord(['account', 'add', 'vendor-x', '--role', 'writer,reader', '--password-stdin', '--token', '--db', db], {
      stdin: 'a long enough password\n',
    });
    expect(given.code).toBe(0);
    expect(given.stdout).not.toMatch(/^password:/m);
    expect(given.stdout).toMatch(/^token: accord_[A-Za-z0-9_-]{43}$/m);
    const list = JSON.parse((await accord(['account', 'list', '--json', '--db', db])).stdout) as { name: string; roles: string[] }[];
    expect(list.map((a) => [a.name, a.roles])).toEqual([
      ['siem-fr', ['reader']],
      ['vendor-x', ['writer', 'reader']],
    ]);
  });

  it('account add refuses an unknown role, a duplicate name and an unknown party with exit code 2 and a plain message', async () => {
    for (const [args, message] of [
      [['account', 'add', 'x1', '--role', 'superuser'], /unknown role "superuser"/],
      [['account', 'add', 'siem-fr', '--role', 'reader'], /exists already/],
      [['account', 'add', 'x2', '--role', 'reader', '--party', 'nobody'], /no party "nobody"/],
    ] as const) {
      const res = await accord([...args, '--db', db]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).not.toMatch(/at .*\.ts/); // no stack trace
    }
  });

  it('account disable marks the account disabled', async () => {
    expect((await accord(['account', 'disable', 'siem-fr', '--db', db])).code).toBe(0);
    const list = JSON.parse((await accord(['account', 'list', '--json', '--db', db])).stdout) as { name: string; disabled: boolean }[];
    expect(list.find((a) => a.name === 'siem-fr')?.disabled).toBe(true);
  });

  it('import --collection ALIAS streams a bundle into the collection and reports stored, duplicate and failed objects', async () => {
    const bundle = join(dir, 'bundle.json');
    const objects = [
      {
        type: 'indicator',
        spec_version: '2.1',
        id: 'indicator--11111111-1111-4111-8111-111111111111',
        created: '2025-01-01T00:00:00.000Z',
        modified: '2025-01-01T00:00:00.000Z',
        pattern: "[ipv4-addr:value = '203.0.113.7']",
        pattern_type: 'stix',
        valid_from: '2025-01-01T00:00:00Z',
      },
      {
        type: 'malware',
        spec_version: '2.1',
        id: 'malware--22222222-2222-4222-8222-222222222222',
        created: '2025-01-01T00:00:00.000Z',
        modified: '2025-01-01T00:00:00.000Z',
        is_family: false,
      },
      { type: 'indicator', spec_version: '2.1', id: 'malware--33333333-3333-4333-8333-333333333333' },
    ];
    writeFileSync(bundle, JSON.stringify({ type: 'bundle', id: 'bundle--44444444-4444-4444-8444-444444444444', objects }));
    const first = await accord(['import', bundle, '--collection', 'fr', '--db', db]);
    expect(first.stdout).toMatch(/2 stored, 0 already present, 1 failed/);
    expect(first.stdout).toMatch(/malware--33333333-3333-4333-8333-333333333333: .*"id"/);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/3 objects read/);
    const again = await accord(['import', bundle, '--collection', 'fr', '--quiet', '--db', db]);
    expect(again.stdout).toMatch(/0 stored, 2 already present, 1 failed/);
    expect(again.stderr).toBe('');
  });

  it('settings come from ACCORD_* environment variables, and a bad value is reported by name', async () => {
    const viaEnv = await accord(['collection', 'list', '--json'], { env: { ACCORD_DB: db } });
    expect(JSON.parse(viaEnv.stdout)).toHaveLength(199);
    const bad = await accord(['collection', 'list'], { env: { ACCORD_DB: db, ACCORD_PAGE_CAP: 'lots' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ACCORD_PAGE_CAP=lots: must be a whole number/);
  });

  it('serve refuses an invalid configuration file naming the setting', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ pageCap: 0, colour: 'blue' }));
    const res = await accord(['serve', '--config', file, '--db', db]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/unknown setting "colour"/);
    expect(res.stderr).toMatch(/"pageCap" must be >= 1/);
  });
});
