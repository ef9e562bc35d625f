/**
 * TAXII 2.1 §5.5 Add Objects without HTTP: the one path by which pushed content enters a
 * collection, used by the POST handler and by upstream feeds (src/feeds/), so both apply the
 * same validation, the same object-level agreement rules and commit the same kind of event.
 */
import { randomUUID } from 'node:crypto';
import { admits, refusal } from '../access/decide';
import type { AuditEventInput, ObjectRef } from '../audit/events';
import type { ApiRootRecord, CollectionRecord } from '../catalog/types';
import type { ObjectScope, StatusRecord } from '../store/object-store';
import type { Store } from '../store/store';
import type { Micros } from '../time';
import { formatTimestamp } from '../time';
import { compactFailures } from './failures';
import { prepareObjects, validatorFor } from './object-metadata';

export interface AddRequest {
  root: ApiRootRecord;
  collection: CollectionRecord;
  accountId: string;
  /** The writer's object scope (decide(..., 'write')): what falls outside fails alone. */
  scope: ObjectScope;
  /** The envelope's "objects" list as received. */
  objects: unknown[];
  requestTimestamp: Micros;
  now: Micros;
  maxObjectSize: number;
  /** The sharing-log event, committed with the objects (see AddEnvelope.audit). */
  audit: (status: StatusRecord, versions: ObjectRef[]) => AuditEventInput;
}

/** Objects validated between two turns of the event loop: other clients wait for no more than one slice. */
const VALIDATION_SLICE = 250;

/** prepareObjects in slices, yielding in between, so a large envelope does not stall the server. */
async function prepareInTurns(list: unknown[], root: ApiRootRecord, maxObjectSize: number): Promise<ReturnType<typeof prepareObjects>> {
  const out: ReturnType<typeof prepareObjects> = { objects: [], failures: [] };
  const validator = validatorFor(root);
  for (let i = 0; i < list.length; i += VALIDATION_SLICE) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const part = prepareObjects(list.slice(i, i + VALIDATION_SLICE), { validator, maxObjectSize, firstPosition: i });
    out.objects.push(...part.objects);
    out.failures.push(...part.failures);
  }
  return out;
}

export async function addToCollection(store: Store, req: AddRequest): Promise<StatusRecord> {
  const prepared = await prepareInTurns(req.objects, req.root, req.maxObjectSize);
  // TAXII 2.1 §4.3.1 requires a version in every status detail; an object sent without
  // one is reported under the request's time (docs/conformance.md).
  const requestTime = formatTimestamp(req.requestTimestamp);
  const failures = prepared.failures.map((f) => (f.version === undefined ? { ...f, version: requestTime } : f));
  // Object level: what the writer's agreements do not cover fails alone, with the reason.
  const objects = prepared.objects.filter((o) => {
    if (admits(req.scope, o.type, o.tlp)) return true;
    failures.push({ id: o.id, version: o.version === null ? requestTime : formatTimestamp(o.version), message: `${o.id}: ${refusal(req.scope, o.type, o.tlp)}` });
    return false;
  });
  return store.addObjects({
    statusId: randomUUID(),
    apiRoot: req.root.path,
    collectionId: req.collection.id,
    accountId: req.accountId,
    requestTimestamp: req.requestTimestamp,
    now: req.now,
    objects,
    // A status stays small whatever the envelope: failures beyond a bound are grouped by reason.
    failures: compactFailures(failures),
    failureCount: failures.length,
    // Committed with the objects: no add without its event, no event without its add.
    audit: req.audit,
  });
}

/** The span of date_added an add gave its new versions (consecutive values, in order). */
export function placedRange(objects: ObjectRef[]): { date_added_range: { first: string; last: string } } | undefined {
  const placed = objects.filter((o) => o.date_added !== undefined);
  const first = placed[0]?.date_added;
  const last = placed[placed.length - 1]?.date_added;
  return first !== undefined && last !== undefined ? { date_added_range: { first, last } } : undefined;
}
