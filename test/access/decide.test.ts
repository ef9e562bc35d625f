/**
 * The access rules as tables, checked against the pure decision (`decide`) and the object
 * scope it produces (`scopeClause` → `admits` / `refusal`). Each row names the rule it
 * exercises; expectations are literal (or, for the cross product, a three-line oracle that
 * restates the rule), never derived from the code under test.
 *
 * Rule: a right is granted only when the account's roles permit the action (deleter:
 * read/delete, writer: read/write, reader: read, admin and auditor: nothing) and at least one
 * agreement in force at `now` (active, valid_from <= now < valid_until) has a grant to the
 * account's party with that action covering the collection (id, alias, country, `*` for any
 * country collection, or all). An object is in scope when one applicable grant admits both
 * its type (allow list when given, never the deny list) and its TLP level (highest TLP 1.0 /
 * 2.0 marking; unmarked counts as `unmarked_as`, or is excluded under `deny`) up to max_tlp.
 */
import type { Principal } from '../../src/auth/principal';
import { admits, collectionRights, decide, refusal, scopeClause, type GrantBinding, type Right } from '../../src/access/decide';
import { tlpOf, UNMARKED } from '../../src/stix/markings';
import type { AgreementRecord, AgreementStatus, CollectionRecord, GrantRecord, Role, TlpCeiling } from '../../src/catalog/types';
import type { ObjectScope } from '../../src/store/object-store';
import type { Micros } from '../../src/time';

const at = (iso: string): Micros => Date.parse(iso) * 1000;

// ---- catalogue ----------------------------------------------------------------------------

const FR: CollectionRecord = {
  id: '11111111-1111-4111-8111-111111111111',
  apiRoot: 'exchange',
  title: 'France',
  alias: 'fr-intel',
  country: 'FR',
  mediaTypes: [],
};
const DE: CollectionRecord = {
  id: '22222222-2222-4222-8222-222222222222',
  apiRoot: 'exchange',
  title: 'Germany',
  alias: 'de-intel',
  country: 'DE',
  mediaTypes: [],
};
const SHARED: CollectionRecord = {
  id: '33333333-3333-4333-8333-333333333333',
  apiRoot: 'exchange',
  title: 'Shared',
  alias: 'shared',
  mediaTypes: [],
};
const COLLECTIONS = { FR, DE, SHARED };
type CollectionName = keyof typeof COLLECTIONS;

const who = (party: string, ...roles: Role[]): Principal => ({
  accountId: `${party}-${roles.join('+')}`,
  accountName: roles.join('+'),
  partyId: party,
  roles,
  credential: 'token:t',
});

const VALID_FROM = '2026-01-01T00:00:00Z';
const VALID_UNTIL = '2026-12-31T00:00:00Z';

function grant(g: Partial<GrantRecord> = {}): GrantRecord {
  return { party: 'fr-police', actions: ['read', 'write', 'delete'], collections: { countries: ['FR'] }, maxTlp: 'red', unmarkedAs: 'amber', ...g };
}

function agreement(id: string, a: Partial<Omit<AgreementRecord, 'id'>> = {}): AgreementRecord {
  return {
    id,
    version: 1,
    title: id,
    instrument: `doc-${id}`,
    parties: ['fr-police', 'de-bsi', 'eu-cert'],
    validFrom: at(VALID_FROM),
    validUntil: at(VALID_UNTIL),
    status: 'active',
    terms: {},
    grants: [grant()],
    createdAt: 0,
    createdBy: 'test',
    updatedAt: 0,
    updatedBy: 'test',
    ...a,
  };
}

/** Every grant of the given agreements, as CatalogCache hands them to decide(). */
const bind = (...agreements: AgreementRecord[]): GrantBinding[] => agreements.flatMap((a) => a.grants.map((g) => ({ agreement: a, grant: g })));

const INSIDE = at('2026-06-01T00:00:00Z');
const ROLE_REASON = (roles: readonly Role[], right: Right) => `the account's roles (${roles.join(', ')}) do not include ${right}`;
const AGREEMENT_REASON = (right: Right) => `no data-sharing agreement in force grants your organisation ${right} on this collection`;

const VERB: Record<Right, string> = { read: 'reading', write: 'writing', delete: 'deleting' };

type Expectation = { allowed: true; basis: string[] } | { allowed: false; because: 'roles' | 'agreements' };

function expectDecision(
  principal: Principal,
  collection: CollectionRecord,
  right: Right,
  now: Micros,
  bindings: GrantBinding[],
  expected: Expectation,
) {
  const d = decide(principal, collection, right, now, bindings);
  if (expected.allowed) {
    expect(d.allowed && d.basis).toEqual(expected.basis);
  } else {
    expect(d).toEqual({ allowed: false, reason: expected.because === 'roles' ? ROLE_REASON(principal.roles, right) : AGREEMENT_REASON(right) });
  }
}

