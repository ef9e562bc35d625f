/**
 * The admin API's route table, below /admin. src/http/admin/router.ts builds the router from
 * it; test/admin/openapi.test.ts walks that router and checks it against schemas/admin/openapi.json.
 */
import { createAccount, getAccount, issueAccountToken, listAccounts, patchAccount, revokeAccountToken } from './accounts';
import { createAgreementHandler, getAgreement, getVersion, listAgreements, listVersions, moveTo, reviseAgreementHandler } from './agreements';
import { ok, type AdminCall, type Reply } from './call';
import { addAccountCertificate, listAccountCertificates, revokeAccountCertificate } from './certificates';
import { listChanges } from './changes';
import { defineCollection, listCollections } from './collections';
import { createFeed, deleteFeed, getFeed, listFeeds, pauseFeed, runFeedNow } from './feeds';
import { openApiDocument } from './openapi';
import { getOwner, putOwner } from './ownership';
import { createParty, getParty, listParties, replaceParty } from './parties';

export interface AdminRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  /** Takes a JSON body: 415 unless application/json, 413 beyond 1 MiB. */
  body?: true;
  /** The query parameters it accepts; any other is a 400. */
  query?: readonly string[];
  run(call: AdminCall): Promise<Reply>;
}

const openApi = async (): Promise<Reply> => ok(openApiDocument());

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  { method: 'get', path: '/openapi.json', run: openApi },
  { method: 'get', path: '/parties', run: listParties },
  { method: 'post', path: '/parties', body: true, run: createParty },
  { method: 'get', path: '/parties/:id', run: getParty },
  { method: 'put', path: '/parties/:id', body: true, run: replaceParty },
  { method: 'get', path: '/accounts', run: listAccounts },
  { method: 'post', path: '/accounts', body: true, run: createAccount },
  { method: 'get', path: '/accounts/:name', run: getAccount },
  { method: 'patch', path: '/accounts/:name', body: true, run: patchAccount },
  { method: 'post', path: '/accounts/:name/tokens', body: true, run: issueAccountToken },
  { method: 'delete', path: '/tokens/:id', run: revokeAccountToken },
  { method: 'get', path: '/accounts/:name/certificates', run: listAccountCertificates },
  { method: 'post', path: '/accounts/:name/certificates', body: true, run: addAccountCertificate },
  { method: 'delete', path: '/certificates/:id', run: revokeAccountCertificate },
  { method: 'get', path: '/collections', run: listCollections },
  { method: 'put', path: '/collections/:id', body: true, run: defineCollection },
  { method: 'get', path: '/collections/:id/objects/:objectId/owner', run: getOwner },
  { method: 'put', path: '/collections/:id/objects/:objectId/owner', body: true, run: putOwner },
  { method: 'get', path: '/agreements', run: listAgreements },
  { method: 'post', path: '/agreements', body: true, run: createAgreementHandler },
  { method: 'get', path: '/agreements/:id', run: getAgreement },
  { method: 'put', path: '/agreements/:id', body: true, run: reviseAgreementHandler },
  { method: 'get', path: '/agreements/:id/versions', run: listVersions },
  { method: 'get', path: '/agreements/:id/versions/:version', run: getVersion },
  { method: 'post', path: '/agreements/:id/activate', run: moveTo('active') },
  { method: 'post', path: '/agreements/:id/suspend', run: moveTo('suspended') },
  { method: 'post', path: '/agreements/:id/revoke', run: moveTo('revoked') },
  { method: 'get', path: '/feeds', run: listFeeds },
  { method: 'post', path: '/feeds', body: true, run: createFeed },
  { method: 'get', path: '/feeds/:name', run: getFeed },
  { method: 'delete', path: '/feeds/:name', run: deleteFeed },
  { method: 'post', path: '/feeds/:name/pause', run: pauseFeed(true) },
  { method: 'post', path: '/feeds/:name/resume', run: pauseFeed(false) },
  { method: 'post', path: '/feeds/:name/run', run: runFeedNow },
  { method: 'get', path: '/changes', query: ['after', 'limit'], run: listChanges },
];
