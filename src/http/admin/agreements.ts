/**
 * Agreements: created, revised (a new version once an agreement has been in force), and moved
 * through their lifecycle. Every version stays readable, because audit records cite `id@version`.
 */
import { agreementResource, createAgreement, reviseAgreement, setAgreementStatus } from '../../catalog/agreements';
import type { AgreementStatus } from '../../catalog/types';
import { created, ok, type AdminCall, type Reply } from './call';
import { fail } from '../../errors';

export async function listAgreements({ ctx }: AdminCall): Promise<Reply> {
  return ok({ agreements: (await ctx.store.listAgreements()).map(agreementResource) });
}

export async function createAgreementHandler({ ctx, by, body }: AdminCall): Promise<Reply> {
  return created(agreementResource(await createAgreement(ctx.store, ctx.clock, by, body)));
}

export async function getAgreement({ ctx, param }: AdminCall): Promise<Reply> {
  const agreement = await ctx.store.getAgreement(param('id'));
  if (!agreement) throw fail('not-found', `no agreement "${param('id')}"`);
  return ok(agreementResource(agreement));
}

export async function listVersions({ ctx, param }: AdminCall): Promise<Reply> {
  const versions = await ctx.store.listAgreementVersions(param('id'));
  if (versions.length === 0) throw fail('not-found', `no agreement "${param('id')}"`);
  return ok({ versions: versions.map(agreementResource) });
}

export async function getVersion({ ctx, param }: AdminCall): Promise<Reply> {
  const text = param('version');
  if (!/^[1-9]\d{0,8}$/.test(text)) throw fail('invalid-request', `"${text}" is not a version number (1, 2, …)`);
  const agreement = await ctx.store.getAgreement(param('id'), Number(text));
  if (!agreement) throw fail('not-found', `agreement "${param('id')}" has no version ${text}`);
  return ok(agreementResource(agreement));
}

export async function reviseAgreementHandler({ ctx, by, param, body }: AdminCall): Promise<Reply> {
  return ok(agreementResource(await reviseAgreement(ctx.store, ctx.clock, by, param('id'), body)));
}

/** activate, suspend, revoke: the lifecycle moves the service allows (409 for the others). */
export const moveTo =
  (status: Exclude<AgreementStatus, 'draft'>) =>
  async ({ ctx, by, param }: AdminCall): Promise<Reply> =>
    ok(agreementResource(await setAgreementStatus(ctx.store, ctx.clock, by, param('id'), status)));
