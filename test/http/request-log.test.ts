/**
 * The server's own log (pino; the sharing log is another matter): a `request` line per answer
 * and a line per unexpected error, each under the request's id, so an operator can tie a
 * client's X-Request-Id to what the server wrote. The per-request logger is made only when
 * something is written (src/http/routing.ts): these pin that the lines still carry the id.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { createHarness, TAXII, type Harness } from '../support/harness';

type Line = Record<string, unknown>;

function capturingApp(h: Harness, level: pino.Level) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      done();
    },
  });
  return { app: createApp({ ...h.ctx, log: pino({ level }, sink) }), lines };
}

describe('server log lines carry the request id', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  it("logs each answer under the caller's X-Request-Id, with its account and never its credentials", async () => {
    const { app, lines } = capturingApp(h, 'info');
    const res = await request(app).get('/api1/').set('Accept', TAXII).set('Authorization', h.accounts.reader.auth).set('X-Request-Id', 'trace-42');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('trace-42');
    expect(lines).toEqual([expect.objectContaining({ msg: 'request', reqId: 'trace-42', status: 200, account: 'reader', path: '/api1/' })]);
    expect(JSON.stringify(lines)).not.toContain(h.accounts.reader.token);
  });

  it('logs an unexpected error under the id its 500 answer names, and no request line below level info', async () => {
    const { app, lines } = capturingApp(h, 'warn');
    jest.spyOn(h.ctx.store, 'getStatus').mockRejectedValue(new Error('disk on fire'));
    const res = await request(app)
      .get(`/api1/status/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/`)
      .set('Authorization', h.accounts.reader.auth);
    expect(res.status).toBe(500);
    expect(lines).toEqual([expect.objectContaining({ msg: 'unhandled error', reqId: res.headers['x-request-id'] })]);
    expect(lines[0]?.reqId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
