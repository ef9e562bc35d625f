/**
 * MongoStore's sharing log WITHOUT a MongoDB server: MongoStore itself runs over the mingo
 * double (mingo-double.ts: its chained documents, auditor query filters and summary
 * pipelines evaluated in process by mingo) and is compared with the SQLite reference fed the
 * same random events. Event ids are random in both stores, so ids and hashes are compared
 * only through chain verification.
 */
import fc from 'fast-check';
import { type ChainedEvent, ChainVerifier } from '../../src/audit/chain';
import { DAILY_KEYS, WITHHELD_KEYS, type DailyKey, type WithheldKey } from '../../src/audit/daily';
import type { AuditEvent, AuditEventInput } from '../../src/audit/events';
import { CHECKPOINT_EVERY } from '../../src/audit/changes';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { ChangeRecord } from '../../src/catalog/types';
import type { AuditQuery, SummaryGroup } from '../../src/store/audit-store';
import type { Micros } from '../../src/time';
import { MongoAudit } from '../../src/store/mongodb/audit';
import { MongoDatabase } from '../../src/store/mongodb/database';
import { MongoStore } from '../../src/store/mongodb/mongo-store';
import { MingoClient } from './mingo-double';
import { MINGO_SUITE, openMingoStore } from './mingo-store';

const T0: Micros = Date.UTC(2026, 0, 1) * 1000;
const DAY = 86_400_000_000;

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const OBJECT_IDS = ['indicator--00000001-0000-4000-8000-000000000000', 'malware--00000002-0000-4000-8000-000000000000'];
// agr-10 shares a prefix with agr-1: a bare `agr-1` must not match it.
const AGREEMENTS = ['agr-1@1', 'agr-1@2', 'agr-10@1', 'agr-2@1'];

const arbInput: fc.Arbitrary<AuditEventInput> = fc.record(
  {
    time: fc.integer({ min: 0, max: 3 * DAY }).map((d) => T0 + d),
    action: fc.constantFrom(
      'objects.read',
      'object.read',
      'objects.add',
      'manifest.read',
      'object.delete',
      'objects',
      'objectsX.read',
      'catalog.party.create',
    ),
    outcome: fc.constantFrom('success' as const, 'success' as const, 'failure' as const, 'denied' as const),
    party: fc.constantFrom('fr-ncb', 'de-ncb'),
    account: fc.constantFrom('alice', 'bob'),
    collection: fc.constantFrom('c-fr', 'c-de'),
    country: fc.constantFrom('FR', 'DE'),
    agreements: fc.array(fc.constantFrom(...AGREEMENTS), { maxLength: 3 }),
    objects: fc.array(
      fc.record({ id: fc.constantFrom(...OBJECT_IDS), version: fc.constantFrom('2026-01-01T00:00:00.000000Z', '2026-02-01T00:00:00.000000Z') }),
      { maxLength: 4 },
    ),
    withheld: fc.record({
      count: fc.integer({ min: 0, max: 5 }),
      reasons: fc.dictionary(fc.constantFrom('tlp', 'type', 'unmarked'), fc.integer({ min: 0, max: 3 })),
    }),
    http_status: fc.constantFrom(200, 403),
    detail: fc.record({ note: fc.string({ maxLength: 5 }) }),
  },
  { requiredKeys: ['time', 'action', 'outcome'] },
);

const arbChange: fc.Arbitrary<ChangeRecord> = fc.record(
  {
    at: fc.integer({ min: 0, max: 3 * DAY }).map((d) => T0 + d),
    by: fc.constantFrom('cli', 'admin-1'),
    entity: fc.constantFrom('party' as const, 'account' as const, 'agreement' as const),
    entityId: fc.constantFrom('fr-ncb', 'agr-1'),
    action: fc.constantFrom('create', 'update', 'revoke'),
    detail: fc.record({ name: fc.string({ maxLength: 4 }) }),
  },
  { requiredKeys: ['at', 'by', 'entity', 'entityId', 'action'] },
);

