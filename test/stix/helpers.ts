import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStixValidator, ValidationIssue, ValidationResult } from '../../src/stix/validator';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'stix');

export const permissive = createStixValidator({ policy: 'permissive' });
export const strict = createStixValidator({ policy: 'strict' });

export function loadFixture(file: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
}

export function exampleFiles(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json') && !f.startsWith('invalid-') && !f.startsWith('valid-'))
    .sort();
}

export function issuesOf(result: ValidationResult): ValidationIssue[] {
  return result.ok ? [] : result.issues;
}

/** The (path, rule) pairs of a result, the part of an issue tests pin down exactly. */
export function rulesOf(result: ValidationResult): string[] {
  return issuesOf(result).map((i) => `${i.path}: ${i.rule}`);
}

export const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
