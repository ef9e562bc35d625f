/**
 * Issue 12 §9: the sharing log cannot be flooded without credentials. Refusals nobody is
 * accountable for are logged once per source and interval, with a count; every event's
 * request fields are bounded; a minute of flooding (a bounded loop on 127.0.0.1, the minute
 * passing on an injected clock) adds under 1 MB to the database file.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { OTHER_SOURCES, RefusalAggregator } from '../../src/audit/aggregate';
import type { AuditEventInput } from '../../src/audit/events';
import { loadConfig } from '../../src/config/config';
import { EVENT_BOUNDS } from '../../src/http/audit';
import { startServer, type RunningServer } from '../../src/server';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { createHarness, TAXII } from '../support/harness';
import request from 'supertest';
import { testChange } from '../support/changes';

function getOnce(agent: http.Agent, url: string, authorization?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: { Accept: TAXII, ...(authorization !== undefined && { Authorization: authorization }) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

const bytesOf = (db: string) => [db, `${db}-wal`].reduce((n, f) => n + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);

describe('issue 12 §9 — the sharing log cannot be flooded without credentials', () => {
  it('refusals from one source in one interval: the first in full, then one event with the count of the repeats', () => {
    const logged: AuditEventInput[] = [];
    const agg = new RefusalAggregator((e) => logged.push(e), { intervalSeconds: 60, maxSources: 10 });
    const refusal = (time: number, client: string): AuditEventInput => ({
      time,
      action: 'auth.failure',
      outcome: 'denied',
      client,
      http_status: 401,
      request_id: `r${time}`,
    });
    for (let i = 0; i < 100; i++) agg.offer(refusal(i * 1e5, '198.51.100.7'));
    agg.offer(refusal(1, '198.51.100.8'));
    expect(logged.map((e) => e.client)).toEqual(['198.51.100.7', '198.51.100.8']);
    agg.offer(refusal(61e6, '198.51.100.7'));
    expect(logged).toHaveLength(4);
    expect(logged[2]).toMatchObject({
      action: 'auth.failure',
      client: '198.51.100.7',
      http_status: 401,
      detail: { repeated: 99, first_request_id: 'r0' },
    });
    // The new interval's first refusal is logged in full again.
    expect(logged[3]).toMatchObject({ client: '198.51.100.7', request_id: 'r61000000' });
  });

  it('beyond maxSources, newcomers are counted together, without their addresses', () => {
    const logged: AuditEventInput[] = [];
    const agg = new RefusalAggregator((e) => logged.push(e), { intervalSeconds: 60, maxSources: 3 });
    for (let i = 0; i < 1000; i++)
      agg.offer({ time: i, action: 'auth.failure', outcome: 'denied', client: `10.0.${i >> 8}.${i & 255}`, user_agent: 'x', http_status: 401 });
    agg.roll(1000, true);
    expect(logged).toHaveLength(5);
    expect(logged[3]).toMatchObject({ client: OTHER_SOURCES });
    expect(logged[3]?.user_agent).toBeUndefined();
    expect(logged[4]).toMatchObject({ client: OTHER_SOURCES, detail: { repeated: 996 } });
  });

  it('an 8 KB query string and a long path are cut to their bounds in the event, which says so', async () => {
    const h = await createHarness();
    try {
      const long = 'x'.repeat(8192);
      await request(h.app)
        .get(`/api1/collections/${'p'.repeat(2000)}/objects/?match[id]=${long}&${Array.from({ length: 40 }, (_, i) => `k${i}=1`).join('&')}`)
        .set('Accept', TAXII);
      await h.ctx.audit.flush();
      const [event] = (await h.store.queryAuditEvents({ action: 'auth.failure', limit: 10 })).records;
      expect(event?.truncated).toEqual(['path', 'query']);
      expect(event?.path?.length).toBe(EVENT_BOUNDS.path);
      expect(Object.keys(event?.query ?? {})).toHaveLength(EVENT_BOUNDS.queryKeys);
      expect(event?.query?.['match[id]']).toHaveLength(EVENT_BOUNDS.value);
      expect(JSON.stringify(event).length).toBeLessThan(8192);
    } finally {
      await h.close();
    }
  });

  it('one minute of a flood of requests without credentials or with wrong passwords, with 8 KB query strings, adds under 1 MB to the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-flood-'));
    const db = join(dir, 'flood.db');
    const store = new SqliteStore(db);
    await store.upsertApiRoot(
      { path: 'api1', title: 'one', maxContentLength: 1 << 20, contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] },
      testChange('api-root', 'api1'),
    );
    // The API root's creation is on the log already; the flood's events come after it.
    const { seq: seeded } = await store.auditHead();
    // The flood's minute passes on this clock: 2,000 requests, 30 ms apart.
    let now = Date.now() * 1000;
    const clock = () => now;
    let server: RunningServer | undefined;
    try {
      // Few password checks before the address is throttled: each costs a full scrypt.
      const signInLimit = { addressBurst: 2, addressPerMinute: 1, accountBurst: 2, accountPerMinute: 1 };
      server = await startServer(
        loadConfig({ env: {}, overrides: { port: 0, logLevel: 'silent', signInLimit } }),
        store,
        pino({ level: 'silent' }),
        clock,
      );
      const before = bytesOf(db);
      const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
      const url = `${server.url}/api1/collections/any/objects/?match[type]=${'a'.repeat(8192)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 2000; i += 8) {
        // Half without credentials, half guessing passwords.
        statuses.push(
          ...(await Promise.all(
            Array.from({ length: 8 }, (_, k) =>
              getOnce(agent, url, k % 2 ? `Basic ${Buffer.from(`admin:guess${i + k}`).toString('base64')}` : undefined),
            ),
          )),
        );
        now += 8 * 30_000;
      }
      agent.destroy();
      expect(new Set(statuses)).toEqual(new Set([401, 429]));
      await server.close();
      server = undefined;
      const growth = bytesOf(db) - before;
      expect(growth).toBeLessThan(1024 * 1024);
      const check = new SqliteStore(db);
      const events = (await check.queryAuditEvents({ afterSeq: seeded, limit: 100 })).records;
      await check.close();
      // One in full and one count per source, kind and interval: the whole minute is accounted for.
      expect(events.reduce((n, e) => n + (typeof e.detail?.repeated === 'number' ? e.detail.repeated : 1), 0)).toBe(2000);
      expect(events.length).toBeLessThanOrEqual(8);
    } finally {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
