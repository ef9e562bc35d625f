/**
 * The `accord` command line. Command names and flags are a contract operators' scripts
 * rely on: `init --db`, `serve --db --port --host --workers`, `account add NAME --role ROLE
 * [--party ID] [--password-stdin]`, `collection list --json`, `import FILE --collection
 * ID|ALIAS`. Settings also come from ACCORD_* environment variables (src/config).
 */
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { applyCatalog, defaultCatalogDir } from '../catalog/catalog';
import { addAccount, changeAccount, issueToken, parseRoles, requireAccount, revokeToken } from '../catalog/accounts';
import { createLogger } from '../log';
import { describeStore, openStore } from '../store/open-store';
import { systemClock } from '../time';
import { startServer } from '../server';
import { ClusterLimiter, type Channel } from '../throttle/cluster';
import { registerAdminCommands } from './admin-commands';
import { importFile } from './import-file';
import { runDemo } from './demo';
import { registerAuditCommands } from './audit-commands';
import { registerCertificateCommands } from './certificate-commands';
import { registerValidateCommand } from './validate';
import { registerFeedCommands } from './feed-commands';
import { canFork, isServeWorker, primaryBindings, runPrimary, runWorker, workerBindings } from './cluster';
import { configFrom, configOption, dbOption, findCollection, readStdin, withStore, type StoreOptions } from './options';
import { fail } from '../errors';

