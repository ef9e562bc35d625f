/**
 * What a test hands the store with each write: every catalogue write takes the change it
 * makes, and every add or delete its sharing-log event (src/store/store.ts).
 */
import type { AuditEventInput, ObjectRef } from '../../src/audit/events';
import type { ChangeRecord } from '../../src/catalog/types';
import type { StatusRecord } from '../../src/store/object-store';

/** 2026-01-01T00:00:00Z: when a test's catalogue changes are recorded. */
const AT = Date.UTC(2026, 0, 1) * 1000;

/** The local operator tests set the catalogue up as (src/exchange/actor.ts). */
export const OPERATOR = 'cli:test';

export function testChange(entity: ChangeRecord['entity'], entityId: string, action = 'create'): ChangeRecord {
  return { at: AT, by: OPERATOR, entity, entityId, action };
}

/** The event of a test add: the versions as the store reports them. */
export function addEvent(status: StatusRecord, objects: ObjectRef[]): AuditEventInput {
  return { time: AT, action: 'objects.add', outcome: 'success', objects, status_id: status.id };
}

/** The event of a test delete: the removed versions. */
export function deleteEvent(objects: ObjectRef[]): AuditEventInput {
  return { time: AT, action: 'object.delete', outcome: 'success', objects };
}
