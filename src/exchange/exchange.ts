/**
 * The exchange service: every read and write of STIX content, whichever door it comes
 * through (TAXII over HTTP, `accord import`), goes through here. Each use case takes the
 * actor, the authority the access decision gave it and the collection, applies the object
 * scope and the disclosure rules, and produces its sharing-log event: writes commit it in the
 * store's transaction with the data (the store cannot be asked to write without one), reads
 * queue it before the content is handed back. It knows no HTTP: doors translate their
 * requests into these calls and the results into their answers.
 */
import { randomUUID } from 'node:crypto';
import { admits, decide, refusal } from '../access/decide';
import type { AgreementCache } from '../access/agreement-cache';
import type { AuditEventInput } from '../audit/events';
import { fail } from '../errors';
import type { ApiRootRecord, CollectionRecord } from '../catalog/types';
import type { ManifestRecord, ObjectPage, ObjectQuery, StatusDetail, StatusRecord } from '../store/object-store';
import type { Page } from '../store/page';
import type { Store } from '../store/store';
import { compactFailures } from '../taxii/failures';
import { ALL_VERSIONS, type Filters } from '../taxii/filters';
import { prepareObjects, validatorFor, type Prepared } from '../taxii/object-metadata';
import { formatTimestamp, parseTimestamp, type Clock } from '../time';
import type { Actor, Authority, Origin } from './actor';
import { pageEvent, placedRange, whoAndWhere } from './events';

/** Where read-side events go: a queue that may turn unhealthy (src/audit/log.ts), or the store directly. */
export interface SharingLog {
  readonly healthy: boolean;
  record(event: AuditEventInput): Promise<void>;
}

export interface ExchangeDeps {
  store: Store;
  clock: Clock;
  log: SharingLog;
  agreements: AgreementCache;
  /** Largest page a read returns, and the most "already stored" versions checked per add. */
  pageCap: number;
  maxObjectSize: number;
}

/** One exchange: who, under what authority, on which collection, through which door. */
export interface Call {
  actor: Actor;
  authority: Authority;
  apiRoot: ApiRootRecord;
  collection: CollectionRecord;
  origin?: Origin;
}

/** Every spec version an object may have here, for questions about any version of it. */
const ANY_SPEC_VERSION = ['2.0', '2.1'];

/** How many duplicates one visibility query covers (its ids and versions are bound parameters). */
const DUPLICATES_PER_QUERY = 500;

/** Objects validated between two turns of the event loop: other clients wait for no more than one slice. */
const VALIDATION_SLICE = 250;

const logDown = (what: string) => fail('sharing-log-unavailable', `${what} while the sharing log cannot be written`);

export class Exchange {
  constructor(private readonly deps: ExchangeDeps) {}

  /** TAXII 2.1 §5.4 Get Objects: a page of the collection, within the caller's scope. */
  async readObjects(call: Call, filters: Filters): Promise<ObjectPage> {
    this.assertReadable();
    const page = await this.deps.store.queryObjects(this.query(call, filters));
    await this.recordRead(call, 'objects.read', pageEvent(page));
    return page;
  }

  /** §5.6 Get An Object: 404 unless the caller may see some version of it. */
  async readObject(call: Call, objectId: string, filters: Filters): Promise<ObjectPage> {
    this.assertReadable();
    const query = this.query(call, filters, objectId);
    await this.assertObjectExists(query, objectId);
    const page = await this.deps.store.queryObjects(query);
    await this.recordRead(call, 'object.read', pageEvent(page));
    return page;
  }

  /** §5.3 Get Object Manifests. */
  async manifest(call: Call, filters: Filters): Promise<Page<ManifestRecord>> {
    this.assertReadable();
    const page = await this.deps.store.queryManifest(this.query(call, filters));
    await this.recordRead(call, 'manifest.read', pageEvent(page));
    return page;
  }

  /** §5.8 Get Object Versions: 404 unless the caller may see some version of it. */
  async versions(call: Call, objectId: string, filters: Filters): Promise<Page<ManifestRecord>> {
    this.assertReadable();
    const query = this.query(call, filters, objectId);
    await this.assertObjectExists(query, objectId);
    const page = await this.deps.store.queryManifest(query);
    await this.recordRead(call, 'versions.read', pageEvent(page));
    return page;
  }

