/**
 * Cold start (issue 15): before a server process says it is ready, it adds a few envelopes
 * of sample objects to each API root as a rehearsal (ObjectStore.rehearseAdd: nothing is
 * stored or logged). The first real envelope then finds the body checks and the validators
 * compiled by the JIT, the store's statements prepared and its caches filled, instead of
 * paying for all of it: measured, 2.8-2.9× a warm envelope without this. Every --workers
 * process runs it for itself.
 */
import { randomUUID } from 'node:crypto';
import type { ApiRootRecord } from '../catalog/types';
import { Exchange } from '../exchange/exchange';
import { localOperator, OPERATOR_AUTHORITY } from '../exchange/actor';
import { TLP2_MARKINGS } from '../stix/markings';
import type { Store } from '../store/store';
import type { Clock } from '../time';
import { scanJson } from '../taxii/json-depth';
import { parseCheckedJson } from './body';

/** Envelopes per API root, and objects in each: enough calls for the JIT to optimise the add path. */
const ROUNDS = 6;
const OBJECTS = 100;

const MARKINGS = [...TLP2_MARKINGS.values()];

/**
 * The object types most envelopes carry, with what their validation exercises (a pattern,
 * references, external references, an SCO) and the properties most objects have.
 */
function sampleObject(i: number, created: string, refs: string[]): Record<string, unknown> {
  const common = {
    spec_version: '2.1',
    created,
    modified: created,
    object_marking_refs: [MARKINGS[i % MARKINGS.length]],
    description: `sample object ${i} of the start-up rehearsal`,
    labels: ['sample'],
    ...(i % 3 === 0 && { external_references: [{ source_name: 'sample', url: `https://example.com/${i}`, external_id: `S${i}` }] }),
  };
  const uuid = randomUUID();
  switch (i % 6) {
    case 0:
      return {
        type: 'indicator',
        id: `indicator--${uuid}`,
        ...common,
        name: `sample ${i}`,
        indicator_types: ['malicious-activity'],
        pattern: `[ipv4-addr:value = '198.51.100.${i % 250}'] OR [domain-name:value = 'sample${i}.example.com']`,
        pattern_type: 'stix',
        valid_from: created,
        kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'command-and-control' }],
      };
    case 1:
      return { type: 'malware', id: `malware--${uuid}`, ...common, name: `sample ${i}`, malware_types: ['trojan'], is_family: false };
    case 2:
      return { type: 'identity', id: `identity--${uuid}`, ...common, name: `sample ${i}`, identity_class: 'organization' };
    case 3:
      return {
        type: 'relationship',
        id: `relationship--${uuid}`,
        ...common,
        relationship_type: 'indicates',
        source_ref: refs[0],
        target_ref: refs[1],
      };
    case 4:
      return { type: 'sighting', id: `sighting--${uuid}`, ...common, sighting_of_ref: refs[0], count: 1 + (i % 50) };
    default:
      return {
        type: 'ipv4-addr',
        spec_version: '2.1',
        id: `ipv4-addr--${uuid}`,
        value: `198.51.100.${i % 250}`,
        object_marking_refs: common.object_marking_refs,
      };
  }
}

/** Every REVISED-th object is followed by a newer version of itself: the add path of a known id. */
const REVISED = 10;

/** An envelope's bytes, as a client would send them; `created` is an RFC 3339 timestamp ending in Z. */
export function sampleEnvelope(count: number, created: string): Buffer {
  const objects: Record<string, unknown>[] = [];
  const refs = [`indicator--${randomUUID()}`, `malware--${randomUUID()}`];
  for (let i = 0; objects.length < count; i++) {
    const o = sampleObject(i, created, refs.slice(-2));
    objects.push(o);
    if (o.type === 'indicator' || o.type === 'malware') refs.push(o.id as string);
    if (i % REVISED === 1 && 'modified' in o && objects.length < count)
      objects.push({ ...o, modified: created.replace(/Z$/, '1Z'), description: 'revised' });
  }
  return Buffer.from(JSON.stringify({ objects }));
}

export interface WarmUpDeps {
  store: Store;
  clock: Clock;
  maxObjectSize: number;
  operatorParty: string;
}

/**
 * Rehearses adds to one collection of an API root of each content policy through the path a POST takes (the body
 * checks, validation under the root's content policy, the store's add) with a store that
 * undoes them: the local operator's adds, so no agreement is consulted and nothing is logged.
 */
export async function warmUpAddPath(deps: WarmUpDeps, roots: readonly ApiRootRecord[]): Promise<void> {
  const rehearsing: Store = Object.assign(Object.create(deps.store) as Store, { addObjects: deps.store.rehearseAdd.bind(deps.store) });
  const exchange = new Exchange({
    ...deps,
    store: rehearsing,
    log: { healthy: true, record: () => Promise.resolve() },
    agreements: { bindingsFor: () => Promise.resolve([]) },
  });
  const actor = localOperator('warm-up');
  // The store's statements are the same for every collection; validators are per content policy.
  const policies = new Set<string>();
  for (const apiRoot of roots) {
    const policy = `${apiRoot.contentPolicy}|${[...apiRoot.allowedSpecVersions].sort().join(',')}`;
    const collection = policies.has(policy) ? undefined : (await deps.store.listCollections(apiRoot.path))[0];
    if (collection === undefined) continue;
    policies.add(policy);
    for (let round = 0; round < ROUNDS; round++) {
      const bytes = sampleEnvelope(OBJECTS, new Date(deps.clock() / 1000).toISOString());
      const { value, marker } = parseCheckedJson(bytes, scanJson(bytes));
      const objects = (value as { objects: unknown[] }).objects;
      await exchange.add({ actor, authority: OPERATOR_AUTHORITY, apiRoot, collection }, objects, deps.clock(), marker);
    }
  }
}
