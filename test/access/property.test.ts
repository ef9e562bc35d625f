/**
 * Properties of access enforcement over HTTP, for random catalogues, agreements, accounts
 * and objects. The expected outcome is computed here from the rules alone (not by calling
 * decide()):
 *
 *   a right is granted when the account is active, one of its roles permits the action
 *   (admin: read/write/delete, writer: read/write, reader: read, auditor: none) and some
 *   agreement in force (active, valid_from <= now < valid_until) has a grant to the
 *   account's party with that action covering the collection (all / id / alias / country
 *   or `*` for any country collection); an object version is within such a grant when its
 *   type passes the allow list (if any) and not the deny list, and its TLP level (highest
 *   TLP 1.0 / 2.0 marking; unmarked → unmarked_as, or never under `deny`) is <= max_tlp.
 *
 * (a) Reading — objects paged to the end (latest and all versions), then versions and
 *     object-by-id for every object the collection holds — returns exactly the covered
 *     versions, in date_added order, and nothing else; the status is 401/404/403/200 as the
 *     rules say. (b) A POST stores exactly the objects an in-force write grant covers.
 *
 * One app serves every run: each run has its own parties, accounts, collections and
 * agreements (ids prefixed with the run number), and no grant names another run's party.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { AgreementRecord, AgreementStatus, CollectionRecord, GrantAction, GrantRecord, Role, TlpCeiling } from '../../src/catalog/types';
import type { Micros } from '../../src/time';
import { createHarness, type Harness, type TestAccount } from '../support/harness';
import { get, objectsUrl, objectUrl, post, qs, taxii, versionsUrl, type EnvelopeBody, type StatusBody } from '../http/wire';
import { account, LEVEL_OF, party, TLP } from './support';
import { testChange } from '../support/changes';

// ---- the rules, restated ------------------------------------------------------------------

const ROLE_ACTIONS: Record<Role, GrantAction[]> = {
  admin: [],
  deleter: ['read', 'delete'],
  writer: ['read', 'write'],
  reader: ['read'],
  auditor: [],
};
const CEILING_LEVEL: Record<TlpCeiling, number> = { clear: 0, green: 1, amber: 2, 'amber+strict': 3, red: 4 };
const UNMARKED = -1;

type Selector = { kind: 'all' } | { kind: 'id'; coll: number } | { kind: 'alias'; coll: number } | { kind: 'country'; code: string };

interface GrantModel {
  party: number;
  actions: GrantAction[];
  selector: Selector;
  allow?: string[];
  deny?: string[];
  maxTlp: TlpCeiling;
  unmarkedAs: TlpCeiling | 'deny';
}
interface AgreementModel {
  status: AgreementStatus;
  /** Offsets from the run's `now`, in microseconds; until null: open-ended. */
  from: Micros;
  until: Micros | null;
  grants: GrantModel[];
}
interface AccountModel {
  party: number;
  roles: Role[];
  disabled: boolean;
}
interface ObjectModel {
  coll: number;
  type: string;
  /** The markings of each version, oldest first. */
  versions: string[][];
}
interface WriteModel {
  account: number;
  coll: number;
  objects: { type: string; markings: string[] }[];
}
interface Model {
  parties: number;
  collections: (string | null)[];
  agreements: AgreementModel[];
  accounts: AccountModel[];
  objects: ObjectModel[];
  /** A random priority per version: versions are POSTed in this order, so date_added order differs from version order. */
  order: number[];
  writes: WriteModel[];
}

function levelOf(markings: string[]): number {
  return markings.reduce((max, m) => Math.max(max, LEVEL_OF[m] ?? UNMARKED), UNMARKED);
}

interface Catalogue {
  model: Model;
  now: Micros;
  collections: CollectionRecord[];
}

function inForce(a: AgreementModel): boolean {
  return a.status === 'active' && a.from <= 0 && (a.until === null || 0 < a.until);
}

function covers(cat: Catalogue, s: Selector, coll: number): boolean {
  const country = cat.model.collections[coll];
  switch (s.kind) {
    case 'all':
      return true;
    case 'id':
    case 'alias':
      return s.coll === coll;
    case 'country':
      return country !== null && country !== undefined && (s.code === '*' || s.code === country);
  }
}

