/** TAXII 2.1 §5.1 Get Collections and §5.2 Get A Collection. */
import type { RequestHandler } from 'express';
import { collectionRights, type GrantBinding } from '../../access/decide';
import type { Principal } from '../../auth/principal';
import type { CollectionRecord } from '../../catalog/types';
import type { Micros } from '../../time';
import type { AppContext } from '../context';
import { sendTaxiiJson } from '../respond';
import { apiRootOf, collectionOf, principalOf } from '../routing';

function resource(principal: Principal, c: CollectionRecord, now: Micros, bindings: readonly GrantBinding[]) {
  const { canRead, canWrite } = collectionRights(principal, c, now, bindings);
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
    const bindings = await ctx.agreements.bindingsFor(principal.partyId);
    const now = ctx.clock();
    const visible = (await ctx.store.listCollections(apiRootOf(res).path))
      .map((c) => resource(principal, c, now, bindings))
      .filter((c) => c.can_read || c.can_write);
    // The standard omits the property when there is nothing to list.
    sendTaxiiJson(res, 200, visible.length ? { collections: visible } : {});
  };
}

export function getCollection(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(req);
    sendTaxiiJson(res, 200, resource(principal, collectionOf(res), ctx.clock(), await ctx.agreements.bindingsFor(principal.partyId)));
  };
}
