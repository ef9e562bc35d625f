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
import { admits, refusal } from '../access/decide';
import { creatorRefusal } from '../access/ownership';
import { intersectScopes, readScope } from '../access/rights';
import type { CatalogCache } from '../access/catalog-cache';
import type { AuditEventInput } from '../audit/events';
import { fail } from '../errors';
import type { ApiRootRecord, CollectionRecord } from '../catalog/types';
import type { ManifestRecord, ObjectPage, ObjectQuery, ObjectScope, StatusDetail, StatusRecord } from '../store/object-store';
import { EVERYTHING } from '../store/scope';
import type { Page } from '../store/page';
import type { Store } from '../store/store';
import { compactFailures } from '../taxii/failures';
import { ALL_VERSIONS, type Filters } from '../taxii/filters';
import { prepareObjects, validatorFor, type Prepared } from '../taxii/object-metadata';
import { formatTimestamp, type Clock } from '../time';
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
  agreements: Pick<CatalogCache, 'bindingsFor'>;
  maxObjectSize: number;
  /** The party the local operator's adds belong to (it owns what it stores first). */
  operatorParty: string;
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
    const page = await this.deps.store.queryObjects(query);
    // A page with a version proves the object exists: the second query is only for an empty one.
    if (page.records.length === 0) await this.assertObjectExists(query, objectId);
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
    const page = await this.deps.store.queryManifest(query);
    if (page.records.length === 0) await this.assertObjectExists(query, objectId);
    await this.recordRead(call, 'versions.read', pageEvent(page));
    return page;
  }

  /**
   * §5.7 Delete An Object: only versions the caller may both read and delete, answering as
   * Get An Object would (404 for an object none of whose versions it may read, so the pair
   * reveals nothing), and only of an object its party owns (403 otherwise: src/access/ownership.ts).
   */
  async delete(call: Call, objectId: string, filters: Pick<Filters, 'versions' | 'specVersions'>): Promise<number> {
    if (!this.deps.log.healthy) throw logDown('changes are refused');
    const readable = await this.readScope(call);
    if (readable === null) throw fail('object-not-found', `the collection holds no object ${objectId}`);
    const scope = readable && call.authority.scope ? intersectScopes(readable, call.authority.scope) : (readable ?? call.authority.scope);
    await this.assertObjectExists({ collectionId: call.collection.id, versions: ALL_VERSIONS, limit: 1, ...(scope && { scope }) }, objectId);
    const party = call.actor.partyId ?? this.deps.operatorParty;
    if ((await this.deps.store.ownerOf(call.collection.id, objectId)) !== party)
      throw fail('not-allowed', 'only the party that owns this object may delete its versions');
    const removed = await this.deps.store.deleteObject(call.collection.id, objectId, filters.versions, filters.specVersions, scope, (versions) => ({
      ...this.event(call, 'object.delete'),
      objects: versions,
    }));
    if (removed === 0) throw fail('object-not-found', `no version of ${objectId} in this collection matches the request`);
    call.origin?.recorded?.();
    return removed;
  }

  /**
   * What the caller may read here: its read scope, undefined for the local operator (all), or
   * null when it may read nothing (src/access/rights.ts).
   */
  private async readScope(call: Call): Promise<ObjectScope | undefined | null> {
    const { actor } = call;
    if (actor.partyId === undefined) return undefined;
    const principal = { ...actor, partyId: actor.partyId, credential: actor.credential ?? '' };
    return readScope(principal, call.collection, this.deps.clock(), await this.deps.agreements.bindingsFor(actor.partyId)) ?? null;
  }

  /**
   * §5.5 Add Objects: validates each object under the API root's content policy, fails alone
   * what the writer's scope does not cover, and stores the rest with its event.
   */
  async add(call: Call, objects: readonly unknown[], requestTimestamp = this.deps.clock(), unsafeMarker?: string): Promise<StatusRecord> {
    return this.store(call, await this.prepareInTurns(call, objects, unsafeMarker), requestTimestamp);
  }

  /** prepare() in slices, yielding in between, so a large envelope does not stall the server. */
  private async prepareInTurns(call: Call, objects: readonly unknown[], unsafeMarker: string | undefined): Promise<Prepared> {
    const out: Prepared = { objects: [], failures: [] };
    for (let i = 0; i < objects.length; i += VALIDATION_SLICE) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const part = this.prepare(call, objects.slice(i, i + VALIDATION_SLICE), i, unsafeMarker);
      out.objects.push(...part.objects);
      out.failures.push(...part.failures);
    }
    return out;
  }

  /**
   * Validates objects under the API root's content policy; `firstPosition` places them in a
   * longer stream; `unsafeMarker` (src/stix/json-numbers.ts) fails those holding numbers JSON altered.
   */
  prepare(call: Call, objects: readonly unknown[], firstPosition = 0, unsafeMarker?: string): Prepared {
    return prepareObjects(objects, {
      validator: validatorFor(call.apiRoot),
      maxObjectSize: this.deps.maxObjectSize,
      firstPosition,
      ...(unsafeMarker !== undefined && { unsafeMarker }),
    });
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
    // A party with an identity signs what it adds (src/access/ownership.ts creatorRefusal).
    const identityRef = call.actor.partyId === undefined ? undefined : (await this.deps.store.getParty(call.actor.partyId))?.identityRef;
    const accepted = prepared.objects.filter((o) => {
      const refused = !scope || admits(scope, o.type, o.tlp) ? creatorRefusal(o.createdByRef, identityRef) : refusal(scope, o.type, o.tlp);
      if (refused === undefined) return true;
      failures.push({ id: o.id, version: o.version === null ? requestTime : formatTimestamp(o.version), message: `${o.id}: ${refused}` });
      return false;
    });
    // What the writer may read decides what the store may tell it about versions already held.
    const visible = await this.readScope(call);
    if (!this.deps.log.healthy) throw logDown('changes are refused');
    const status = await this.deps.store.addObjects({
      statusId: randomUUID(),
      apiRoot: call.apiRoot.path,
      collectionId: call.collection.id,
      accountId: call.actor.accountId,
      partyId: call.actor.partyId ?? this.deps.operatorParty,
      ...(visible !== null && { visible: visible ?? EVERYTHING }),
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

  private query(call: Call, filters: Filters, objectId?: string): ObjectQuery {
    return {
      collectionId: call.collection.id,
      ...filters,
      ...(call.authority.scope && { scope: call.authority.scope }),
      ...(objectId !== undefined && { ids: [objectId] }),
    };
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
    const delivers = call.origin?.delivers ?? true;
    const { objects: _delivered, withheld: _withheld, ...asked } = fields;
    try {
      await this.deps.log.record({ ...this.event(call, delivers ? action : action.replace(/\.read$/, '.head')), ...(delivers ? fields : asked) });
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