  /** §5.7 Delete An Object: the selected versions within scope; 404 when none matched. */
  async delete(call: Call, objectId: string, filters: Pick<Filters, 'versions' | 'specVersions'>): Promise<number> {
    if (!this.deps.log.healthy) throw logDown('changes are refused');
    const removed = await this.deps.store.deleteObject(call.collection.id, objectId, filters.versions, filters.specVersions, call.authority.scope, (versions) => ({
      ...this.event(call, 'object.delete'),
      objects: versions,
    }));
    if (removed === 0) throw fail('object-not-found', `no version of ${objectId} in this collection matches the request`);
    call.origin?.recorded?.();
    return removed;
  }

  /**
   * §5.5 Add Objects: validates each object under the API root's content policy, fails alone
   * what the writer's scope does not cover, and stores the rest with its event.
   */
  async add(call: Call, objects: readonly unknown[], requestTimestamp = this.deps.clock()): Promise<StatusRecord> {
    return this.withoutHiddenDuplicates(call, await this.store(call, await this.prepareInTurns(call, objects), requestTimestamp));
  }

  /** prepare() in slices, yielding in between, so a large envelope does not stall the server. */
  private async prepareInTurns(call: Call, objects: readonly unknown[]): Promise<Prepared> {
    const out: Prepared = { objects: [], failures: [] };
    for (let i = 0; i < objects.length; i += VALIDATION_SLICE) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const part = this.prepare(call, objects.slice(i, i + VALIDATION_SLICE), i);
      out.objects.push(...part.objects);
      out.failures.push(...part.failures);
    }
    return out;
  }

  /** Validates objects under the API root's content policy; `firstPosition` places them in a longer stream. */
  prepare(call: Call, objects: readonly unknown[], firstPosition = 0): Prepared {
    return prepareObjects(objects, { validator: validatorFor(call.apiRoot), maxObjectSize: this.deps.maxObjectSize, firstPosition });
  }

  /**
   * Validates, scopes and stores prepared objects in one transaction with their event.
   * `detail` is added to the event (an import names its file).
   */
  async store(call: Call, prepared: Prepared, requestTimestamp: number, detail?: Record<string, unknown>): Promise<StatusRecord> {
    const { scope } = call.authority;
    // TAXII 2.1 §4.3.1 requires a version in every status detail; an object sent without
    // one is reported under the request's time (docs/conformance.md).
    const requestTime = formatTimestamp(requestTimestamp);
    const failures: StatusDetail[] = prepared.failures.map((f) => (f.version === undefined ? { ...f, version: requestTime } : f));
    const accepted = prepared.objects.filter((o) => {
      if (!scope || admits(scope, o.type, o.tlp)) return true;
      failures.push({ id: o.id, version: o.version === null ? requestTime : formatTimestamp(o.version), message: `${o.id}: ${refusal(scope, o.type, o.tlp)}` });
      return false;
    });
    if (!this.deps.log.healthy) throw logDown('changes are refused');
    const status = await this.deps.store.addObjects({
      statusId: randomUUID(),
      apiRoot: call.apiRoot.path,
      collectionId: call.collection.id,
      accountId: call.actor.accountId,
      requestTimestamp,
      now: this.deps.clock(),
      objects: accepted,
      failures: compactFailures(failures),
      failureCount: failures.length,
      // Committed with the objects: no add without its event, no event without its add.
      audit: (s, versions) => {
        const counts = s.failureCount > 0 ? { failed: s.failureCount, total: s.totalCount } : {};
        const extra = { ...counts, ...detail };
        return {
          ...this.event(call, 'objects.add'),
          objects: versions,
          // The add is indexed by the span of its new versions (rangeIndexed).
          ...placedRange(versions),
          status_id: s.id,
          ...(Object.keys(extra).length > 0 && { detail: extra }),
        };
      },
    });
    call.origin?.recorded?.();
    return status;
  }

  /**
   * "already stored" must not tell a writer that a version it may not read exists: for such
   * versions the answer is the one for a new object. (The sharing log keeps the truth.) The
   * check asks for exactly the versions reported, in chunks, each followed to its last page:
   * right however many versions the objects have (one capped query over all of them lost the
   * "already stored" of versions beyond the page cap).
   */
  private async withoutHiddenDuplicates(call: Call, status: StatusRecord): Promise<StatusRecord> {
    const duplicates = status.successes.filter((s) => s.message === 'already stored');
    const { actor } = call;
    if (duplicates.length === 0 || actor.partyId === undefined) return status;
    const now = this.deps.clock();
    const principal = { ...actor, partyId: actor.partyId, credential: actor.credential ?? '' };
    const read = decide(principal, call.collection, 'read', now, await this.deps.agreements.bindingsFor(actor.partyId));
    const key = (id: string, version: number | undefined) => `${id} ${version ?? ''}`;
    const visible = new Set<string>();
    for (let i = 0; read.allowed && i < duplicates.length; i += DUPLICATES_PER_QUERY) {
      const chunk = duplicates.slice(i, i + DUPLICATES_PER_QUERY);
      const at = [...new Set(chunk.map((d) => parseTimestamp(d.version ?? '')).filter((v) => v !== undefined))];
      const query = {
        collectionId: call.collection.id,
        ids: [...new Set(chunk.map((d) => d.id))],
        versions: { all: false, first: false, last: false, at },
        specVersions: ANY_SPEC_VERSION,
        scope: read.scope,
        limit: this.deps.pageCap,
      };
      for (let after: number | undefined, more = true; more; ) {
        const page = await this.deps.store.queryManifest({ ...query, ...(after !== undefined && { after }) });
        for (const r of page.records) visible.add(key(r.id, r.version));
        more = page.more;
        after = page.records[page.records.length - 1]?.dateAdded;
      }
    }
    return {
      ...status,
      successes: status.successes.map((s) => (s.message === 'already stored' && !visible.has(key(s.id, parseTimestamp(s.version ?? ''))) ? { id: s.id, ...(s.version !== undefined && { version: s.version }) } : s)),
    };
  }

  private query(call: Call, filters: Filters, objectId?: string): ObjectQuery {
    return { collectionId: call.collection.id, ...filters, ...(call.authority.scope && { scope: call.authority.scope }), ...(objectId !== undefined && { ids: [objectId] }) };
  }

  /** Content is not served while its reading cannot be logged (fail closed). */
  private assertReadable(): void {
    if (!this.deps.log.healthy) throw logDown('content is not served');
  }

  /**
   * §5.6 and §5.8 answer 404 for an object the collection does not hold, or none of whose
   * versions the caller may see; filters that match none of its versions give an empty page.
   */
  private async assertObjectExists(query: ObjectQuery, objectId: string): Promise<void> {
    const any = await this.deps.store.queryManifest({
      collectionId: query.collectionId,
      ids: [objectId],
      versions: ALL_VERSIONS,
      specVersions: ANY_SPEC_VERSION,
      limit: 1,
      ...(query.scope && { scope: query.scope }),
    });
    if (any.records.length === 0) throw fail('object-not-found', `the collection holds no object ${objectId}`);
  }

  /** Resolves once the event is committed (src/audit/log.ts); fails closed when it cannot be. */
  private async recordRead(call: Call, action: string, fields: Partial<AuditEventInput>): Promise<void> {
    try {
      await this.deps.log.record({ ...this.event(call, action), ...fields });
    } catch {
      throw logDown('content is not served');
    }
    call.origin?.recorded?.();
  }

  /** The fields every event of a call has: when, who, where, under which agreements, and the door's own. */
  private event(call: Call, action: string): AuditEventInput {
    const door = call.origin?.fields();
    return {
      ...door,
      time: door?.time ?? this.deps.clock(),
      action,
      outcome: 'success',
      ...whoAndWhere(call.actor, { apiRoot: call.apiRoot, collection: call.collection, basis: call.authority.basis }),
    };
  }
}
