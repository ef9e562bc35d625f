/**
 * Traffic Light Protocol markings, TLP 1.0 (STIX 2.1 §7.2.1.4) and TLP 2.0 (the OASIS TLP 2.0
 * marking definitions), as ordered levels. An object's level is its highest TLP marking in
 * `object_marking_refs`; an object with none is unmarked (UNMARKED), which each grant maps
 * to a level by policy (docs/agreements.md).
 */
export const TLP_NAMES = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type TlpName = (typeof TLP_NAMES)[number];

/** Stored level of an object without a TLP marking. */
export const UNMARKED = -1;

export const TLP1_MARKINGS: ReadonlyMap<string, string> = new Map([
  ['white', 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9'],
  ['green', 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'],
  ['amber', 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82'],
  ['red', 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed'],
]);

export const TLP2_MARKINGS: ReadonlyMap<string, string> = new Map([
  ['clear', 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'],
  ['green', 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'],
  ['amber', 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'],
  ['amber+strict', 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003'],
  ['red', 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'],
]);

const LEVEL_BY_ID: ReadonlyMap<string, number> = new Map([
  ...[...TLP1_MARKINGS].map(([name, id]) => [id, TLP_NAMES.indexOf(name === 'white' ? 'clear' : (name as TlpName))] as const),
  ...[...TLP2_MARKINGS].map(([name, id]) => [id, TLP_NAMES.indexOf(name as TlpName)] as const),
]);

export function tlpLevel(name: TlpName): number {
  return TLP_NAMES.indexOf(name);
}

export function tlpName(level: number): TlpName | 'unmarked' {
  return TLP_NAMES[level] ?? 'unmarked';
}

/**
 * The highest TLP level among an object's marking references, or UNMARKED. References are
 * compared whatever the case of their hex digits (a UUID names the same thing in either
 * case, RFC 9562 §4): a TLP:RED reference in upper case must never pass as unmarked.
 */
export function tlpOf(obj: Record<string, unknown>): number {
  const refs = obj.object_marking_refs;
  let level = UNMARKED;
  if (Array.isArray(refs)) {
    for (const ref of refs) {
      const l = typeof ref === 'string' ? LEVEL_BY_ID.get(ref.toLowerCase()) : undefined;
      if (l !== undefined && l > level) level = l;
    }
  }
  return level;
}
