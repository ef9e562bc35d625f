/** `accord validate FILE [--policy]`: the per-object report, the summary line and the exit code. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerValidateCommand, validateContent } from '../../src/cli/validate';
import { clone, FIXTURES, loadFixture } from './helpers';

type Bundle = { type: string; id?: string; objects: Record<string, unknown>[] };
const poisonIvy = loadFixture('poisonivy.json') as Bundle;

describe('validateContent', () => {
  it('reports a valid bundle with a summary line only', () => {
    const report = validateContent(poisonIvy, 'strict');
    expect(report).toEqual({ ok: true, lines: [`${poisonIvy.objects.length} objects: ${poisonIvy.objects.length} valid, 0 invalid`] });
  });

  it('prints one line per issue of each failing object, then the summary', () => {
    const broken = clone(poisonIvy);
    const malware = broken.objects.find((o) => o.type === 'malware') as Record<string, unknown>;
    delete malware.is_family;
    malware.x_Score = 1;
    const report = validateContent(broken, 'permissive');
    expect(report.ok).toBe(false);
    expect(report.lines).toEqual([
      `${String(malware.id)} (${String(malware.modified)}): "is_family" is required [required at is_family]`,
      expect.stringMatching(/"x_Score" is not a valid custom property name.*\[custom-property-name at x_Score\]$/),
      `${broken.objects.length} objects: ${broken.objects.length - 1} valid, 1 invalid`,
    ]);
  });

  it('applies the strict policy to custom content', () => {
    const withCustom = clone(poisonIvy);
    withCustom.objects.push({ type: 'x-acme-widget', spec_version: '2.1', id: 'x-acme-widget--daa4cbb1-b4f4-4723-a824-7f1efd6e0592' });
    expect(validateContent(withCustom, 'permissive').ok).toBe(true);
    const report = validateContent(withCustom, 'strict');
    expect(report.ok).toBe(false);
    expect(report.lines[report.lines.length - 1]).toBe(`${withCustom.objects.length} objects: ${withCustom.objects.length - 1} valid, 1 invalid`);
  });

  it('reports problems of the bundle envelope itself', () => {
    const { id: _id, ...noId } = clone(poisonIvy);
    const report = validateContent(noId, 'permissive');
    expect(report.ok).toBe(false);
    expect(report.lines[0]).toBe('A bundle object without an id: "id" is required [required at id]');
  });

  it('accepts a single object or a list of objects as well as a bundle', () => {
    expect(validateContent(poisonIvy.objects[0], 'permissive').lines).toEqual(['1 objects: 1 valid, 0 invalid']);
    expect(validateContent([poisonIvy.objects[0], 42], 'permissive').lines).toEqual([
      'The value is a number, but a STIX object must be a JSON object [object]',
      '2 objects: 1 valid, 1 invalid',
    ]);
  });
});

describe('registerValidateCommand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accord-validate-'));
  let out: string;
  let err: string;

  async function run(...args: string[]): Promise<number | undefined> {
    out = '';
    err = '';
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err += String(chunk);
      return true;
    });
    const program = new Command('accord').exitOverride();
    registerValidateCommand(program);
    try {
      await program.parseAsync(['node', 'accord', 'validate', ...args]);
      return process.exitCode === undefined ? undefined : Number(process.exitCode);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      process.exitCode = undefined;
    }
  }

  it('exits 0 and prints the summary for a valid bundle file', async () => {
    expect(await run(join(FIXTURES, 'apt1.json'), '--policy', 'strict')).toBeUndefined();
    expect(out).toMatch(/^\d+ objects: (\d+) valid, 0 invalid\n$/);
  });

  it('exits 1 when an object is invalid', async () => {
    const file = join(dir, 'bad.json');
    const bundle = clone(poisonIvy);
    (bundle.objects[0] as Record<string, unknown>).created = '2021-02-30T00:00:00.000Z';
    writeFileSync(file, JSON.stringify(bundle));
    expect(await run(file)).toBe(1);
    expect(out).toContain('"created" is not a real calendar date: 2021-02-30 does not exist [timestamp at created]');
    expect(out).toMatch(/\d+ objects: \d+ valid, 1 invalid\n$/);
  });

  it('exits 2 when the file is not JSON', async () => {
    const file = join(dir, 'not.json');
    writeFileSync(file, '{"type": "bundle",');
    expect(await run(file)).toBe(2);
    expect(err).toMatch(/^accord validate: cannot read .*not\.json as JSON/);
  });

  it('exits 2 on a file nested deeper than a TAXII body may be, before parsing it (as Add Objects refuses it)', async () => {
    const file = join(dir, 'deep.json');
    writeFileSync(file, `{"type":"bundle","objects":[${'['.repeat(100)}${']'.repeat(100)}]}`);
    expect(await run(file)).toBe(2);
    expect(err).toMatch(/nesting deeper than 64 levels is refused/);
  });

  it('refuses a policy other than strict or permissive', async () => {
    await expect(run(join(FIXTURES, 'apt1.json'), '--policy', 'lenient')).rejects.toThrow(/Allowed choices are permissive, strict/);
  });
});
