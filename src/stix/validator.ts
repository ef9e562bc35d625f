/**
 * STIX 2.1 validation of pushed objects: each object is checked against its own type's JSON
 * Schema (schemas/stix), then against the rules a schema cannot express (rules.ts), and every
 * problem is reported as a sentence the sender can act on.
 */
import type { ContentPolicy, ValidationIssue, ValidationResult } from './issues';
import { compiledSchemas, CompiledType } from './schemas';
import { findingsFromSchema, notAnObjectIssue, subjectOf, toIssue } from './report';
import { checkBundleRules, checkCustomProperties, checkRules, checkRules20, Finding, isPlainObject, isValidTypeName, Path } from './rules';
import { BUNDLE_TYPE, impliedSpecVersion, isStandardType, SCO_TYPES } from './types';

export type { ContentPolicy, ValidationIssue, ValidationResult };

export interface ValidatorOptions {
  policy: ContentPolicy;
  /** Defaults to ['2.1']. */
  allowedSpecVersions?: string[];
}

export interface StixValidator {
  validate(obj: unknown): ValidationResult;
}

const KNOWN_SPEC_VERSIONS = new Set(['2.0', '2.1']);

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

function describeList(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}

class Validator implements StixValidator {
  private readonly policy: ContentPolicy;
  private readonly allowed: readonly string[];

  constructor(options: ValidatorOptions) {
    this.policy = options.policy;
    this.allowed = options.allowedSpecVersions ?? ['2.1'];
    compiledSchemas();
  }

  validate(obj: unknown): ValidationResult {
    let issues: ValidationIssue[];
    try {
      issues = this.issuesOf(obj, []);
    } catch (error) {
      // Last line of the never-throw promise: an input that trips a bug is refused, not crashed on.
      issues = [
        {
          path: '',
          rule: 'internal-error',
          message: `${subjectOf(obj)}: could not be validated (${error instanceof Error ? error.message : String(error)})`,
        },
      ];
    }
    return issues.length === 0 ? { ok: true } : { ok: false, issues };
  }

  private issuesOf(obj: unknown, prefix: Path): ValidationIssue[] {
    if (!isPlainObject(obj)) return [notAnObjectIssue(obj, prefix)];
    const subject = subjectOf(obj);
    const findings = this.findingsOf(obj);
    const seen = new Set<string>();
    const issues: ValidationIssue[] = [];
    for (const finding of findings) {
      const issue = toIssue(subject, prefix, finding);
      const key = `${issue.path}\u0000${issue.rule}`;
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push(issue);
    }
    if (own(obj, 'type') === BUNDLE_TYPE) issues.push(...this.memberIssues(obj, prefix));
    return issues;
  }

  private findingsOf(obj: Record<string, unknown>): Finding[] {
    const type = own(obj, 'type');
    if (type === undefined) return [{ path: ['type'], rule: 'required', detail: 'is required' }];
    if (typeof type !== 'string') return [{ path: ['type'], rule: 'type', detail: 'must be a string' }];

    const version = this.specVersionOf(obj, type);
    if (typeof version !== 'string') return [version];
    if (version === '2.0') {
      const findings = checkRules20(obj, { type, policy: this.policy });
      return isValidTypeName(type) ? findings : [typeNameFinding(), ...findings];
    }

    const schemas = compiledSchemas();
    let compiled: CompiledType | undefined = type === BUNDLE_TYPE ? schemas.bundle : schemas.byType.get(type);
    // A standard type without a schema file is judged on common properties only, and its other
    // properties cannot be told apart from custom ones.
    const knowsProperties = compiled !== undefined;
    if (!compiled) {
      if (this.policy === 'strict' && !isStandardType(type)) {
        return [
          {
            path: ['type'],
            rule: 'custom-type',
            detail: `is "${type}", which is not a STIX 2.1 object type; custom objects are refused under the strict content policy`,
          },
        ];
      }
      if (!isValidTypeName(type)) return [typeNameFinding()];
      const versioned = !SCO_TYPES.has(type) && (own(obj, 'created') !== undefined || own(obj, 'modified') !== undefined);
      compiled = versioned ? schemas.customVersioned : schemas.customUnversioned;
    }
    const findings: Finding[] = [];
    if (!compiled.validate(obj)) findings.push(...findingsFromSchema(compiled.validate.errors ?? [], obj, type));
    const ctx = { type, policy: this.policy };
    findings.push(...(type === BUNDLE_TYPE ? checkBundleRules(obj, ctx) : checkRules(obj, ctx)));
    if (knowsProperties || !isStandardType(type)) findings.push(...checkCustomProperties(obj, compiled.declared, ctx));
    return findings;
  }

  /**
   * §3.2: SDOs, SROs and meta objects must carry spec_version; without it they are STIX 2.0.
   * SCOs default to 2.1; a bundle carries a spec_version only in STIX 2.0.
   */
  private specVersionOf(obj: Record<string, unknown>, type: string): string | Finding {
    const declared = own(obj, 'spec_version');
    const allowed = describeList(this.allowed);
    if (declared !== undefined && typeof declared !== 'string') {
      return { path: ['spec_version'], rule: 'spec-version', detail: 'must be the string "2.1"' };
    }
    const version = declared ?? impliedSpecVersion(obj, type);
    if (!this.allowed.includes(version)) {
      const detail =
        declared === undefined
          ? `is missing, which makes this a STIX 2.0 object; only STIX ${allowed} content is accepted`
          : `is "${version}"; only STIX ${allowed} content is accepted`;
      return { path: ['spec_version'], rule: 'spec-version', detail };
    }
    if (!KNOWN_SPEC_VERSIONS.has(version)) {
      return { path: ['spec_version'], rule: 'spec-version', detail: `is "${version}", which is not a STIX version (2.0 or 2.1)` };
    }
    return version;
  }

  /** §8: a bundle holds STIX Objects, each judged by its own type's schema. */
  private memberIssues(bundle: Record<string, unknown>, prefix: Path): ValidationIssue[] {
    const objects = own(bundle, 'objects');
    if (!Array.isArray(objects)) return [];
    const issues: ValidationIssue[] = [];
    objects.forEach((member, i) => {
      const path = [...prefix, 'objects', i];
      if (isPlainObject(member) && own(member, 'type') === BUNDLE_TYPE) {
        issues.push(
          toIssue(subjectOf(member), path, {
            path: [],
            rule: 'bundle-member',
            detail: 'is a bundle, which is not a STIX Object and cannot be inside a bundle (§8)',
          }),
        );
      } else {
        issues.push(...this.issuesOf(member, path));
      }
    });
    return issues;
  }
}

function typeNameFinding(): Finding {
  return {
    path: ['type'],
    rule: 'type-name',
    detail: 'is not a valid type name: it must be 3 to 250 characters of a-z, 0-9 and hyphen, start with a letter and have no "--" (§3.1, §11.2)',
  };
}

export function createStixValidator(options: ValidatorOptions): StixValidator {
  return new Validator(options);
}
