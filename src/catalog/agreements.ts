/**
 * Data-sharing agreements as administrators manage them. Editing a draft changes it in
 * place; editing an agreement that is or was in force creates a new version, so every
 * decision that cited `id@version` keeps pointing at the terms it was made under.
 * Lifecycle: draft → active ⇄ suspended; any → revoked (final).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { packageRoot } from '../paths';
import type { Store } from '../store/store';
import { type Clock, formatTimestamp, type Micros, parseTimestamp } from '../time';
import type { AgreementRecord, AgreementStatus, GrantRecord, RateTerm, TlpCeiling } from './types';
import { fail } from '../errors';

/** The wire form (snake_case), as in schemas/catalog/agreement.json. */
export interface AgreementInput {
  id?: string;
  title: string;
  instrument: string;
  parties: string[];
  valid_from: string;
  valid_until?: string | null;
  status?: 'draft' | 'active';
  terms?: {
    text?: string;
    permitted_actions?: string;
    attribution?: string;
    onward_sharing?: string;
    rate_limit?: { requests_per_minute: number; burst?: number };
  };
  grants: {
    party: string;
    actions: GrantRecord['actions'];
    collections: GrantRecord['collections'];
    types?: { allow?: string[]; deny?: string[] };
    max_tlp: TlpCeiling;
    unmarked_as?: TlpCeiling | 'deny';
  }[];
}

/** How objects without a TLP marking count unless a grant says otherwise (docs/agreements.md). */
export const DEFAULT_UNMARKED_AS: TlpCeiling = 'amber';

let validator: ReturnType<Ajv2020['compile']> | undefined;

function checkSchema(input: unknown): AgreementInput {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(join(packageRoot(), 'schemas/catalog/agreement.json'), 'utf8')));
  }
  if (!validator(input)) {
    const problems = (validator.errors ?? []).map((e) =>
      e.keyword === 'additionalProperties'
        ? `${e.instancePath || '(agreement)'} has unknown property "${String(e.params.additionalProperty)}"`
        : `${e.instancePath || '(agreement)'} ${e.message ?? 'is invalid'}`,
    );
    throw fail('invalid-agreement', `invalid agreement: ${problems.join('; ')}`);
  }
  return input as AgreementInput;
}

function timestamp(text: string, name: string): Micros {
  const t = parseTimestamp(text);
  if (t === undefined) throw fail('invalid-agreement', `invalid agreement: "${name}" must be an RFC 3339 timestamp`);
  return t;
}

/** Validates the input against the schema and the catalogue; returns the agreement's content. */
async function content(store: Store, raw: unknown) {
  const input = checkSchema(raw);
  const validFrom = timestamp(input.valid_from, 'valid_from');
  const validUntil = input.valid_until === undefined || input.valid_until === null ? null : timestamp(input.valid_until, 'valid_until');
  if (validUntil !== null && validUntil <= validFrom)
    throw fail('invalid-agreement', 'invalid agreement: "valid_until" must be later than "valid_from"');
  for (const party of input.parties) {
    if (!(await store.getParty(party))) throw fail('invalid-agreement', `invalid agreement: no party "${party}"`);
  }
  for (const g of input.grants) {
    if (!input.parties.includes(g.party))
      throw fail('invalid-agreement', `invalid agreement: grant to "${g.party}", who is not a party to the agreement`);
  }
  return {
    input,
    fields: {
      title: input.title,
      instrument: input.instrument,
      parties: input.parties,
      validFrom,
      validUntil,
      terms: {
        ...(input.terms?.text !== undefined && { text: input.terms.text }),
        ...(input.terms?.permitted_actions !== undefined && { permittedActions: input.terms.permitted_actions }),
        ...(input.terms?.attribution !== undefined && { attribution: input.terms.attribution }),
        ...(input.terms?.onward_sharing !== undefined && { onwardSharing: input.terms.onward_sharing }),
        // Stored with its burst stated, so every reader of the agreement sees the bucket it sets.
        ...(input.terms?.rate_limit !== undefined && {
          rateLimit: {
            requestsPerMinute: input.terms.rate_limit.requests_per_minute,
            burst: input.terms.rate_limit.burst ?? input.terms.rate_limit.requests_per_minute,
          },
        }),
      },
      grants: input.grants.map((g): GrantRecord => ({
        party: g.party,
        actions: g.actions,
        collections: g.collections,
        ...(g.types !== undefined && { types: g.types }),
        maxTlp: g.max_tlp,
        unmarkedAs: g.unmarked_as ?? DEFAULT_UNMARKED_AS,
      })),
    },
  };
}

