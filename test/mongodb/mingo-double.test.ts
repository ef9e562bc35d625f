/**
 * The mingo double answers as the driver and server would for what MongoStore relies on:
 * unique indexes refuse duplicates (on insert and on update, changing nothing), a failed
 * transaction leaves nothing behind, upserts start from the filter's equalities, and
 * findOneAndUpdate returns the document after the update. If these did not hold, the
 * logic tests run over it could pass where a server would fail.
 */
import { MongoServerError } from 'mongodb';
import { MingoClient } from './mingo-double';

async function accounts() {
  const client = new MingoClient();
  const collection = client.db().collection('accounts');
  await collection.createIndexes([{ key: { name: 1 }, name: 'accounts_name', unique: true }]);
  await collection.insertOne({ _id: 'a', name: 'alice', n: 1 });
  await collection.insertOne({ _id: 'b', name: 'bob', n: 2 });
  return { client, collection };
}

describe('the mingo double of the MongoDB driver', () => {
  it('a unique index refuses a duplicate insert with code 11000, and the document is not stored', async () => {
    const { collection } = await accounts();
    const error = await collection.insertOne({ _id: 'c', name: 'alice' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 11000 });
    expect(await collection.countDocuments({})).toBe(2);
    await expect(collection.insertOne({ _id: 'a', name: 'carol' })).rejects.toMatchObject({ code: 11000 });
  });

  it('an update that would duplicate a unique key fails and changes nothing', async () => {
    const { collection } = await accounts();
    await expect(collection.updateMany({}, { $set: { name: 'same' } })).rejects.toMatchObject({ code: 11000 });
    expect((await collection.find({}).sort({ _id: 1 }).toArray()).map((d) => d.name)).toEqual(['alice', 'bob']);
    // Renaming one to a free name works, and frees the old one.
    await collection.updateOne({ _id: 'a' }, { $set: { name: 'anna' } });
    await collection.insertOne({ _id: 'c', name: 'alice' });
    expect(await collection.countDocuments({})).toBe(3);
  });

  it('a transaction whose work fails restores every collection; one that succeeds keeps its writes', async () => {
    const { client, collection } = await accounts();
    const session = client.startSession();
    await expect(
      session.withTransaction(async () => {
        await collection.updateOne({ _id: 'a' }, { $inc: { n: 10 } });
        await client.db().collection('other').insertOne({ _id: 'x' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await collection.findOne({ _id: 'a' })).toEqual({ _id: 'a', name: 'alice', n: 1 });
    expect(await client.db().collection('other').countDocuments({})).toBe(0);
    await session.withTransaction(async () => collection.updateOne({ _id: 'a' }, { $inc: { n: 10 } }));
    expect(await collection.findOne({ _id: 'a' })).toMatchObject({ n: 11 });
  });

  it('an upsert inserts the filter’s equalities with $set and $setOnInsert; on a match $setOnInsert is ignored', async () => {
    const { collection } = await accounts();
    await collection.updateOne({ _id: 'k', kind: 'x' }, { $set: { v: 1 }, $setOnInsert: { created: true } }, { upsert: true });
    expect(await collection.findOne({ _id: 'k' })).toEqual({ _id: 'k', kind: 'x', v: 1, created: true });
    await collection.updateOne({ _id: 'k' }, { $set: { v: 2 }, $setOnInsert: { created: false } }, { upsert: true });
    expect(await collection.findOne({ _id: 'k' })).toEqual({ _id: 'k', kind: 'x', v: 2, created: true });
  });

  it('findOneAndUpdate returns the document after the update when asked, before otherwise, null when none matches', async () => {
    const { collection } = await accounts();
    expect(await collection.findOneAndUpdate({ _id: 'b' }, { $inc: { n: 1 } }, { returnDocument: 'after' })).toEqual({ _id: 'b', name: 'bob', n: 3 });
    expect(await collection.findOneAndUpdate({ _id: 'b' }, { $inc: { n: 1 } })).toEqual({ _id: 'b', name: 'bob', n: 3 });
    expect(await collection.findOneAndUpdate({ _id: 'z' }, { $inc: { n: 1 } })).toBeNull();
  });

  it('documents read are copies: changing one does not change what is stored', async () => {
    const { collection } = await accounts();
    const doc = (await collection.findOne({ _id: 'a' })) as { name: string };
    doc.name = 'mallory';
    expect(await collection.findOne({ _id: 'a' })).toMatchObject({ name: 'alice' });
  });
});
