#!/usr/bin/env node
/** The `accord` executable. Errors the operator can fix are printed plainly, without a stack. */
import { AccountError } from './catalog/accounts';
import { AgreementError } from './catalog/agreements';
import { CatalogError } from './catalog/catalog';
import { PartyError } from './catalog/parties';
import { CliError, buildProgram } from './cli/commands';
import { ConfigError } from './config/config';
import { AccordError } from './errors';
import { BundleStreamError } from './taxii/bundle-stream';

const EXPECTED = [CliError, ConfigError, CatalogError, AccountError, PartyError, AgreementError, AccordError, BundleStreamError];

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    if (EXPECTED.some((k) => err instanceof k)) {
      process.stderr.write(`accord: ${(err as Error).message}\n`);
      process.exit(2);
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' || (err as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`accord: ${(err as Error).message}\n`);
      process.exit(2);
    }
    process.stderr.write(`accord: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
