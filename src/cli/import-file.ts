/**
 * `accord import FILE`: the file's SHA-256 first (the sharing log names the file by it), then
 * its objects streamed through the exchange service as the local operator.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { AgreementCache } from '../access/agreement-cache';
import type { AuditEventInput } from '../audit/events';
import type { Config } from '../config/config';
import { OPERATOR_AUTHORITY, type Actor } from '../exchange/actor';
import { Exchange } from '../exchange/exchange';
import { importBundle, type ImportResult } from '../exchange/import';
import type { CollectionRecord } from '../catalog/types';
import type { Store } from '../store/store';
import { systemClock, type Clock } from '../time';

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

export async function importFile(
  store: Store,
  config: Pick<Config, 'maxObjectSize' | 'operatorParty'>,
  operator: Actor,
  collection: CollectionRecord,
  file: string,
  progress?: (line: string) => void,
  clock: Clock = systemClock,
): Promise<ImportResult> {
  const apiRoot = await store.getApiRoot(collection.apiRoot);
  if (!apiRoot) throw new Error(`collection ${collection.id} names a missing API root "${collection.apiRoot}"`);
  const sha256 = await sha256Of(file);
  // One command, no queue: an event is appended as it is recorded (an import's own events
  // commit with its objects in the store).
  const log = { healthy: true, record: async (event: AuditEventInput) => void (await store.appendAuditEvents([event])) };
  const exchange = new Exchange({
    store,
    clock,
    log,
    agreements: new AgreementCache(store),
    maxObjectSize: config.maxObjectSize,
    operatorParty: config.operatorParty,
  });
  const call = { actor: operator, authority: OPERATOR_AUTHORITY, apiRoot, collection };
  return importBundle(exchange, call, { file, sha256 }, createReadStream(file), { clock, ...(progress && { progress }) });
}