/** The grants that give this account this action on this collection (none if its roles or status forbid it). */
function grantsFor(cat: Catalogue, acct: AccountModel, action: GrantAction, coll: number): GrantModel[] {
  if (acct.disabled || !acct.roles.some((r) => ROLE_ACTIONS[r].includes(action))) return [];
  return cat.model.agreements
    .filter(inForce)
    .flatMap((a) => a.grants.filter((g) => g.party === acct.party && g.actions.includes(action) && covers(cat, g.selector, coll)));
}

function within(g: GrantModel, type: string, level: number): boolean {
  const typeOk = (g.allow === undefined || g.allow.includes(type)) && !(g.deny ?? []).includes(type);
  const tlpOk =
    level === UNMARKED ? g.unmarkedAs !== 'deny' && CEILING_LEVEL[g.unmarkedAs] <= CEILING_LEVEL[g.maxTlp] : level <= CEILING_LEVEL[g.maxTlp];
  return typeOk && tlpOk;
}

/** The HTTP status a collection route needing `action` answers. */
function expectedStatus(cat: Catalogue, acct: AccountModel, action: GrantAction, coll: number, success: number): number {
  if (acct.disabled) return 401;
  const visible = grantsFor(cat, acct, 'read', coll).length > 0 || grantsFor(cat, acct, 'write', coll).length > 0;
  if (!visible) return 404;
  return grantsFor(cat, acct, action, coll).length > 0 ? success : 403;
}

// ---- arbitraries --------------------------------------------------------------------------

const COUNTRIES = ['FR', 'DE', 'IT'];
const OBJECT_TYPES = ['indicator', 'malware', 'tool'];
const LISTED_TYPES = [...OBJECT_TYPES, 'report'];
const CEILINGS: TlpCeiling[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];
const STATEMENT = 'marking-definition--00000000-0000-4000-8000-00000000abcd';
const MARKINGS = [...Object.values(TLP), STATEMENT];
const HOUR = 3600 * 1e6;
const DAY = 24 * HOUR;

const markingsArb = fc.oneof(fc.constant([] as string[]), fc.subarray(MARKINGS, { minLength: 1, maxLength: 2 }));

const selectorArb: fc.Arbitrary<Selector> = fc.oneof(
  fc.constant({ kind: 'all' as const }),
  fc.constant({ kind: 'all' as const }),
  fc.record({ kind: fc.constant('id' as const), coll: fc.nat(3) }),
  fc.record({ kind: fc.constant('alias' as const), coll: fc.nat(3) }),
  fc.record({ kind: fc.constant('country' as const), code: fc.constantFrom(...COUNTRIES, '*') }),
);

const grantArb: fc.Arbitrary<GrantModel> = fc
  .record({
    party: fc.nat(3),
    actions: fc.subarray<GrantAction>(['read', 'write', 'delete'], { minLength: 1 }),
    selector: selectorArb,
    // Type lists on one grant in three, so that lists narrow some grants rather than most.
    allow: fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: fc.subarray(LISTED_TYPES), weight: 1 }),
    deny: fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: fc.subarray(LISTED_TYPES, { maxLength: 2 }), weight: 1 }),
    maxTlp: fc.constantFrom(...CEILINGS),
    unmarkedAs: fc.constantFrom<TlpCeiling | 'deny'>(...CEILINGS, 'deny'),
  })
  .map((g) => {
    const out: GrantModel = { party: g.party, actions: g.actions, selector: g.selector, maxTlp: g.maxTlp, unmarkedAs: g.unmarkedAs };
    if (g.allow !== undefined) out.allow = g.allow;
    if (g.deny !== undefined) out.deny = g.deny;
    return out;
  });

// valid_from at, before or after now; valid_until open, or 1 hour / 60 days later (from -1h
// + 1h ends exactly at now, which is already outside).
const agreementArb: fc.Arbitrary<AgreementModel> = fc
  .record({
    // Weighted towards agreements in force, so that most runs grant something.
    status: fc.constantFrom<AgreementStatus>('draft', 'active', 'active', 'active', 'active', 'active', 'suspended', 'revoked'),
    from: fc.constantFrom(-30 * DAY, -30 * DAY, -30 * DAY, -HOUR, 0, HOUR),
    length: fc.constantFrom<number | null>(null, null, HOUR, 60 * DAY, 60 * DAY),
    grants: fc.array(grantArb, { minLength: 1, maxLength: 4 }),
  })
  .map(({ length, ...a }) => ({ ...a, until: length === null ? null : a.from + length }));

