/**
 * Issue 12 §12: slow clients do not hold connections. Each check opens raw sockets to a real
 * server with short timeouts and observes what the server does to them (answers, closes);
 * the jest timeout bounds any wait for a close that never comes.
 */
import net from 'node:net';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config/config';
import { startServer, type RunningServer } from '../../src/server';
import { seeded } from '../support/seeded';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { testChange } from '../support/changes';

const silent = pino({ level: 'silent' });

interface Conn {
  socket: net.Socket;
  /** Everything the server sent. */
  received(): string;
  /** Settles when the server has closed the connection. */
  closed: Promise<void>;
}

function connect(url: string): Promise<Conn> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => resolve({ socket, received: () => data, closed }));
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString()));
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

describe('issue 12 §12 — slow clients hold no connections', () => {
  let server: RunningServer;
  let store: SqliteStore;
  beforeAll(async () => {
    store = new SqliteStore(':memory:');
    await store.upsertApiRoot(
      { path: 'api1', title: 'one', maxContentLength: 1 << 20, contentPolicy: 'permissive', allowedSpecVersions: ['2.1'] },
      testChange('api-root', 'test'),
    );
    const overrides: Partial<Config> = {
      port: 0,
      logLevel: 'silent',
      timeouts: { headersMs: 300, requestMs: 3000, idleMs: 300, minBodyBytesPerSecond: 1000 },
      connections: { max: 100, perAddress: 4 },
    };
    server = await startServer(loadConfig({ env: {}, overrides }), store, silent);
  });
  afterAll(() => server.close());

  it('headers sent slowly: the server answers 408 and closes the connection', async () => {
    const c = await connect(server.url);
    c.socket.write('GET /taxii2/ HTTP/1.1\r\nHost: x\r\n');
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a refused request (401) is answered without waiting for its body, and the connection closed', async () => {
    const c = await connect(server.url);
    c.socket.write(
      'POST /api1/collections/x/objects/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/taxii+json;version=2.1\r\nContent-Length: 1000000\r\n\r\n{"objects":[',
    );
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 401/);
    expect(c.received()).toMatch(/\r\nconnection: close\r\n/i);
  });

  it('a keep-alive connection left idle is closed after idleMs', async () => {
    const c = await connect(server.url);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 200/);
  });

  it('more connections from one address than connections.perAddress: the extra ones are closed at once', async () => {
    const conns = await Promise.all(Array.from({ length: 6 }, () => connect(server.url)));
    const closedEarly: number[] = [];
    await Promise.race([Promise.all(conns.slice(4).map((c) => c.closed)), new Promise((r) => setTimeout(r, 5000))]);
    conns.forEach((c, i) => {
      if (c.socket.destroyed || c.socket.readableEnded) closedEarly.push(i);
    });
    expect(closedEarly.length).toBeGreaterThanOrEqual(2);
    for (const c of conns) c.socket.destroy();
  });
});

describe('issue 12 §12 — a body slower than minBodyBytesPerSecond is refused', () => {
  it('an authenticated POST trickling its body: 408 and the connection closed', async () => {
    const { store, token } = await seeded();
    const overrides: Partial<Config> = {
      port: 0,
      logLevel: 'silent',
      timeouts: { headersMs: 2000, requestMs: 60_000, idleMs: 5000, minBodyBytesPerSecond: 1000 },
    };
    const server = await startServer(loadConfig({ env: {}, overrides }), store, silent);
    try {
      const c = await connect(server.url);
      c.socket.write(
        `POST /api1/collections/2d4e9c1e-8a55-4b52-9d43-0c4f1a5e7b10/objects/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/taxii+json;version=2.1\r\nContent-Length: 100000\r\n\r\n`,
      );
      const drip = setInterval(() => c.socket.writable && c.socket.write(' '), 100);
      await c.closed;
      clearInterval(drip);
      expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
      expect(c.received()).toContain('Request too slow');
    } finally {
      await server.close();
    }
  });
});
