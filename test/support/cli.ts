import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv | undefined): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['-r', join(ROOT, 'test/support/swc-register.js'), join(ROOT, 'src/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ACCORD_LOG_LEVEL: 'silent', ...env },
  });
}

/** Runs `accord ARGS` as a real process on the TypeScript sources. */
export function accord(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options.env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** One JSON log line (pino) of a running accord process. */
export type LogLine = Record<string, unknown> & { msg?: string };

/** A long-running `accord` process (`serve`), watched as its output arrives. */
export interface RunningCli {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** The JSON log lines written to standard output so far. */
  logs(): LogLine[];
  /**
   * Resolves with the first truthy value `test` returns, checked now and on each new output;
   * rejects if the process ends first (the jest timeout bounds a wait that never ends).
   */
  until<T>(test: () => T | undefined | null | false): Promise<T>;
  signal(signal: NodeJS.Signals): void;
  /** Settles when the process has ended and its output is closed. */
  readonly ended: Promise<CliResult>;
}

export function startAccord(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): RunningCli {
  const child = spawnCli(args, options.env);
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  let result: CliResult | undefined;
  const watchers = new Set<() => void>();
  const changed = () => {
    for (const w of [...watchers]) w();
  };
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    changed();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    changed();
  });
  const ended = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      result = { code, stdout, stderr };
      resolve(result);
      changed();
    });
  });
  const logs = () =>
    stdout
      .split('\n')
      .slice(0, -1) // the last piece is an unfinished line
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  return {
    pid: child.pid as number,
    stdout: () => stdout,
    stderr: () => stderr,
    logs,
    until<T>(test: () => T | undefined | null | false): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const value = test();
          if (value) {
            watchers.delete(check);
            resolve(value);
          } else if (result) {
            watchers.delete(check);
            reject(new Error(`accord ended (code ${result.code}) before the awaited output\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
          }
        };
        watchers.add(check);
        check();
      });
    },
    signal: (signal) => {
      child.kill(signal);
    },
    ended,
  };
}

/** A valid STIX 2.1 indicator with a fresh id, for tests that push through a running server. */
export function randomIndicator(): Record<string, unknown> {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${randomUUID()}`,
    created: '2025-01-01T00:00:00.000Z',
    modified: '2025-01-01T00:00:00.000Z',
    pattern: "[ipv4-addr:value = '203.0.113.7']",
    pattern_type: 'stix',
    valid_from: '2025-01-01T00:00:00Z',
  };
}
