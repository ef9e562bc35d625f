/**
 * Start-up against a MongoDB address where no server listens (a closed loopback port): the
 * real driver, no server. Connecting must fail fast and clearly, naming the hosts and never
 * the credentials.
 */
import { AccordError } from '../../src/errors';
import { MongoStore } from '../../src/store/mongodb/mongo-store';
import { openStore } from '../../src/store/open-store';

// Port 1 on the loopback: nothing listens there, so the connection is refused at once.
const NOBODY = 'mongodb://accord:pa55word@127.0.0.1:1/accord?serverSelectionTimeoutMS=300';

describe('MongoStore start-up without a reachable server', () => {
  it('connect() rejects with storage-unavailable naming the host and database, not the password', async () => {
    const started = Date.now();
    const error = await MongoStore.connect(NOBODY).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'storage-unavailable' });
    const message = (error as AccordError).message;
    expect(message).toContain('127.0.0.1:1');
    expect(message).toContain('"accord"');
    expect(message).not.toContain('pa55word');
    // serverSelectionTimeoutMS from the connection string wins over the adapter's default.
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('openStore() chooses the MongoDB store for a mongodb:// location and reports it unavailable', async () => {
    await expect(openStore(NOBODY)).rejects.toMatchObject({ kind: 'unavailable' });
  });
});
