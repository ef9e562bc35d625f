/**
 * `accord demo` (what `npm start` runs): a server on 127.0.0.1 with the catalogue, sample
 * OASIS content and one account per role. The first run creates the database and the
 * credentials (random, written to a file only the user can read); later runs reuse them.
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyCatalog, defaultCatalogDir } from '../catalog/catalog';
import { addAccount, issueToken } from '../catalog/accounts';
import { DEFAULTS, loadConfig } from '../config/config';
import { createLogger } from '../log';
import { packageRoot } from '../paths';
import { startServer, type RunningServer } from '../server';
import { openStore } from '../store/open-store';
import type { ApiRootRecord, Role, Store } from '../store/store';
import { validatorFor } from '../taxii/object-metadata';
import { systemClock } from '../time';
import { findCollection } from './commands';
import { importBundle } from './import';

const ACCOUNTS: { name: string; roles: Role[] }[] = [
  { name: 'admin', roles: ['admin'] },
  { name: 'analyst', roles: ['reader'] },
  { name: 'vendor', roles: ['writer'] },
  { name: 'auditor', roles: ['auditor'] },
];

const SAMPLES: { file: string; collection: string }[] = [
  { file: 'apt1.json', collection: 'global' },
  { file: 'poisonivy.json', collection: 'global' },
  { file: 'indicator-for-c2-ip-address.json', collection: 'fr' },
  { file: 'indicators-for-C2-with-COA.json', collection: 'de' },
  { file: 'malicious-email-indicator-with-attachment.json', collection: 'br' },
  { file: 'infrastructure.json', collection: 'sandbox' },
];

async function seed(store: Store, credentialsFile: string): Promise<void> {
  await applyCatalog(store, defaultCatalogDir(), 10 * 1024 * 1024);
  const lines = ['# Accord demo credentials (generated on first start; keep private)'];
  for (const a of ACCOUNTS) {
    const { account, generatedPassword } = await addAccount(store, systemClock, { name: a.name, roles: a.roles, partyId: 'operator' });
    lines.push(`${a.name.padEnd(8)} role=${a.roles.join(',').padEnd(8)} password=${generatedPassword ?? ''}`);
    if (a.name === 'analyst') lines.push(`analyst  token=${(await issueToken(store, systemClock, account.id, 'demo')).token}`);
  }
  for (const s of SAMPLES) {
    const collection = await findCollection(store, s.collection);
    const root = (await store.getApiRoot(collection.apiRoot)) as ApiRootRecord;
    await importBundle(store, systemClock, collection, createReadStream(join(packageRoot(), 'demo', s.file)), { validator: validatorFor(root), maxObjectSize: DEFAULTS.maxObjectSize });
  }
  writeFileSync(credentialsFile, lines.join('\n') + '\n', { mode: 0o600 });
}

export async function runDemo(dir: string, port: number): Promise<RunningServer> {
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'accord.db');
  const credentialsFile = join(dir, 'credentials.txt');
  const config = loadConfig({ overrides: { store: db, port, host: '127.0.0.1' }, env: { logLevel: 'warn', ...process.env } });
  const store = await openStore(db);
  if (!existsSync(credentialsFile)) await seed(store, credentialsFile);
  const server = await startServer(config, store, createLogger(process.env.ACCORD_LOG_LEVEL ? config.logLevel : 'warn'));
  const credentials = readFileSync(credentialsFile, 'utf8');
  const password = (name: string) => new RegExp(`^${name}\\s.*password=(\\S+)`, 'm').exec(credentials)?.[1] ?? '';
  const base = server.url;
  process.stdout.write(`
Accord demo is running: ${base}/taxii2/   (Ctrl-C to stop)
Database: ${db}   Credentials: ${credentialsFile}

${credentials}
Try:
  curl -u analyst:${password('analyst')} -H 'Accept: application/taxii+json;version=2.1' ${base}/exchange/collections/global/
  curl -g -u analyst:${password('analyst')} '${base}/exchange/collections/global/objects/?match[type]=indicator&limit=5'
  curl -u vendor:${password('vendor')} -H 'Content-Type: application/taxii+json;version=2.1' \\
       --data-binary @demo/indicator-for-c2-ip-address.json ${base}/exchange/collections/global/objects/
`);
  return server;
}
