/**
 * Issue 13 item 7: `accord import` and `accord validate` stream large archives in bounded
 * memory (a 97 MB file peaked at 334 MB RSS in `validate`, which read it whole), import
 * progress lines add up mid-run, and an object that fails the same way in several releases of
 * an archive is listed once with a count.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness } from '../support/harness';
import { accord } from '../support/cli';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');

/** A bundle of about `megabytes` MB of ~1 KB indicators, written in pieces. */
function writeBundle(file: string, megabytes: number): number {
  const fd = openSync(file, 'w');
  writeSync(fd, '{"type":"bundle","id":"bundle--6b2f4e0a-6a4e-4b7e-9d44-0e2b8d0c8f11","objects":[');
  const count = Math.round((megabytes * 1024 * 1024) / 1024);
  const pad = 'x'.repeat(700);
  for (let i = 0; i < count; i++) {
    const id = `indicator--${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    writeSync(
      fd,
      `${i ? ',' : ''}{"type":"indicator","spec_version":"2.1","id":"${id}","created":"2025-01-01T00:00:00.000Z","modified":"2025-01-01T00:00:00.000Z","name":"n${i}","description":"${pad}","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2025-01-01T00:00:00Z"}`,
    );
  }
  writeSync(fd, ']}');
  closeSync(fd);
  return count;
}

/**
 * The JavaScript heap `accord` gets here: enough for the program and one batch of objects,
 * far too little for a 30 MB file held whole (JSON.parse of it alone runs out), so a run that
 * does not stream fails instead of merely using more memory. Deterministic, unlike RSS.
 */
const HEAP_MIB = 48;

/** Runs `accord ARGS` in a capped heap, with the peak-RSS reporter; returns its output and peak RSS in MiB. */
function measured(args: string[]): Promise<{ code: number | null; stdout: string; peakMiB: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${HEAP_MIB}`,
        '-r',
        join(ROOT, 'test/support/swc-register.js'),
        '-r',
        join(ROOT, 'test/support/peak-rss.js'),
        join(ROOT, 'src/main.ts'),
        ...args,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, ACCORD_LOG_LEVEL: 'silent' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const kib = Number(/peak-rss=(\d+)/.exec(stderr)?.[1]);
      resolve({ code, stdout, peakMiB: kib / 1024 });
    });
  });
}

describe('large archives (issue 13 item 7)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'accord-large-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`accord validate streams: a 30 MB bundle is checked in a ${HEAP_MIB} MB heap (reading it whole ran out)`, async () => {
    const big = join(dir, 'big.json');
    const count = writeBundle(big, 30);
    const run = await measured(['validate', big]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${count} objects: ${count} valid, 0 invalid\n`);
    expect(run.peakMiB).toBeLessThan(250);
  });

  it(`accord import streams a 30 MB bundle in a ${HEAP_MIB} MB heap`, async () => {
    const db = join(dir, 'import.db');
    await (await createHarness({ storeFile: db })).close();
    const big = join(dir, 'import.json');
    const count = writeBundle(big, 30);
    const first = await measured(['import', big, '--collection', 'alpha', '--db', db, '--quiet']);
    expect(first.stdout).toMatch(new RegExp(`: ${count} stored, 0 already present, 0 failed`));
    expect(first.peakMiB).toBeLessThan(250);
  });
});

describe('accord import progress and repeated failures', () => {
  let dir: string;
  let db: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-import-'));
    db = join(dir, 'down.db');
    await (await createHarness({ storeFile: db })).close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('each progress line counts objects already present, so read = stored + present + failed', async () => {
    const file = join(dir, 'part.json');
    writeBundle(file, 1.2); // ~1,230 objects: two batches
    await accord(['import', file, '--collection', 'alpha', '--db', db]);
    const second = await accord(['import', file, '--collection', 'alpha', '--db', db]);
    const lines = second.stderr.trim().split('\n');
    expect(lines.length).toBe(2);
    for (const l of lines) {
      const [, read, stored, present, failed] = /^(\d+) objects read, (\d+) stored, (\d+) already present, (\d+) failed/.exec(l) ?? [];
      expect(Number(read)).toBe(Number(stored) + Number(present) + Number(failed));
      expect(Number(present)).toBe(Number(read));
    }
  });

  it('an object that fails the same way in several releases is listed once, with a count', async () => {
    const broken = (modified: string) =>
      JSON.stringify({
        type: 'indicator',
        spec_version: '2.1',
        id: 'indicator--0000beef-0000-4000-8000-000000000000',
        created: '2025-01-01T00:00:00.000Z',
        modified,
        name: 'no pattern',
        pattern_type: 'stix',
        valid_from: '2025-01-01T00:00:00Z',
      });
    const other = JSON.stringify({
      type: 'malware',
      spec_version: '2.1',
      id: 'malware--0000cafe-0000-4000-8000-000000000000',
      created: '2025-01-01T00:00:00.000Z',
      modified: '2025-01-01T00:00:00.000Z',
    });
    const file = join(dir, 'releases.json');
    const fd = openSync(file, 'w');
    // Three "releases": the same broken object (in two versions), and another broken object once.
    writeSync(
      fd,
      `{"type":"bundle","id":"bundle--6b2f4e0a-6a4e-4b7e-9d44-0e2b8d0c8f12","objects":[${[broken('2025-01-01T00:00:00.000Z'), broken('2025-01-01T00:00:00.000Z'), broken('2025-02-01T00:00:00.000Z'), other].join(',')}]}`,
    );
    closeSync(fd);
    const r = await accord(['import', file, '--collection', 'alpha', '--db', db]);
    expect(r.stdout).toMatch(/0 stored, 0 already present, 4 failed/);
    const listed = r.stdout.split('\n').filter((l) => l.startsWith('  '));
    expect(listed).toEqual([
      expect.stringMatching(/^ {2}indicator--0000beef.*pattern.* \(3 times\)$/),
      expect.stringMatching(/^ {2}malware--0000cafe/),
    ]);
  });
});
