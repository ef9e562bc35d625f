/**
 * The servers the benchmark measures run as child processes, so the load generator and the
 * server do not share an event loop and RSS is the server's own. Every child is tracked and
 * killed, with its process group (cluster workers included), when the bench exits, however
 * it exits; the temporary directory goes with them.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    // Negative pid: the whole group. Children are spawned detached, each its own group.
    process.kill(-(child.pid as number), signal);
  } catch {
    // ESRCH: already gone.
  }
}

process.on('exit', () => {
  for (const child of children) killGroup(child, 'SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
// Exiting runs the handler above. (SIGKILL cannot be caught: nothing cleans up after it.)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping servers\n`);
    process.exit(128 + constants.signals[signal]);
  });
}

/** A temporary directory removed when the bench exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export interface ServerProcess {
  pid: number;
  /** http://host:port, as the server announced it. */
  origin: string;
  /** Asks the server to shut down gracefully; kills its process group if it takes too long. */
  stop(): Promise<void>;
}

/**
 * Runs `node <args>` and waits for a stdout line matching `ready`, whose first capture group
 * is the server's origin. Fails with the child's stderr if it exits or is silent for 60 s.
 */
function startProcess(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  let isReady = false;
  let stopping = false;
  // Keep draining both pipes for the child's whole life: a full pipe would block it.
  child.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));

  const stop = async () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    // A cluster worker that outlived its primary would hold the port and memory.
    killGroup(child, 'SIGKILL');
  };

  return new Promise<ServerProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`node ${args.join(' ')}: not ready after 60 s\n${stderr}`));
    }, 60_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const why = `node ${args.join(' ')} exited (${signal ?? code})`;
      if (!isReady) reject(new Error(`${why} before it was ready\n${stderr}`));
      // The load run that follows fails too; this says why.
      else if (!stopping) process.stderr.write(`bench: ${why} while being measured\n${stderr}\n`);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (isReady) return;
      stdout += chunk.toString();
      const match = ready.exec(stdout);
      if (!match) return;
      isReady = true;
      clearTimeout(timer);
      resolve({ pid: child.pid as number, origin: match[1] as string, stop });
    });
  });
}

const ACCORD_MAIN = join(__dirname, '..', '..', 'src', 'main.js');
const BASELINE_SERVER = join(__dirname, '..', 'baseline-server.js');
const STORAGE_SERVER = join(__dirname, '..', 'storage-server.js');
const AUDIT_SERVER = join(__dirname, '..', 'audit-server.js');

/**
 * `accord serve` on a prepared database file, on a free port, logging nothing. `limits`: off
 * (the default) sets the per-account rate limit far above what one bench caller asks, so the
 * limiter's work per request stays in the figures and its refusals do not; `defaults` runs
 * with every limit as shipped (the flood scenario). `nodeArgs` go to node before the script
 * (`--cpu-prof`: bench/ingest.ts --profile); `settings`, ACCORD_* variables that change a
 * setting on purpose (bench/memory.ts --page-reads).
 */
export function startAccord(
  db: string,
  workers = 1,
  limits: 'off' | 'defaults' = 'off',
  nodeArgs: string[] = [],
  settings: Record<string, string> = {},
): Promise<ServerProcess> {
  // Only our settings: an ACCORD_* variable of the caller's shell must not change what is measured.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ACCORD_')));
  const args = [...nodeArgs, ACCORD_MAIN, 'serve', '--db', db, '--port', '0', ...(workers > 1 ? ['--workers', String(workers)] : [])];
  return startProcess(args, /Accord is listening on (https?:\/\/[^/\s]+)/, {
    ...env,
    ACCORD_LOG_LEVEL: 'silent',
    ...(limits === 'off' && { ACCORD_RATE_LIMIT_PER_SECOND: '1000000', ACCORD_RATE_LIMIT_BURST: '1000000' }),
    ...settings,
  });
}

/** Whether this build of `accord serve` has `--workers` (node:cluster). */
export function accordHasWorkers(): boolean {
  return execFileSync(process.execPath, [ACCORD_MAIN, 'serve', '--help'], { encoding: 'utf8' }).includes('--workers');
}

/** bench/baseline-server.ts: a bare node:http or one-route Express server replaying one response. */
export function startBaseline(kind: 'node' | 'express', responseFile: string): Promise<ServerProcess> {
  return startProcess([BASELINE_SERVER, kind, '0', responseFile], /listening on (http:\/\/\S+)/);
}

/** bench/storage-server.ts: the storage-bound baseline, answering from the database file itself. */
export function startStorageBaseline(db: string): Promise<ServerProcess> {
  return startProcess([STORAGE_SERVER, '0', db], /listening on (http:\/\/\S+)/);
}

/** bench/audit-server.ts: Accord's app with the sharing log on, or discarding its events. */
export function startAuditServer(db: string, log: 'on' | 'off'): Promise<ServerProcess> {
  return startProcess([AUDIT_SERVER, db, log], /listening on (http:\/\/\S+)/);
}
