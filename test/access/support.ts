/**
 * Setting up the catalogue of an access test: parties, accounts with a token, country
 * collections and agreements, through the same services an administrator uses (so defaults
 * such as `unmarked_as: amber` apply), plus TLP marking ids spelled out literally so that a
 * wrong id in src/stix/markings.ts is caught rather than copied.
 */
import { randomUUID } from 'node:crypto';
import { addAccount, issueToken } from '../../src/catalog/accounts';
import { createAgreement, type AgreementInput } from '../../src/catalog/agreements';
import type { AgreementRecord, CollectionRecord, Role } from '../../src/catalog/types';
import type { Harness, TestAccount } from '../support/harness';
import { testChange } from '../support/changes';

export const TLP = {
  white1: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  green1: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  amber1: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  red1: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
  clear2: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green2: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber2: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  amberStrict2: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red2: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
} as const;

/** The TLP level (0 clear … 4 red) of each marking above, as the TLP definitions give it. */
export const LEVEL_OF: Record<string, number> = {
  [TLP.white1]: 0,
  [TLP.green1]: 1,
  [TLP.amber1]: 2,
  [TLP.red1]: 4,
  [TLP.clear2]: 0,
  [TLP.green2]: 1,
  [TLP.amber2]: 2,
  [TLP.amberStrict2]: 3,
  [TLP.red2]: 4,
};

export async function party(h: Harness, id: string, country?: string): Promise<void> {
  await h.store.upsertParty({ id, name: id, kind: 'cert', ...(country !== undefined && { country }) }, testChange('party', 'test'));
}

/** A token-only account of the party with these roles. */
export async function account(h: Harness, name: string, partyId: string, roles: Role[]): Promise<TestAccount> {
  const { account: a } = await addAccount(h.store, h.clock.read, { name, roles, partyId, password: null }, 'test');
  const { token } = await issueToken(h.store, h.clock.read, a.id, 'test', 'test');
  return { id: a.id, name, token, auth: `Bearer ${token}` };
}

/** A collection in `api1` with this alias and title (collections list in title order). */
export async function collection(h: Harness, alias: string, country?: string, apiRoot = 'api1'): Promise<CollectionRecord> {
  const c: CollectionRecord = {
    id: randomUUID(),
    apiRoot,
    title: alias,
    alias,
    ...(country !== undefined && { country }),
    mediaTypes: ['application/stix+json;version=2.1'],
  };
  await h.store.upsertCollection(c, testChange('collection', 'test'));
  return c;
}

type Grant = AgreementInput['grants'][number];

/** An agreement as an administrator creates it; active from 2025 on unless told otherwise. */
export async function agree(h: Harness, id: string, grants: Grant[], extra: Partial<AgreementInput> = {}): Promise<AgreementRecord> {
  return createAgreement(h.store, h.clock.read, 'test-admin', {
    id,
    title: id,
    instrument: `urn:test:${id}`,
    parties: [...new Set(grants.map((g) => g.party))],
    valid_from: '2025-01-01T00:00:00Z',
    status: 'active',
    grants,
    ...extra,
  });
}

export function marked<T extends Record<string, unknown>>(obj: T, ...markings: string[]): T {
  return markings.length ? { ...obj, object_marking_refs: markings } : obj;
}

/** A valid STIX 2.1 tool (a third SDO type, for allow/deny lists). */
export function tool(n: number, modified = '2026-01-01T00:00:00.000Z'): Record<string, unknown> {
  return {
    type: 'tool',
    spec_version: '2.1',
    id: `tool--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    created: '2025-01-01T00:00:00.000Z',
    modified,
    name: `tool ${n}`,
  };
}
