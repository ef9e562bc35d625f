/**
 * The SQLite store's worker threads (the sharing-log writer, the WAL checkpointer), each with
 * its own connection to the file. Each script says `{ ready: true }` once its connection is
 * open.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * Starts the thread running `name` from this folder: the compiled script, or its TypeScript
 * source when running from sources (`execArgv` then passes a require hook). `started`
 * resolves true once it is ready, false (after `unavailable`) if it could not start.
 */
export function startThread(
  name: string,
  workerData: unknown,
  unavailable: (err: Error) => void,
  options: { execArgv?: string[]; resourceLimits?: ResourceLimits } = {},
): { worker: Worker; started: Promise<boolean> } {
  const compiled = join(__dirname, `${name}.js`);
  const worker = new Worker(existsSync(compiled) ? compiled : join(__dirname, `${name}.ts`), {
    workerData,
    ...(options.resourceLimits && { resourceLimits: options.resourceLimits }),
    ...(options.execArgv && { execArgv: options.execArgv }),
  });
  const started = new Promise<boolean>((resolve) => {
    worker.once('message', (msg: object) => resolve('ready' in msg));
    worker.once('error', (err) => {
      unavailable(err);
      resolve(false);
    });
  });
  return { worker, started };
}
