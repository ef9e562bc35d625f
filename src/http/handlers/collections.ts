/** TAXII 2.1 §5.1 Get Collections and §5.2 Get A Collection. */
import type { RequestHandler } from 'express';
import { collectionRights } from '../../access/decide';
import type { Principal } from '../../auth/principal';
import type { CollectionRecord } from '../../store/store';
import type { AppContext } from '../context';
import { sendTaxiiJson } from '../respond';
import { apiRootOf, collectionOf, principalOf } from '../routing';

function resource(principal: Principal, c: CollectionRecord) {
  const { canRead, canWrite } = collectionRights(principal, c);
  return {
    id: c.id,
    title: c.title,
    ...(c.description !== undefined && { description: c.description }),
    ...(c.alias !== undefined && { alias: c.alias }),
    can_read: canRead,
    can_write: canWrite,
    media_types: c.mediaTypes,
  };
}

export function getCollections(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(req);
    const visible = (await ctx.store.listCollections(apiRootOf(res).path))
      .map((c) => resource(principal, c))
      .filter((c) => c.can_read || c.can_write);
    // The standard omits the property when there is nothing to list.
    sendTaxiiJson(res, 200, visible.length ? { collections: visible } : {});
  };
}

export function getCollection(): RequestHandler {
  return (req, res) => sendTaxiiJson(res, 200, resource(principalOf(req), collectionOf(res)));
}
