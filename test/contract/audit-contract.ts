/**
 * The sharing-log half of the storage contract (`AuditStore`, src/store/audit-store.ts): every
 * adapter must pass it, like the object contract (store-contract.ts). It talks to the store
 * only through the `Store` interface. What it pins down is what docs/audit.md promises:
 * the hash chain, the auditor's queries (every filter and the cursor), the chain of custody
 * of one object, the daily summaries, checkpoints, and that an exchange commits with its
 * event or not at all.
 */
import { ChainVerifier, type ChainedEvent, eventHash, GENESIS_HASH } from '../../src/audit/chain';
import { CHECKPOINT_EVERY } from '../../src/audit/changes';
import { custodyOf } from '../../src/audit/custody';
import { idsIndexedOneByOne, queryFields, type AuditEvent, type AuditEventInput, type ObjectRef } from '../../src/audit/events';
import { verifyStoreLog } from '../../src/audit/verify';
import type { AuditQuery } from '../../src/store/audit-store';
import type { NewObject, VersionSelector } from '../../src/store/object-store';
import type { Store } from '../../src/store/store';
import { formatTimestamp, type Micros } from '../../src/time';
import { envelope } from './store-contract';
import { testChange } from '../support/changes';

/** 2026-01-01T00:00:00Z in microseconds. */
const T0: Micros = Date.UTC(2026, 0, 1) * 1000;
const HOUR: Micros = 3_600_000_000;
const DAY: Micros = 24 * HOUR;

const COLLECTION = '7c0e2d4a-1f3b-4c5d-8e6f-a0b1c2d3e4f5';
const ALL: VersionSelector = { all: true, first: false, last: false, at: [] };

function stix(n: number): NewObject {
  const id = `indicator--${n.toString(16).padStart(8, '0')}-0000-4000-8000-0000000000aa`;
  const modified = '2026-01-01T00:00:00.000Z';
  return {
    id,
    type: 'indicator',
    specVersion: '2.1',
    version: Date.parse(modified) * 1000,
    tlp: -1,
    json: JSON.stringify({ type: 'indicator', id, modified }),
  };
}

/** An event at T0 + `at`: a successful read unless told otherwise. */
function event(at: Micros, over: Partial<AuditEventInput> = {}): AuditEventInput {
  return { time: T0 + at, action: 'objects.read', outcome: 'success', ...over };
}

/** The date_added span of versions newly placed by an add (what the HTTP add handler records). */
function placed(refs: ObjectRef[]): Pick<AuditEventInput, 'date_added_range'> {
  const added = refs.map((r) => r.date_added).filter((d): d is string => d !== undefined);
  return added.length ? { date_added_range: { first: added[0] as string, last: added[added.length - 1] as string } } : {};
}

async function seqs(store: Store, q: Omit<AuditQuery, 'limit'>, limit = 100): Promise<number[]> {
  return (await store.queryAuditEvents({ ...q, limit })).records.map((e) => e.seq);
}

