/**
 * `accord import`: streams a bundle file into a collection in batches, through the same
 * validation, preparation and store path as TAXII Add Objects, reporting progress as it goes.
 */
import { randomUUID } from 'node:crypto';
import type { CollectionRecord } from '../catalog/types';
import type { StatusDetail } from '../store/object-store';
import type { Store } from '../store/store';
import { streamBundleObjects } from '../taxii/bundle-stream';
import { prepareObjects, UnparsableObject, validatorFor } from '../taxii/object-metadata';
import type { Clock } from '../time';

const BATCH = 1000;
const MAX_REPORTED_FAILURES = 1000;

export interface ImportResult {
  stored: number;
  duplicates: number;
  failed: number;
  failures: StatusDetail[];
}

export async function importBundle(
  store: Store,
  clock: Clock,
  collection: CollectionRecord,
  input: AsyncIterable<Buffer | string>,
  maxObjectSize: number,
  progress?: (line: string) => void,
): Promise<ImportResult> {
  const root = await store.getApiRoot(collection.apiRoot);
  if (!root) throw new Error(`collection ${collection.id} names a missing API root "${collection.apiRoot}"`);
  // The root's own content policy, as for TAXII Add Objects.
  const options = { validator: validatorFor(root), maxObjectSize };
  const result: ImportResult = { stored: 0, duplicates: 0, failed: 0, failures: [] };
  const started = Date.now();
  let seen = 0;
  let batch: string[] = [];

  const flush = async () => {
    const values = batch.map((text) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        return new UnparsableObject((e as Error).message);
      }
    });
    const { objects, failures } = prepareObjects(values, { ...options, firstPosition: seen - batch.length });
    const status = await store.addObjects({
      statusId: randomUUID(),
      apiRoot: collection.apiRoot,
      collectionId: collection.id,
      accountId: 'cli:import',
      requestTimestamp: clock(),
      now: clock(),
      objects,
      failures,
    });
    for (const s of status.successes) {
      if (s.message === 'already stored') result.duplicates++;
      else result.stored++;
    }
    result.failed += status.failureCount;
    result.failures.push(...status.failures.slice(0, MAX_REPORTED_FAILURES - result.failures.length));
    batch = [];
    const secs = (Date.now() - started) / 1000;
    progress?.(`${seen} objects read, ${result.stored} stored, ${result.failed} failed (${Math.round(seen / Math.max(secs, 0.001))} objects/s)`);
  };

  for await (const text of streamBundleObjects(input)) {
    batch.push(text);
    seen++;
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  return result;
}
