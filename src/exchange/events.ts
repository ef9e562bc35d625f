/** What the sharing log records of a page that was read, and of the versions an add placed. */
import type { AuditEventInput, DateAddedRange, ObjectRef } from '../audit/events';
import type { Actor } from './actor';
import type { ManifestRecord } from '../store/object-store';
import type { Page } from '../store/page';
import { formatTimestamp } from '../time';

/** The versions returned, their date_added span and what the scope withheld. */
export function pageEvent(page: Page<ManifestRecord>) {
  const first = page.records[0];
  const last = page.records[page.records.length - 1];
  return {
    objects: page.records.map((r) => ({ id: r.id, version: formatTimestamp(r.version) })),
    ...(first && last && { date_added_range: { first: formatTimestamp(first.dateAdded), last: formatTimestamp(last.dateAdded) } }),
    ...(page.withheld && page.withheld.count > 0 && { withheld: page.withheld }),
  };
}

/** The span of date_added an add gave its new versions (consecutive values, in order). */
export function placedRange(objects: ObjectRef[]): { date_added_range: DateAddedRange } | undefined {
  const placed = objects.filter((o) => o.date_added !== undefined);
  const first = placed[0]?.date_added;
  const last = placed[placed.length - 1]?.date_added;
  return first !== undefined && last !== undefined ? { date_added_range: { first, last } } : undefined;
}

/** Who acted, where, and under which agreements: the fields every event of an exchange or a refusal has. */
export function whoAndWhere(
  actor: Actor | undefined,
  where: { apiRoot?: { path: string }; collection?: { id: string; country?: string }; basis?: string[] },
): Partial<AuditEventInput> {
  const { apiRoot, collection, basis } = where;
  return {
    ...(actor && { account: actor.accountName, account_id: actor.accountId }),
    ...(actor?.partyId !== undefined && { party: actor.partyId }),
    ...(actor?.credential !== undefined && { credential: actor.credential }),
    ...(apiRoot && { api_root: apiRoot.path }),
    ...(collection && { collection: collection.id }),
    ...(collection?.country !== undefined && { country: collection.country }),
    ...(basis !== undefined && basis.length > 0 && { agreements: basis }),
  };
}
