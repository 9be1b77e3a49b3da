import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { Command, InvalidArgumentError, Option } from 'commander';
import { onShutdown, plural } from '../../core/index.js';
import { redactUrl } from '../../postgres/index.js';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_FORWARD_TIMEOUT_MS,
  DEFAULT_REPLAY_URL,
  DEFAULT_RUN_LIMIT_MS,
  exportEvents,
  exportFiltersProblem,
  importEvents,
  startReplayServer,
  tokenProblem,
  type EventFilters,
} from '../../replay-server/index.js';
import { checkReadableFile, writeFileWhole, type WriteChunk } from '../files.js';
import { databaseOptionHelp, openCommandDatabase, type DatabaseFlags } from '../database.js';
import { parsePort, parsePositiveInt, parseTimeoutMs, parseUrl } from '../options.js';
import { UsageError } from '../usage-error.js';
import { replaySchedule } from './replay-schedule.js';

const DEFAULT_REPLAY_PORT = Number(new URL(DEFAULT_REPLAY_URL).port);

interface StartFlags extends DatabaseFlags {
  port: number;
  host: string;
  forwardTo?: string;
  secret?: string;
  token?: string;
  bodyLimit: number;
  forwardTimeout: number;
  runLimit: number;
  import?: string;
}

interface FilterFlags {
  teardown?: 'true' | 'false';
  type?: string;
  customer?: string;
  email?: string;
  run?: string;
  since?: string;
  source?: EventFilters['source'];
  limit?: number;
}

/**
 * `vibes replay-server`: captures Stripe webhooks, forwards them re-signed to the app, and
 * replays them on demand; `export` and `import` move a recorded run between databases.
 */
export function replayServerCommand(): Command {
  const command = new Command('replay-server').description('webhook capture-and-replay server (run `vibes replay-server start --help`)');

  withDatabaseOptions(command.command('start', { isDefault: true }), { ephemeral: true })
    .description('capture webhooks at POST /webhooks/stripe, forward them, replay them through /api (the default)')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, DEFAULT_REPLAY_PORT)
    .option('--host <host>', 'interface to bind; anything but loopback needs --token', '127.0.0.1')
    .option('--forward-to <url>', "the app's webhook endpoint, e.g. http://127.0.0.1:3000/api/stripe/webhook", parseUrl)
    .addOption(new Option('--secret <whsec>', 'webhook signing secret: verifies what arrives, signs what is forwarded').env('STRIPE_WEBHOOK_SECRET'))
    .addOption(new Option('--token <token>', 'token every /api call must carry as "Authorization: Bearer <token>"').env('VIBES_REPLAY_TOKEN'))
    .option('--body-limit <size>', 'largest body accepted, e.g. 1mb, 512kb or bytes', parseSize, DEFAULT_BODY_LIMIT_BYTES)
    .option('--forward-timeout <ms>', 'how long a forward or replay waits for the app', parseTimeoutMs, DEFAULT_FORWARD_TIMEOUT_MS)
    .option('--run-limit <seconds>', 'how long one replay or schedule may go on starting copies (then the rest are not sent)', parsePositiveInt, DEFAULT_RUN_LIMIT_MS / 1000)
    .option('--import <file.ndjson>', 'import a recorded run before listening')
    .action(async (flags: StartFlags) => {
      checkSecret(flags.secret);
      const tokenIssue = tokenProblem(flags.host, flags.token || undefined, undefined, '--host');
      if (tokenIssue) throw new UsageError(tokenIssue);
      if (flags.import) await checkReadableFile(flags.import, '--import');
      const db = await openCommandDatabase(flags);
      // Before listening: once the port answers (a webServer's readiness check), the run is there to replay.
      if (flags.import) {
        const { imported, skipped } = await importEvents(db.pool, createReadStream(flags.import), stopSignal());
        console.log(importedLine(imported, skipped, flags.import));
      }
      const server = await startReplayServer({
        pool: db.pool,
        host: flags.host,
        port: flags.port,
        forwardTo: flags.forwardTo,
        secret: flags.secret || undefined,
        token: flags.token || undefined,
        bodyLimitBytes: flags.bodyLimit,
        forwardTimeoutMs: flags.forwardTimeout,
        runLimitMs: flags.runLimit * 1000,
      });
      onShutdown(() => server.close());
      console.log(`database: ${redactUrl(db.url)}`);
      console.log(`forwarding to: ${flags.forwardTo ?? '(nowhere: events are stored only)'}; signing: ${flags.secret ? 'yes' : 'no (--secret not given)'}`);
      console.log(`listening on ${server.url}`);
      console.log(`dashboard: ${server.url}/`);
    });

  addFilterOptions(withDatabaseOptions(command.command('export')))
    .description('write stored events as NDJSON, oldest first (for offline replays in CI)')
    .option('--out <file.ndjson>', 'file to write (default: standard output)')
    .action(async (flags: FilterFlags & DatabaseFlags & { out?: string }) => {
      const filters = checkedFilters(flags);
      const db = await openCommandDatabase(flags);
      try {
        const toStdout: WriteChunk = async (chunk) => {
          if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
        };
        const count = flags.out
          ? await writeFileWhole(flags.out, '--out', (write) => exportEvents(db.pool, write, filters))
          : await exportEvents(db.pool, toStdout, filters);
        console.error(`exported ${plural(count, 'event')}${flags.out ? ` to ${flags.out}` : ''}${count === 0 ? `: ${nothingMatched(filters)}` : ''}`);
      } finally {
        await db.close();
      }
    });

  withDatabaseOptions(command.command('import'))
    .description('store the events of an NDJSON export (events already stored are skipped)')
    .argument('<file.ndjson>', 'a file written by `vibes replay-server export`')
    .action(async (file: string, flags: DatabaseFlags) => {
      await checkReadableFile(file, 'the file');
      const db = await openCommandDatabase(flags);
      try {
        const { imported, skipped } = await importEvents(db.pool, createReadStream(file), stopSignal());
        console.log(importedLine(imported, skipped, file));
      } finally {
        await db.close();
      }
    });

  command.command('replay-schedule')
    .description('run a delivery schedule file (a fuzz counterexample) on a running replay server, exactly')
    .argument('<file.ndjson>', 'a schedule file, as attached to a failed webhooks.fuzz test')
    .addOption(new Option('--url <url>', 'the replay server').env('VIBES_REPLAY_URL').default(DEFAULT_REPLAY_URL).argParser(parseUrl))
    .addOption(new Option('--token <token>', 'the replay server\'s API token').env('VIBES_REPLAY_TOKEN'))
    .option('--target <url>', "deliver to this endpoint instead of the server's --forward-to", parseUrl)
    .option('--fresh-ids', 'store the events under new ids, so the app sees first deliveries again')
    .action(replaySchedule);

  return command;
}

