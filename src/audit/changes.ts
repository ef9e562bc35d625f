/**
 * What every store writes into the sharing log the same way: catalogue changes as events,
 * the checkpoint interval, and which actions deliver content (for summaries).
 */
import type { ChangeRecord } from '../catalog/types';
import { parseTimestamp } from '../time';
import type { AuditEvent, AuditEventInput } from './events';

/** A checkpoint {seq, hash} is recorded every this many events (and on a timer, see log.ts). */
export const CHECKPOINT_EVERY = 1000;

/** The actions that deliver STIX content (manifests give only ids and versions); summaries count their objects. */
export const CONTENT_READ_ACTIONS: readonly string[] = ['objects.read', 'object.read'];

/** A catalogue change as a sharing-log event. */
export function changeEvent(c: ChangeRecord): AuditEventInput {
  return {
    time: c.at,
    action: `catalog.${c.entity}.${c.action}`,
    outcome: 'success',
    account_id: c.by,
    detail: { entity: c.entity, entity_id: c.entityId, ...(c.detail !== undefined && { change: c.detail }) },
  };
}

export function changeOf(e: AuditEvent): ChangeRecord & { seq: number } {
  const detail = (e.detail ?? {}) as { entity?: ChangeRecord['entity']; entity_id?: string; change?: Record<string, unknown> };
  return {
    seq: e.seq,
    at: parseTimestamp(e.time) as number,
    by: e.account_id ?? '',
    entity: detail.entity as ChangeRecord['entity'],
    entityId: detail.entity_id ?? '',
    action: e.action.split('.').slice(2).join('.'),
    ...(detail.change !== undefined && { detail: detail.change }),
  };
}
