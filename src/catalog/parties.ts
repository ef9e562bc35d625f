/** Parties (organisations) as administrators manage them, validated by schemas/catalog/party.json. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { packageRoot } from '../paths';
import type { Store } from '../store/store';
import type { PartyRecord } from './types';
import type { Clock } from '../time';
import { fail } from '../errors';

export interface PartyInput {
  id: string;
  name: string;
  kind: string;
  country?: string;
  identity_ref?: string;
}

let validator: ReturnType<Ajv2020['compile']> | undefined;

export function checkParty(input: unknown): PartyRecord {
  validator ??= new Ajv2020({ allErrors: true }).compile(JSON.parse(readFileSync(join(packageRoot(), 'schemas/catalog/party.json'), 'utf8')));
  if (!validator(input)) {
    const problems = (validator.errors ?? []).map((e) =>
      e.keyword === 'additionalProperties'
        ? `unknown property "${String(e.params.additionalProperty)}"`
        : `${e.instancePath || '(party)'} ${e.message ?? 'is invalid'}`,
    );
    throw fail('invalid-party', `invalid party: ${problems.join('; ')}`);
  }
  const p = input as PartyInput;
  if (p.kind === 'national-agency' && p.country === undefined) throw fail('invalid-party', 'invalid party: a national agency needs its "country"');
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    ...(p.country !== undefined && { country: p.country }),
    ...(p.identity_ref !== undefined && { identityRef: p.identity_ref }),
  };
}

export async function savePartyChecked(store: Store, clock: Clock, by: string, input: unknown): Promise<PartyRecord> {
  const party = checkParty(input);
  const existed = await store.getParty(party.id);
  await store.upsertParty(party, {
    at: clock(),
    by,
    entity: 'party',
    entityId: party.id,
    action: existed ? 'update' : 'create',
    detail: { name: party.name, kind: party.kind },
  });
  return party;
}

export function partyResource(p: PartyRecord) {
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    ...(p.country !== undefined && { country: p.country }),
    ...(p.identityRef !== undefined && { identity_ref: p.identityRef }),
  };
}
