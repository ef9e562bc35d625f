/**
 * The admin operations from the command line (`accord party|agreement|collection|account …`),
 * run as real processes on a database file. Operator mistakes exit 2 with a plain message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPassword } from '../../src/auth/secrets';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { accord, type CliResult } from '../support/cli';
import { agreementInput } from './support';

/** The name this operator's changes are recorded under (config `operator`). */
const OPERATOR = { ACCORD_OPERATOR: 'cli:anna' };

describe('Admin from the command line', () => {
  let dir: string;
  let db: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-admin-cli-'));
    db = join(dir, 'accord.db');
    expect((await accord(['init', '--db', db], { env: OPERATOR })).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => accord([...args, '--db', db], { env: OPERATOR });
  const runWithStdin = (stdin: string, ...args: string[]) => accord([...args, '--db', db], { stdin, env: OPERATOR });
  const succeeds = (res: CliResult) => {
    expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
    return res.stdout;
  };
  const failsPlainly = (res: CliResult, message: RegExp) => {
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
  };
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };
  async function withStore<T>(fn: (store: SqliteStore) => Promise<T>): Promise<T> {
    const store = new SqliteStore(db);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  }

  it('an operator adds a party, lists it, and adding it again updates it', async () => {
    expect(succeeds(await run('party', 'add', 'fr-police', '--name', 'Police nationale', '--kind', 'national-agency', '--country', 'FR'))).toBe(
      'added party fr-police (Police nationale)\n',
    );
    expect(succeeds(await run('party', 'add', 'fr-police', '--name', 'OFAC', '--kind', 'national-agency', '--country', 'FR'))).toBe(
      'updated party fr-police (OFAC)\n',
    );
    const parties = JSON.parse(succeeds(await run('party', 'list', '--json'))) as unknown[];
    expect(parties).toContainEqual({ id: 'fr-police', name: 'OFAC', kind: 'national-agency', country: 'FR' });
    expect(succeeds(await run('party', 'list'))).toMatch(/^fr-police\tnational-agency\tFR\tOFAC$/m);
  });

  it('party add refuses an invalid party with exit code 2 and the reason', async () => {
    failsPlainly(
      await run('party', 'add', 'de-bka', '--name', 'BKA', '--kind', 'national-agency'),
      /^accord: invalid party: a national agency needs its "country"\n$/,
    );
  });

  it('an operator creates an agreement from a file, activates it, revises it to version 2, and reads both versions', async () => {
    expect(succeeds(await run('agreement', 'create', file('fr.json', agreementInput('fr-national', 'fr-police', { countries: ['FR'] }))))).toBe(
      'created agreement fr-national version 1 (draft)\n',
    );
    expect(succeeds(await run('agreement', 'activate', 'fr-national'))).toBe('agreement fr-national is now active (version 1)\n');
    const revised = agreementInput('fr-national', 'fr-police', { countries: ['FR'], aliases: ['global'] }, { title: 'France, v2' });
    expect(succeeds(await run('agreement', 'revise', 'fr-national', file('fr-v2.json', revised)))).toBe(
      'revised agreement fr-national: version 2 (active)\n',
    );
    expect(JSON.parse(succeeds(await run('agreement', 'show', 'fr-national')))).toMatchObject({
      version: 2,
      title: 'France, v2',
      status: 'active',
      created_by: 'cli:anna',
    });
    expect(JSON.parse(succeeds(await run('agreement', 'show', 'fr-national', '--version', '1')))).toMatchObject({
      version: 1,
      title: 'Agreement fr-national',
    });
    expect(succeeds(await run('agreement', 'versions', 'fr-national'))).toMatch(
      /^v1\tactive\t\S+Z\tcli:anna\tAgreement fr-national\nv2\tactive\t\S+Z\tcli:anna\tFrance, v2\n$/,
    );
    const list = JSON.parse(succeeds(await run('agreement', 'list', '--json'))) as { id: string; version: number }[];
    expect(list.map((a) => [a.id, a.version])).toEqual([['fr-national', 2]]);
    expect(succeeds(await run('agreement', 'list'))).toMatch(/^fr-national\tv2\tactive\t2025-01-01T00:00:00.000000Z\topen-ended\tFrance, v2$/m);
  });

  it('an operator suspends, reactivates and revokes an agreement; after revoking, every move exits 2', async () => {
    expect(succeeds(await run('agreement', 'suspend', 'fr-national'))).toMatch(/is now suspended/);
    expect(succeeds(await run('agreement', 'activate', 'fr-national'))).toMatch(/is now active/);
    expect(succeeds(await run('agreement', 'revoke', 'fr-national'))).toMatch(/is now revoked/);
    failsPlainly(await run('agreement', 'activate', 'fr-national'), /agreement "fr-national" is revoked; it cannot become active/);
  });

  it.each([
    [['agreement', 'create', 'bad.json'], { ...agreementInput('bad', 'nobody', { all: true }) }, /invalid agreement: no party "nobody"/],
    [['agreement', 'create', 'garbage.json'], '{"id": ', /cannot read .*garbage.json as JSON/],
    [
      ['agreement', 'create', 'rate.json'],
      { ...agreementInput('rate', 'fr-police', { all: true }), terms: { rate_limit: { requests_per_minute: -5 } } },
      /invalid agreement: \/terms\/rate_limit\/requests_per_minute must be >= 1/,
    ],
    [['agreement', 'show', 'nothing'], undefined, /no agreement "nothing"/],
    [['agreement', 'show', 'fr-national', '--version', '7'], undefined, /has no version 7/],
  ])('agreement mistakes exit 2 with the reason (%j)', async (args, content, message) => {
    if (content !== undefined) file(args[2]!, content);
    failsPlainly(await run(...args.map((a) => (a.endsWith('.json') ? join(dir, a) : a))), message);
  });

  it('an operator adds a collection; an alias taken in the API root exits 2', async () => {
    const id = '6f1e2b4c-8a57-4c3e-b0d4-1d2e3f405162';
    expect(
      succeeds(
        await run(
          'collection',
          'add',
          '--id',
          id,
          '--api-root',
          'exchange',
          '--alias',
          'vendors',
          '--title',
          'Vendor reports',
          '--description',
          'pushed by vendors',
        ),
      ),
    ).toBe(`added collection ${id} (vendors) in API root exchange\n`);
    const rows = JSON.parse(succeeds(await run('collection', 'list', '--json'))) as { id: string; alias: string; title: string; api_root: string }[];
    expect(rows).toContainEqual({ id, alias: 'vendors', title: 'Vendor reports', api_root: '/exchange/' });
    failsPlainly(
      await run('collection', 'add', '--id', '0b9f6f5e-2f3c-4d6a-9b8e-7c1d2e3f4a5b', '--api-root', 'exchange', '--alias', 'fr', '--title', 'Clash'),
      /the alias "fr" is taken/,
    );
  });

  it("an operator changes an account's roles and enables a disabled account", async () => {
    succeeds(await run('account', 'add', 'siem-fr', '--role', 'reader', '--party', 'fr-police'));
    expect(succeeds(await run('account', 'roles', 'siem-fr', '--role', 'reader', '--role', 'writer'))).toBe('roles of siem-fr: reader, writer\n');
    succeeds(await run('account', 'disable', 'siem-fr'));
    expect(succeeds(await run('account', 'enable', 'siem-fr'))).toBe('enabled siem-fr\n');
    const account = await withStore((s) => s.getAccountByName('siem-fr'));
    expect(account).toMatchObject({ roles: ['reader', 'writer'], disabled: false });
    failsPlainly(await run('account', 'roles', 'siem-fr', '--role', 'root'), /unknown role "root"/);
    failsPlainly(await run('account', 'enable', 'nobody'), /no account named "nobody"/);
  });

  it('set-password prints a generated password once; with --password-stdin it prints none', async () => {
    const generated = succeeds(await run('account', 'set-password', 'siem-fr'));
    const password = /^password: (\S+)$/m.exec(generated)?.[1];
    expect(password).toMatch(/^\S{20,}$/);
    expect(await verifyPassword(password!, (await withStore((s) => s.getAccountByName('siem-fr')))!.passwordHash!)).toBe(true);
    const given = succeeds(await runWithStdin('a long enough password\n', 'account', 'set-password', 'siem-fr', '--password-stdin'));
    expect(given).toBe('password of siem-fr changed\n');
    expect(await verifyPassword('a long enough password', (await withStore((s) => s.getAccountByName('siem-fr')))!.passwordHash!)).toBe(true);
    failsPlainly(await runWithStdin('short\n', 'account', 'set-password', 'siem-fr', '--password-stdin'), /at least 12 characters/);
  });

  it('issue 12 §14: an operator adds client certificates (fingerprint, or subject and issuer), lists, revokes one and requires certificates; mistakes exit 2', async () => {
    succeeds(await run('account', 'add', 'cert-user', '--role', 'reader'));
    const fp = 'AB:'.repeat(31) + 'AB';
    const pinned = /^certificate id: (\S+)$/m.exec(
      succeeds(await run('account', 'certificate', 'cert-user', '--fingerprint', fp, '--label', 'host')),
    )?.[1];
    succeeds(await run('account', 'certificate', 'cert-user', '--subject', 'CN=siem,O=Police', '--issuer', 'CN=Exchange CA'));
    const listed = succeeds(await run('account', 'certificates', 'cert-user'));
    expect(listed).toContain(`${pinned as string}\thost\t${'ab'.repeat(32)}\n`);
    expect(listed).toContain('CN=siem, O=Police / CN=Exchange CA');
    expect(succeeds(await run('account', 'revoke-certificate', pinned as string))).toBe(`revoked certificate ${pinned as string}\n`);
    expect(succeeds(await run('account', 'certificates', 'cert-user'))).toMatch(/\tREVOKED /);
    succeeds(await run('account', 'require-certificate', 'cert-user', 'on'));
    expect(await withStore(async (store) => (await store.getAccountByName('cert-user'))?.requireCertificate)).toBe(true);
    failsPlainly(await run('account', 'certificate', 'cert-user', '--fingerprint', 'abc'), /64 hex digits/);
    failsPlainly(await run('account', 'certificate', 'cert-user', '--subject', 'CN=x'), /either --fingerprint, or --subject and --issuer/);
    failsPlainly(await run('account', 'revoke-certificate', pinned as string), /no active certificate/);
  });

  it('the change record names the local operator (ACCORD_OPERATOR) for every change made here, and holds no secret', async () => {
    const changes = await withStore((s) => s.listChanges(1000));
    expect(changes.every((c) => c.by === 'cli:anna')).toBe(true);
    const made = new Set(changes.map((c) => `${c.entity}:${c.action}`));
    for (const kind of [
      'party:create',
      'party:update',
      'agreement:create',
      'agreement:active',
      'agreement:revise',
      'agreement:suspended',
      'agreement:revoked',
      'collection:create',
      'account:update',
    ]) {
      expect([kind, made.has(kind)]).toEqual([kind, true]);
    }
    expect(JSON.stringify(changes)).not.toContain('a long enough password');
  });
});
