/** The TLS client certificates of accounts (src/catalog/certificates.ts). */
import { addCertificate, revokeCertificate, type CertificateSpec } from '../../catalog/certificates';
import type { CertificateRecord } from '../../catalog/types';
import { formatTimestamp } from '../../time';
import { created, noContent, ok, type AdminCall, type Reply } from './call';
import { checked } from './openapi';
import { fail } from '../../errors';

export const certificateResource = (c: CertificateRecord) => ({
  id: c.id,
  label: c.label,
  fingerprint: c.fingerprint,
  subject: c.subject,
  issuer: c.issuer,
  created: formatTimestamp(c.createdAt),
  revoked: c.revokedAt === null ? null : formatTimestamp(c.revokedAt),
});

export async function listAccountCertificates({ ctx, param }: AdminCall): Promise<Reply> {
  const account = await ctx.store.getAccountByName(param('name'));
  if (!account) throw fail('not-found', `no account named "${param('name')}"`);
  return ok({ certificates: (await ctx.store.listCertificates(account.id)).map(certificateResource) });
}

export async function addAccountCertificate(call: AdminCall): Promise<Reply> {
  const spec = checked<CertificateSpec>('CertificateNew', call.body);
  if (!(await call.ctx.store.getAccountByName(call.param('name')))) throw fail('not-found', `no account named "${call.param('name')}"`);
  return created(certificateResource(await addCertificate(call.ctx.store, call.ctx.clock, call.param('name'), spec, call.by)));
}

export async function revokeAccountCertificate({ ctx, by, param }: AdminCall): Promise<Reply> {
  if (!(await revokeCertificate(ctx.store, ctx.clock, param('id'), by))) throw fail('not-found', `no active certificate "${param('id')}"`);
  return noContent;
}