const ROLES: Role[] = ['deleter', 'writer', 'reader', 'auditor'];

const modelArb: fc.Arbitrary<Model> = fc
  .record({
    parties: fc.integer({ min: 2, max: 4 }),
    collections: fc.array(fc.option(fc.constantFrom(...COUNTRIES), { nil: null }), { minLength: 2, maxLength: 4 }),
    agreements: fc.array(agreementArb, { minLength: 1, maxLength: 4 }),
    accounts: fc.array(
      fc.record({
        party: fc.nat(3),
        roles: fc.oneof(
          fc.constantFrom<Role[]>(['deleter'], ['writer'], ['writer'], ['reader'], ['auditor']),
          fc.subarray(ROLES, { minLength: 1, maxLength: 2 }),
        ),
        disabled: fc.nat(14).map((n) => n === 0),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    objects: fc.array(
      fc.record({ coll: fc.nat(3), type: fc.constantFrom(...OBJECT_TYPES), versions: fc.array(markingsArb, { minLength: 1, maxLength: 3 }) }),
      { maxLength: 8 },
    ),
    order: fc.array(fc.nat(1000), { minLength: 24, maxLength: 24 }),
    writes: fc.array(
      fc.record({
        account: fc.nat(3),
        coll: fc.nat(3),
        objects: fc.array(fc.record({ type: fc.constantFrom(...OBJECT_TYPES), markings: markingsArb }), { minLength: 1, maxLength: 5 }),
      }),
      { minLength: 2, maxLength: 4 },
    ),
  })
  // Indexes into lists whose length is random are taken modulo that length.
  .map((m) => {
    const nc = m.collections.length;
    const fix = (s: Selector): Selector => (s.kind === 'id' || s.kind === 'alias' ? { ...s, coll: s.coll % nc } : s);
    return {
      ...m,
      agreements: m.agreements.map((a) => ({ ...a, grants: a.grants.map((g) => ({ ...g, party: g.party % m.parties, selector: fix(g.selector) })) })),
      accounts: m.accounts.map((a) => ({ ...a, party: a.party % m.parties })),
      objects: m.objects.map((o) => ({ ...o, coll: o.coll % nc })),
      writes: m.writes.map((w) => ({ ...w, account: w.account % m.accounts.length, coll: w.coll % nc })),
    };
  });

// ---- STIX ---------------------------------------------------------------------------------

let serial = 0;
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const modifiedOf = (v: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, v + 1)).toISOString();

function stix(type: string, id: string, v: number, markings: string[]): Record<string, unknown> {
  const common = {
    type,
    spec_version: '2.1',
    id,
    created: '2025-01-01T00:00:00.000Z',
    modified: modifiedOf(v),
    ...(markings.length && { object_marking_refs: markings }),
  };
  switch (type) {
    case 'indicator':
      return { ...common, name: `i ${id}`, pattern: "[ipv4-addr:value = '198.51.100.1']", pattern_type: 'stix', valid_from: '2025-01-01T00:00:00Z' };
    case 'malware':
      return { ...common, name: `m ${id}`, is_family: false };
    default:
      return { ...common, name: `t ${id}` };
  }
}

/** A record's identity whatever endpoint returned it: id and version instant. */
const key = (id: string, version: string) => `${id}@${Date.parse(version)}`;

// ---- the property -------------------------------------------------------------------------

describe('access enforcement over HTTP, for random catalogues and agreements', () => {
  let h: Harness;
  let run = 0;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  /** Creates the run's catalogue through the store and loads its objects as the operator. */
  async function build(model: Model) {
    const r = ++run;
    const now = h.clock.now;
    const partyIds = Array.from({ length: model.parties }, (_, i) => `r${r}-p${i}`);
    for (const p of partyIds) await party(h, p);
    const collections: CollectionRecord[] = model.collections.map((country, i) => ({
      id: randomUUID(),
      apiRoot: 'api1',
      title: `r${r}-c${i}`,
      alias: `r${r}-c${i}`,
      ...(country !== null && { country }),
      mediaTypes: ['application/stix+json;version=2.1'],
    }));
    for (const c of collections) await h.store.upsertCollection(c, testChange('collection', 'test'));
    const cat: Catalogue = { model, now, collections };
    for (const [i, a] of model.agreements.entries()) {
      const record: AgreementRecord = {
        id: `r${r}-a${i}`,
        version: 1,
        title: `agreement ${i}`,
        instrument: 'urn:test',
        parties: partyIds,
        validFrom: now + a.from,
        validUntil: a.until === null ? null : now + a.until,
        status: a.status,
        terms: {},
        grants: a.grants.map((g): GrantRecord => ({
          party: partyIds[g.party] as string,
          actions: g.actions,
          collections:
            g.selector.kind === 'all'
              ? { all: true }
              : g.selector.kind === 'id'
                ? { ids: [collections[g.selector.coll]?.id as string] }
                : g.selector.kind === 'alias'
                  ? { aliases: [collections[g.selector.coll]?.alias as string] }
                  : { countries: [g.selector.code] },
          ...((g.allow !== undefined || g.deny !== undefined) && { types: { ...(g.allow && { allow: g.allow }), ...(g.deny && { deny: g.deny }) } }),
          maxTlp: g.maxTlp,
          unmarkedAs: g.unmarkedAs,
        })),
        createdAt: now,
        createdBy: 'test',
        updatedAt: now,
        updatedBy: 'test',
      };
      await h.store.saveAgreement(record, testChange('agreement', 'test'));
    }
    const accounts: TestAccount[] = [];
    for (const [i, a] of model.accounts.entries()) {
      const acct = await account(h, `r${r}-u${i}`, partyIds[a.party] as string, a.roles);
      if (a.disabled) await h.store.updateAccount(acct.id, { disabled: true }, now, testChange('account', 'test'));
      accounts.push(acct);
    }
    // Every version, with its object's id, type and TLP level, in POST order.
    const versions = model.objects.flatMap((o) => {
      const id = `${o.type}--${uuid(++serial)}`;
      return o.versions.map((markings, v) => ({
        coll: o.coll,
        id,
        type: o.type,
        level: levelOf(markings),
        key: key(id, modifiedOf(v)),
        json: stix(o.type, id, v, markings),
      }));
    });
    const posted = versions
      .map((v, i) => ({ v, p: model.order[i % model.order.length] ?? 0 }))
      .sort((a, b) => a.p - b.p)
      .map((x) => x.v);
    for (const [ci, c] of collections.entries()) {
      const mine = posted.filter((v) => v.coll === ci);
      if (mine.length === 0) continue;
      const status = taxii(await post(h, objectsUrl(c), JSON.stringify({ objects: mine.map((v) => v.json) }), h.accounts.editor.auth), 202, 'status');
      expect(status.success_count).toBe(mine.length);
    }
    // date_added of each version, from the store without scope: the order reads must follow.
    const dateAdded = new Map<string, number>();
    for (const c of collections) {
      const page = await h.store.queryManifest({ collectionId: c.id, versions: { all: true, first: false, last: false, at: [] }, limit: 1000 });
      for (const rec of page.records) dateAdded.set(`${rec.id}@${rec.version / 1000}`, rec.dateAdded);
    }
    return { cat, accounts, versions, dateAdded };
  }

  /** Follows `next` from the first page to the last; returns the record keys in order. */
  async function walk(url: string, params: Record<string, string | number>, auth: string): Promise<string[]> {
    const keys: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const body: EnvelopeBody = taxii(await get(h, url + qs({ ...params, ...(next !== undefined && { next }) }), auth), 200, 'envelope');
      keys.push(...(body.objects ?? []).map((o) => key(o.id, o.modified as string)));
      expect(body.next !== undefined).toBe(body.more);
      next = body.next;
      if (++pages > 50) throw new Error('next does not end');
    } while (next !== undefined);
    return keys;
  }

  it('(a) reads return exactly the object versions an in-force read grant covers (objects paged, versions, object-by-id)', async () => {
    await fc.assert(
      fc.asyncProperty(modelArb, async (model) => {
        const { cat, accounts, versions, dateAdded } = await build(model);
        const byDate = (a: string, b: string) => (dateAdded.get(a) ?? 0) - (dateAdded.get(b) ?? 0);
        for (const [ai, acct] of model.accounts.entries()) {
          const auth = (accounts[ai] as TestAccount).auth;
          for (const [ci, c] of cat.collections.entries()) {
            const status = expectedStatus(cat, acct, 'read', ci, 200);
            const res = await get(h, objectsUrl(c) + qs({ limit: 2 }), auth);
            expect(res.status).toBe(status);
            if (status !== 200) continue;
            const grants = grantsFor(cat, acct, 'read', ci);
            const held = versions.filter((v) => v.coll === ci);
            const visible = held.filter((v) => grants.some((g) => within(g, v.type, v.level)));
            const visibleKeys = new Set(visible.map((v) => v.key));
            // "last": the newest version of each object the reader may see (the last visible one
            // in the model), so no endpoint shows less than match[version]=all (issue #12).
            const latest = [...new Map(visible.map((v) => [v.id, v.key])).values()];

            expect(await walk(objectsUrl(c), { limit: 2 }, auth)).toEqual(latest.sort(byDate));
            expect(await walk(objectsUrl(c), { limit: 3, 'match[version]': 'all' }, auth)).toEqual([...visibleKeys].sort(byDate));

            for (const id of new Set(held.map((v) => v.id))) {
              const mine = visible.filter((v) => v.id === id).map((v) => v.key);
              const vres = await get(h, versionsUrl(c, id), auth);
              const ores = await get(h, objectUrl(c, id) + qs({ 'match[version]': 'all' }), auth);
              const lres = await get(h, objectUrl(c, id), auth);
              if (mine.length === 0) {
                expect([vres.status, ores.status, lres.status]).toEqual([404, 404, 404]);
                continue;
              }
              const listed = taxii(vres, 200, 'versions').versions ?? [];
              expect(listed.map((v) => key(id, v)).sort()).toEqual([...mine].sort());
              const all = taxii(ores, 200, 'envelope').objects ?? [];
              expect(all.map((o) => key(o.id, o.modified as string)).sort()).toEqual([...mine].sort());
              const last = taxii(lres, 200, 'envelope').objects ?? [];
              expect(last.map((o) => key(o.id, o.modified as string))).toEqual(latest.filter((k) => k.startsWith(`${id}@`)));
            }
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('(b) a POST stores exactly the objects an in-force write grant covers, and nothing when the write is refused', async () => {
    await fc.assert(
      fc.asyncProperty(modelArb, async (model) => {
        const { cat, accounts } = await build(model);
        for (const w of model.writes) {
          const acct = model.accounts[w.account] as AccountModel;
          const c = cat.collections[w.coll] as CollectionRecord;
          const objects = w.objects.map((o) => ({ ...o, id: `${o.type}--${uuid(++serial)}` }));
          const res = await post(
            h,
            objectsUrl(c),
            JSON.stringify({ objects: objects.map((o) => stix(o.type, o.id, 0, o.markings)) }),
            (accounts[w.account] as TestAccount).auth,
          );
          const status = expectedStatus(cat, acct, 'write', w.coll, 202);
          expect(res.status).toBe(status);
          const grants = grantsFor(cat, acct, 'write', w.coll);
          const expected = status === 202 ? objects.filter((o) => grants.some((g) => within(g, o.type, levelOf(o.markings)))).map((o) => o.id) : [];
          if (status === 202) {
            const body: StatusBody = taxii(res, 202, 'status');
            expect((body.successes ?? []).map((s) => s.id).sort()).toEqual([...expected].sort());
            expect((body.failures ?? []).map((f) => f.id).sort()).toEqual(
              objects
                .map((o) => o.id)
                .filter((id) => !expected.includes(id))
                .sort(),
            );
          }
          const page = await h.store.queryManifest({
            collectionId: c.id,
            ids: objects.map((o) => o.id),
            versions: { all: true, first: false, last: false, at: [] },
            limit: 100,
          });
          expect(page.records.map((r) => r.id).sort()).toEqual([...expected].sort());
        }
      }),
      { numRuns: 40 },
    );
  });
});
