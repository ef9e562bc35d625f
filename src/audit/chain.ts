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
 * Rebuilds plain objects with sorted keys, so JSON.stringify (native, fast) writes them in
 * order. Objects already in order (a read event's thousand {id, version} refs) are kept as
 * they are: copying them was a third of the cost of appending such an event.
 */
function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  let inOrder = true;
  for (let i = 1; i < keys.length && inOrder; i++) inOrder = (keys[i - 1] as string) < (keys[i] as string);
  if (inOrder) return value;
  // No prototype: a "__proto__" key (clients choose query parameter names) stays a key.
  const sorted = Object.create(null) as Record<string, unknown>;
  for (const k of keys.sort()) sorted[k] = (value as Record<string, unknown>)[k];
  return sorted;
}

/** JSON with object keys sorted at every level and no whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortedKeys) ?? 'null';
}

/** The hash of an event: its fields (without `hash`) including `seq` and `prev_hash`. */
export function eventHash(fields: Record<string, unknown>): string {
  return canonicalHash(canonicalJson(fields));
}

/** eventHash() of an event whose canonical JSON the caller already has (to store it too). */
export function canonicalHash(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * The next link of the chain: `input` placed after `prev` (the head, or the genesis) with
 * the given event id. `body` is the event without its hash as canonical JSON, exactly
 * what the hash covers; stores keep it as it is, so verification re-hashes the same text.
 */
export function chainLink(prev: Checkpoint, input: AuditEventInput, id: string): { event: AuditEvent; body: string } {
  const { time, ...rest } = input;
  const fields = { ...rest, seq: prev.seq + 1, id, time: formatTimestamp(time), prev_hash: prev.hash };
  const body = canonicalJson(fields);
  return { event: { ...fields, hash: canonicalHash(body) }, body };
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
