#!/usr/bin/env node
/** The `accord` executable. Errors the operator can fix are printed plainly, without a stack. */
import { buildProgram } from './cli/commands';
import { describeFailure } from './cli/failure';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    const { message, exitCode } = describeFailure(err);
    process.stderr.write(`accord: ${message}\n`);
    process.exit(exitCode);
  });
