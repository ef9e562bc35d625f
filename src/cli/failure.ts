/**
 * How the `accord` command reports an error that ends it: errors the operator can fix are one
 * plain line (exit code 2); anything else is unexpected and shows its stack (exit code 1).
 * Shared by src/main.ts and the serve workers, which hand their start-up error to the primary.
 */
import { AccountError } from '../catalog/accounts';
import { AgreementError } from '../catalog/agreements';
import { CatalogError } from '../catalog/catalog';
import { PartyError } from '../catalog/parties';
import { ConfigError } from '../config/config';
import { AccordError } from '../errors';
import { storageFault } from '../store/faults';
import { BundleStreamError } from '../taxii/bundle-stream';
import { FeedKeyError } from '../feeds/secrets';

/** A mistake on the command line (a bad flag value, an unknown name). */
export class CliError extends Error {}

const EXPECTED = [CliError, ConfigError, CatalogError, AccountError, PartyError, AgreementError, AccordError, BundleStreamError, FeedKeyError];

export interface Failure {
  /** What to print after `accord: `. */
  message: string;
  exitCode: number;
}

export function describeFailure(err: unknown): Failure {
  if (EXPECTED.some((k) => err instanceof k)) return { message: (err as Error).message, exitCode: 2 };
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'ENOENT') return { message: (err as Error).message, exitCode: 2 };
  // A full, locked or read-only store or file at start-up: one line, no stack.
  if (storageFault(err)) return { message: (err as Error).message, exitCode: 2 };
  return { message: `unexpected error: ${(err as Error | undefined)?.stack ?? String(err)}`, exitCode: 1 };
}
