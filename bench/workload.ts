/**
 * Deterministic STIX 2.1 content for benchmarks: indicators with STIX patterns, malware,
 * relationships, sightings, identities and SCOs, about 1 KB on average, from a seed.
 */
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

const TLP = [
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', // white / clear
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', // green
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', // amber
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', // red
];

const WORDS = 'phishing loader botnet credential exfiltration ransomware beacon dropper stealer wiper campaign infrastructure lateral persistence'.split(' ');

export function generateObjects(count: number, seed = 42): Record<string, unknown>[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const text = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const ts = () => new Date(Date.UTC(2024, 0, 1) + Math.floor(r() * 6e10)).toISOString();
  const out: Record<string, unknown>[] = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = ts();
    const common = { spec_version: '2.1', created, modified: created, object_marking_refs: [pick(TLP)] };
    const k = r();
    let o: Record<string, unknown>;
    if (k < 0.45) {
      const ip = `${Math.floor(r() * 223) + 1}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
      o = {
        type: 'indicator', id: `indicator--${uuid(r)}`, ...common, name: `C2 ${ip}`, description: text(40),
        indicator_types: ['malicious-activity'], pattern: `[ipv4-addr:value = '${ip}'] OR [domain-name:value = '${pick(WORDS)}.example.com']`,
        pattern_type: 'stix', valid_from: created, kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'command-and-control' }],
        labels: [pick(WORDS), pick(WORDS)],
      };
    } else if (k < 0.6) {
      o = { type: 'malware', id: `malware--${uuid(r)}`, ...common, name: `${pick(WORDS)}-${i}`, description: text(50), malware_types: ['trojan'], is_family: r() < 0.5 };
    } else if (k < 0.75 && ids.length > 2) {
      o = { type: 'relationship', id: `relationship--${uuid(r)}`, ...common, relationship_type: 'indicates', source_ref: pick(ids), target_ref: pick(ids), description: text(20) };
    } else if (k < 0.82 && ids.length > 2) {
      o = { type: 'sighting', id: `sighting--${uuid(r)}`, ...common, sighting_of_ref: pick(ids), count: Math.floor(r() * 50) + 1, description: text(20) };
    } else if (k < 0.87) {
      o = { type: 'identity', id: `identity--${uuid(r)}`, ...common, name: `Org ${i}`, identity_class: 'organization', description: text(30) };
    } else {
      o = { type: 'ipv4-addr', spec_version: '2.1', id: `ipv4-addr--${uuid(r)}`, value: `10.${i >>> 16 & 255}.${i >>> 8 & 255}.${i & 255}` };
    }
    // Relationships and sightings point at SDOs only, as STIX 2.1 requires.
    if (o.type === 'indicator' || o.type === 'malware' || o.type === 'identity') ids.push(o.id as string);
    out.push(o);
    // Some objects get a second version.
    if (r() < 0.05 && o.type !== 'ipv4-addr') {
      out.push({ ...o, modified: new Date(Date.parse(created) + 86400000).toISOString(), description: text(45) });
      i++;
    }
  }
  return out.slice(0, count);
}
