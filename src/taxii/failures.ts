/**
 * Keeps a status resource small whatever the envelope (docs/security.md): an envelope of
 * thousands of broken objects would otherwise answer, and store, one long message per
 * object. Every failure keeps its place in `failure_count`; the first `detailed` are listed
 * in full (messages cut to `messageLength`), and the rest are grouped by reason: one entry
 * per reason names the first such object and how many more failed the same way.
 */
import type { StatusDetail } from '../store/object-store';

export interface FailureBounds {
  /** Failures listed one by one. */
  detailed: number;
  /** Distinct reasons listed for the rest (beyond them, one entry counts all that remain). */
  reasons: number;
  messageLength: number;
}

export const FAILURE_BOUNDS: FailureBounds = { detailed: 1000, reasons: 50, messageLength: 1000 };

/** The reason of a failure without the object's name that starts it (`indicator--…: `, `objects[7] `). */
function reasonOf(message: string, id: string): string {
  const m = message.startsWith(`${id}: `) ? message.slice(id.length + 2) : message.startsWith(`${id} `) ? message.slice(id.length + 1) : message;
  return m.slice(0, 200);
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function compactFailures(failures: StatusDetail[], bounds: FailureBounds = FAILURE_BOUNDS): StatusDetail[] {
  const listed = failures
    .slice(0, bounds.detailed)
    .map((f) => (f.message !== undefined && f.message.length > bounds.messageLength ? { ...f, message: cut(f.message, bounds.messageLength) } : f));
  if (failures.length <= bounds.detailed) return listed;
  const groups = new Map<string, { first: StatusDetail; count: number }>();
  let others: { first: StatusDetail; count: number } | undefined;
  for (const f of failures.slice(bounds.detailed)) {
    const reason = reasonOf(f.message ?? '', f.id);
    const g = groups.get(reason);
    if (g) g.count++;
    else if (groups.size < bounds.reasons) groups.set(reason, { first: f, count: 1 });
    else if (others) others.count++;
    else others = { first: f, count: 1 };
  }
  const entry = (g: { first: StatusDetail; count: number }, why: string): StatusDetail => ({
    id: g.first.id,
    ...(g.first.version !== undefined && { version: g.first.version }),
    message:
      g.count === 1
        ? cut(g.first.message ?? '', bounds.messageLength)
        : `${g.first.id} and ${g.count - 1} more objects (not listed one by one): ${why}`,
  });
  return [...listed, ...[...groups].map(([reason, g]) => entry(g, reason)), ...(others ? [entry(others, 'other reasons')] : [])];
}
