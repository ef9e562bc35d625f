/**
 * Cold start (issue 15): before a server says it is ready it rehearses the add path
 * (src/http/warm-up.ts). The rehearsal must reach the store with objects that pass
 * validation (or it warms only the failure path), and must leave no trace: no object, no
 * owner, no status, no sharing-log event, no date_added handed out.
 */
import pino from 'pino';
import { loadConfig } from '../../src/config/config';
import { startServer, type RunningServer } from '../../src/server';
import { createStixValidator } from '../../src/stix/validator';
import { sampleEnvelope, warmUpAddPath } from '../../src/http/warm-up';
import { ALL_VERSIONS } from '../../src/taxii/filters';
import { systemClock } from '../../src/time';
import { SEEDED_COLLECTION, seeded } from '../support/seeded';

const silent = pino({ level: 'silent' });

describe('cold start: the add path is rehearsed before /readyz says ready (issue 15)', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it.each(['permissive', 'strict'] as const)('every sample object is valid STIX 2.1 under the %s content policy', (policy) => {
    const objects = (JSON.parse(sampleEnvelope(100, '2026-01-01T00:00:00.000Z').toString()) as { objects: unknown[] }).objects;
    expect(objects).toHaveLength(100);
    const validator = createStixValidator({ policy });
    expect(objects.map((o) => validator.validate(o)).filter((r) => !r.ok)).toEqual([]);
  });

  it('rehearses adds of the sample objects, all of them accepted, and stores and logs nothing', async () => {
    const { store } = await seeded();
    const head = await store.auditHead();
    const rehearse = jest.spyOn(store, 'rehearseAdd');
    await warmUpAddPath({ store, clock: systemClock, maxObjectSize: 1 << 20, operatorParty: 'operator' }, await store.listApiRoots());
    expect(rehearse).toHaveBeenCalled();
    for (const [i, [env]] of rehearse.mock.calls.entries()) {
      expect([env.collectionId, env.objects.length, env.failures]).toEqual([SEEDED_COLLECTION, 100, []]);
      expect((await rehearse.mock.results[i]?.value)?.successCount).toBe(100);
    }
    const page = await store.queryManifest({ collectionId: SEEDED_COLLECTION, versions: ALL_VERSIONS, specVersions: ['2.1'], limit: 10 });
    expect(page.records).toEqual([]);
    expect(await store.auditHead()).toEqual(head);
    const objectIds = rehearse.mock.calls.flatMap(([env]) => env.objects.map((o) => o.id));
    for (const id of objectIds.slice(0, 10)) expect(await store.ownerOf(SEEDED_COLLECTION, id)).toBeUndefined();
    await store.close();
  });

  it('a started server has rehearsed, and its store holds only what clients added', async () => {
    const { store } = await seeded();
    const rehearse = jest.spyOn(store, 'rehearseAdd');
    server = await startServer(loadConfig({ env: {}, overrides: { port: 0, logLevel: 'silent' } }), store, silent);
    expect(rehearse).toHaveBeenCalled();
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const page = await store.queryManifest({ collectionId: SEEDED_COLLECTION, versions: ALL_VERSIONS, specVersions: ['2.1'], limit: 10 });
    expect(page.records).toEqual([]);
    expect((await store.readAuditEvents(0, 1000)).map((e) => e.event.action).filter((a) => a.startsWith('objects.'))).toEqual([]);
  });
});