export function runAuditContract(name: string, makeStore: () => Promise<Store>, teardown?: (s: Store) => Promise<void>): void {
  describe(`Sharing-log contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    /** Events the collection's creation logged (its API root's and its own), before a suite's own. */
    const SEEDED = 2;
    /** The collection that adds and deletes go to; creating it is itself logged, so only the suites that add create it. */
    const withCollection = () =>
      beforeEach(async () => {
        await store.upsertApiRoot(
          { path: 'api1', title: 'one', maxContentLength: 1 << 20, contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] },
          testChange('api-root', 'api1'),
        );
        await store.upsertCollection(
          { id: COLLECTION, apiRoot: 'api1', title: 'shared', mediaTypes: ['application/stix+json;version=2.1'] },
          testChange('collection', COLLECTION),
        );
      });
    afterEach(async () => {
      if (teardown) await teardown(store);
      else await store.close();
    });

    describe('appending: the hash chain', () => {
      it('numbers events from 1, links each to the hash before it, and hashes each over its canonical fields', async () => {
        const inputs = [
          event(0, { party: 'fr-ncb', agreements: ['agr-1@1'] }),
          event(1, { action: 'manifest.read', outcome: 'denied' }),
          event(2, { detail: { note: 'x' } }),
        ];
        const out = await store.appendAuditEvents(inputs);
        expect(out.map((e) => e.seq)).toEqual([1, 2, 3]);
        expect(out[0]?.prev_hash).toBe(GENESIS_HASH);
        out.forEach((e, i) => {
          if (i > 0) expect(e.prev_hash).toBe(out[i - 1]?.hash);
          const { hash, ...fields } = e;
          expect(eventHash(fields)).toBe(hash);
        });
        expect(new Set(out.map((e) => e.id)).size).toBe(3);
        expect(out[0]).toMatchObject({
          action: 'objects.read',
          outcome: 'success',
          party: 'fr-ncb',
          agreements: ['agr-1@1'],
          time: formatTimestamp(T0),
        });
        expect(await store.auditHead()).toEqual({ seq: 3, hash: out[2]?.hash });
      });

      it('a later append continues the chain from the head', async () => {
        const [first] = await store.appendAuditEvents([event(0)]);
        const [second] = await store.appendAuditEvents([event(1)]);
        expect(second).toMatchObject({ seq: 2, prev_hash: first?.hash });
      });

      it('probeWrite (what /readyz checks) succeeds on a writable store, as often as asked, and leaves the log unchanged', async () => {
        await store.probeWrite(T0);
        await store.probeWrite(T0 + 1);
        expect(await store.auditHead()).toEqual({ seq: 0, hash: GENESIS_HASH });
        expect((await store.appendAuditEvents([event(0)]))[0]?.seq).toBe(1);
      });

      it('an empty log has the genesis head, and an empty append adds nothing', async () => {
        expect(await store.auditHead()).toEqual({ seq: 0, hash: GENESIS_HASH });
        expect(await store.appendAuditEvents([])).toEqual([]);
        expect(await store.auditHead()).toEqual({ seq: 0, hash: GENESIS_HASH });
      });

      it('readAuditEvents returns the events exactly as appended, from a position, with what the lookup indexes say', async () => {
        const out = await store.appendAuditEvents([
          event(0, {
            collection: COLLECTION,
            objects: [{ id: stix(1).id, version: '2026-01-01T00:00:00.000000Z' }],
            date_added_range: { first: formatTimestamp(T0), last: formatTimestamp(T0) },
          }),
          event(1, {
            action: 'object.delete',
            objects: [
              { id: stix(2).id, version: '2026-01-01T00:00:00.000000Z' },
              { id: stix(1).id, version: '2026-01-01T00:00:00.000000Z' },
            ],
          }),
          event(2, { agreements: ['agr-2@1', 'agr-1@1', 'agr-2@1'], party: 'fr-police', account: 'fr-siem', country: 'FR' }),
        ]);
        const read = await store.readAuditEvents(0, 100);
        expect(read.map((r) => r.event)).toEqual(out);
        // The copies of the query fields are the event's own, absent ones absent.
        const fields = (e: AuditEvent | undefined) => queryFields(e as AuditEvent);
        expect(fields(out[0])).toMatchObject({ action: out[0]?.action, outcome: 'success', time: out[0]?.time, collection: COLLECTION });
        expect(fields(out[1])).not.toHaveProperty('collection');
        expect(read[0]?.indexed).toEqual({
          objectIds: [],
          range: { collection: COLLECTION, first: formatTimestamp(T0), last: formatTimestamp(T0) },
          agreements: [],
          fields: fields(out[0]),
        });
        expect(read[1]?.indexed).toEqual({ objectIds: idsIndexedOneByOne(out[1] as AuditEvent), agreements: [], fields: fields(out[1]) });
        expect(read[1]?.indexed.objectIds).toEqual([stix(1).id, stix(2).id]);
        expect(read[2]?.indexed).toEqual({ objectIds: [], agreements: ['agr-1@1', 'agr-2@1'], fields: fields(out[2]) });
        expect(read[2]?.indexed.fields).toMatchObject({ party: 'fr-police', account: 'fr-siem', country: 'FR' });
        expect((await store.readAuditEvents(1, 1)).map((r) => r.event.seq)).toEqual([2]);
        expect(await store.readAuditEvents(3, 10)).toEqual([]);
      });

      it('a log written through the store verifies: chain, checkpoints and lookup indexes agree', async () => {
        await store.appendAuditEvents([event(0, { agreements: ['agr-1@1'], objects: [{ id: stix(1).id, version: 'v' }] }), event(1)]);
        await store.checkpoint(T0 + 2);
        await store.upsertParty(
          { id: 'fr-ncb', name: 'NCB Paris', kind: 'ncb' },
          { at: T0 + 3, by: 'cli', entity: 'party', entityId: 'fr-ncb', action: 'create' },
        );
        const head = await store.auditHead();
        expect(await verifyStoreLog(store)).toEqual({ ok: true, events: 3, firstSeq: 1, lastSeq: 3, lastHash: head.hash, checkpoints: 1 });
      });
    });

    describe('the auditor API: queryAuditEvents, every filter and the cursor', () => {
      let log: AuditEvent[];
      beforeEach(async () => {
        log = await store.appendAuditEvents([
          event(0, { party: 'fr-ncb', account: 'alice', collection: 'c-fr', country: 'FR', agreements: ['agr-1@1'] }),
          event(DAY, { action: 'objects.add', party: 'de-ncb', account: 'bob', collection: 'c-de', country: 'DE', agreements: ['agr-10@1'] }),
          // Shares a prefix with `objects` but is not one of its actions.
          event(2 * DAY, { action: 'objectsX.read', party: 'fr-ncb', account: 'alice', collection: 'c-fr', country: 'FR' }),
          event(2 * DAY + 1, { action: 'manifest.read', outcome: 'denied', party: 'fr-ncb', account: 'alice', agreements: ['agr-1@2'] }),
          event(3 * DAY, { action: 'object.read', outcome: 'failure', party: 'de-ncb', account: 'bob', agreements: ['agr-2@1', 'agr-1@1'] }),
        ]);
        await store.upsertParty(
          { id: 'fr-ncb', name: 'NCB Paris', kind: 'ncb' },
          { at: T0 + 3 * DAY + 1, by: 'cli', entity: 'party', entityId: 'fr-ncb', action: 'create' },
        );
      });

      it('without filters returns every event in sequence order, exactly as appended', async () => {
        const page = await store.queryAuditEvents({ limit: 100 });
        expect(page.more).toBe(false);
        expect(page.records.slice(0, 5)).toEqual(log);
        expect(page.records.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      });

      it('from is inclusive and to exclusive (event time)', async () => {
        expect(await seqs(store, { from: T0 + DAY })).toEqual([2, 3, 4, 5, 6]);
        expect(await seqs(store, { to: T0 + DAY })).toEqual([1]);
        expect(await seqs(store, { from: T0 + DAY, to: T0 + 2 * DAY + 1 })).toEqual([2, 3]);
      });

      it('party, account, collection, country and outcome match exactly', async () => {
        expect(await seqs(store, { party: 'fr-ncb' })).toEqual([1, 3, 4]);
        expect(await seqs(store, { party: 'fr' })).toEqual([]);
        expect(await seqs(store, { account: 'bob' })).toEqual([2, 5]);
        expect(await seqs(store, { collection: 'c-fr' })).toEqual([1, 3]);
        expect(await seqs(store, { country: 'DE' })).toEqual([2]);
        expect(await seqs(store, { outcome: 'denied' })).toEqual([4]);
        expect(await seqs(store, { outcome: 'failure' })).toEqual([5]);
      });

      it('action: a family name matches its actions (objects → objects.read, objects.add), an exact name itself', async () => {
        expect(await seqs(store, { action: 'objects' })).toEqual([1, 2]);
        expect(await seqs(store, { action: 'objects.read' })).toEqual([1]);
        expect(await seqs(store, { action: 'objectsX.read' })).toEqual([3]);
        expect(await seqs(store, { action: 'catalog' })).toEqual([6]);
        expect(await seqs(store, { action: 'catalog.party' })).toEqual([6]);
        expect(await seqs(store, { action: 'object' })).toEqual([5]);
      });

      it('agreement: `id@version` one version, a bare id every version of it (and not agr-10 for agr-1)', async () => {
        expect(await seqs(store, { agreement: 'agr-1' })).toEqual([1, 4, 5]);
        expect(await seqs(store, { agreement: 'agr-1@2' })).toEqual([4]);
        expect(await seqs(store, { agreement: 'agr-10' })).toEqual([2]);
        expect(await seqs(store, { agreement: 'agr-3' })).toEqual([]);
      });

      it('filters combine with AND', async () => {
        expect(await seqs(store, { party: 'fr-ncb', outcome: 'success' })).toEqual([1, 3]);
        expect(await seqs(store, { party: 'fr-ncb', agreement: 'agr-1', from: T0 + DAY })).toEqual([4]);
        expect(await seqs(store, { account: 'alice', country: 'DE' })).toEqual([]);
      });

      it('the cursor (afterSeq) and limit page through the log: more is true exactly when events remain', async () => {
        const first = await store.queryAuditEvents({ limit: 2 });
        expect([first.records.map((e) => e.seq), first.more]).toEqual([[1, 2], true]);
        const second = await store.queryAuditEvents({ limit: 2, afterSeq: 2 });
        expect([second.records.map((e) => e.seq), second.more]).toEqual([[3, 4], true]);
        const last = await store.queryAuditEvents({ limit: 2, afterSeq: 4 });
        expect([last.records.map((e) => e.seq), last.more]).toEqual([[5, 6], false]);
        expect(await store.queryAuditEvents({ limit: 2, afterSeq: 6 })).toEqual({ records: [], more: false });
        // With a filter, the cursor skips what the filter leaves out.
        const fr = await store.queryAuditEvents({ party: 'fr-ncb', limit: 1, afterSeq: 1 });
        expect([fr.records.map((e) => e.seq), fr.more]).toEqual([[3], true]);
      });
    });

    describe('chain of custody: queryAuditEvents by object id', () => {
      withCollection();
      it('finds the add, the reads, an "already stored" re-send and the delete of an object, and only the events that name it', async () => {
        const [a, b] = [stix(1), stix(2)];
        let addRefs: ObjectRef[] = [];
        await store.addObjects({
          ...envelope(COLLECTION, T0, [a, b]),
          audit: (status, refs) => {
            addRefs = refs;
            return event(0, { action: 'objects.add', collection: COLLECTION, status_id: status.id, objects: refs, ...placed(refs) });
          },
        });
        expect(addRefs.map((r) => r.date_added)).toEqual([formatTimestamp(T0), formatTimestamp(T0 + 1)]);
        const range = { first: formatTimestamp(T0), last: formatTimestamp(T0 + 1) };
        const page = addRefs.map(({ id, version }) => ({ id, version }));
        await store.appendAuditEvents([
          event(10, { collection: COLLECTION, objects: page, date_added_range: range }),
          // Its range covers a's date_added, but it names only b.
          event(11, { collection: COLLECTION, objects: [page[1] as ObjectRef], date_added_range: range }),
          event(12, { action: 'manifest.read', collection: COLLECTION }),
        ]);
        await store.addObjects({
          ...envelope(COLLECTION, T0 + 20, [a]),
          audit: (status, refs) => event(20, { action: 'objects.add', collection: COLLECTION, status_id: status.id, objects: refs, ...placed(refs) }),
        });
        const removed = await store.deleteObject(COLLECTION, a.id, ALL, undefined, undefined, (refs) =>
          event(30, { action: 'object.delete', collection: COLLECTION, objects: refs }),
        );
        expect(removed).toBe(1);
        // After the delete a is no longer stored: its reads are found through what the delete recorded.
        const at = (...n: number[]) => n.map((x) => x + SEEDED);
        expect(await seqs(store, { objectId: a.id })).toEqual(at(1, 2, 5, 6));
        expect(await seqs(store, { objectId: b.id })).toEqual(at(1, 2, 3));
        expect(await seqs(store, { objectId: a.id, action: 'objects.read' })).toEqual(at(2));
        expect(await seqs(store, { objectId: stix(3).id })).toEqual([]);
        const [resend, deleted] = (await store.queryAuditEvents({ objectId: a.id, afterSeq: 4 + SEEDED, limit: 10 })).records;
        expect(resend?.objects).toEqual([{ id: a.id, version: page[0]?.version }]);
        expect(deleted?.objects).toEqual([addRefs[0]]);
        // What the auditor's custody view (src/audit/custody.ts) makes of it.
        const custody = await custodyOf(store, a.id);
        expect(
          custody.versions.map((v) => ({
            version: v.version,
            submitted: v.submitted.map((e) => e.seq),
            received: v.received.map((e) => e.seq),
            deleted: v.deleted.map((e) => e.seq),
          })),
        ).toEqual([{ version: page[0]?.version, submitted: at(1, 5), received: at(2), deleted: at(6) }]);
      });
    });

    describe('daily summaries (summarizeAudit): successful content reads per day and agreement, country or party', () => {
      beforeEach(async () => {
        const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ id: stix(i).id, version: 'v' }));
        await store.appendAuditEvents([
          event(0, { party: 'fr-ncb', country: 'FR', agreements: ['agr-1@1', 'agr-2@1'], objects: refs(3) }),
          event(HOUR, { action: 'object.read', party: 'fr-ncb', country: 'FR', agreements: ['agr-1@1'], objects: refs(1) }),
          event(2 * HOUR, { party: 'fr-ncb', country: 'FR' }),
          event(DAY, { party: 'de-ncb', country: 'DE', agreements: ['agr-1@1'], objects: refs(2) }),
          // Not counted: a failed read, and a manifest (ids and versions, not content).
          event(DAY + 1, { outcome: 'failure', party: 'de-ncb', country: 'DE', agreements: ['agr-1@1'], objects: refs(5) }),
          event(DAY + 2, { action: 'manifest.read', party: 'de-ncb', country: 'DE', agreements: ['agr-1@1'], objects: refs(5) }),
        ]);
      });

      it('by party and by country: objects delivered and requests that delivered them', async () => {
        expect(await store.summarizeAudit('party')).toEqual([
          { day: '2026-01-01', key: 'fr-ncb', objects: 4, requests: 3 },
          { day: '2026-01-02', key: 'de-ncb', objects: 2, requests: 1 },
        ]);
        expect(await store.summarizeAudit('country')).toEqual([
          { day: '2026-01-01', key: 'FR', objects: 4, requests: 3 },
          { day: '2026-01-02', key: 'DE', objects: 2, requests: 1 },
        ]);
      });

      it('by agreement: a read counts once for each agreement it cites; reads citing none are not counted', async () => {
        expect(await store.summarizeAudit('agreement')).toEqual([
          { day: '2026-01-01', key: 'agr-1@1', objects: 4, requests: 2 },
          { day: '2026-01-01', key: 'agr-2@1', objects: 3, requests: 1 },
          { day: '2026-01-02', key: 'agr-1@1', objects: 2, requests: 1 },
        ]);
      });

      it('from is inclusive and to exclusive', async () => {
        expect(await store.summarizeAudit('party', T0 + DAY)).toEqual([{ day: '2026-01-02', key: 'de-ncb', objects: 2, requests: 1 }]);
        expect(await store.summarizeAudit('party', undefined, T0 + DAY)).toEqual([{ day: '2026-01-01', key: 'fr-ncb', objects: 4, requests: 3 }]);
        expect(await store.summarizeAudit('party', T0 + HOUR, T0 + HOUR + 1)).toEqual([
          { day: '2026-01-01', key: 'fr-ncb', objects: 1, requests: 1 },
        ]);
      });
    });

    describe('checkpoints', () => {
      it('checkpoint() records the head when events were added since the last one, and only then', async () => {
        expect(await store.checkpoint(T0)).toBeUndefined();
        const out = await store.appendAuditEvents([event(0), event(1), event(2)]);
        expect(await store.checkpoint(T0 + 5)).toEqual({ seq: 3, hash: out[2]?.hash });
        expect(await store.checkpoint(T0 + 6)).toBeUndefined();
        const [fourth] = await store.appendAuditEvents([event(7)]);
        expect(await store.checkpoint(T0 + 8)).toEqual({ seq: 4, hash: fourth?.hash });
        expect(await store.listCheckpoints()).toEqual([
          { seq: 3, hash: out[2]?.hash, time: T0 + 5 },
          { seq: 4, hash: fourth?.hash, time: T0 + 8 },
        ]);
      });

      it(`one is recorded every ${CHECKPOINT_EVERY} events by the append itself, with that event's hash and time`, async () => {
        const inputs = Array.from({ length: CHECKPOINT_EVERY + 5 }, (_, i) => event(i));
        const out = await store.appendAuditEvents(inputs);
        const at = out[CHECKPOINT_EVERY - 1] as AuditEvent;
        expect(await store.listCheckpoints()).toEqual([{ seq: CHECKPOINT_EVERY, hash: at.hash, time: T0 + CHECKPOINT_EVERY - 1 }]);
        const verifier = new ChainVerifier(await store.listCheckpoints());
        for (const { event: e } of await store.readAuditEvents(0, 2 * CHECKPOINT_EVERY)) verifier.add(e as unknown as ChainedEvent);
        expect(verifier.result()).toMatchObject({ ok: true, events: CHECKPOINT_EVERY + 5 });
      });
    });

    describe('an exchange commits with its event, or not at all', () => {
      withCollection();
      it('an add whose event cannot be built stores neither the objects, nor the status, nor any event', async () => {
        const head = await store.auditHead();
        const env = {
          ...envelope(COLLECTION, T0, [stix(1)]),
          audit: () => {
            throw new Error('no event');
          },
        };
        await expect(store.addObjects(env)).rejects.toThrow('no event');
        expect((await store.queryManifest({ collectionId: COLLECTION, versions: ALL, limit: 10 })).records).toEqual([]);
        expect(await store.getStatus(env.statusId)).toBeUndefined();
        expect(await store.auditHead()).toEqual(head);
        // The date_added clock did not move either: the next add gets `now`.
        const status = await store.addObjects(envelope(COLLECTION, T0 - 5, [stix(2)]));
        expect(status.successCount).toBe(1);
        expect((await store.queryManifest({ collectionId: COLLECTION, versions: ALL, limit: 10 })).records.map((r) => r.dateAdded)).toEqual([T0 - 5]);
      });

      it('a delete whose event cannot be built removes nothing', async () => {
        await store.addObjects(envelope(COLLECTION, T0, [stix(1)]));
        const head = await store.auditHead();
        await expect(
          store.deleteObject(COLLECTION, stix(1).id, ALL, undefined, undefined, () => {
            throw new Error('no event');
          }),
        ).rejects.toThrow('no event');
        expect((await store.queryManifest({ collectionId: COLLECTION, versions: ALL, limit: 10 })).records).toHaveLength(1);
        expect(await store.auditHead()).toEqual(head);
      });

      it('the delete event names the removed versions in date_added order; a delete that removes nothing appends no event', async () => {
        const v1 = stix(1);
        const v2 = { ...v1, version: (v1.version as Micros) + 1000, json: v1.json.replace('}', ',"x":1}') };
        await store.addObjects(envelope(COLLECTION, T0 + 10, [v2]));
        await store.addObjects(envelope(COLLECTION, T0 + 20, [v1]));
        const audit = (refs: ObjectRef[]) => event(30, { action: 'object.delete', objects: refs });
        const { seq } = await store.auditHead();
        expect(await store.deleteObject(COLLECTION, v1.id, ALL, undefined, undefined, audit)).toBe(2);
        const [deleted] = (await store.queryAuditEvents({ action: 'object.delete', limit: 10 })).records;
        expect(deleted?.objects).toEqual([
          { id: v1.id, version: formatTimestamp(v2.version as Micros), date_added: formatTimestamp(T0 + 10) },
          { id: v1.id, version: formatTimestamp(v1.version as Micros), date_added: formatTimestamp(T0 + 20) },
        ]);
        expect(await store.deleteObject(COLLECTION, v1.id, ALL, undefined, undefined, audit)).toBe(0);
        expect((await store.auditHead()).seq).toBe(seq + 1);
      });
    });
  });
}