/** `ephemeral` only where a temporary store is of use: a server, not an export from an empty one. */
function withDatabaseOptions(command: Command, { ephemeral = false } = {}): Command {
  command.option('--database-url <url>', databaseOptionHelp.databaseUrl).option('--data-dir <dir>', databaseOptionHelp.dataDir);
  return ephemeral ? command.option('--ephemeral', databaseOptionHelp.ephemeral) : command;
}

function addFilterOptions(command: Command): Command {
  return command
    .option('--type <type>', 'only events of this type')
    .option('--customer <cus_id>', 'only events about this customer')
    .option('--email <email>', 'only events about this email (case-insensitive)')
    .option('--run <id>', 'only events whose object has metadata.vibes_run = id, and the other events of the customers they name')
    .addOption(new Option('--teardown <true|false>', "false: leave out what test cleanup's deletions caused; true: only those").choices(['true', 'false']))
    .option('--since <time>', 'only events received at or after (ISO 8601 or unix seconds)')
    .addOption(new Option('--source <source>', 'only events from this source').choices(['captured', 'injected', 'imported']))
    .option('--limit <n>', 'at most this many events (1 to 1000; without it, all)', parsePositiveInt);
}

/** The filter flags, checked as the API checks them, before the database or the file is touched. */
function checkedFilters(flags: FilterFlags): EventFilters {
  const { type, customer, email, run, since, source, limit } = flags;
  const teardown = flags.teardown === undefined ? undefined : flags.teardown === 'true';
  const filters = { type, customer, email, run, since, source, limit, teardown };
  const problem = exportFiltersProblem(filters);
  if (problem) throw new UsageError(`a filter flag: ${problem}`);
  return filters;
}

/** What an import did; a file of no events (an export whose filters matched nothing) said as such. */
function importedLine(imported: number, skipped: number, file: string): string {
  if (imported + skipped === 0) return `imported 0 events from ${file}: the file holds none (was it exported with filters that matched nothing?)`;
  return `imported ${plural(imported, 'event')} from ${file} (${skipped} already stored)`;
}

/**
 * Aborted by Ctrl-C or SIGTERM, before the database is closed (shutdown closes in reverse order):
 * an import under way rolls back instead of the database waiting for it to commit.
 */
function stopSignal(): AbortSignal {
  const stopping = new AbortController();
  onShutdown(() => stopping.abort());
  return stopping.signal;
}

/** Why an export is empty, so that a mistyped run id is not a recording of nothing, found in CI. */
function nothingMatched(filters: EventFilters): string {
  const given = Object.entries(filters).filter(([, value]) => value !== undefined).map(([name, value]) => `--${name} ${String(value)}`);
  return given.length === 0 ? 'the store holds no events' : `no stored event matches ${given.join(' ')} (\`GET /api/events\` and the dashboard list what is stored)`;
}

function checkSecret(secret: string | undefined): void {
  if (secret && !/^whsec_\S+$/.test(secret)) {
    throw new UsageError('the webhook secret must look like whsec_… (the signing secret of your endpoint, or the one `stripe listen` prints).');
  }
}

/** `1mb`, `512kb`, `2048`: bytes for --body-limit. */
function parseSize(value: string): number {
  const match = /^(\d+)\s*(b|kb|kib|mb|mib)?$/i.exec(value.trim());
  const unit = { b: 1, kb: 1024, kib: 1024, mb: 1024 * 1024, mib: 1024 * 1024 }[(match?.[2] ?? 'b').toLowerCase() as 'b'];
  const bytes = match ? Number(match[1]) * unit : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new InvalidArgumentError('expected a size such as 1mb, 512kb or a number of bytes.');
  return bytes;
}
