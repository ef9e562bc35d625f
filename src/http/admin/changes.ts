/** The change record: who changed what in the catalogue and when, oldest first, paged by sequence number. */
import { formatTimestamp } from '../../time';
import { ok, type AdminCall, type Reply } from './call';
import { fail } from '../../errors';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function whole(text: string, name: string): number {
  if (!/^\d{1,15}$/.test(text)) throw fail('invalid-request', `"${name}" must be a whole number, not "${text}"`);
  return Number(text);
}

export async function listChanges({ ctx, query }: AdminCall): Promise<Reply> {
  const after = query.after === undefined ? 0 : whole(query.after, 'after');
  const limit = query.limit === undefined ? DEFAULT_LIMIT : whole(query.limit, 'limit');
  if (limit < 1 || limit > MAX_LIMIT) throw fail('invalid-request', `"limit" must be between 1 and ${MAX_LIMIT}`);
  // One more than asked tells whether another page follows.
  const rows = await ctx.store.listChanges(limit + 1, after);
  const page = rows.slice(0, limit);
  const names = new Map((await ctx.store.listAccounts()).map((a) => [a.id, a.name]));
  const last = page.at(-1);
  return ok({
    changes: page.map((c) => ({
      seq: c.seq,
      at: formatTimestamp(c.at),
      by: c.by,
      ...(names.has(c.by) && { by_name: names.get(c.by) }),
      entity: c.entity,
      entity_id: c.entityId,
      action: c.action,
      ...(c.detail !== undefined && { detail: c.detail }),
    })),
    more: rows.length > limit,
    // The `after` of the next page, and of the next poll once `more` is false.
    ...(last !== undefined && { next: last.seq }),
  });
}
