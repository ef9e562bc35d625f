/**
 * Turns schema errors and rule findings into the sentences a sender reads: one per problem,
 * starting with the object's id (and version), naming the property and what it must be.
 */
import type { ErrorObject } from 'ajv';
import { Finding, isPlainObject, Path, PathSegment } from './rules';
import { timestampProblem } from './timestamp';
import type { ValidationIssue } from './issues';

const MAX_SHOWN = 80;

function clip(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

const SIMPLE_KEY = /^[A-Za-z0-9_-]+$/;

export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (SIMPLE_KEY.test(segment)) out += out.length === 0 ? clip(segment) : `.${clip(segment)}`;
    else out += `[${JSON.stringify(clip(segment))}]`;
  }
  return out;
}

/** How a message names the object: its id and version when it has them. */
export function subjectOf(obj: unknown): string {
  if (!isPlainObject(obj)) return 'The value';
  const id = Object.prototype.hasOwnProperty.call(obj, 'id') ? obj.id : undefined;
  const modified = Object.prototype.hasOwnProperty.call(obj, 'modified') ? obj.modified : undefined;
  const type = Object.prototype.hasOwnProperty.call(obj, 'type') ? obj.type : undefined;
  const name =
    typeof id === 'string' && id.length > 0
      ? clip(id)
      : typeof type === 'string' && type.length > 0
        ? `A ${clip(type)} object without an id`
        : 'An object without a type';
  return typeof modified === 'string' ? `${name} (${clip(modified)})` : name;
}

export function toIssue(subject: string, prefix: Path, finding: Finding): ValidationIssue {
  const where = finding.path.length === 0 ? '' : ` "${formatPath(finding.path)}"`;
  return {
    path: formatPath([...prefix, ...finding.path]),
    rule: finding.rule,
    message: `${subject}:${where} ${finding.detail}`,
  };
}

/** For a value that is not an object at all, which has no id to start the sentence with. */
export function notAnObjectIssue(value: unknown, prefix: Path): ValidationIssue {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
  return { path: formatPath(prefix), rule: 'object', message: `The value is ${kind}, but a STIX object must be a JSON object` };
}

function decodeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** ajv's instancePath is a JSON pointer; array positions become numbers by looking at the data. */
function pathOf(pointer: string, data: unknown): PathSegment[] {
  const path: PathSegment[] = [];
  if (pointer.length === 0) return path;
  let current = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = decodeSegment(raw);
    if (Array.isArray(current)) {
      path.push(Number(key));
      current = current[Number(key)];
    } else {
      path.push(key);
      current = isPlainObject(current) ? current[key] : undefined;
    }
  }
  return path;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'a list',
  null: 'null',
};

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return types.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}

function quoteAll(values: unknown): string {
  return Array.isArray(values) ? values.map((v) => JSON.stringify(v)).join(', ') : JSON.stringify(values);
}

function schemaText(schema: unknown, key: 'x-rule' | 'x-message'): string | undefined {
  if (!isPlainObject(schema)) return undefined;
  const value = schema[key];
  return typeof value === 'string' ? value : undefined;
}

/** Combinators whose branch errors only restate the combinator's own failure. */
const COMBINATORS = new Set(['anyOf', 'oneOf', 'contains', 'not']);

export function findingsFromSchema(errors: readonly ErrorObject[], data: unknown, type: string): Finding[] {
  const hidden = errors.filter((e) => COMBINATORS.has(e.keyword)).map((e) => `${e.schemaPath}/`);
  const findings: Finding[] = [];
  for (const error of errors) {
    if (error.keyword === 'if' || error.keyword === 'propertyNames') continue;
    if (hidden.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const finding = translate(error, data, type);
    if (finding) findings.push(finding);
  }
  return findings;
}

function translate(error: ErrorObject, data: unknown, type: string): Finding {
  const path = pathOf(error.instancePath, data);
  const params = error.params as Record<string, unknown>;
  const rule = schemaText(error.parentSchema, 'x-rule');
  const text = schemaText(error.parentSchema, 'x-message');
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    return {
      path: [...path, propertyName],
      rule: rule ?? 'property-name',
      detail: `is not a valid key: it ${text ?? error.message ?? 'is not allowed'}`,
    };
  }
  switch (error.keyword) {
    case 'required':
      return { path: [...path, String(params.missingProperty)], rule: rule ?? 'required', detail: text ?? 'is required' };
    case 'dependentRequired':
      return {
        path: [...path, String(params.missingProperty)],
        rule: rule ?? 'dependent-required',
        detail: `is required when "${String(params.property)}" is present`,
      };
    case 'additionalProperties':
      return { path: [...path, String(params.additionalProperty)], rule: 'unknown-property', detail: 'is not allowed here' };
    case 'false schema':
      return { path, rule: 'not-applicable', detail: `must not be present on a ${type} object` };
    case 'format':
      if (params.format === 'stix-timestamp') {
        return {
          path,
          rule: 'timestamp',
          detail: typeof error.data === 'string' ? (timestampProblem(error.data) ?? 'is not a timestamp') : 'must be a timestamp',
        };
      }
      return { path, rule: rule ?? 'format', detail: text ?? `must be a valid ${String(params.format)}` };
    case 'type':
      return { path, rule: rule ?? 'type', detail: text ?? `must be ${typeWords(params.type)}` };
    case 'const':
      return { path, rule: rule ?? 'const', detail: text ?? `must be ${JSON.stringify(params.allowedValue)}` };
    case 'enum':
      return { path, rule: rule ?? 'enum', detail: text ?? `must be one of ${quoteAll(params.allowedValues)}` };
    case 'minItems':
      return { path, rule: rule ?? 'empty-list', detail: text ?? 'must not be an empty list (§2.12 List)' };
    case 'minProperties':
      return { path, rule: rule ?? 'empty-dictionary', detail: text ?? 'must not be an empty dictionary (§2.3 Dictionary)' };
    case 'minLength':
      return { path, rule: rule ?? 'empty-string', detail: text ?? 'must not be empty' };
    case 'uniqueItems':
      return { path, rule: rule ?? 'unique-items', detail: text ?? 'must not list the same value twice' };
    default:
      return { path, rule: rule ?? error.keyword, detail: text ?? error.message ?? `breaks the ${error.keyword} rule` };
  }
}
