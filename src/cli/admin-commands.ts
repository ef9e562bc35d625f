/**
 * The admin API's operations from the command line, for operators with access to the
 * database (and for recovery when no administrator can sign in): `party add|list`,
 * `agreement create|list|show|revise|versions|activate|suspend|revoke`, `collection add`,
 * `account roles|enable|set-password`, `object transfer`. Changes are recorded as made by the local operator (src/cli/options.ts). The services
 * validate; their errors are printed plainly with exit code 2 (src/main.ts).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { changeAccount, parseRoles } from '../catalog/accounts';
import { agreementResource, createAgreement, reviseAgreement, setAgreementStatus } from '../catalog/agreements';
import { partyResource, savePartyChecked } from '../catalog/parties';
import { generatePassword } from '../auth/secrets';
import { putCollection } from '../catalog/collections';
import type { AgreementRecord, AgreementStatus } from '../catalog/types';
import { formatTimestamp, systemClock } from '../time';
import { transferOwnership } from '../catalog/ownership';
import { configOption, dbOption, findCollection, readStdin, withStore, type StoreOptions } from './options';
import { fail } from '../errors';

const out = (text: string) => process.stdout.write(text);
const withStoreOptions = (command: Command) => command.addOption(dbOption()).addOption(configOption());
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A group that buildProgram() already defines (`account`, `collection`), to add commands to. */
function existing(program: Command, name: string): Command {
  const command = program.commands.find((c) => c.name() === name);
  if (!command) throw new Error(`registerAdminCommands needs the "${name}" command defined first`);
  return command;
}

function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw fail('invalid-command', `cannot read ${file} as JSON: ${(err as Error).message}`);
  }
}

export function registerAdminCommands(program: Command): void {
  registerPartyCommands(program);
  registerAgreementCommands(program);
  registerCollectionAdd(existing(program, 'collection'));
  registerAccountChanges(existing(program, 'account'));
  registerObjectTransfer(program);
}

function registerObjectTransfer(program: Command): void {
  const object = program.command('object').description('the owners of object ids (the party that alone may add versions of an object)');
  withStoreOptions(
    object
      .command('transfer <objectId>')
      .description('make another party the owner of an object id in a collection (recorded in the sharing log)')
      .requiredOption('--collection <idOrAlias>', 'the collection that holds the object')
      .option('--api-root <path>', 'API root, when the alias exists in several')
      .requiredOption('--to <party>', 'the new owning party'),
  ).action(async (objectId: string, opts: StoreOptions & { collection: string; apiRoot?: string; to: string }) => {
    await withStore(opts, async (store, _config, operator) => {
      const collection = await findCollection(store, opts.collection, opts.apiRoot);
      const t = await transferOwnership(store, systemClock, operator.accountId, collection.id, objectId, opts.to);
      out(`${objectId} in ${collection.title}: owner ${t.from ?? '(none recorded)'} → ${t.to}\n`);
    });
  });
}

function registerPartyCommands(program: Command): void {
  const party = program.command('party').description('manage parties (the organisations that sign agreements)');
  withStoreOptions(
    party
      .command('add <id>')
      .description('add a party, or update the one with this id')
      .requiredOption('--name <name>', "the organisation's name")
      .requiredOption('--kind <kind>', 'national-agency, international-body, vendor, auditor, operator or other')
      .option('--country <cc>', 'ISO 3166-1 alpha-2 code (required for a national agency)')
      .option('--identity-ref <ref>', 'the STIX identity (identity--…) its content is created by'),
  ).action(async (id: string, opts: StoreOptions & { name: string; kind: string; country?: string; identityRef?: string }) => {
    await withStore(opts, async (store, _config, operator) => {
      const existed = await store.getParty(id);
      const saved = await savePartyChecked(store, systemClock, operator.accountId, {
        id,
        name: opts.name,
        kind: opts.kind,
        ...(opts.country !== undefined && { country: opts.country }),
        ...(opts.identityRef !== undefined && { identity_ref: opts.identityRef }),
      });
      out(`${existed ? 'updated' : 'added'} party ${saved.id} (${saved.name})\n`);
    });
  });
  withStoreOptions(party.command('list').description('list parties').option('--json', 'machine-readable output')).action(
    async (opts: StoreOptions & { json?: boolean }) => {
      await withStore(opts, async (store) => {
        const rows = (await store.listParties()).map(partyResource);
        if (opts.json) out(JSON.stringify(rows, null, 2) + '\n');
        else for (const p of rows) out(`${p.id}\t${p.kind}\t${p.country ?? ''}\t${p.name}\n`);
      });
    },
  );
}

