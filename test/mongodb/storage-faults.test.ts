/**
 * Regression (issue 12, "storage faults answer 500"), MongoDB side: a server that is out of
 * disk, has no writable primary or cannot meet the write concern answers "not now", which the
 * adapter reports as StoreUnavailable (503 with Retry-After); other server errors stay what
 * they are. Checked on the mingo double, with the fault raised as the driver raises it.
 */
import { MongoServerError } from 'mongodb';
import { AccordError } from '../../src/errors';
import { openMingoStore } from './mingo-store';

describe('MongoDB storage faults are "unavailable" (logic, mingo double)', () => {
  it.each([
    [14031, 'OutOfDiskSpace'],
    [10107, 'NotWritablePrimary'],
    [64, 'WriteConcernFailed'],
  ])('server error %d (%s) on the /readyz write probe is "storage-unavailable" (503, Retry-After)', async (code, name) => {
    const { store, db } = await openMingoStore();
    db.collection('meta').updateOne = async () => {
      throw new MongoServerError({ message: name, code });
    };
    await expect(store.probeWrite(1)).rejects.toMatchObject({
      code: 'storage-unavailable',
      kind: 'unavailable',
      retryAfterSeconds: expect.any(Number),
    });
  });

  it('another server error (a bad value) is not mistaken for one', async () => {
    const { store, db } = await openMingoStore();
    db.collection('meta').updateOne = async () => {
      throw new MongoServerError({ message: 'BadValue', code: 2 });
    };
    const err: unknown = await store.probeWrite(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err).not.toBeInstanceOf(AccordError);
  });
});
