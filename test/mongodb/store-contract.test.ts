/**
 * The whole store contract (test/contract/store-contract.ts, audit-contract.ts) on MongoStore, with the MongoDB
 * driver's calls answered in process by the mingo double: MongoStore's own code (its role
 * classes, query documents, write plans and transactions as written) against the same suite
 * as SQLite. Not a MongoDB test: the real-server run is test/contract/mongodb.test.ts.
 */
import { runAuditContract } from '../contract/audit-contract';
import { runStoreContract } from '../contract/store-contract';
import { MINGO_SUITE, mingoStore } from './mingo-store';

runStoreContract(MINGO_SUITE, mingoStore);
runAuditContract(MINGO_SUITE, mingoStore);
