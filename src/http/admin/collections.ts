/** Collections in every API root, as administrators see and define them. */
import { created, ok, type AdminCall, type Reply } from './call';
import { collectionResource, putCollection } from '../../catalog/collections';

export async function listCollections({ ctx }: AdminCall): Promise<Reply> {
  return ok({ collections: (await ctx.store.listCollections()).map(collectionResource) });
}

export async function defineCollection({ ctx, by, param, body }: AdminCall): Promise<Reply> {
  const { collection, created: isNew } = await putCollection(ctx.store, ctx.clock, by, param('id'), body);
  return isNew ? created(collectionResource(collection)) : ok(collectionResource(collection));
}