export function buildProgram(): Command {
  const program = new Command('accord')
    .description('Accord: a TAXII 2.1 server for sharing threat intelligence under data-sharing agreements')
    .showHelpAfterError();

  program
    .command('serve')
    .description('run the TAXII server')
    .addOption(dbOption())
    .addOption(configOption())
    .option('--port <n>', 'port to listen on (default 8080)')
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('--workers <n>', 'server processes sharing the port: a number, or auto for one per CPU core (default 1)')
    .addHelpText(
      'after',
      `
With --workers N (N > 1, or ACCORD_WORKERS, or "workers" in the config file) a primary
process starts N worker processes that share the port; new connections go to each in
turn. The primary opens no database. Each worker has its own database connection, password
cache and agreement cache (both revalidate against the database on every request) and its
own memory. SIGTERM or SIGINT stops every worker gracefully (a second one, or 30 s, kills
them); a worker that dies is replaced, and the primary exits non-zero with the worker's
error when workers cannot start. Needs a database file or MongoDB, not :memory:.`,
    )
    .action(async (opts: StoreOptions & { port?: string; host?: string; workers?: string }) => {
      const config = configFrom(opts);
      if (isServeWorker()) {
        const log = createLogger(config.logLevel).child(workerBindings());
        // The rate-limit buckets are the primary's, so the limits hold across the workers.
        const limiter = new ClusterLimiter(process as unknown as Channel);
        await runWorker(async () => startServer(config, await openStore(config.store, config), log, systemClock, limiter), log);
        return;
      }
      const workers = config.workers === 'auto' ? availableParallelism() : config.workers;
      const log = createLogger(config.logLevel);
      if (workers === 1) {
        const server = await startServer(config, await openStore(config.store, config), log);
        // Handlers first: a supervisor may signal as soon as it reads the announcement.
        onShutdown(server.close, log);
        process.stdout.write(`Accord is listening on ${server.url}/taxii2/\n`);
        return;
      }
      if (/^(sqlite:)?:memory:$/.test(config.store))
        throw fail('invalid-command', `--workers ${workers} needs a shared database: ":memory:" is private to one process`);
      if (!canFork())
        throw fail('invalid-command', `--workers ${workers}: this process is itself a cluster worker and cannot start workers; use --workers 1`);
      const outcome = await runPrimary(workers, log.child(primaryBindings()), (url) =>
        process.stdout.write(`Accord is listening on ${url}/taxii2/ (${workers} workers)\n`),
      );
      if (outcome.message !== undefined) process.stderr.write(`accord: ${outcome.message}\n`);
      process.exit(outcome.exitCode);
    });

  program
    .command('init')
    .description('create the database and apply the catalogue (API roots, collections, parties)')
    .addOption(dbOption())
    .addOption(configOption())
    .option('--catalog <dir>', 'catalogue folder', defaultCatalogDir())
    .action(async (opts: StoreOptions & { catalog: string }) => {
      await withStore(opts, async (store, config, operator) => {
        const s = await applyCatalog(store, opts.catalog, config.maxContentLength, systemClock, operator.accountId);
        process.stdout.write(
          `initialised ${describeStore(config.store)}: ${s.apiRoots} API roots, ${s.collections} collections, ${s.parties} parties\n`,
        );
      });
    });

  program
    .command('catalog')
    .description('manage the catalogue')
    .command('apply <dir>')
    .description('apply a catalogue folder (idempotent)')
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (dir: string, opts: StoreOptions) => {
      await withStore(opts, async (store, config, operator) => {
        const s = await applyCatalog(store, dir, config.maxContentLength, systemClock, operator.accountId);
        process.stdout.write(`applied ${dir}: ${s.apiRoots} API roots, ${s.collections} collections, ${s.parties} parties\n`);
      });
    });

  const account = program.command('account').description('manage accounts');
  account
    .command('add <name>')
    .description('create an account; prints a generated password once unless --password-stdin')
    .requiredOption('--role <role>', 'reader, writer, deleter, admin or auditor (repeat or comma-separate)', (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .option('--party <id>', 'the party the account belongs to (default: the operator party)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--token', 'also issue an API token and print it once')
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (name: string, opts: StoreOptions & { role: string[]; party?: string; passwordStdin?: boolean; token?: boolean }) => {
      const password = opts.passwordStdin ? await readStdin() : undefined;
      await withStore(opts, async (store, config, operator) => {
        const input = {
          name,
          roles: parseRoles(opts.role),
          partyId: opts.party ?? config.operatorParty,
          operatorParty: config.operatorParty,
          ...(password !== undefined && { password }),
        };
        const { account: created, generatedPassword } = await addAccount(store, systemClock, input, operator.accountId);
        process.stdout.write(`created account ${created.name} (${created.roles.join(', ')}) in party ${created.partyId}\n`);
        if (generatedPassword) process.stdout.write(`password: ${generatedPassword}\n`);
        if (opts.token) process.stdout.write(`token: ${(await issueToken(store, systemClock, created.id, 'cli', operator.accountId)).token}\n`);
        if (generatedPassword || opts.token) process.stdout.write('(shown once: store it now)\n');
      });
    });
  account
    .command('list')
    .description('list accounts')
    .option('--json', 'machine-readable output')
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (opts: StoreOptions & { json?: boolean }) => {
      await withStore(opts, async (store) => {
        const rows = (await store.listAccounts()).map((a) => ({ name: a.name, party: a.partyId, roles: a.roles, disabled: a.disabled }));
        if (opts.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        else for (const r of rows) process.stdout.write(`${r.name}\t${r.party}\t${r.roles.join(',')}${r.disabled ? '\tDISABLED' : ''}\n`);
      });
    });
  account
    .command('disable <name>')
    .description('disable an account (effective on its next request)')
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (name: string, opts: StoreOptions) => {
      await withStore(opts, async (store, _config, operator) => {
        await changeAccount(store, systemClock, name, { disabled: true }, operator.accountId);
        process.stdout.write(`disabled ${name}\n`);
      });
    });
  account
    .command('token <name>')
    .description('issue an API token for an account; prints it once')
    .option('--label <text>', 'what the token is for', 'cli')
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (name: string, opts: StoreOptions & { label: string }) => {
      await withStore(opts, async (store, _config, operator) => {
        const a = await requireAccount(store, name);
        const { token, record } = await issueToken(store, systemClock, a.id, opts.label, operator.accountId);
        process.stdout.write(`token id: ${record.id}\ntoken: ${token}\n(shown once: store it now)\n`);
      });
    });
  account
    .command('revoke-token <tokenId>')
    .description('revoke an API token by its id (effective on its next use)')
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (tokenId: string, opts: StoreOptions) => {
      await withStore(opts, async (store, _config, operator) => {
        if (!(await revokeToken(store, systemClock, tokenId, operator.accountId))) throw fail('invalid-command', `no active token ${tokenId}`);
        process.stdout.write(`revoked token ${tokenId}\n`);
      });
    });

  program
    .command('collection')
    .description('inspect collections')
    .command('list')
    .description('list collections')
    .option('--json', 'machine-readable output: id, alias, title and API root path of each')
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (opts: StoreOptions & { json?: boolean }) => {
      await withStore(opts, async (store) => {
        const rows = (await store.listCollections()).map((c) => ({ id: c.id, alias: c.alias ?? null, title: c.title, api_root: `/${c.apiRoot}/` }));
        if (opts.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        else for (const r of rows) process.stdout.write(`${r.api_root}\t${r.id}\t${r.alias ?? ''}\t${r.title}\n`);
      });
    });

  program
    .command('import <file>')
    .description('import a STIX bundle (or TAXII envelope) file into a collection, streaming it')
    .requiredOption('--collection <idOrAlias>', 'target collection id or alias')
    .option('--api-root <path>', 'API root, when the alias exists in several')
    .option('--quiet', 'no progress lines')
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (file: string, opts: StoreOptions & { collection: string; apiRoot?: string; quiet?: boolean }) => {
      await withStore(opts, async (store, config, operator) => {
        const collection = await findCollection(store, opts.collection, opts.apiRoot);
        const progress = opts.quiet ? undefined : (line: string) => process.stderr.write(line + '\n');
        const r = await importFile(store, config, operator, collection, file, progress);
        process.stdout.write(`imported ${file} into ${collection.title}: ${r.stored} stored, ${r.duplicates} already present, ${r.failed} failed\n`);
        for (const f of r.failures.slice(0, 20))
          process.stdout.write(`  ${f.detail.message ?? f.detail.id}${f.count > 1 ? ` (${f.count} times)` : ''}\n`);
        if (r.failures.length > 20) process.stdout.write(`  … and ${r.failures.length - 20} more\n`);
        if (r.failed > 0) process.exitCode = 1;
      });
    });

  registerValidateCommand(program);
  registerAdminCommands(program);
  registerCertificateCommands(account);
  registerAuditCommands(program);
  registerFeedCommands(program);

  program
    .command('demo')
    .description('start a demo server with sample data and demo accounts (npm start)')
    .option('--dir <dir>', 'where the demo database lives', '.accord-demo')
    .option('--port <n>', 'port to listen on (default: ACCORD_PORT or 8080)')
    .action(async (opts: { dir: string; port?: string }) => {
      if (opts.port !== undefined && !/^\d{1,5}$/.test(opts.port)) throw fail('invalid-command', `--port ${opts.port}: must be a port number`);
      const server = await runDemo(opts.dir, opts.port === undefined ? undefined : Number(opts.port));
      onShutdown(server.close);
    });

  return program;
}

function onShutdown(close: () => Promise<void>, log?: { info(msg: string): void }): void {
  const stop = (signal: string) => {
    log?.info(`${signal}: finishing in-flight requests`);
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