export async function createAgreement(store: Store, clock: Clock, by: string, raw: unknown): Promise<AgreementRecord> {
  const { input, fields } = await content(store, raw);
  const id = input.id ?? randomUUID();
  if (await store.getAgreement(id)) throw fail('conflict', `an agreement "${id}" exists already`);
  const now = clock();
  const record: AgreementRecord = {
    id,
    version: 1,
    ...fields,
    status: input.status ?? 'draft',
    createdAt: now,
    createdBy: by,
    updatedAt: now,
    updatedBy: by,
  };
  await store.saveAgreement(record, {
    at: now,
    by,
    entity: 'agreement',
    entityId: id,
    action: 'create',
    detail: { version: 1, status: record.status },
  });
  return record;
}

async function latest(store: Store, id: string): Promise<AgreementRecord> {
  const a = await store.getAgreement(id);
  if (!a) throw fail('not-found', `no agreement "${id}"`);
  return a;
}

/** New terms: in place for a draft, otherwise a new version that keeps the lifecycle status. */
export async function reviseAgreement(store: Store, clock: Clock, by: string, id: string, raw: unknown): Promise<AgreementRecord> {
  const current = await latest(store, id);
  if (current.status === 'revoked') throw fail('conflict', `agreement "${id}" is revoked and cannot change`);
  const { input, fields } = await content(store, raw);
  if (input.id !== undefined && input.id !== id) throw fail('invalid-agreement', 'invalid agreement: the id cannot change');
  const now = clock();
  const record: AgreementRecord =
    current.status === 'draft'
      ? { ...current, ...fields, status: input.status ?? 'draft', updatedAt: now, updatedBy: by }
      : { ...current, ...fields, version: current.version + 1, createdAt: now, createdBy: by, updatedAt: now, updatedBy: by };
  await store.saveAgreement(record, {
    at: now,
    by,
    entity: 'agreement',
    entityId: id,
    action: 'revise',
    detail: { version: record.version, status: record.status },
  });
  return record;
}

const TRANSITIONS: Record<AgreementStatus, readonly AgreementStatus[]> = {
  draft: ['active', 'revoked'],
  active: ['suspended', 'revoked'],
  suspended: ['active', 'revoked'],
  revoked: [],
};

export async function setAgreementStatus(store: Store, clock: Clock, by: string, id: string, status: AgreementStatus): Promise<AgreementRecord> {
  const current = await latest(store, id);
  if (!TRANSITIONS[current.status].includes(status)) {
    throw fail('conflict', `agreement "${id}" is ${current.status}; it cannot become ${status}`);
  }
  const record: AgreementRecord = { ...current, status, updatedAt: clock(), updatedBy: by };
  await store.saveAgreement(record, {
    at: record.updatedAt,
    by,
    entity: 'agreement',
    entityId: id,
    action: status,
    detail: { version: record.version, from: current.status },
  });
  return record;
}

/** The wire form of a rate term (agreement resources, /me/access). */
export function rateLimitResource(r: RateTerm) {
  return { requests_per_minute: r.requestsPerMinute, burst: r.burst };
}

/** The wire form of a stored agreement version. */
export function agreementResource(a: AgreementRecord) {
  return {
    id: a.id,
    version: a.version,
    title: a.title,
    instrument: a.instrument,
    parties: a.parties,
    valid_from: formatTimestamp(a.validFrom),
    valid_until: a.validUntil === null ? null : formatTimestamp(a.validUntil),
    status: a.status,
    terms: {
      ...(a.terms.text !== undefined && { text: a.terms.text }),
      ...(a.terms.permittedActions !== undefined && { permitted_actions: a.terms.permittedActions }),
      ...(a.terms.attribution !== undefined && { attribution: a.terms.attribution }),
      ...(a.terms.onwardSharing !== undefined && { onward_sharing: a.terms.onwardSharing }),
      ...(a.terms.rateLimit !== undefined && { rate_limit: rateLimitResource(a.terms.rateLimit) }),
    },
    grants: a.grants.map((g) => ({
      party: g.party,
      actions: g.actions,
      collections: g.collections,
      ...(g.types !== undefined && { types: g.types }),
      max_tlp: g.maxTlp,
      unmarked_as: g.unmarkedAs,
    })),
    created: formatTimestamp(a.createdAt),
    created_by: a.createdBy,
    updated: formatTimestamp(a.updatedAt),
    updated_by: a.updatedBy,
  };
}
