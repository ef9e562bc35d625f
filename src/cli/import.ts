/**
 * `accord import`: streams a bundle file into a collection in batches, through the same
 * preparation and store path as TAXII Add Objects, reporting progress as it goes.
 */
import { randomUUID } from 'node:crypto';
import type { CollectionRecord, NewObject, StatusDetail, Store } from '../store/store';
import { streamBundleObjects } from '../taxii/bundle-stream';
import { objectMetadata } from '../taxii/object-metadata';
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
  progress?: (line: string) => void,
): Promise<ImportResult> {
  const result: ImportResult = { stored: 0, duplicates: 0, failed: 0, failures: [] };
  const started = Date.now();
  let seen = 0;
  let batch: string[] = [];

  const flush = async () => {
    const first = seen - batch.length;
    const objects: NewObject[] = [];
    const failures: StatusDetail[] = [];
    batch.forEach((text, i) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        failures.push({ id: `objects[${first + i}]`, message: `objects[${first + i}] is not valid JSON` });
        return;
      }
      const r = objectMetadata(value, first + i);
      if (r.ok) objects.push(r.object);
      else failures.push(r.failure);
    });
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
