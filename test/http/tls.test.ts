/**
 * Issue 12 §13 (transport) and §14 (client certificates), over real TLS connections. The
 * keys and certificates are made with openssl at test time in a temporary folder: an RSA
 * server certificate (so static-RSA suites could be negotiated if the server allowed them), a
 * CA and a client certificate it signed, a look-alike CA (same name, other key) and its
 * client certificate, and a self-signed client certificate to pin by fingerprint.
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import pino from 'pino';
import request from 'supertest';
import { addAccount, issueToken } from '../../src/catalog/accounts';
import { loadConfig } from '../../src/config/config';
import { startServer, type RunningServer } from '../../src/server';
import { createHarness, TAXII, type Harness } from '../support/harness';

let dir: string;
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A key and a certificate: self-signed, or signed by `ca`. */
function makeCert(name: string, subject: string, options: { rsa?: boolean; ca?: string } = {}): void {
  const key = options.rsa ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  if (!options.ca) {
    openssl('req', '-x509', ...key, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', subject, '-days', '2');
    return;
  }
  openssl('req', ...key, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${options.ca}.pem`,
    '-CAkey',
    `${options.ca}.key`,
    '-set_serial',
    String(Date.now()),
    '-out',
    `${name}.pem`,
    '-days',
    '2',
  );
}

const fingerprint = (name: string) =>
  createHash('sha256')
    .update(new X509Certificate(readFileSync(file(`${name}.pem`))).raw)
    .digest('hex');

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

describe('issue 12 §13 and §14 — TLS transport and client certificates', () => {
  let h: Harness;
  let server: RunningServer;
  let url: URL;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-tls-'));
    makeCert('server', '/CN=localhost', { rsa: true });
    makeCert('ca', '/CN=Exchange CA');
    makeCert('siem', '/O=Police/CN=siem-fr', { ca: 'ca' });
    makeCert('rogue-ca', '/CN=Exchange CA');
    makeCert('rogue', '/O=Police/CN=siem-fr', { ca: 'rogue-ca' });
    makeCert('machine', '/CN=feed-machine');
    h = await createHarness();
    // The harness's store, which the harness (not the server) closes at the end.
    const store = Object.create(h.store, { close: { value: () => Promise.resolve() } }) as Harness['store'];
    const config = loadConfig({
      env: {},
      overrides: { port: 0, logLevel: 'silent', tls: { key: file('server.key'), cert: file('server.pem'), ca: file('ca.pem') } },
    });
    server = await startServer(config, store, pino({ level: 'silent' }), h.clock.read);
    url = new URL(server.url);
  });
  afterAll(async () => {
    await server.close();
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One request on its own TLS connection, with the client certificate `cert` if given. */
  function call(method: string, path: string, options: { cert?: string; auth?: string } = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent: false,
          rejectUnauthorized: false,
          headers: { Accept: TAXII, ...(options.auth !== undefined && { Authorization: options.auth }) },
          ...(options.cert !== undefined && { cert: readFileSync(file(`${options.cert}.pem`)), key: readFileSync(file(`${options.cert}.key`)) }),
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  /** Whether a TLS 1.2 handshake offering only `ciphers` succeeds. */
  function handshake(ciphers: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = tls.connect({ host: url.hostname, port: Number(url.port), ciphers, maxVersion: 'TLSv1.2', rejectUnauthorized: false }, () => {
        const negotiated = socket.getCipher().standardName;
        socket.end();
        resolve(negotiated);
      });
      socket.on('error', () => resolve('refused'));
    });
  }

  /** The credential the sharing log names for the account's latest read (the server's log writes every 200 ms). */
  const lastCredential = async (account: string): Promise<string | undefined> => {
    for (;;) {
      const events = (await h.store.queryAuditEvents({ account, action: 'objects.read', limit: 1000 })).records;
      if (events.length > 0) return events[events.length - 1]?.credential;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const objects = () => `/api1/collections/${h.collections.alpha.id}/objects/`;

  describe('§13 transport', () => {
    it('under TLS every answer carries HSTS, nosniff and no-store', async () => {
      const res = await call('GET', '/taxii2/', { auth: h.accounts.reader.auth });
      expect(res.status).toBe(200);
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
      expect((await call('GET', '/taxii2/')).headers['strict-transport-security']).toBe('max-age=31536000');
    });

    it.each([
      ['static RSA key exchange (no forward secrecy)', 'AES128-GCM-SHA256'],
      ['static RSA with CBC', 'AES128-SHA'],
      ['ECDHE with CBC-SHA1', 'ECDHE-RSA-AES128-SHA'],
      ['ECDHE with CBC-SHA256', 'ECDHE-RSA-AES128-SHA256'],
    ])('a TLS 1.2 client offering only %s is refused', async (_what, suite) => {
      expect(await handshake(suite)).toBe('refused');
    });

    it('a TLS 1.2 client offering ECDHE with AES-GCM is served', async () => {
      expect(await handshake('ECDHE-RSA-AES128-GCM-SHA256')).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    });
  });

  describe('§14 client certificates as a credential', () => {
    it('a certificate pinned by fingerprint signs its account in alone; the log names it by id; revocation applies to the next request', async () => {
      const { account } = await addAccount(
        h.store,
        h.clock.read,
        { name: 'feed-machine', roles: ['reader'], partyId: 'operator', password: null },
        'test',
      );
      const added = await request(h.app)
        .post('/admin/accounts/feed-machine/certificates')
        .set('Authorization', h.accounts.admin.auth)
        .send({
          fingerprint: fingerprint('machine')
            .toUpperCase()
            .replace(/(..)(?!$)/g, '$1:'),
          label: 'feed server',
        });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ fingerprint: fingerprint('machine'), subject: null, issuer: null, label: 'feed server', revoked: null });
      expect((await call('GET', objects(), { cert: 'machine' })).status).toBe(200);
      expect(await lastCredential('feed-machine')).toBe(`certificate:${added.body.id as string}`);
      const listed = await request(h.app).get('/admin/accounts/feed-machine/certificates').set('Authorization', h.accounts.admin.auth);
      expect(listed.body.certificates).toEqual([added.body]);

      expect(
        (
          await request(h.app)
            .delete(`/admin/certificates/${added.body.id as string}`)
            .set('Authorization', h.accounts.admin.auth)
        ).status,
      ).toBe(204);
      expect((await call('GET', '/api1/collections/', { cert: 'machine' })).status).toBe(401);
      expect((await h.store.listCertificates(account.id))[0]?.revokedAt).not.toBeNull();
    });

    it('subject and issuer count only for a certificate that chains to tls.ca: the look-alike CA’s certificate is refused', async () => {
      await addAccount(h.store, h.clock.read, { name: 'siem-fr', roles: ['reader'], partyId: 'operator', password: null }, 'test');
      const added = await request(h.app)
        .post('/admin/accounts/siem-fr/certificates')
        .set('Authorization', h.accounts.admin.auth)
        .send({ subject: 'O=Police, CN=siem-fr', issuer: 'CN=Exchange CA', label: 'SIEM' });
      expect(added.status).toBe(201);
      expect((await call('GET', objects(), { cert: 'siem' })).status).toBe(200);
      expect(await lastCredential('siem-fr')).toBe(`certificate:${added.body.id as string}`);
      expect((await call('GET', '/api1/collections/', { cert: 'rogue' })).status).toBe(401);
    });

    it('an account that requires a certificate: its token alone is refused, token plus its certificate works and is logged as both, another account’s certificate does not do', async () => {
      const { account } = await addAccount(
        h.store,
        h.clock.read,
        { name: 'two-factor', roles: ['reader'], partyId: 'operator', password: null },
        'test',
      );
      const { token, record } = await issueToken(h.store, h.clock.read, account.id, 'with cert', 'test');
      const patched = await request(h.app)
        .patch('/admin/accounts/two-factor')
        .set('Authorization', h.accounts.admin.auth)
        .send({ require_certificate: true });
      expect(patched.body).toMatchObject({ require_certificate: true });
      makeCert('two-factor', '/CN=two-factor');
      const cert = await request(h.app)
        .post('/admin/accounts/two-factor/certificates')
        .set('Authorization', h.accounts.admin.auth)
        .send({ fingerprint: fingerprint('two-factor'), label: 'x' });

      expect((await call('GET', '/api1/collections/', { auth: `Bearer ${token}` })).status).toBe(401);
      expect((await call('GET', '/api1/collections/', { auth: `Bearer ${token}`, cert: 'siem' })).status).toBe(401);
      // The certificate alone does not reach an account that requires both.
      expect((await call('GET', '/api1/collections/', { cert: 'two-factor' })).status).toBe(401);
      expect((await call('GET', objects(), { auth: `Bearer ${token}`, cert: 'two-factor' })).status).toBe(200);
      expect(await lastCredential('two-factor')).toBe(`token:${record.id}+certificate:${cert.body.id as string}`);
    });

    it('a certificate nobody lists is no credential (401), and a bad fingerprint is refused by the admin API', async () => {
      makeCert('stranger', '/CN=stranger');
      expect((await call('GET', '/api1/collections/', { cert: 'stranger' })).status).toBe(401);
      const bad = await request(h.app)
        .post('/admin/accounts/siem-fr/certificates')
        .set('Authorization', h.accounts.admin.auth)
        .send({ fingerprint: 'abc', label: 'x' });
      expect(bad.status).toBe(400);
    });
  });
});
