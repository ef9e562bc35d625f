/**
 * Accounts and their API tokens. Secrets leave the server once: a generated password or a new
 * token in the response that creates it. Hashes never do.
 */
import { accountResource, addAccount, changeAccount, issueToken, parseRoles, revokeToken } from '../../catalog/accounts';
import type { AccountRecord, Role, TokenRecord } from '../../catalog/types';
import { formatTimestamp } from '../../time';
import { created, noContent, ok, type AdminCall, type Reply } from './call';
import { checked } from './openapi';
import { fail } from '../../errors';

interface AccountNew {
  name: string;
  roles: string[];
  party: string;
  password?: string | null;
}

interface AccountPatch {
  roles?: string[];
  disabled?: boolean;
  party?: string;
  password?: string | null;
  require_certificate?: boolean;
}

const tokenResource = (t: TokenRecord) => ({
  id: t.id,
  label: t.label,
  created: formatTimestamp(t.createdAt),
  revoked: t.revokedAt === null ? null : formatTimestamp(t.revokedAt),
});

async function detail(call: AdminCall, account: AccountRecord) {
  return { ...accountResource(account), tokens: (await call.ctx.store.listTokens(account.id)).map(tokenResource) };
}

async function named(call: AdminCall): Promise<AccountRecord> {
  const account = await call.ctx.store.getAccountByName(call.param('name'));
  if (!account) throw fail('not-found', `no account named "${call.param('name')}"`);
  return account;
}

export async function listAccounts({ ctx }: AdminCall): Promise<Reply> {
  return ok({ accounts: (await ctx.store.listAccounts()).map(accountResource) });
}

export async function createAccount(call: AdminCall): Promise<Reply> {
  const input = checked<AccountNew>('AccountNew', call.body);
  const roles = parseRoles(input.roles);
  if (await call.ctx.store.getAccountByName(input.name)) throw fail('conflict', `an account named "${input.name}" exists already`);
  const { account, generatedPassword } = await addAccount(
    call.ctx.store,
    call.ctx.clock,
    {
      name: input.name,
      roles,
      partyId: input.party,
      operatorParty: call.ctx.config.operatorParty,
      ...(input.password !== undefined && { password: input.password }),
    },
    call.by,
  );
  return created({ ...(await detail(call, account)), ...(generatedPassword !== undefined && { generated_password: generatedPassword }) });
}

export async function getAccount(call: AdminCall): Promise<Reply> {
  return ok(await detail(call, await named(call)));
}

export async function patchAccount(call: AdminCall): Promise<Reply> {
  const input = checked<AccountPatch>('AccountPatch', call.body);
  const account = await named(call);
  const roles: Role[] | undefined = input.roles === undefined ? undefined : parseRoles(input.roles);
  // An administrator cannot lock themself out through the API; another admin (or the CLI) can.
  if (account.id === call.by && (input.disabled === true || (roles !== undefined && !roles.includes('admin')))) {
    throw fail('conflict', 'you cannot disable your own account or remove your own admin role; ask another administrator');
  }
  const updated = await changeAccount(
    call.ctx.store,
    call.ctx.clock,
    account.name,
    {
      ...(roles !== undefined && { roles }),
      ...(input.disabled !== undefined && { disabled: input.disabled }),
      ...(input.party !== undefined && { partyId: input.party }),
      ...(input.password !== undefined && { password: input.password }),
      operatorParty: call.ctx.config.operatorParty,
      ...(input.require_certificate !== undefined && { requireCertificate: input.require_certificate }),
    },
    call.by,
  );
  return ok(await detail(call, updated));
}

export async function issueAccountToken(call: AdminCall): Promise<Reply> {
  const { label } = checked<{ label: string }>('TokenNew', call.body);
  const account = await named(call);
  const { token, record } = await issueToken(call.ctx.store, call.ctx.clock, account.id, label, call.by);
  return created({ ...tokenResource(record), token });
}

export async function revokeAccountToken({ ctx, by, param }: AdminCall): Promise<Reply> {
  if (!(await revokeToken(ctx.store, ctx.clock, param('id'), by))) throw fail('not-found', `no active token "${param('id')}"`);
  return noContent;
}