const show = (e: Expectation) => (e.allowed ? `allowed [${e.basis.join(', ')}]` : `denied (${e.because})`);

// ---- the cross product ----------------------------------------------------------------------

describe('decide(): role × collection selector × action × time × status', () => {
  const ROLE_RIGHTS: Record<Role, Right[]> = { admin: [], deleter: ['read', 'delete'], writer: ['read', 'write'], reader: ['read'], auditor: [] };
  // How the one grant names the collection being asked about (FR), or fails to.
  const SELECTORS: [string, GrantRecord['collections'], boolean][] = [
    ['by id', { ids: [FR.id] }, true],
    ['by alias', { aliases: ['fr-intel'] }, true],
    ['by country', { countries: ['FR'] }, true],
    ['by country *', { countries: ['*'] }, true],
    ['as all', { all: true }, true],
    ['not covered', { ids: [DE.id], aliases: ['shared'], countries: ['DE'] }, false],
  ];
  const TIMES: [string, Micros, boolean][] = [
    ['2025-12-31T23:59:59.999999Z (1µs before valid_from)', at(VALID_FROM) - 1, false],
    ['2026-06-01 (inside)', INSIDE, true],
    ['2026-12-31T00:00:00Z (exactly valid_until)', at(VALID_UNTIL), false],
    ['2027-03-01 (after)', at('2027-03-01T00:00:00Z'), false],
  ];
  const STATUSES: AgreementStatus[] = ['draft', 'active', 'suspended', 'revoked'];

  const rows = (Object.keys(ROLE_RIGHTS) as Role[]).flatMap((role) =>
    SELECTORS.flatMap(([selectorName, collections, covered]) =>
      (['read', 'write', 'delete'] as Right[]).flatMap((action) =>
        TIMES.flatMap(([when, now, inWindow]) =>
          STATUSES.map((status) => {
            // The rule restated: roles first, then an in-force covering grant.
            const expected: Expectation = !ROLE_RIGHTS[role].includes(action)
              ? { allowed: false, because: 'roles' }
              : status === 'active' && inWindow && covered
                ? { allowed: true, basis: ['fr@1'] }
                : { allowed: false, because: 'agreements' };
            return { role, action, verb: VERB[action], selector: selectorName, collections, when, now, status, expected, outcome: show(expected) };
          }),
        ),
      ),
    ),
  );

  it.each(rows)('$role of fr-police $verb FR collection (grant $selector) at $when under $status agreement → $outcome', (row) => {
    const bindings = bind(agreement('fr', { status: row.status, grants: [grant({ collections: row.collections })] }));
    expectDecision(who('fr-police', row.role), FR, row.action, row.now, bindings, row.expected);
  });
});

// ---- focused tables -----------------------------------------------------------------------

describe('decide(): roles', () => {
  const all = bind(agreement('fr'));
  it.each(
    (
      [
        { roles: ['deleter'], action: 'delete', expected: { allowed: true, basis: ['fr@1'] } },
        { roles: ['deleter'], action: 'write', expected: { allowed: false, because: 'roles' } },
        // admin administers and gives no content right by itself (issue #12: delete was tied to admin).
        { roles: ['admin'], action: 'delete', expected: { allowed: false, because: 'roles' } },
        { roles: ['admin'], action: 'read', expected: { allowed: false, because: 'roles' } },
        { roles: ['admin'], action: 'write', expected: { allowed: false, because: 'roles' } },
        { roles: ['writer'], action: 'delete', expected: { allowed: false, because: 'roles' } },
        { roles: ['reader'], action: 'write', expected: { allowed: false, because: 'roles' } },
        { roles: ['auditor'], action: 'read', expected: { allowed: false, because: 'roles' } },
        // Several roles: the union of what each permits.
        { roles: ['reader', 'writer'], action: 'write', expected: { allowed: true, basis: ['fr@1'] } },
        { roles: ['auditor', 'reader'], action: 'read', expected: { allowed: true, basis: ['fr@1'] } },
        { roles: ['auditor', 'reader'], action: 'write', expected: { allowed: false, because: 'roles' } },
        { roles: ['reader', 'writer'], action: 'delete', expected: { allowed: false, because: 'roles' } },
      ] as { roles: Role[]; action: Right; expected: Expectation }[]
    ).map((r) => ({ ...r, verb: VERB[r.action], outcome: show(r.expected) })),
  )('account of fr-police with roles $roles $verb FR collection under an agreement granting everything → $outcome', (row) => {
    expectDecision(who('fr-police', ...row.roles), FR, row.action, INSIDE, all, row.expected);
  });

  it('the roles refusal names the roles and the right', () => {
    expect(decide(who('fr-police', 'reader', 'auditor'), FR, 'delete', INSIDE, all)).toEqual({
      allowed: false,
      reason: "the account's roles (reader, auditor) do not include delete",
    });
  });

  it('a role refusal is given even when no agreement covers the collection (roles are checked first)', () => {
    expect(decide(who('fr-police', 'auditor'), SHARED, 'read', INSIDE, [])).toEqual({
      allowed: false,
      reason: "the account's roles (auditor) do not include read",
    });
  });

  it('the agreements refusal names the right', () => {
    expect(decide(who('fr-police', 'writer', 'deleter'), SHARED, 'write', INSIDE, all)).toEqual({
      allowed: false,
      reason: 'no data-sharing agreement in force grants your organisation write on this collection',
    });
  });
});

