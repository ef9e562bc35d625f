/**
 * `accord validate FILE [--policy strict|permissive]`: checks a STIX bundle file object by object
 * with the same validator the TAXII endpoints use, so a partner can test content before pushing.
 * Prints one line per problem and a summary; exits 1 when anything is invalid, 2 when the file
 * cannot be read as JSON.
 *
 * The file is streamed (src/taxii/bundle-stream.ts): one object is in memory at a time and each
 * problem is printed as it is found, so a 100 MB archive is checked in bounded memory.
 */
import { createReadStream, openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ContentPolicy, createStixValidator, ValidationIssue } from '../stix/validator';
import { fail, isError } from '../errors';
import { EnvelopeShell, streamBundleObjects } from '../taxii/bundle-stream';
import { jsonDepth, MAX_NESTING } from '../taxii/json-depth';

export interface FileReport {
  readonly lines: string[];
  readonly ok: boolean;
}

function line(issue: ValidationIssue): string {
  return issue.path.length > 0 ? `${issue.message} [${issue.rule} at ${issue.path}]` : `${issue.message} [${issue.rule}]`;
}

/** Checks an envelope and its members one at a time, writing each problem as it is found. */
class Checker {
  private readonly validator;
  private count = 0;
  private invalid = 0;
  private envelopeOk = true;

  constructor(
    policy: ContentPolicy,
    private readonly emit: (line: string) => void,
  ) {
    this.validator = createStixValidator({ policy });
  }

  /** A bundle without its "objects" (and whether "objects" was a list). */
  envelope(envelope: unknown, objectsIsList: boolean): void {
    const result = this.validator.validate(envelope);
    if (!result.ok) {
      this.envelopeOk = false;
      result.issues.map(line).forEach(this.emit);
    }
    if (!objectsIsList) {
      this.envelopeOk = false;
      this.emit('The bundle\'s "objects" must be a list [type at objects]');
    }
  }

  member(value: unknown): void {
    this.count++;
    const result = this.validator.validate(value);
    if (!result.ok) {
      this.invalid++;
      result.issues.map(line).forEach(this.emit);
    }
  }

  finish(): boolean {
    this.emit(`${this.count} objects: ${this.count - this.invalid} valid, ${this.invalid} invalid`);
    return this.envelopeOk && this.invalid === 0;
  }
}

const isBundle = (v: unknown): v is { type: 'bundle'; objects?: unknown } =>
  typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'bundle';

/** Validates parsed file content: a bundle, a single object, or a JSON list of objects. */
export function validateContent(content: unknown, policy: ContentPolicy): FileReport {
  const lines: string[] = [];
  const check = new Checker(policy, (l) => lines.push(l));
  let members: unknown[];
  if (Array.isArray(content)) members = content;
  else if (isBundle(content)) {
    const { objects, ...envelope } = content;
    check.envelope(envelope, objects === undefined || Array.isArray(objects));
    members = Array.isArray(objects) ? objects : [];
  } else members = [content];
  members.forEach((m) => check.member(m));
  return { lines, ok: check.finish() };
}

/** The first byte of the file that is not whitespace or a byte-order mark. */
function firstSignificantByte(file: string): number | undefined {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    for (let pos = 0; ;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) return undefined;
      for (let i = 0; i < n; i++) if (![0x20, 0x0a, 0x0d, 0x09, 0xef, 0xbb, 0xbf].includes(buf[i] as number)) return buf[i];
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
}

async function* asObjectsList(file: string): AsyncGenerator<Buffer | string> {
  yield '{"objects":';
  yield* createReadStream(file);
  yield '}';
}

/**
 * One JSON value of the file, refused (as TAXII Add Objects refuses a body) when nested deeper
 * than MAX_NESTING levels counting from the file's top: `depth` is where the value sits.
 */
function parsed(text: string, depth = 0): unknown {
  if (jsonDepth(text) > MAX_NESTING - depth)
    throw fail('unreadable-bundle', `JSON nesting deeper than ${MAX_NESTING} levels is refused, as by the TAXII endpoints`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw fail('unreadable-bundle', `an object is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Streams `file` through the checks, writing each line to `emit`: a bundle (or TAXII envelope)
 * or a list of objects member by member; a file holding one object is read whole.
 * Throws `unreadable-bundle` when the file is not JSON of one of those shapes.
 */
export async function validateFile(file: string, policy: ContentPolicy, emit: (line: string) => void): Promise<boolean> {
  const check = new Checker(policy, emit);
  const list = firstSignificantByte(file) === 0x5b;
  const shell = new EnvelopeShell();
  try {
    for await (const text of streamBundleObjects(list ? asObjectsList(file) : createReadStream(file), list ? undefined : shell))
      check.member(parsed(text, 2));
  } catch (e) {
    // No "objects" list: the file is one object (read whole, as objects are bounded in size).
    if (!(isError(e, 'unreadable-bundle') && /no top-level "objects" list/.test(e.message))) throw e;
    const one = parsed(readFileSync(file, 'utf8'));
    if (isBundle(one)) check.envelope(one, false);
    else check.member(one);
    return check.finish();
  }
  if (!list) {
    if (shell.overflow) throw fail('unreadable-bundle', 'the envelope around the "objects" list is larger than 1 MiB');
    const envelope = parsed(shell.text) as Record<string, unknown>;
    delete envelope.objects;
    if (isBundle(envelope)) check.envelope(envelope, true);
  }
  return check.finish();
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check a STIX 2.1 bundle file against the STIX 2.1 standard, object by object')
    .argument('<file>', 'a JSON file holding a bundle (or TAXII envelope), an object, or a list of objects')
    .addOption(
      new Option('--policy <policy>', 'content policy: strict refuses custom objects and properties')
        .choices(['permissive', 'strict'])
        .default('permissive'),
    )
    .action(async (file: string, opts: { policy: ContentPolicy }) => {
      let ok: boolean;
      try {
        ok = await validateFile(file, opts.policy, (l) => process.stdout.write(`${l}\n`));
      } catch (err) {
        process.stderr.write(`accord validate: cannot read ${file} as JSON: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      if (!ok) process.exitCode = 1;
    });
}
