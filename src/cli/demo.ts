/**
 * `accord demo` (what `npm start` runs): a server on 127.0.0.1 with the catalogue, sample
 * OASIS content and one account per role. The first run creates the database and the
 * credentials (random, written to a file only the user can read); later runs reuse them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyCatalog, defaultCatalogDir } from '../catalog/catalog';
import { addAccount, issueToken } from '../catalog/accounts';
import { createAgreement } from '../catalog/agreements';
import { savePartyChecked } from '../catalog/parties';
import { DEFAULTS, loadConfig } from '../config/config';
import { createLogger } from '../log';
import { packageRoot } from '../paths';
import { startServer, type RunningServer } from '../server';
import { openStore } from '../store/open-store';
import type { Role } from '../catalog/types';
import type { Store } from '../store/store';
import { formatTimestamp, systemClock } from '../time';
import { localOperator } from '../exchange/actor';
import { PRIVATE_MODE } from '../files';
import { importFile } from './import-file';
import { findCollection } from './options';

const SAMPLES: { file: string; collection: string }[] = [
  { file: 'apt1.json', collection: 'global' },
  { file: 'poisonivy.json', collection: 'global' },
  { file: 'tlp-samples.json', collection: 'global' },
  { file: 'indicator-for-c2-ip-address.json', collection: 'fr' },
  { file: 'indicators-for-C2-with-COA.json', collection: 'de' },
  { file: 'malicious-email-indicator-with-attachment.json', collection: 'br' },
  { file: 'infrastructure.json', collection: 'sandbox' },
];

const DAY = 86_400_000_000;

interface Story {
  parties: unknown[];
  agreements: (Record<string, unknown> & { from_days: number; until_days: number | null })[];
  accounts: { name: string; roles: Role[]; party: string; what: string; token?: boolean }[];
}

/** The demo's parties, agreements and accounts (demo/story.json), and the sample content. */
async function seed(store: Store, credentialsFile: string): Promise<void> {
  const story = JSON.parse(readFileSync(join(packageRoot(), 'demo', 'story.json'), 'utf8')) as Story;
  const operator = localOperator('demo');
  const by = operator.accountId;
  await applyCatalog(store, defaultCatalogDir(), DEFAULTS.maxContentLength, systemClock, by);
  for (const party of story.parties) await savePartyChecked(store, systemClock, by, party);
  const now = systemClock();
  for (const { from_days, until_days, ...agreement } of story.agreements) {
    await createAgreement(store, systemClock, by, {
      ...agreement,
      status: 'active',
      valid_from: formatTimestamp(now + from_days * DAY),
      valid_until: until_days === null ? null : formatTimestamp(now + until_days * DAY),
    });
  }
  const lines = ['# Accord demo credentials (generated on first start; keep private)'];
  for (const a of story.accounts) {
    const { account, generatedPassword } = await addAccount(store, systemClock, { name: a.name, roles: a.roles, partyId: a.party }, by);
    lines.push(`${a.name.padEnd(12)} password=${generatedPassword ?? ''}  # ${a.what}`);
    if (a.token) lines.push(`${a.name.padEnd(12)} token=${(await issueToken(store, systemClock, account.id, 'demo', by)).token}`);
  }
  for (const s of SAMPLES) {
    const collection = await findCollection(store, s.collection);
    await importFile(store, DEFAULTS, operator, collection, join(packageRoot(), 'demo', s.file));
  }
  writeFileSync(credentialsFile, lines.join('\n') + '\n', { mode: PRIVATE_MODE });
}

/** `port`: the --port flag; without it ACCORD_PORT (as for `serve`), then 8080. */
export async function runDemo(dir: string, port?: number): Promise<RunningServer> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const db = join(dir, 'accord.db');
  const credentialsFile = join(dir, 'credentials.txt');
  const config = loadConfig({ overrides: { store: db, host: '127.0.0.1', ...(port !== undefined && { port }) }, env: process.env });
  const store = await openStore(db, config);
  if (!existsSync(credentialsFile)) await seed(store, credentialsFile);
  const server = await startServer(config, store, createLogger(process.env.ACCORD_LOG_LEVEL ? config.logLevel : 'warn'));
  const credentials = readFileSync(credentialsFile, 'utf8');
  const password = (name: string) => new RegExp(`^${name}\\s+password=(\\S+)`, 'm').exec(credentials)?.[1] ?? '';
  const base = server.url;
  process.stdout.write(`
Accord demo is running: ${base}/taxii2/   (Ctrl-C to stop)
Web console: ${base}/console/   (sign in as auditor, admin, or a reader or writer below)
Database: ${db}   Credentials: ${credentialsFile}

${credentials}
The story: gcc-analyst reads everything; acme-feed pushes to every country collection and
global up to TLP:AMBER; fr-siem and br-siem read their own country and global (Brazil up to
TLP:GREEN only, at most 600 requests a minute by its agreement's terms); de-siem's agreement
has expired; the auditor sees no content.

Try:
  curl -u fr-siem:${password('fr-siem')} -H 'Accept: application/taxii+json;version=2.1' ${base}/exchange/collections/
  curl -g -u fr-siem:${password('fr-siem')} '${base}/exchange/collections/global/objects/?match[type]=indicator&limit=5'
  curl -u de-siem:${password('de-siem')} ${base}/exchange/collections/global/       # 404: agreement expired
  curl -u acme-feed:${password('acme-feed')} -H 'Content-Type: application/taxii+json;version=2.1' \\
       --data-binary @demo/indicator-for-c2-ip-address.json ${base}/exchange/collections/br/objects/
`);
  return server;
}