describe('decide(): which collections a grant covers', () => {
  const rows: { selector: string; collections: GrantRecord['collections']; covers: CollectionName[] }[] = [
    { selector: 'ids [FR]', collections: { ids: [FR.id] }, covers: ['FR'] },
    { selector: 'aliases [fr-intel]', collections: { aliases: ['fr-intel'] }, covers: ['FR'] },
    { selector: 'aliases [shared]', collections: { aliases: ['shared'] }, covers: ['SHARED'] },
    { selector: 'countries [FR]', collections: { countries: ['FR'] }, covers: ['FR'] },
    { selector: 'countries [FR, DE]', collections: { countries: ['FR', 'DE'] }, covers: ['FR', 'DE'] },
    // `*` is every *country* collection: one without a country is not one.
    { selector: 'countries [*]', collections: { countries: ['*'] }, covers: ['FR', 'DE'] },
    { selector: 'all', collections: { all: true }, covers: ['FR', 'DE', 'SHARED'] },
    { selector: 'ids [SHARED] + countries [DE] (any field)', collections: { ids: [SHARED.id], countries: ['DE'] }, covers: ['DE', 'SHARED'] },
    { selector: 'ids [unknown]', collections: { ids: ['99999999-9999-4999-8999-999999999999'] }, covers: [] },
    // An alias is not a country code, nor a country code an alias, nor an id an alias.
    { selector: 'aliases [FR]', collections: { aliases: ['FR'] }, covers: [] },
    { selector: 'countries [] (empty)', collections: { countries: [] }, covers: [] },
    { selector: 'aliases [FR id]', collections: { aliases: [FR.id] }, covers: [] },
  ];
  const cases = rows.flatMap((r) =>
    (Object.keys(COLLECTIONS) as CollectionName[]).map((name) => ({
      ...r,
      name,
      covered: r.covers.includes(name),
      outcome: r.covers.includes(name) ? 'allowed [fr@1]' : 'denied',
    })),
  );
  it.each(cases)('reader of fr-police reading $name collection under a grant on $selector → $outcome', (row) => {
    const bindings = bind(agreement('fr', { grants: [grant({ collections: row.collections })] }));
    expectDecision(
      who('fr-police', 'reader'),
      COLLECTIONS[row.name],
      'read',
      INSIDE,
      bindings,
      row.covered ? { allowed: true, basis: ['fr@1'] } : { allowed: false, because: 'agreements' },
    );
  });
});

describe('decide(): when an agreement is in force', () => {
  const TIMES: [string, Micros][] = [
    ['1µs before valid_from', at(VALID_FROM) - 1],
    ['exactly valid_from', at(VALID_FROM)],
    ['inside', INSIDE],
    ['1µs before valid_until', at(VALID_UNTIL) - 1],
    ['exactly valid_until', at(VALID_UNTIL)],
    ['after valid_until', at('2030-01-01T00:00:00Z')],
  ];
  // Literal: only an active agreement, from valid_from inclusive to valid_until exclusive.
  const ALLOWED: Record<AgreementStatus, string[]> = {
    active: ['exactly valid_from', 'inside', '1µs before valid_until'],
    draft: [],
    suspended: [],
    revoked: [],
  };
  const cases = (Object.keys(ALLOWED) as AgreementStatus[]).flatMap((status) =>
    TIMES.map(([when, now]) => ({ status, when, now, outcome: ALLOWED[status].includes(when) ? 'allowed [fr@1]' : 'denied' })),
  );
  it.each(cases)('reader of fr-police reading FR collection $when under $status agreement → $outcome', ({ status, when, now }) => {
    const bindings = bind(agreement('fr', { status }));
    expectDecision(
      who('fr-police', 'reader'),
      FR,
      'read',
      now,
      bindings,
      ALLOWED[status].includes(when) ? { allowed: true, basis: ['fr@1'] } : { allowed: false, because: 'agreements' },
    );
  });

  it.each([
    { when: 'in 2099', now: at('2099-01-01T00:00:00Z'), allowed: true },
    { when: 'before valid_from', now: at(VALID_FROM) - 1, allowed: false },
  ])('an open-ended agreement (valid_until null) is in force from valid_from on: $when → $allowed', ({ now, allowed }) => {
    const d = decide(who('fr-police', 'reader'), FR, 'read', now, bind(agreement('fr', { validUntil: null })));
    expect(d.allowed).toBe(allowed);
  });
});

