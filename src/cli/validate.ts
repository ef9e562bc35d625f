/**
 * `accord validate FILE [--policy strict|permissive]`: checks a STIX bundle file object by object
 * with the same validator the TAXII endpoints use, so a partner can test content before pushing.
 * Prints one line per problem and a summary; exits 1 when anything is invalid, 2 when the file
 * cannot be read as JSON.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ContentPolicy, createStixValidator, ValidationIssue } from '../stix/validator';
import { jsonDepth, MAX_NESTING } from '../taxii/json-depth';

export interface FileReport {
  readonly lines: string[];
  readonly ok: boolean;
}

function line(issue: ValidationIssue): string {
  return issue.path.length > 0 ? `${issue.message} [${issue.rule} at ${issue.path}]` : `${issue.message} [${issue.rule}]`;
}

/** Validates parsed file content: a bundle, a single object, or a JSON list of objects. */
export function validateContent(content: unknown, policy: ContentPolicy): FileReport {
  const validator = createStixValidator({ policy });
  const lines: string[] = [];
  let members: unknown[];
  let envelopeOk = true;
  if (Array.isArray(content)) {
    members = content;
  } else if (typeof content === 'object' && content !== null && (content as { type?: unknown }).type === 'bundle') {
    const { objects, ...envelope } = content as { objects?: unknown };
    const result = validator.validate(envelope);
    if (!result.ok) {
      envelopeOk = false;
      lines.push(...result.issues.map(line));
    }
    if (objects !== undefined && !Array.isArray(objects)) {
      envelopeOk = false;
      lines.push('The bundle\'s "objects" must be a list [type at objects]');
    }
    members = Array.isArray(objects) ? objects : [];
  } else {
    members = [content];
  }
  let invalid = 0;
  for (const member of members) {
    const result = validator.validate(member);
    if (!result.ok) {
      invalid++;
      lines.push(...result.issues.map(line));
    }
  }
  lines.push(`${members.length} objects: ${members.length - invalid} valid, ${invalid} invalid`);
  return { lines, ok: envelopeOk && invalid === 0 };
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check a STIX 2.1 bundle file against the STIX 2.1 standard, object by object')
    .argument('<file>', 'a JSON file holding a bundle, an object, or a list of objects')
    .addOption(new Option('--policy <policy>', 'content policy: strict refuses custom objects and properties')
      .choices(['permissive', 'strict'])
      .default('permissive'))
    .action((file: string, opts: { policy: ContentPolicy }) => {
      let content: unknown;
      try {
        const text = readFileSync(file, 'utf8');
        // The limit TAXII Add Objects applies to a body, checked on the text before JSON.parse.
        if (jsonDepth(text) > MAX_NESTING) throw new Error(`JSON nesting deeper than ${MAX_NESTING} levels is refused, as by the TAXII endpoints`);
        content = JSON.parse(text);
      } catch (err) {
        process.stderr.write(`accord validate: cannot read ${file} as JSON: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const report = validateContent(content, opts.policy);
      process.stdout.write(`${report.lines.join('\n')}\n`);
      if (!report.ok) process.exitCode = 1;
    });
}
