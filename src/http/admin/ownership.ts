/** The owner of an object id in a collection (src/access/ownership.ts), and its transfer. */
import { transferOwnership } from '../../catalog/ownership';
import { ok, type AdminCall, type Reply } from './call';
import { fail } from '../../errors';

export async function getOwner({ ctx, param }: AdminCall): Promise<Reply> {
  const owner = await ctx.store.ownerOf(param('id'), param('objectId'));
  if (owner === undefined) throw fail('not-found', 'no owner is recorded for this object in this collection');
  return ok({ collection: param('id'), object: param('objectId'), owner });
}

export async function putOwner({ ctx, by, param, body }: AdminCall): Promise<Reply> {
  const party = (body as { party?: unknown } | null)?.party;
  if (typeof party !== 'string' || party.length === 0 || Object.keys(body as object).length !== 1)
    throw fail('invalid-request', 'the body is {"party": "<party id>"}');
  const t = await transferOwnership(ctx.store, ctx.clock, by, param('id'), param('objectId'), party);
  return ok({ collection: t.collection, object: t.object, owner: t.to, previous_owner: t.from });
}