describe('decide(): whose grant it is, and for which action', () => {
  it.each([
    {
      rule: 'a grant to another party grants fr-police nothing',
      bindings: bind(agreement('de', { grants: [grant({ party: 'de-bsi' })] })),
      action: 'read',
      expected: { allowed: false, because: 'agreements' },
    },
    {
      rule: 'being a party to an agreement is not enough: the grant must be to fr-police',
      bindings: bind(agreement('both', { parties: ['fr-police', 'de-bsi'], grants: [grant({ party: 'de-bsi', collections: { all: true } })] })),
      action: 'read',
      expected: { allowed: false, because: 'agreements' },
    },
    {
      rule: 'of two agreements only the one granting fr-police counts in the basis',
      bindings: bind(agreement('de', { grants: [grant({ party: 'de-bsi' })] }), agreement('fr', { version: 4 })),
      action: 'read',
      expected: { allowed: true, basis: ['fr@4'] },
    },
    {
      rule: 'a read-only grant does not grant write',
      bindings: bind(agreement('fr', { grants: [grant({ actions: ['read'] })] })),
      action: 'write',
      expected: { allowed: false, because: 'agreements' },
    },
    {
      rule: 'a write-only grant does not grant read',
      bindings: bind(agreement('fr', { grants: [grant({ actions: ['write'] })] })),
      action: 'read',
      expected: { allowed: false, because: 'agreements' },
    },
    {
      rule: 'a delete-only grant grants delete',
      bindings: bind(agreement('fr', { grants: [grant({ actions: ['delete'] })] })),
      action: 'delete',
      expected: { allowed: true, basis: ['fr@1'] },
    },
    {
      rule: 'a read+write grant does not grant delete',
      bindings: bind(agreement('fr', { grants: [grant({ actions: ['read', 'write'] })] })),
      action: 'delete',
      expected: { allowed: false, because: 'agreements' },
    },
  ] as { rule: string; bindings: GrantBinding[]; action: Right; expected: Expectation }[])('$rule (writer+deleter of fr-police, $action)', (row) => {
    expectDecision(who('fr-police', 'writer', 'deleter'), FR, row.action, INSIDE, row.bindings, row.expected);
  });
});

describe('decide(): the basis names every applicable agreement version once', () => {
  const noise = [
    agreement('suspended', { status: 'suspended' }),
    agreement('draft', { status: 'draft' }),
    agreement('revoked', { status: 'revoked' }),
    agreement('expired', { validFrom: at('2020-01-01T00:00:00Z'), validUntil: at('2025-01-01T00:00:00Z') }),
    agreement('future', { validFrom: at('2027-01-01T00:00:00Z'), validUntil: null }),
    agreement('de-only', { grants: [grant({ collections: { countries: ['DE'] } })] }),
    agreement('write-only', { grants: [grant({ actions: ['write'] })] }),
    agreement('other-party', { grants: [grant({ party: 'eu-cert', collections: { all: true } })] }),
  ];
  it.each([
    { rule: 'two in-force agreements, in the order given', agreements: [agreement('a'), agreement('b', { version: 3 })], basis: ['a@1', 'b@3'] },
    {
      rule: 'one agreement with two grants to the party is cited once',
      agreements: [
        agreement('a', { version: 2, grants: [grant({ maxTlp: 'green' }), grant({ collections: { all: true }, types: { allow: ['malware'] } })] }),
      ],
      basis: ['a@2'],
    },
    {
      rule: 'agreements not in force, not covering, for another action or another party are not cited',
      agreements: [...noise, agreement('z', { version: 7 })],
      basis: ['z@7'],
    },
    { rule: 'only non-applicable agreements: denied', agreements: noise, basis: [] },
  ])('$rule → $basis', ({ agreements, basis }) => {
    const d = decide(who('fr-police', 'reader'), FR, 'read', INSIDE, bind(...agreements));
    if (basis.length === 0) expect(d).toEqual({ allowed: false, reason: AGREEMENT_REASON('read') });
    else expect(d.allowed && d.basis).toEqual(basis);
  });

  it('the scope has one clause per applicable grant, and none from grants that do not apply', () => {
    const d = decide(
      who('fr-police', 'reader'),
      FR,
      'read',
      INSIDE,
      bind(
        ...noise,
        agreement('a', { grants: [grant({ maxTlp: 'clear', unmarkedAs: 'deny' }), grant({ maxTlp: 'green', types: { allow: ['malware'] } })] }),
      ),
    );
    expect(d.allowed && d.scope).toEqual({
      // …and, on reads, the one that shows every reader the marking definitions.
      clauses: [
        { tlpLevels: [0] },
        { tlpLevels: [0, 1], allowTypes: ['malware'] },
        { tlpLevels: [UNMARKED, 0, 1, 2, 3, 4], allowTypes: ['marking-definition'] },
      ],
    });
  });
});

