/**
 * Chain of custody of one STIX object: for each version, who submitted it, who received it
 * and who deleted it, when, from or into which collection, under which agreements.
 */
import type { AuditStore } from '../store/audit-store';
import type { AuditEvent } from './events';

export interface CustodyEntry {
  seq: number;
  time: string;
  action: string;
  account?: string;
  party?: string;
  collection?: string;
  country?: string;
  agreements?: string[];
}

export interface Custody {
  object: string;
  versions: { version: string; submitted: CustodyEntry[]; received: CustodyEntry[]; deleted: CustodyEntry[] }[];
}

const PAGE = 1000;

function entry(e: AuditEvent): CustodyEntry {
  return {
    seq: e.seq,
    time: e.time,
    action: e.action,
    ...(e.account !== undefined && { account: e.account }),
    ...(e.party !== undefined && { party: e.party }),
    ...(e.collection !== undefined && { collection: e.collection }),
    ...(e.country !== undefined && { country: e.country }),
    ...(e.agreements !== undefined && { agreements: e.agreements }),
  };
}

export async function custodyOf(store: AuditStore, objectId: string): Promise<Custody> {
  const byVersion = new Map<string, Custody['versions'][number]>();
  let afterSeq: number | undefined;
  for (;;) {
    const page = await store.queryAuditEvents({ objectId, limit: PAGE, ...(afterSeq !== undefined && { afterSeq }) });
    for (const e of page.records) {
      if (e.outcome !== 'success') continue;
      const kind =
        e.action === 'objects.add' ? 'submitted' : e.action === 'object.delete' ? 'deleted' : e.action.endsWith('.read') ? 'received' : undefined;
      if (!kind) continue;
      for (const o of e.objects ?? []) {
        if (o.id !== objectId) continue;
        let v = byVersion.get(o.version);
        if (!v) {
          v = { version: o.version, submitted: [], received: [], deleted: [] };
          byVersion.set(o.version, v);
        }
        v[kind].push(entry(e));
      }
    }
    if (!page.more) break;
    afterSeq = page.records[page.records.length - 1]?.seq;
  }
  return { object: objectId, versions: [...byVersion.values()].sort((a, b) => a.version.localeCompare(b.version)) };
}