function summary(a: AgreementRecord): string {
  return `${a.id}\tv${a.version}\t${a.status}\t${formatTimestamp(a.validFrom)}\t${a.validUntil === null ? 'open-ended' : formatTimestamp(a.validUntil)}\t${a.title}`;
}

function registerAgreementCommands(program: Command): void {
  const agreement = program.command('agreement').description('manage data-sharing agreements (docs/agreements.md)');
  withStoreOptions(
    agreement
      .command('create <file>')
      .description('create an agreement from a JSON file (schemas/catalog/agreement.json); a draft unless it says "status": "active"'),
  ).action(async (file: string, opts: StoreOptions) => {
    const input = readJsonFile(file);
    await withStore(opts, async (store, _config, operator) => {
      const a = await createAgreement(store, systemClock, operator.accountId, input);
      out(`created agreement ${a.id} version ${a.version} (${a.status})\n`);
    });
  });
  withStoreOptions(agreement.command('list').description('list agreements (latest versions)').option('--json', 'machine-readable output')).action(
    async (opts: StoreOptions & { json?: boolean }) => {
      await withStore(opts, async (store) => {
        const all = await store.listAgreements();
        if (opts.json) out(JSON.stringify(all.map(agreementResource), null, 2) + '\n');
        else for (const a of all) out(summary(a) + '\n');
      });
    },
  );
  withStoreOptions(
    agreement
      .command('show <id>')
      .description('print an agreement as JSON (the latest version unless --version)')
      .option('--version <n>', 'a version number'),
  ).action(async (id: string, opts: StoreOptions & { version?: string }) => {
    if (opts.version !== undefined && !/^[1-9]\d{0,8}$/.test(opts.version))
      throw fail('invalid-command', `--version ${opts.version}: must be a version number (1, 2, …)`);
    await withStore(opts, async (store) => {
      const a = await store.getAgreement(id, opts.version === undefined ? undefined : Number(opts.version));
      if (!a) throw fail('not-found', opts.version === undefined ? `no agreement "${id}"` : `agreement "${id}" has no version ${opts.version}`);
      out(JSON.stringify(agreementResource(a), null, 2) + '\n');
    });
  });
  withStoreOptions(
    agreement.command('revise <id> <file>').description('new terms from a JSON file: a draft changes in place, otherwise a new version'),
  ).action(async (id: string, file: string, opts: StoreOptions) => {
    const input = readJsonFile(file);
    await withStore(opts, async (store, _config, operator) => {
      const a = await reviseAgreement(store, systemClock, operator.accountId, id, input);
      out(`revised agreement ${a.id}: version ${a.version} (${a.status})\n`);
    });
  });
  withStoreOptions(agreement.command('versions <id>').description('list every version of an agreement, oldest first')).action(
    async (id: string, opts: StoreOptions) => {
      await withStore(opts, async (store) => {
        const versions = await store.listAgreementVersions(id);
        if (versions.length === 0) throw fail('not-found', `no agreement "${id}"`);
        for (const a of versions) out(`v${a.version}\t${a.status}\t${formatTimestamp(a.createdAt)}\t${a.createdBy}\t${a.title}\n`);
      });
    },
  );
  const moves: [string, Exclude<AgreementStatus, 'draft'>, string][] = [
    ['activate', 'active', 'put an agreement in force (from draft or suspended)'],
    ['suspend', 'suspended', 'suspend an active agreement (effective on the next request)'],
    ['revoke', 'revoked', 'revoke an agreement for good'],
  ];
  for (const [name, status, description] of moves) {
    withStoreOptions(agreement.command(`${name} <id>`).description(description)).action(async (id: string, opts: StoreOptions) => {
      await withStore(opts, async (store, _config, operator) => {
        const a = await setAgreementStatus(store, systemClock, operator.accountId, id, status);
        out(`agreement ${a.id} is now ${a.status} (version ${a.version})\n`);
      });
    });
  }
}