const QUERY_FIELDS = {
  from: fc.integer({ min: 0, max: 3 * DAY }).map((d) => T0 + d),
  to: fc.integer({ min: 0, max: 3 * DAY }).map((d) => T0 + d),
  party: fc.constantFrom('fr-ncb', 'de-ncb', 'nobody'),
  account: fc.constantFrom('alice', 'bob'),
  agreement: fc.constantFrom('agr-1', 'agr-1@2', 'agr-10', 'agr-2@1', 'agr-3'),
  collection: fc.constantFrom('c-fr', 'c-de'),
  country: fc.constantFrom('FR', 'DE'),
  objectId: fc.constantFrom(...OBJECT_IDS),
  action: fc.constantFrom('objects', 'objects.read', 'object', 'catalog', 'catalog.party'),
  outcome: fc.constantFrom('success', 'denied'),
  afterSeq: fc.integer({ min: 0, max: 40 }),
  newestFirst: fc.boolean(),
};

/** One or two filters at a time, so that queries match something and each filter is exercised. */
const arbQuery: fc.Arbitrary<AuditQuery> = fc
  .tuple(
    fc.record(QUERY_FIELDS),
    fc.subarray(Object.keys(QUERY_FIELDS) as (keyof typeof QUERY_FIELDS)[], { minLength: 1, maxLength: 2 }),
    fc.integer({ min: 1, max: 10 }),
  )
  .map(([values, keys, limit]) => Object.assign({ limit }, ...keys.map((k) => ({ [k]: values[k] }))) as AuditQuery);

type Step = { kind: 'append'; events: AuditEventInput[] } | { kind: 'change'; change: ChangeRecord };
const arbStep: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), events: fc.array(arbInput, { maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('change' as const), change: arbChange }) },
);

/** What two stores can agree on: everything but the random id and the hashes that cover it. */
function portable({ id: _id, hash: _hash, prev_hash: _prev, ...rest }: AuditEvent): Omit<AuditEvent, 'id' | 'hash' | 'prev_hash'> {
  return rest;
}

describe(`${MINGO_SUITE}: the sharing log against the SQLite reference`, () => {
  it('random appends and catalogue changes: events, auditor queries (either order), reads, summaries, daily summaries and the change list equal SQLite’s; the chain verifies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbStep, { minLength: 1, maxLength: 12 }),
        fc.array(arbQuery, { maxLength: 20 }),
        fc.array(
          fc.tuple(
            fc.constantFrom<SummaryGroup>('agreement', 'country', 'party'),
            opt(fc.integer({ min: 0, max: 3 * DAY })),
            opt(fc.integer({ min: 0, max: 3 * DAY })),
          ),
          {
            maxLength: 4,
          },
        ),
        fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 20 })),
        async (steps, queries, summaries, [afterSeq, limit]) => {
          const sqlite = new SqliteStore(':memory:');
          const { store: mongo, db } = await openMingoStore();
          try {
            for (const step of steps) {
              if (step.kind === 'append') {
                const expected = await sqlite.appendAuditEvents(step.events);
                expect((await mongo.appendAuditEvents(step.events)).map(portable)).toEqual(expected.map(portable));
              } else {
                const party = { id: 'operator', name: 'Exchange operator', kind: 'operator' };
                await sqlite.upsertParty(party, step.change);
                await mongo.upsertParty(party, step.change);
              }
            }
            expect((await mongo.auditHead()).seq).toBe((await sqlite.auditHead()).seq);
            for (const q of queries) {
              const expected = await sqlite.queryAuditEvents(q);
              const actual = await mongo.queryAuditEvents(q);
              expect({ records: actual.records.map(portable), more: actual.more }).toEqual({
                records: expected.records.map(portable),
                more: expected.more,
              });
            }
            const read = await mongo.readAuditEvents(afterSeq, limit);
            const expectedRead = await sqlite.readAuditEvents(afterSeq, limit);
            expect(read.map((r) => ({ event: portable(r.event), indexed: r.indexed }))).toEqual(
              expectedRead.map((r) => ({ event: portable(r.event), indexed: r.indexed })),
            );
            for (const [group, from, to] of summaries) {
              const range = [from === undefined ? undefined : T0 + from, to === undefined ? undefined : T0 + to] as const;
              expect(await mongo.summarizeAudit(group, ...range)).toEqual(await sqlite.summarizeAudit(group, ...range));
            }
            expect(await mongo.listChanges(limit, afterSeq)).toEqual(await sqlite.listChanges(limit, afterSeq));
            for (const range of [{}, { from: '2026-01-02' }, { from: '2026-01-01', to: '2026-01-02' }]) {
              for (const by of [
                DAILY_KEYS,
                ['day', 'action', 'outcome'],
                ['action', 'outcome', 'party', 'collection', 'country'],
                ['country'],
              ] as DailyKey[][]) {
                expect(await mongo.auditDaily(range, by)).toEqual(await sqlite.auditDaily(range, by));
              }
              for (const by of [WITHHELD_KEYS, ['party', 'collection', 'country', 'reason']] as WithheldKey[][]) {
                expect(await mongo.auditWithheldDaily(range, by)).toEqual(await sqlite.auditWithheldDaily(range, by));
              }
            }
            const verifier = new ChainVerifier();
            for (const { event } of await mongo.readAuditEvents(0, 1_000_000)) verifier.add(event as unknown as ChainedEvent);
            expect(verifier.result()).toMatchObject({ ok: true, events: db.collection('audit_events').docs.length });
          } finally {
            await sqlite.close();
            await mongo.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it(`records a checkpoint every ${CHECKPOINT_EVERY} events, at the same sequence numbers and times as SQLite`, async () => {
    const sqlite = new SqliteStore(':memory:');
    const { store: mongo } = await openMingoStore();
    try {
      for (let batch = 0; batch < 5; batch++) {
        const events: AuditEventInput[] = Array.from({ length: 450 }, (_, i) => ({
          time: T0 + batch * 1000 + i,
          action: 'objects.read',
          outcome: 'success',
        }));
        await sqlite.appendAuditEvents(events);
        await mongo.appendAuditEvents(events);
      }
      const expected = (await sqlite.listCheckpoints()).map(({ seq, time }) => ({ seq, time }));
      expect(expected.map((c) => c.seq)).toEqual([CHECKPOINT_EVERY, 2 * CHECKPOINT_EVERY]);
      const checkpoints = await mongo.listCheckpoints();
      expect(checkpoints.map(({ seq, time }) => ({ seq, time }))).toEqual(expected);
      const events = await mongo.readAuditEvents(0, 3 * CHECKPOINT_EVERY);
      expect(checkpoints.map((c) => c.hash)).toEqual(checkpoints.map((c) => events.find((e) => e.event.seq === c.seq)?.event.hash));
    } finally {
      await sqlite.close();
      await mongo.close();
    }
  });
});

