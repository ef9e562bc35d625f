/** `accord audit verify [--file F]` and `accord audit export`: the sharing log from the command line. */
import { createWriteStream, readFileSync } from 'node:fs';
import { PRIVATE_MODE } from '../files';
import type { Command } from 'commander';
import { exportEvents, verifyExport, type ExportFilters, type ExportFormat } from '../audit/export';
import { verifyStoreLog } from '../audit/verify';
import { parseTimestamp } from '../time';
import { configOption, dbOption, withStore, type StoreOptions } from './options';
import { fail } from '../errors';

interface ExportOptions extends StoreOptions {
  format: string;
  out?: string;
  from?: string;
  to?: string;
  party?: string;
  account?: string;
  agreement?: string;
  collection?: string;
  country?: string;
  object?: string;
  action?: string;
  outcome?: string;
}

function when(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const t = parseTimestamp(value);
  if (t === undefined) throw fail('invalid-command', `--${flag} ${value}: not an RFC 3339 timestamp`);
  return t;
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the sharing log');

  audit
    .command('verify')
    .description('recompute the hash chain of the log (or of an export file) and report the first broken link')
    .option('--file <export>', 'verify an export file (NDJSON or CSV) instead of the database')
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (opts: StoreOptions & { file?: string }) => {
      if (opts.file !== undefined) {
        const r = verifyExport(readFileSync(opts.file, 'utf8'));
        if (r.ok)
          process.stdout.write(
            `${opts.file}: intact, ${r.events} events (seq ${r.firstSeq ?? '-'} to ${r.lastSeq ?? '-'})${r.complete ? ', complete' : ''}\n`,
          );
        else {
          process.stdout.write(`${opts.file}: BROKEN at line ${r.line}: ${r.problem}\n`);
          process.exitCode = 1;
        }
        return;
      }
      await withStore(opts, async (store) => {
        const r = await verifyStoreLog(store);
        if (r.ok)
          process.stdout.write(`sharing log intact: ${r.events} events, ${r.checkpoints} checkpoints, head ${r.lastSeq ?? 0} ${r.lastHash}\n`);
        else {
          process.stdout.write(`sharing log BROKEN at event ${r.brokenAt}: ${r.problem}\n`);
          process.exitCode = 1;
        }
      });
    });

  audit
    .command('export')
    .description('export events (all, or those matching the filters) with what is needed to verify them offline')
    .option('--format <ndjson|csv>', 'output format', 'ndjson')
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--from <time>', 'events at or after this time')
    .option('--to <time>', 'events before this time')
    .option('--party <id>')
    .option('--account <name>')
    .option('--agreement <id[@version]>')
    .option('--collection <id>')
    .option('--country <code>')
    .option('--object <stix-id>')
    .option('--action <name>', 'e.g. objects.read, objects, catalog')
    .option('--outcome <success|failure|denied>')
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (opts: ExportOptions) => {
      if (opts.format !== 'ndjson' && opts.format !== 'csv') throw fail('invalid-command', '--format is ndjson or csv');
      const from = when(opts.from, 'from');
      const to = when(opts.to, 'to');
      const filters: ExportFilters = {
        ...(from !== undefined && { from }),
        ...(to !== undefined && { to }),
        ...(opts.party !== undefined && { party: opts.party }),
        ...(opts.account !== undefined && { account: opts.account }),
        ...(opts.agreement !== undefined && { agreement: opts.agreement }),
        ...(opts.collection !== undefined && { collection: opts.collection }),
        ...(opts.country !== undefined && { country: opts.country.toUpperCase() }),
        ...(opts.object !== undefined && { objectId: opts.object }),
        ...(opts.action !== undefined && { action: opts.action }),
        ...(opts.outcome !== undefined && { outcome: opts.outcome }),
      };
      await withStore(opts, async (store) => {
        const file = opts.out !== undefined ? createWriteStream(opts.out, { mode: PRIVATE_MODE }) : undefined;
        const out: NodeJS.WritableStream = file ?? process.stdout;
        for await (const line of exportEvents(store, filters, opts.format as ExportFormat)) {
          if (!out.write(line)) await new Promise((resolve) => out.once('drain', resolve));
        }
        if (file) await new Promise<void>((resolve, reject) => file.end(() => resolve()).once('error', reject));
      });
    });
}
