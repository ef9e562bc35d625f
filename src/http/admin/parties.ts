/** Parties: the organisations that sign agreements and own accounts. */
import { checkParty, partyResource, savePartyChecked } from '../../catalog/parties';
import { created, ok, type AdminCall, type Reply } from './call';
import { fail } from '../../errors';

export async function listParties({ ctx }: AdminCall): Promise<Reply> {
  return ok({ parties: (await ctx.store.listParties()).map(partyResource) });
}

export async function createParty({ ctx, by, body }: AdminCall): Promise<Reply> {
  // Validate first, so a bad body is a 400 whether or not its id is taken.
  const { id } = checkParty(body);
  if (await ctx.store.getParty(id)) throw fail('conflict', `a party "${id}" exists already`);
  return created(partyResource(await savePartyChecked(ctx.store, ctx.clock, by, body)));
}

export async function getParty({ ctx, param }: AdminCall): Promise<Reply> {
  const party = await ctx.store.getParty(param('id'));
  if (!party) throw fail('not-found', `no party "${param('id')}"`);
  return ok(partyResource(party));
}

/** Replaces an existing party's description; new parties are created with POST. */
export async function replaceParty({ ctx, by, param, body }: AdminCall): Promise<Reply> {
  if (!(await ctx.store.getParty(param('id')))) throw fail('not-found', `no party "${param('id')}"`);
  if (checkParty(body).id !== param('id')) throw fail('invalid-request', 'the id in the body differs from the one in the path');
  return ok(partyResource(await savePartyChecked(ctx.store, ctx.clock, by, body)));
}
