/**
 * TLS client certificates of accounts from the command line (src/catalog/certificates.ts):
 * `account certificate NAME (--fingerprint F | --subject S --issuer I)`, `account certificates
 * NAME`, `account revoke-certificate ID`, `account require-certificate NAME on|off`.
 */
import type { Command } from 'commander';
import { changeAccount, requireAccount } from '../catalog/accounts';
import { addCertificate, revokeCertificate } from '../catalog/certificates';
import { formatTimestamp, systemClock } from '../time';
import { configOption, dbOption, withStore, type StoreOptions } from './options';
import { fail } from '../errors';

const out = (text: string) => process.stdout.write(text);

export function registerCertificateCommands(account: Command): void {
  account
    .command('certificate <name>')
    .description('let an account sign in with a TLS client certificate: one pinned by fingerprint, or any with this subject and issuer under tls.ca')
    .option('--fingerprint <sha256>', 'SHA-256 fingerprint (openssl x509 -noout -fingerprint -sha256)')
    .option('--subject <dn>', 'subject, e.g. "CN=siem-fr, O=Police nationale" (with --issuer)')
    .option('--issuer <dn>', 'issuer (with --subject)')
    .option('--label <text>', 'what the certificate is for', 'cli')
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (name: string, opts: StoreOptions & { fingerprint?: string; subject?: string; issuer?: string; label: string }) => {
      const byName = opts.subject !== undefined && opts.issuer !== undefined;
      if ((opts.fingerprint !== undefined) === byName || (!byName && (opts.subject ?? opts.issuer) !== undefined)) {
        throw fail('invalid-command', 'give either --fingerprint, or --subject and --issuer');
      }
      await withStore(opts, async (store, _config, operator) => {
        const spec =
          opts.fingerprint !== undefined
            ? { fingerprint: opts.fingerprint, label: opts.label }
            : { subject: opts.subject as string, issuer: opts.issuer as string, label: opts.label };
        const c = await addCertificate(store, systemClock, name, spec, operator.accountId);
        out(`certificate id: ${c.id}\n`);
      });
    });
  account
    .command('certificates <name>')
    .description("list an account's client certificates")
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (name: string, opts: StoreOptions) => {
      await withStore(opts, async (store) => {
        const a = await requireAccount(store, name);
        for (const c of await store.listCertificates(a.id)) {
          const what = c.fingerprint ?? `${c.subject ?? ''} / ${c.issuer ?? ''}`;
          out(`${c.id}\t${c.label}\t${what}${c.revokedAt === null ? '' : `\tREVOKED ${formatTimestamp(c.revokedAt)}`}\n`);
        }
      });
    });
  account
    .command('revoke-certificate <id>')
    .description('revoke a client certificate by its id (effective on its next use)')
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (id: string, opts: StoreOptions) => {
      await withStore(opts, async (store, _config, operator) => {
        if (!(await revokeCertificate(store, systemClock, id, operator.accountId))) throw fail('invalid-command', `no active certificate ${id}`);
        out(`revoked certificate ${id}\n`);
      });
    });
  account
    .command('require-certificate <name> <on|off>')
    .description("on: the account's password or token works only with one of its client certificates")
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (name: string, state: string, opts: StoreOptions) => {
      if (state !== 'on' && state !== 'off') throw fail('invalid-command', 'require-certificate takes on or off');
      await withStore(opts, async (store, _config, operator) => {
        await changeAccount(store, systemClock, name, { requireCertificate: state === 'on' }, operator.accountId);
        out(`${name}: certificate ${state === 'on' ? 'required' : 'not required'}\n`);
      });
    });
}