describe('collectionRights(): can_read / can_write', () => {
  it.each([
    {
      rule: 'reader under a read+write grant',
      principal: who('fr-police', 'reader'),
      actions: ['read', 'write'],
      expected: { canRead: true, canWrite: false },
    },
    {
      rule: 'writer under a write-only grant',
      principal: who('fr-police', 'writer'),
      actions: ['write'],
      expected: { canRead: false, canWrite: true },
    },
    {
      rule: 'writer under a read+write grant',
      principal: who('fr-police', 'writer'),
      actions: ['read', 'write'],
      expected: { canRead: true, canWrite: true },
    },
    {
      rule: 'deleter under a delete-only grant',
      principal: who('fr-police', 'deleter'),
      actions: ['delete'],
      expected: { canRead: false, canWrite: false },
    },
    {
      rule: 'auditor under a read+write grant',
      principal: who('fr-police', 'auditor'),
      actions: ['read', 'write'],
      expected: { canRead: false, canWrite: false },
    },
  ] as { rule: string; principal: Principal; actions: GrantRecord['actions']; expected: unknown }[])(
    '$rule → $expected',
    ({ principal, actions, expected }) => {
      expect(collectionRights(principal, FR, INSIDE, bind(agreement('fr', { grants: [grant({ actions })] })))).toEqual(expected);
    },
  );
});

// ---- object level -------------------------------------------------------------------------

/** Marking definition ids, spelled out here rather than imported, so a wrong id in src fails. */
const M = {
  'TLP 1.0 white': 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  'TLP 1.0 green': 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  'TLP 1.0 amber': 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  'TLP 1.0 red': 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
  'TLP 2.0 clear': 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  'TLP 2.0 green': 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  'TLP 2.0 amber': 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'TLP 2.0 amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  'TLP 2.0 red': 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
  'a statement marking': 'marking-definition--00000000-0000-4000-8000-00000000abcd',
} as const;
type MarkingName = keyof typeof M;

const CEILINGS: TlpCeiling[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];
const LEVEL: Record<TlpCeiling, number> = { clear: 0, green: 1, amber: 2, 'amber+strict': 3, red: 4 };

/** The scope decide() gives a reader of fr-police reading FR under these grants. */
function readScope(...grants: GrantRecord[]): ObjectScope {
  const d = decide(who('fr-police', 'reader'), FR, 'read', INSIDE, bind(agreement('fr', { grants })));
  if (!d.allowed) throw new Error(`expected the read to be allowed: ${d.reason}`);
  return d.scope;
}

const tlpReason = (level: string) => `TLP:${level.toUpperCase()} is above the TLP ceiling of your agreements for this collection`;
const UNMARKED_REASON = 'unmarked objects are not accepted under your agreements; add a TLP marking';
const typeReason = (type: string) => `objects of type "${type}" are outside the object types your agreements cover`;

describe('object scope: TLP markings against the ceiling', () => {
  // The level each set of markings stands for: literal, from the TLP 1.0 / 2.0 definitions.
  const MARKINGS: [MarkingName[], TlpCeiling | 'unmarked'][] = [
    [['TLP 1.0 white'], 'clear'],
    [['TLP 2.0 clear'], 'clear'],
    [['TLP 1.0 green'], 'green'],
    [['TLP 2.0 green'], 'green'],
    [['TLP 1.0 amber'], 'amber'],
    [['TLP 2.0 amber'], 'amber'],
    [['TLP 2.0 amber+strict'], 'amber+strict'],
    [['TLP 1.0 red'], 'red'],
    [['TLP 2.0 red'], 'red'],
    // The highest marking counts, whichever TLP version each is from.
    [['TLP 1.0 white', 'TLP 2.0 amber+strict'], 'amber+strict'],
    [['TLP 2.0 red', 'TLP 1.0 green'], 'red'],
    [['TLP 1.0 amber', 'TLP 2.0 clear'], 'amber'],
    // Only TLP markings carry a level; anything else leaves the object unmarked.
    [['a statement marking'], 'unmarked'],
    [['a statement marking', 'TLP 1.0 green'], 'green'],
    [[], 'unmarked'],
  ];
  const cases = MARKINGS.flatMap(([markings, level]) =>
    CEILINGS.map((ceiling) => {
      const admitted = level !== 'unmarked' && LEVEL[level] <= LEVEL[ceiling];
      return {
        markings,
        label: markings.length ? markings.join(' + ') : 'no markings',
        level,
        ceiling,
        admitted,
        outcome: admitted ? 'admitted' : 'withheld',
      };
    }),
  );

  it.each(cases)(
    'object marked $label (= $level) under a grant up to $ceiling (unmarked: deny) → $outcome',
    ({ markings, level, ceiling, admitted }) => {
      const tlp = tlpOf({ object_marking_refs: markings.map((m) => M[m]) });
      expect(tlp).toBe(level === 'unmarked' ? UNMARKED : LEVEL[level]);
      const scope = readScope(grant({ maxTlp: ceiling, unmarkedAs: 'deny' }));
      expect(admits(scope, 'indicator', tlp)).toBe(admitted);
      if (!admitted) expect(refusal(scope, 'indicator', tlp)).toBe(level === 'unmarked' ? UNMARKED_REASON : tlpReason(level));
    },
  );
});