function registerCollectionAdd(collection: Command): void {
  withStoreOptions(
    collection
      .command('add')
      .description('add a collection to an API root, or update the one with this id')
      .requiredOption('--id <uuid>', 'the collection id (a lower-case UUID)')
      .requiredOption('--api-root <path>', 'an existing API root')
      .requiredOption('--alias <alias>', 'unique within the API root')
      .requiredOption('--title <title>', 'what TAXII clients show')
      .option('--country <cc>', 'ISO 3166-1 alpha-2 code, for a country collection')
      .option('--description <text>', 'a longer description')
      .option(
        '--unmarked-as <tlp>',
        'what content without a TLP marking counts as here: clear, green, amber, amber+strict or red (default: each agreement says)',
      ),
  ).action(
    async (
      opts: StoreOptions & { id: string; apiRoot: string; alias: string; title: string; country?: string; description?: string; unmarkedAs?: string },
    ) => {
      await withStore(opts, async (store, _config, operator) => {
        const { collection: c, created } = await putCollection(store, systemClock, operator.accountId, opts.id, {
          api_root: opts.apiRoot,
          alias: opts.alias,
          title: opts.title,
          ...(opts.country !== undefined && { country: opts.country }),
          ...(opts.description !== undefined && { description: opts.description }),
          ...(opts.unmarkedAs !== undefined && { unmarked_as: opts.unmarkedAs }),
        });
        out(`${created ? 'added' : 'updated'} collection ${c.id} (${c.alias ?? ''}) in API root ${c.apiRoot}\n`);
      });
    },
  );
}

function registerAccountChanges(account: Command): void {
  withStoreOptions(
    account
      .command('roles <name>')
      .description("replace an account's roles (effective on its next request)")
      .requiredOption('--role <role>', 'reader, writer, deleter, admin or auditor (repeat or comma-separate)', collect),
  ).action(async (name: string, opts: StoreOptions & { role: string[] }) => {
    await withStore(opts, async (store, config, operator) => {
      const updated = await changeAccount(
        store,
        systemClock,
        name,
        { roles: parseRoles(opts.role), operatorParty: config.operatorParty },
        operator.accountId,
      );
      out(`roles of ${updated.name}: ${updated.roles.join(', ')}\n`);
    });
  });
  withStoreOptions(account.command('enable <name>').description('enable a disabled account (effective on its next request)')).action(
    async (name: string, opts: StoreOptions) => {
      await withStore(opts, async (store, _config, operator) => {
        await changeAccount(store, systemClock, name, { disabled: false }, operator.accountId);
        out(`enabled ${name}\n`);
      });
    },
  );
  withStoreOptions(
    account
      .command('set-password <name>')
      .description('set a new password; prints a generated one once unless --password-stdin')
      .option('--password-stdin', 'read the password from standard input'),
  ).action(async (name: string, opts: StoreOptions & { passwordStdin?: boolean }) => {
    const given = opts.passwordStdin ? await readStdin() : undefined;
    const password = given ?? generatePassword();
    await withStore(opts, async (store, _config, operator) => {
      await changeAccount(store, systemClock, name, { password }, operator.accountId);
      out(`password of ${name} changed\n`);
      if (given === undefined) out(`password: ${password}\n(shown once: store it now)\n`);
    });
  });
}
