/** Talking to a real `accord serve` process: a prepared database and one-connection requests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { accord } from './cli';

const TAXII = 'application/taxii+json;version=2.1';

export interface Reply {
  status: number;
  body: string;
  /** The server's X-Request-Id: how the sharing log names the request. */
  requestId: string;
}

/** One request on its own connection (no keep-alive), so the cluster distributes each one. */
export function call(port: number, method: string, path: string, token: string, body?: string): Promise<Reply> {
  return callAs(port, method, path, `Bearer ${token}`, body);
}

/** call() with any Authorization header. */
export function callAs(port: number, method: string, path: string, authorization: string, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: { Authorization: authorization, Accept: TAXII, ...(body !== undefined && { 'Content-Type': TAXII }) },
      },
      (res) => {
        let data = '';
        res.on('data', (d: Buffer) => (data += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, requestId: String(res.headers['x-request-id']) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A database with the catalogue, an agreement letting the operator party read and write `fr`, and a token. */
export async function prepareDatabase(dir: string): Promise<{ db: string; token: string }> {
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'accord.db');
  expect((await accord(['init', '--db', db])).code).toBe(0);
  const agreement = join(dir, 'agreement.json');
  writeFileSync(
    agreement,
    JSON.stringify({
      title: 'Feed for France',
      instrument: 'test',
      parties: ['operator'],
      valid_from: '2020-01-01T00:00:00Z',
      status: 'active',
      grants: [{ party: 'operator', actions: ['read', 'write'], collections: { aliases: ['fr'] }, max_tlp: 'red' }],
    }),
  );
  const created = await accord(['agreement', 'create', agreement, '--db', db]);
  expect(created.stderr).toBe('');
  const account = await accord(['account', 'add', 'feed', '--role', 'writer', '--token', '--db', db]);
  const token = /^token: (\S+)$/m.exec(account.stdout)?.[1];
  if (!token) throw new Error(`no token in: ${account.stdout}${account.stderr}`);
  return { db, token };
}