describe(`${MINGO_SUITE}: daily summaries of a log written before them`, () => {
  it('the first start fills them from the events, equal to what appends maintain, and only once', async () => {
    const client = new MingoClient();
    const open = () => MongoDatabase.open(client.asDriver(), 'accord', 'the mingo double');
    const store = new MongoStore(await open());
    const db = client.database;
    const day = 86_400_000_000;
    const events: AuditEventInput[] = Array.from({ length: 40 }, (_, n) => ({
      time: T0 + (n % 3) * day + n,
      action: n % 2 ? 'objects.read' : 'objects.add',
      outcome: 'success',
      party: n % 4 ? 'fr-ncb' : 'de-ncb',
      collection: 'c-fr',
      country: 'FR',
      objects: [{ id: OBJECT_IDS[0] as string, version: '2026-01-01T00:00:00.000Z' }],
      ...(n % 5 === 0 && { withheld: { count: 2, reasons: { tlp: 2 } } }),
    }));
    await store.appendAuditEvents(events);
    const daily = await store.auditDaily({}, DAILY_KEYS);
    const withheld = await store.auditWithheldDaily({}, WITHHELD_KEYS);
    // As before the summaries existed: no summary documents, no marker.
    db.collection('audit_daily').docs = [];
    db.collection('audit_daily_withheld').docs = [];
    db.collection('meta').docs = db.collection('meta').docs.filter((d) => d._id !== 'audit_daily_backfilled');
    const audit = new MongoAudit(await open());
    await audit.backfillDaily();
    expect(await store.auditDaily({}, DAILY_KEYS)).toEqual(daily);
    expect(await store.auditWithheldDaily({}, WITHHELD_KEYS)).toEqual(withheld);
    await audit.backfillDaily(); // the marker is there now: nothing is counted twice
    expect(await store.auditDaily({}, DAILY_KEYS)).toEqual(daily);
  });
});
