/**
 * How the `accord` command reports an error that ends it: an error of the catalogue
 * (src/errors.ts) is one plain line with the exit code of its kind; anything else is
 * unexpected and shows its stack (exit code 1). Shared by src/main.ts and the serve workers,
 * which hand their start-up error to the primary.
 */
import type { ErrorKind } from '../errors';
import { storageFault } from '../store/faults';

/** Exit codes by kind: 2 for what the operator can fix (input, names, state, an unreachable store), 1 for a bug. */
export const EXIT_OF_KIND: Record<ErrorKind, number> = {
  'bad-request': 2,
  unauthorized: 2,
  forbidden: 2,
  'not-found': 2,
  'method-not-allowed': 2,
  'not-acceptable': 2,
  timeout: 2,
  conflict: 2,
  'too-large': 2,
  'unsupported-media-type': 2,
  'too-many-requests': 2,
  unavailable: 2,
  internal: 1,
};

export interface Failure {
  /** What to print after `accord: `. */
  message: string;
  exitCode: number;
}

export function describeFailure(err: unknown): Failure {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'ENOENT') return { message: (err as Error).message, exitCode: 2 };
  // A full, locked or read-only store or file at start-up is one line, no stack, like any error of the catalogue.
  const known = storageFault(err);
  if (known) return { message: known === err ? known.message : (err as Error).message, exitCode: EXIT_OF_KIND[known.kind] };
  return { message: `unexpected error: ${(err as Error | undefined)?.stack ?? String(err)}`, exitCode: 1 };
}
