/**
 * The sharing log's hash chain. Each event carries the hash of the one before it; its own
 * hash is SHA-256 over a canonical JSON form of its fields and that previous hash. Editing,
 * deleting, inserting or reordering any stored event breaks the chain at that point, and
 * verification reports the first broken link.
 */
import { createHash } from 'node:crypto';
import { formatTimestamp } from '../time';
import type { AuditEvent, AuditEventInput } from './events';

/** Hash of the (empty) chain before the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level and no whitespace: one text per value.
 *
 * Not JSON.stringify with a sorting replacer: a replacer is called for every key and value
 * and takes V8 off its fast path, and a read event names a page of objects (with the
 * replacer, a fifth of the log writer's time went here, and more in the garbage it made).
 * Whatever is already canonical (keys in order at every level, such as a read event's list
 * of {id, version}) is handed to JSON.stringify whole; only the rest is written out here.
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? 'null';
}

/** The canonical text of a value, or undefined where JSON.stringify leaves a key out. */
function write(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (hasToJson(value)) return write(value.toJSON());
  if (inOrder(value)) return JSON.stringify(value);
  if (Array.isArray(value)) {
    const items: string[] = [];
    // A loop, not map(): a hole is written as null, as JSON.stringify writes it.
    for (let i = 0; i < value.length; i++) items.push(write(value[i]) ?? 'null');
    return `[${items.join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const k of canonicalOrder(Object.keys(record))) {
    const v = write(record[k]);
    if (v !== undefined) members.push(`${JSON.stringify(k)}:${v}`);
  }
  return `{${members.join(',')}}`;
}

/**
 * An object's keys in canonical order: keys that are array indices first, in numeric order,
 * as JavaScript enumerates any object (the order the log has always hashed), then the others
 * sorted. `keys` must be in enumeration order (indices first), as Object.keys gives them.
 * Own keys only, read as own properties: a "__proto__" key (clients choose query parameter
 * names) stays a key.
 */
function canonicalOrder(keys: string[]): string[] {
  let indices = 0;
  while (indices < keys.length && isArrayIndex(keys[indices] as string)) indices++;
  return indices === 0 ? keys.sort() : [...keys.slice(0, indices), ...keys.slice(indices).sort()];
}

const hasToJson = (value: object): value is { toJSON: () => unknown } => typeof (value as { toJSON?: unknown }).toJSON === 'function';

/** Whether JSON.stringify already writes a value canonically: its keys in order at every level. */
function inOrder(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (hasToJson(value)) return false;
  // Plain loops, no callbacks: this walks every ref of a read event's page on the request thread.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!inOrder(value[i])) return false;
    return true;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) >= (keys[i] as string)) return false;
  // The keys before the values: write() asks again of each value of an object out of order,
  // so walking them here first (a read event's whole page of refs) would walk them twice.
  for (let i = 0; i < keys.length; i++) if (!inOrder(record[keys[i] as string])) return false;
  return true;
}

function isArrayIndex(key: string): boolean {
  const n = Number(key);
  return n >>> 0 === n && n !== 2 ** 32 - 1 && String(n) === key;
}

/** The hash of an event: its fields (without `hash`) including `seq` and `prev_hash`. */
export function eventHash(fields: Record<string, unknown>): string {
  return canonicalHash(canonicalJson(fields));
}

/** eventHash() of an event whose canonical JSON the caller already has (to store it too). */
export function canonicalHash(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}

/** The fields only the chain gives an event, in canonical order. */
const CHAIN_KEYS: readonly string[] = ['id', 'prev_hash', 'seq'];

/**
 * An event's canonical text before it has a place in the chain: the members of its fields
 * (`time` written canonically) in canonical order, split in four where the chain's `id`,
 * `prev_hash` and `seq` go. It can be made where the event is (the request thread), and the
 * chain closed where the log is written (linkParts) without parsing or re-serialising the
 * event there: for a read naming a page of objects, that was two thirds of the writer's work.
 */
export function canonicalParts(input: AuditEventInput, time = formatTimestamp(input.time)): string[] {
  const record: Record<string, unknown> = { ...input, time };
  // The chain's own fields win over any the input might carry, and `hash` is never hashed.
  for (const k of [...CHAIN_KEYS, 'hash']) delete record[k];
  const parts: string[] = [];
  let members: string[] = [];
  for (const k of canonicalOrder([...Object.keys(record), ...CHAIN_KEYS])) {
    if (CHAIN_KEYS.includes(k)) {
      parts.push(members.join(','));
      members = [];
      continue;
    }
    const v = write(record[k]);
    if (v !== undefined) members.push(`${JSON.stringify(k)}:${v}`);
  }
  parts.push(members.join(','));
  return parts;
}

/**
 * The next link of the chain from an event's canonicalParts placed after `prev` (the head,
 * or the genesis) with the given event id: its seq, its `body` (the event without its hash
 * as canonical JSON, exactly what the hash covers; stores keep it as it is, so verification
 * re-hashes the same text) and its hash.
 */
export function linkParts(prev: Checkpoint, parts: readonly string[], id: string): { seq: number; body: string; hash: string } {
  const seq = prev.seq + 1;
  const chain = [`"id":${JSON.stringify(id)}`, `"prev_hash":${JSON.stringify(prev.hash)}`, `"seq":${seq}`];
  const members: string[] = [];
  parts.forEach((part, i) => {
    if (part !== '') members.push(part);
    if (i < chain.length) members.push(chain[i] as string);
  });
  const body = `{${members.join(',')}}`;
  return { seq, body, hash: canonicalHash(body) };
}

/** The next link of the chain: `input` placed after `prev` with the given event id (see linkParts). */
export function chainLink(prev: Checkpoint, input: AuditEventInput, id: string): { event: AuditEvent; body: string } {
  const time = formatTimestamp(input.time);
  const { seq, body, hash } = linkParts(prev, canonicalParts(input, time), id);
  return { event: { ...input, seq, id, time, prev_hash: prev.hash, hash }, body };
}

export interface ChainedEvent {
  seq: number;
  prev_hash: string;
  hash: string;
  [field: string]: unknown;
}

export interface Checkpoint {
  seq: number;
  hash: string;
}

export type VerifyResult =
  | { ok: true; events: number; firstSeq: number | null; lastSeq: number | null; lastHash: string }
  | { ok: false; events: number; brokenAt: number; problem: string };

/**
 * Walks events in stored order. `start` is where the walk begins: the genesis (seq 0) or a
 * signed-off checkpoint kept when older events were pruned. Checkpoints must match the
 * event they name; one beyond the last event means the log was truncated.
 */
export class ChainVerifier {
  private expectedSeq: number;
  private prevHash: string;
  private count = 0;
  private firstSeq: number | null = null;
  private failure: { brokenAt: number; problem: string } | undefined;
  private readonly checkpoints: Map<number, string>;

  constructor(checkpoints: readonly Checkpoint[] = [], start: Checkpoint = { seq: 0, hash: GENESIS_HASH }) {
    this.expectedSeq = start.seq + 1;
    this.prevHash = start.hash;
    this.checkpoints = new Map(checkpoints.map((c) => [c.seq, c.hash]));
  }

  /** Feeds the next event; returns false once the chain is broken. */
  add(event: ChainedEvent): boolean {
    if (this.failure) return false;
    const fail = (problem: string) => {
      this.failure = { brokenAt: event.seq ?? this.expectedSeq, problem };
      return false;
    };
    if (event.seq !== this.expectedSeq) {
      return fail(
        event.seq > this.expectedSeq ? `events ${this.expectedSeq}–${event.seq - 1} are missing` : `event ${event.seq} is out of order or repeated`,
      );
    }
    if (event.prev_hash !== this.prevHash) return fail(`event ${event.seq} does not follow event ${event.seq - 1} (prev_hash differs)`);
    const { hash, ...fields } = event;
    if (eventHash(fields) !== hash) return fail(`event ${event.seq} was altered (its hash does not match its content)`);
    const checkpoint = this.checkpoints.get(event.seq);
    if (checkpoint !== undefined && checkpoint !== hash) return fail(`event ${event.seq} differs from its checkpoint`);
    this.firstSeq ??= event.seq;
    this.count++;
    this.prevHash = hash;
    this.expectedSeq++;
    return true;
  }

  result(): VerifyResult {
    if (this.failure) return { ok: false, events: this.count, ...this.failure };
    const beyond = [...this.checkpoints.keys()].filter((seq) => seq >= this.expectedSeq).sort((a, b) => a - b)[0];
    if (beyond !== undefined)
      return {
        ok: false,
        events: this.count,
        brokenAt: this.expectedSeq,
        problem: `events from ${this.expectedSeq} on are missing (a checkpoint records event ${beyond})`,
      };
    return { ok: true, events: this.count, firstSeq: this.firstSeq, lastSeq: this.count ? this.expectedSeq - 1 : null, lastHash: this.prevHash };
  }
}
