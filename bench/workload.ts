/**
 * Deterministic STIX 2.1 content for benchmarks, from a seed: indicators with STIX patterns,
 * malware, relationships, sightings, identities and SCOs, about 1 KB per object on average.
 * A stream (a generator), so a million objects are never in memory at once.
 *
 * Every object, SCOs included, carries one TLP 2.0 marking, weighted CLEAR 10%, GREEN 30%,
 * AMBER 40%, RED 20%: a caller whose agreement stops at TLP:CLEAR has ~90% withheld.
 * About 5% of the SDOs and SROs get 1–3 newer versions, each emitted a few hundred objects
 * later in the stream, as revisions arrive in later envelopes.
 */
import { TLP2_MARKINGS } from '../src/stix/markings';

export type StixObject = Record<string, unknown> & { type: string; id: string };

/** mulberry32: small, fast, and the same sequence on every machine. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(r: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Math.floor(r() * 4)]}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** TLP 2.0 levels and their share of the stream, cumulative. */
const TLP_WEIGHTS: readonly (readonly [string, number])[] = [
  ['clear', 0.1],
  ['green', 0.4],
  ['amber', 0.8],
  ['red', 1],
];

const WORDS =
  'phishing loader botnet credential exfiltration ransomware beacon dropper stealer wiper campaign infrastructure lateral persistence'.split(' ');

/** Relationships and sightings point at one of the last REF_POOL SDOs, so memory stays bounded. */
const REF_POOL = 1000;

interface Revision {
  due: number;
  object: StixObject;
}

/** An endless stream of objects; the same seed gives the same stream. */
export function* stixObjects(seed = 42): Generator<StixObject, never> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const text = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const ts = () => new Date(Date.UTC(2024, 0, 1) + Math.floor(r() * 6e10)).toISOString();
  const marking = () => {
    const x = r();
    return TLP2_MARKINGS.get((TLP_WEIGHTS.find(([, upTo]) => x < upTo) ?? ['red'])[0]) as string;
  };
  const refs: string[] = [];
  let revisions: Revision[] = [];
  for (let i = 0; ; i++) {
    const due = revisions.filter((v) => v.due <= i);
    if (due.length > 0) revisions = revisions.filter((v) => v.due > i);
    for (const v of due) yield v.object;

    const created = ts();
    const common = { spec_version: '2.1', created, modified: created, object_marking_refs: [marking()] };
    const k = r();
    let o: StixObject;
    if (k < 0.45) {
      const ip = `${Math.floor(r() * 223) + 1}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
      o = {
        type: 'indicator',
        id: `indicator--${uuid(r)}`,
        ...common,
        name: `C2 ${ip}`,
        description: text(60),
        indicator_types: ['malicious-activity'],
        pattern: `[ipv4-addr:value = '${ip}'] OR [domain-name:value = '${pick(WORDS)}.example.com']`,
        pattern_type: 'stix',
        valid_from: created,
        kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'command-and-control' }],
        labels: [pick(WORDS), pick(WORDS)],
      };
    } else if (k < 0.6) {
      o = {
        type: 'malware',
        id: `malware--${uuid(r)}`,
        ...common,
        name: `${pick(WORDS)}-${i}`,
        description: text(80),
        malware_types: ['trojan'],
        is_family: r() < 0.5,
      };
    } else if (k < 0.75 && refs.length > 2) {
      o = {
        type: 'relationship',
        id: `relationship--${uuid(r)}`,
        ...common,
        relationship_type: 'indicates',
        source_ref: pick(refs),
        target_ref: pick(refs),
        description: text(50),
      };
    } else if (k < 0.82 && refs.length > 2) {
      o = {
        type: 'sighting',
        id: `sighting--${uuid(r)}`,
        ...common,
        sighting_of_ref: pick(refs),
        count: Math.floor(r() * 50) + 1,
        description: text(50),
      };
    } else if (k < 0.87) {
      o = { type: 'identity', id: `identity--${uuid(r)}`, ...common, name: `Org ${i}`, identity_class: 'organization', description: text(70) };
    } else {
      // SCOs have no versions, but TLP applies to them as to any object.
      o = {
        type: 'ipv4-addr',
        spec_version: '2.1',
        id: `ipv4-addr--${uuid(r)}`,
        value: `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`,
        object_marking_refs: common.object_marking_refs,
      };
    }
    // Relationships and sightings point at SDOs only, as STIX 2.1 requires.
    if (o.type === 'indicator' || o.type === 'malware' || o.type === 'identity') {
      refs.push(o.id);
      if (refs.length > REF_POOL) refs.shift();
    }
    yield o;

    if (o.type !== 'ipv4-addr' && r() < 0.05) {
      let modified = Date.parse(created);
      let at = i;
      for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
        modified += 86_400_000 * (1 + Math.floor(r() * 30));
        at += 100 + Math.floor(r() * 900);
        revisions.push({ due: at, object: { ...o, modified: new Date(modified).toISOString(), description: text(60) } });
      }
    }
  }
}

/** The next `n` objects of a stream. */
export function take(stream: Iterator<StixObject>, n: number): StixObject[] {
  const out: StixObject[] = [];
  for (let i = 0; i < n; i++) out.push(stream.next().value as StixObject);
  return out;
}
