import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config/config';
import { startServer, type RunningServer } from '../src/server';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import { seeded } from './support/seeded';

const silent = pino({ level: 'silent' });

function get(url: string, options: https.RequestOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https') ? https : http;
    lib
      .get(url, options, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('server operation', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('/healthz answers while running; /readyz reflects whether the store is reachable', async () => {
    const { store } = await seeded();
    server = await startServer(loadConfig({ env: {}, overrides: { port: 0, logLevel: 'silent' } }), store, silent);
    expect(await get(`${server.url}/healthz`)).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect((await get(`${server.url}/readyz`)).status).toBe(200);
    await store.close();
    const down = await get(`${server.url}/readyz`);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toEqual({ status: 'unavailable', reason: 'storage unreachable' });
  });

  it("a real server's requests each carry their own credentials and URL parameters (the request class of src/http/connections.ts)", async () => {
    const { store, token } = await seeded();
    server = await startServer(loadConfig({ env: {}, overrides: { port: 0, logLevel: 'silent' } }), store, silent);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const as = (path: string, headers: Record<string, string>) =>
      get(`${server?.url}${path}`, { agent, headers: { Accept: 'application/taxii+json;version=2.1', ...headers } });
    try {
      // One connection, one request after another: nothing of a request carries over to the next.
      expect((await as('/api1/', { Authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await as('/api1/', {})).status).toBe(401);
      const withParameter = await as('/api1/collections/?colour=blue', { Authorization: `Bearer ${token}` });
      expect(withParameter.status).toBe(400);
      expect((JSON.parse(withParameter.body) as { description: string }).description).toContain('"colour"');
      expect((await as('/api1/collections/', { Authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('graceful shutdown lets an in-flight POST finish and commit before the store closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-shutdown-'));
    const { store, token } = await seeded(join(dir, 'a.db'));
    server = await startServer(loadConfig({ env: {}, overrides: { port: 0, logLevel: 'silent' } }), store, silent);
    const url = new URL(`${server.url}/api1/collections/2d4e9c1e-8a55-4b52-9d43-0c4f1a5e7b10/objects/`);
    const body = JSON.stringify({
      objects: [
        {
          type: 'malware',
          spec_version: '2.1',
          id: 'malware--0a0b0c0d-0000-4000-8000-000000000001',
          created: '2025-01-01T00:00:00.000Z',
          modified: '2025-01-01T00:00:00.000Z',
          name: 'Poison Ivy',
          is_family: true,
        },
      ],
    });
    const response = new Promise<number>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/taxii+json;version=2.1',
            'Content-Length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      // Send half the body, start the shutdown, then send the rest.
      req.write(body.slice(0, 20));
      setTimeout(() => {
        closing = server?.close();
        setTimeout(() => req.end(body.slice(20)), 50);
      }, 50);
    });
    let closing: Promise<void> | undefined;
    expect(await response).toBe(202);
    await closing;
    server = undefined;
    await expect(store.ping()).rejects.toThrow(/closed/);
    const reopened = new SqliteStore(join(dir, 'a.db'));
    const page = await reopened.queryManifest({
      collectionId: '2d4e9c1e-8a55-4b52-9d43-0c4f1a5e7b10',
      versions: { all: true, first: false, last: false, at: [] },
      limit: 10,
    });
    expect(page.records.map((r) => r.id)).toEqual(['malware--0a0b0c0d-0000-4000-8000-000000000001']);
    await reopened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS (TLS 1.2+) when a key and certificate are configured', async () => {
    const { store } = await seeded();
    const tls = { key: join(__dirname, 'fixtures/tls/key.pem'), cert: join(__dirname, 'fixtures/tls/cert.pem') };
    server = await startServer(loadConfig({ env: {}, overrides: { port: 0, logLevel: 'silent', tls } }), store, silent);
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await get(`${server.url}/healthz`, { rejectUnauthorized: false, minVersion: 'TLSv1.2' });
    expect(res.status).toBe(200);
    await expect(get(`${server.url}/healthz`, { rejectUnauthorized: false, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).rejects.toThrow();
  });
});
