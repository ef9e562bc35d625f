/**
 * What validation speaks in: the content policy and the issues it reports. Apart from the
 * validator so that its parts (rules.ts, report.ts) can name them without importing it back.
 */
export type ContentPolicy = 'permissive' | 'strict';

export interface ValidationIssue {
  path: string;
  rule: string;
  message: string;
}

export type ValidationResult = { ok: true } | { ok: false; issues: ValidationIssue[] };