describe('object scope: unmarked objects under unmarked_as', () => {
  const POLICIES: (TlpCeiling | 'deny')[] = [...CEILINGS, 'deny'];
  const cases = POLICIES.flatMap((unmarkedAs) =>
    CEILINGS.map((ceiling) => {
      const admitted = unmarkedAs !== 'deny' && LEVEL[unmarkedAs] <= LEVEL[ceiling];
      return { unmarkedAs, ceiling, admitted, outcome: admitted ? 'admitted' : 'withheld' };
    }),
  );
  it.each(cases)('unmarked object, unmarked_as $unmarkedAs, grant up to $ceiling → $outcome', ({ unmarkedAs, ceiling, admitted }) => {
    const scope = readScope(grant({ maxTlp: ceiling, unmarkedAs }));
    expect(admits(scope, 'indicator', UNMARKED)).toBe(admitted);
    if (!admitted) expect(refusal(scope, 'indicator', UNMARKED)).toBe(UNMARKED_REASON);
  });

  it('unmarked_as only maps unmarked objects: a marked object is judged by its own level', () => {
    const scope = readScope(grant({ maxTlp: 'green', unmarkedAs: 'clear' }));
    expect([admits(scope, 'indicator', LEVEL.clear), admits(scope, 'indicator', LEVEL.green), admits(scope, 'indicator', LEVEL.amber)]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it.each([
    { grant: grant({ maxTlp: 'amber', unmarkedAs: 'green' }), levels: [UNMARKED, 0, 1, 2] },
    { grant: grant({ maxTlp: 'amber', unmarkedAs: 'red' }), levels: [0, 1, 2] },
    { grant: grant({ maxTlp: 'clear', unmarkedAs: 'deny' }), levels: [0] },
    { grant: grant({ maxTlp: 'red', unmarkedAs: 'red' }), levels: [UNMARKED, 0, 1, 2, 3, 4] },
  ])('scopeClause(max $grant.maxTlp, unmarked_as $grant.unmarkedAs) admits exactly levels $levels', ({ grant: g, levels }) => {
    expect([...scopeClause(g).tlpLevels].sort((a, b) => a - b)).toEqual(levels);
  });
});

describe('object scope: type allow and deny lists', () => {
  const LISTS: { lists: string; types: GrantRecord['types']; admitted: string[] }[] = [
    { lists: 'no type lists', types: undefined, admitted: ['indicator', 'malware', 'tool'] },
    { lists: 'allow [indicator, malware]', types: { allow: ['indicator', 'malware'] }, admitted: ['indicator', 'malware'] },
    { lists: 'deny [malware]', types: { deny: ['malware'] }, admitted: ['indicator', 'tool'] },
    // Deny wins over allow.
    { lists: 'allow [indicator, malware] + deny [malware]', types: { allow: ['indicator', 'malware'], deny: ['malware'] }, admitted: ['indicator'] },
    // A given allow list is the whole list: empty allows nothing.
    { lists: 'allow [] (empty)', types: { allow: [] }, admitted: [] },
    { lists: 'deny [] (empty)', types: { deny: [] }, admitted: ['indicator', 'malware', 'tool'] },
  ];
  const cases = LISTS.flatMap((l) =>
    ['indicator', 'malware', 'tool'].map((type) => ({
      ...l,
      type,
      admitted: l.admitted.includes(type),
      outcome: l.admitted.includes(type) ? 'admitted' : 'withheld',
    })),
  );
  it.each(cases)('green $type object under a grant with $lists → $outcome', ({ types, type, admitted }) => {
    const scope = readScope(grant({ maxTlp: 'amber', ...(types !== undefined && { types }) }));
    expect(admits(scope, type, LEVEL.green)).toBe(admitted);
    if (!admitted) expect(refusal(scope, type, LEVEL.green)).toBe(typeReason(type));
  });
});

describe('object scope: several grants combine per grant, never across grants', () => {
  // Grant A: indicators up to green; grant B: malware up to red, unmarked denied.
  const A = grant({ types: { allow: ['indicator'] }, maxTlp: 'green', unmarkedAs: 'clear' });
  const B = grant({ types: { allow: ['malware'] }, maxTlp: 'red', unmarkedAs: 'deny' });
  it.each(
    [
      { type: 'indicator', tlp: 'green', admitted: true, reason: '' },
      // B admits amber and A admits indicators, but no single grant admits an amber indicator.
      { type: 'indicator', tlp: 'amber', admitted: false, reason: tlpReason('amber') },
      { type: 'indicator', tlp: 'unmarked', admitted: true, reason: '' },
      { type: 'malware', tlp: 'red', admitted: true, reason: '' },
      { type: 'malware', tlp: 'unmarked', admitted: false, reason: UNMARKED_REASON },
      { type: 'tool', tlp: 'clear', admitted: false, reason: typeReason('tool') },
    ].map((r) => ({ ...r, outcome: r.admitted ? 'admitted' : `withheld (${r.reason})` })),
  )('grants [indicator ≤ green, unmarked as clear] + [malware ≤ red, unmarked denied]: $tlp $type → $outcome', ({ type, tlp, admitted, reason }) => {
    const scope = readScope(A, B);
    const level = tlp === 'unmarked' ? UNMARKED : LEVEL[tlp as TlpCeiling];
    expect(admits(scope, type, level)).toBe(admitted);
    if (!admitted) expect(refusal(scope, type, level)).toBe(reason);
  });

  it.each([
    {
      rule: 'a read grant up to red does not widen a write grant up to green',
      right: 'write',
      agreements: [
        agreement('r', { grants: [grant({ actions: ['read'], maxTlp: 'red' })] }),
        agreement('w', { grants: [grant({ actions: ['write'], maxTlp: 'green' })] }),
      ],
      red: false,
      green: true,
    },
    {
      rule: 'the same two agreements: the read scope reaches red',
      right: 'read',
      agreements: [
        agreement('r', { grants: [grant({ actions: ['read'], maxTlp: 'red' })] }),
        agreement('w', { grants: [grant({ actions: ['write'], maxTlp: 'green' })] }),
      ],
      red: true,
      green: true,
    },
    {
      rule: 'a suspended agreement up to red does not widen an active one up to green',
      right: 'read',
      agreements: [agreement('s', { status: 'suspended' }), agreement('a', { grants: [grant({ maxTlp: 'green' })] })],
      red: false,
      green: true,
    },
    {
      rule: 'an expired agreement up to red does not widen an active one up to green',
      right: 'read',
      agreements: [agreement('x', { validUntil: INSIDE }), agreement('a', { grants: [grant({ maxTlp: 'green' })] })],
      red: false,
      green: true,
    },
    {
      rule: 'a grant up to red on another collection does not widen one up to green on FR',
      right: 'read',
      agreements: [
        agreement('de', { grants: [grant({ collections: { countries: ['DE'] } })] }),
        agreement('a', { grants: [grant({ maxTlp: 'green' })] }),
      ],
      red: false,
      green: true,
    },
    {
      rule: 'a grant up to red to another party does not widen one up to green to fr-police',
      right: 'read',
      agreements: [agreement('eu', { grants: [grant({ party: 'eu-cert' })] }), agreement('a', { grants: [grant({ maxTlp: 'green' })] })],
      red: false,
      green: true,
    },
  ] as { rule: string; right: Right; agreements: AgreementRecord[]; red: boolean; green: boolean }[])(
    '$rule',
    ({ right, agreements, red, green }) => {
      const d = decide(who('fr-police', 'writer', 'deleter'), FR, right, INSIDE, bind(...agreements));
      if (!d.allowed) throw new Error(d.reason);
      expect({ red: admits(d.scope, 'indicator', LEVEL.red), green: admits(d.scope, 'indicator', LEVEL.green) }).toEqual({ red, green });
    },
  );
});

describe("marking definitions and a collection's own default for unmarked content (STIX 2.1 §7.2.1)", () => {
  const ATTACK: CollectionRecord = { ...FR, unmarkedAs: 'clear' };
  const scopeIn = (collection: CollectionRecord, right: Right, ...grants: GrantRecord[]) => {
    const d = decide(who('fr-police', right === 'read' ? 'reader' : 'writer'), collection, right, INSIDE, bind(agreement('fr', { grants })));
    if (!d.allowed) throw new Error(d.reason);
    return d.scope;
  };

  it("every reader sees marking-definition objects, whatever their marking and the grant's types", () => {
    const scope = scopeIn(FR, 'read', grant({ maxTlp: 'clear', unmarkedAs: 'deny', types: { allow: ['indicator'] } }));
    for (const level of [UNMARKED, LEVEL.clear, LEVEL.red]) expect(admits(scope, 'marking-definition', level)).toBe(true);
    expect(admits(scope, 'indicator', UNMARKED)).toBe(false);
    expect(admits(scope, 'malware', LEVEL.clear)).toBe(false);
  });

  it("a writer gains nothing from it: marking definitions are pushed under the writer's own scope", () => {
    const scope = scopeIn(FR, 'write', grant({ actions: ['write'], maxTlp: 'green', types: { allow: ['indicator'] } }));
    expect(admits(scope, 'marking-definition', UNMARKED)).toBe(false);
  });

  it("unmarked content counts as the collection's unmarkedAs (ATT&CK: clear), so a GREEN reader sees it", () => {
    const green = grant({ maxTlp: 'green', unmarkedAs: 'amber' });
    expect(admits(scopeIn(FR, 'read', green), 'attack-pattern', UNMARKED)).toBe(false);
    expect(admits(scopeIn(ATTACK, 'read', green), 'attack-pattern', UNMARKED)).toBe(true);
    // Marked content is still judged by its own marking.
    expect(admits(scopeIn(ATTACK, 'read', green), 'attack-pattern', LEVEL.amber)).toBe(false);
  });

  it('a collection that counts unmarked content as RED keeps it from a GREEN reader even if the grant says clear', () => {
    expect(admits(scopeIn({ ...FR, unmarkedAs: 'red' }, 'read', grant({ maxTlp: 'green', unmarkedAs: 'clear' })), 'indicator', UNMARKED)).toBe(false);
  });

  it('a grant that excludes unmarked content (deny) excludes it in such a collection too', () => {
    expect(admits(scopeIn(ATTACK, 'read', grant({ maxTlp: 'red', unmarkedAs: 'deny' })), 'attack-pattern', UNMARKED)).toBe(false);
  });
});

describe('issue #12 item 10 — request rates from agreement terms: which agreements a request draws from', () => {
  const rated = (id: string, requestsPerMinute: number, a: Partial<Omit<AgreementRecord, 'id'>> = {}) =>
    agreement(id, { terms: { rateLimit: { requestsPerMinute, burst: requestsPerMinute } }, ...a });
  const reader = who('fr-police', 'reader');
  const ratesOf = (bindings: GrantBinding[], collection = FR, right: Right = 'read', principal = reader) => {
    const d = decide(principal, collection, right, INSIDE, bindings);
    if (!d.allowed) throw new Error(d.reason);
    return d.rates?.map((r) => [r.agreement, r.rate.requestsPerMinute]);
  };

  it('an agreement without a rate term adds no rate (the per-account limit alone applies)', () => {
    expect(ratesOf(bind(agreement('plain')))).toBeUndefined();
  });

  it('the rate of the agreement the request rests on is drawn from', () => {
    expect(ratesOf(bind(rated('fr', 60)))).toEqual([['fr', 60]]);
  });

  it('a partner holding two agreements that both cover the collection must fit each rate, not only the more generous one', () => {
    expect(ratesOf(bind(rated('bilateral', 60), rated('multilateral', 600)))).toEqual([
      ['bilateral', 60],
      ['multilateral', 600],
    ]);
    // An unrated agreement beside a rated one lifts no limit: content flows under both.
    expect(ratesOf(bind(rated('bilateral', 60), agreement('plain')))).toEqual([['bilateral', 60]]);
  });

  it('agreements the request does not rest on are not drawn from: other collection, other action, not in force, another party', () => {
    const elsewhere = rated('de', 1, { grants: [grant({ collections: { countries: ['DE'] } })] });
    const writeOnly = rated('push', 2, { grants: [grant({ actions: ['write'] })] });
    const suspended = rated('old', 3, { status: 'suspended' });
    const theirs = rated('theirs', 4, { grants: [grant({ party: 'de-bsi' })] });
    expect(ratesOf(bind(agreement('plain'), elsewhere, writeOnly, suspended, theirs))).toBeUndefined();
    expect(ratesOf(bind(agreement('plain'), writeOnly), FR, 'write', who('fr-police', 'writer'))).toEqual([['push', 2]]);
    expect(ratesOf(bind(elsewhere), DE)).toEqual([['de', 1]]);
  });

  it('an agreement with two grants to the party counts once', () => {
    const twice = rated('twice', 30, { grants: [grant({ collections: { countries: ['FR'] } }), grant({ collections: { aliases: ['fr-intel'] } })] });
    expect(ratesOf(bind(twice))).toEqual([['twice', 30]]);
  });
});
