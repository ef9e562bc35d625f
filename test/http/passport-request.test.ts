/**
 * Passport assigns its request helpers (req.login, req._sessionManager, …) to every request;
 * keepPassportOffRequests() takes those assignments on Express's request prototype so the
 * request objects keep their shape (src/http/authenticate.ts). No request may ever see a
 * value another request was given: only a value that every request receives is shared.
 */
import type { Request } from 'express';
import request from 'supertest';
import { keepPassportOffRequests } from '../../src/http/authenticate';
import { createHarness, TAXII } from '../support/harness';

type Helpers = Request & { login?: unknown; _sessionManager?: unknown };

describe('passport request helpers on the request prototype', () => {
  it('shares the value every request is given, and keeps a different one to the request it was given to', () => {
    const prototype = {} as Request;
    keepPassportOffRequests(prototype);
    const [first, second, third] = [0, 1, 2].map(() => Object.create(prototype) as Helpers);
    const manager = { kind: 'session manager' };
    const other = { kind: 'another session manager' };
    (first as Helpers)._sessionManager = manager;
    (second as Helpers)._sessionManager = manager;
    (third as Helpers)._sessionManager = other;
    expect(Object.hasOwn(second as object, '_sessionManager')).toBe(false);
    expect((second as Helpers)._sessionManager).toBe(manager);
    expect((third as Helpers)._sessionManager).toBe(other);
    expect((first as Helpers)._sessionManager).toBe(manager);
    expect(Object.create(prototype)._sessionManager).toBe(manager);
  });

  it("§1.6.7 each request is the account of its own credentials, passport's helpers on the prototype", async () => {
    const h = await createHarness();
    try {
      for (const name of ['reader', 'writer', 'reader', 'admin'] as const) {
        const res = await request(h.app).get('/me/access').set('Authorization', h.accounts[name].auth);
        expect(res.status).toBe(200);
        expect((res.body as { account: string }).account).toBe(name);
      }
      const refused = await request(h.app).get('/api1/').set('Accept', TAXII).set('Authorization', 'Bearer accord_not-a-token');
      expect(refused.status).toBe(401);
    } finally {
      await h.close();
    }
  });
});
