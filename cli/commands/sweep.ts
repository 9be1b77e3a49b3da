import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EMULATOR_SECRET_KEY, plural } from '../../core/index.js';
import { appDatabases } from '../../app-database/index.js';
import {
  Ledger, StripeRateLimiter, findStrayStripeCustomers, removeStrays, stripeClientFor, stripeModeOf, sweepEntries,
  type AppUserCleanup, type LedgerEntry, type RemoverContext, type SweepResult,
} from '../../cleanup/index.js';
import { assertSafeTarget, loadTestEnv } from '../../guard/index.js';
import { databaseUrlFromEnv, defaultDataDir, redactUrl, type Database } from '../../postgres/index.js';
import { openCommandDatabase } from '../database.js';
import { ReplayClient } from '../../replay-server/index.js';
import { API_VERSION } from '../../stripe-emulator/index.js';
import { collect } from '../options.js';
import { parseHeaders } from '../predeploy/headers.js';
import { formatDuration, parseDuration } from '../duration.js';
import { progressLine } from '../progress.js';
import { PLAYWRIGHT_CONFIG_NAMES, resolveConfig } from '../suite/run.js';
import { UsageError } from '../usage-error.js';

interface SweepFlags {
  dryRun?: boolean;
  olderThan: number;
  databaseUrl?: string;
  rate: number;
  strays: boolean;
  emailPrefix: string;
  appUserSql?: string;
  appUserUrl?: string;
  appUserHeader?: string[];
  appDatabaseUrl?: string;
  dataDir?: string;
  removedByHand?: boolean;
  config?: string;
}

/**
 * `vibes sweep`: removes what test runs left behind, from the ledger first, then (the backstop)
 * Stripe customers whose e-mail carries the test prefix. Each removal is recorded in the ledger.
 */
export function sweepCommand(): Command {
  return new Command('sweep')
    .description('remove test data that earlier runs left behind (ledger, then tagged Stripe customers)')
    .option('--dry-run', 'list what would be removed; remove nothing')
    .addOption(new Option('--older-than <duration>', 'only what was created at least this long ago (90s, 30m, 1h, 2d; 0s for everything)').argParser(durationOption).default(3_600_000, '1h'))
    .option('--database-url <url>', 'Postgres of the ledger (default: VIBES_DATABASE_URL, DATABASE_URL, else the embedded Postgres, started for the sweep if no run has it up)')
    .option('--rate <n>', 'Stripe requests per second (test mode allows 25)', rateOption, 20)
    .option('--no-strays', 'skip the search for tagged Stripe customers that no ledger entry names')
    .option('--email-prefix <prefix>', 'the test e-mail prefix of stray customers (3 characters or more)', emailPrefixOption, 'vibes+')
    .option('--app-user-sql <sql>', "SQL that removes the app's record of a test user; $1 is the e-mail")
    .addOption(new Option('--app-user-url <url>', "URL that removes the app's record of a test user (DELETE ?email=…); a path goes to the base URL the user was made on")
      .conflicts('appUserSql'))
    .addOption(new Option('--app-user-header <"Name: value">', 'a header the --app-user-url requests carry (repeatable)').argParser(collect).conflicts('appUserSql'))
    .option('--app-database-url <url>', "Postgres the --app-user-sql runs on (default: DATABASE_URL, the app's, then the ledger's)")
    .option('--data-dir <dir>', 'data directory of the embedded Postgres that holds the ledger (default: .vibes/postgres)')
    .option('--removed-by-hand', 'the cleanup.defer() removals it lists (functions of dead runs) were done by hand: mark them removed')
    .option('--config <file>', "the Playwright config whose folder's .env.test is read (default: the current folder's)")
    .action(async (flags: SweepFlags) => {
      loadTestEnv(flags.config ? path.dirname(resolveConfig(process.cwd(), flags.config)) : process.cwd());
      const appUser = appUserRemoval(flags);
      assertSafeTarget({
        databaseUrls: [{ name: '--database-url', url: flags.databaseUrl }, { name: '--app-database-url', url: flags.appDatabaseUrl }],
        urls: [{ name: '--app-user-url', url: flags.appUserUrl }],
      });
      // The run's own database for what falls back to it (the app-user SQL's default), checked above under its flag.
      if (flags.databaseUrl) process.env.VIBES_DATABASE_URL = flags.databaseUrl;
      const database = await openLedgerDatabase(flags.databaseUrl, flags.dataDir);
      try {
        const stripeMode = stripeModeOf();
        const stripe = stripeMode && stripeClientFor({ stripeMode, emulatorUrl: process.env.STRIPE_EMULATOR_URL });
        const context: RemoverContext = {
          stripe,
          stripeMode,
          replay: process.env.VIBES_REPLAY_URL ? new ReplayClient(process.env.VIBES_REPLAY_URL, { token: process.env.VIBES_REPLAY_TOKEN }) : undefined,
          limiter: new StripeRateLimiter({ perSecond: flags.rate, onBackoff: (ms) => process.stderr.write(`vibes sweep: Stripe asked to slow down; waiting ${Math.round(ms)} ms\n`) }),
          appUser,
          assertSafeUrl: (target) => assertSafeTarget({ urls: [target] }),
          // The app's database, else the ledger's: the embedded cluster this command may have started.
          appDatabase: appDatabases({ db: { url: flags.appDatabaseUrl || process.env.DATABASE_URL || database?.url } }),
        };
        const fromLedger = database ? await sweepLedger(database.url, context, flags) : { removed: 0, failed: [], strays: 0, listed: 0, pending: [] };
        let fromStripe: SweepResult = { removed: 0, failed: [], strays: 0 };
        let straysFound = 0;
        if (flags.strays && stripe) {
          // Stripe stamps whole seconds: a customer made in the cutoff's second is as old as the ledger's `<=` would say.
          const createdAtOrBefore = Math.floor((Date.now() - flags.olderThan) / 1000);
          const strays = await findStrayStripeCustomers(stripe, context, { emailPrefix: flags.emailPrefix, createdAtOrBefore, pending: fromLedger.pending });
          straysFound = strays.length;
          const age = flags.olderThan > 0 ? `, made at least ${formatDuration(flags.olderThan)} ago,` : '';
          console.log(`Stripe: ${plural(strays.length, 'customer')} with the test prefix ${flags.emailPrefix}${age} and no ledger entry`);
          if (flags.dryRun) strays.forEach((id) => console.log(`  would remove Stripe customer ${id}`));
          else {
            const strayProgress = progressLine('vibes sweep: Stripe');
            fromStripe = await removeStrays(strays, context, (p) => strayProgress.update(p.done, p.total));
          }
        }
        const failed = [...fromLedger.failed, ...fromStripe.failed];
        for (const f of failed) console.error(`  failed: ${f.label}: ${f.error}`);
        const verb = flags.dryRun ? 'would remove' : 'removed';
        const count = flags.dryRun ? fromLedger.listed + straysFound : fromLedger.removed + fromStripe.removed;
        console.log(`vibes sweep: ${verb} ${count}, failed ${failed.length}`);
        if (failed.length > 0) process.exitCode = 1;
      } finally {
        await database?.close();
      }
    });
}

/**
 * The ledger's database: the configured one, else the embedded cluster under the data directory,
 * joined when a run has it up and started (then stopped again) when not, since a run's ledger
 * outlives the run. Undefined when there is neither: nothing has been recorded here.
 */
async function openLedgerDatabase(databaseUrl: string | undefined, dataDir: string | undefined): Promise<Database | undefined> {
  const named = databaseUrl ? '--database-url' : process.env.VIBES_DATABASE_URL ? 'VIBES_DATABASE_URL' : process.env.DATABASE_URL ? 'DATABASE_URL' : undefined;
  // Two ledgers named: sweeping the one not meant would remove another project's leftovers.
  if (dataDir && named) throw new UsageError(`--data-dir names an embedded Postgres, but ${named} names the ledger's database already: pass one of them.`);
  const dir = path.resolve(dataDir ?? defaultDataDir());
  if (!databaseUrl && !databaseUrlFromEnv() && !existsSync(path.join(dir, 'PG_VERSION'))) {
    // From a monorepo's root, the database URL is in the config folder's .env.test.
    const elsewhere = PLAYWRIGHT_CONFIG_NAMES.some((name) => existsSync(path.join(process.cwd(), name))) ? '' : ` (no Playwright config in ${process.cwd()}: run vibes sweep in your config's folder, or pass --config <file>)`;
    console.log(`no ledger: no database URL, and no embedded Postgres at ${dir}; no run has recorded anything here${elsewhere}`);
    return undefined;
  }
  // A URL from the environment is read, and named in any refusal, by the variable that holds it.
  return openCommandDatabase({ databaseUrl, dataDir: named ? undefined : dir });
}

/**
 * Removes the pending entries older than --older-than of runs no process holds any more; a run
 * still going (another shard, a long run) holds its lock and keeps its entries, as in the setup
 * sweep. Returns, with the counts, what stays pending afterwards: customers it names are no strays.
 */
async function sweepLedger(databaseUrl: string, context: RemoverContext, flags: SweepFlags): Promise<SweepResult & { listed: number; pending: LedgerEntry[] }> {
  const ledger = await Ledger.open(databaseUrl);
  try {
    // All first: an entry written between the two reads is then old, never counted as young.
    const all = await ledger.pending();
    const old = await ledger.pending({ olderThanMs: flags.olderThan });
    const oldIds = new Set(old.map((e) => e.id));
    const young = all.filter((e) => !oldIds.has(e.id)).length;
    const pending = await ledger.ofDeadRuns(old);
    const live = old.length - pending.length;
    // cleanup.defer() removals are functions of processes long gone: listed for a person, not retried.
    const manual = pending.filter((e) => e.kind === 'custom');
    // Made in an emulator, and this sweep names none: that emulator may still run (docker compose),
    // or have gone with its run. Asked at the URL its run recorded; without one, only the user knows.
    const inEmulators = context.stripeMode ? [] : pending.filter((e) => e.stripe === 'emulator' && e.kind.startsWith('stripe-'));
    const emulators = await emulatorsOf(inEmulators);
    const unreachable = inEmulators.filter((e) => !e.stripe_url);
    const entries = pending.filter((e) => e.kind !== 'custom' && !inEmulators.includes(e));
    // Only a person can say they are done; until then each later sweep and run lists them again.
    const markDone = flags.removedByHand && !flags.dryRun;
    for (const e of manual) {
      const verb = markDone ? 'marked removed by hand' : flags.removedByHand ? 'would mark removed by hand' : 'remove by hand';
      console.log(`  ${verb}: ${e.label} (run ${e.run_id}, ${e.test}${e.last_error ? `; failed with: ${e.last_error}` : ''})`);
      if (markDone) await ledger.markRemoved(e.id);
    }
    if (manual.length > 0 && !flags.removedByHand) console.log(`  once done, \`vibes sweep --removed-by-hand\` marks ${manual.length === 1 ? 'it' : 'them'} removed`);
    console.log(`ledger at ${redactUrl(databaseUrl)}: ${plural(entries.length, 'entry', 'entries')} to remove`);
    if (live > 0) console.log(`  left ${plural(live, 'entry', 'entries')} of runs still going (their processes hold the run's lock); each run removes its own`);
    if (unreachable.length > 0) {
      console.log(`  left ${plural(unreachable.length, 'entry', 'entries')} made in a Stripe emulator: set STRIPE_EMULATOR_URL to that emulator to remove them there (one started now finds nothing and counts them removed)`);
    }
    let goneRemoved = 0;
    for (const { url, state, entries: made } of emulators) {
      const count = plural(made.length, 'entry', 'entries');
      if (state === 'answers') console.log(`  ${count} made in the Stripe emulator at ${url}, which still answers: ${flags.dryRun ? 'would be' : 'being'} removed there`);
      else if (state === 'gone') {
        // Its objects lived in its memory: nothing is left to remove, so nothing stays pending.
        console.log(`  ${flags.dryRun ? 'would mark' : 'marked'} ${count} removed: made in the Stripe emulator at ${url}, which no longer runs, and its customers went with it`);
        if (!flags.dryRun) for (const e of made) await ledger.markRemoved(e.id);
        goneRemoved += made.length;
      } else console.log(`  left ${count} made in the Stripe emulator at ${url}: ${state.unknown}; set STRIPE_EMULATOR_URL to that emulator to remove them there`);
    }
    if (young > 0) console.log(`  left ${plural(young, 'entry', 'entries')} younger than ${formatDuration(flags.olderThan)} (--older-than)`);
    if (flags.dryRun) {
      for (const e of entries) {
        // The real sweep would fail on it, so the dry run does not promise it.
        const cannot = e.kind === 'app-user' && !context.appUser;
        console.log(`  ${cannot ? 'cannot remove' : 'would remove'} ${e.label} (run ${e.run_id}, ${e.test})${cannot ? ': no app-user removal given; pass --app-user-sql or --app-user-url' : ''}`);
      }
    }
    const progress = progressLine(flags.dryRun ? 'vibes sweep: ledger (dry run, nothing removed)' : 'vibes sweep: ledger');
    const result = await sweepEntries(entries, ledger, context, {
      dryRun: flags.dryRun,
      onProgress: (p) => progress.update(p.done, p.total, p.failed ? `(${p.failed} failed)` : ''),
    });
    let listed = entries.length + goneRemoved;
    result.removed += flags.dryRun ? 0 : goneRemoved;
    for (const { url, state, entries: made } of emulators) {
      if (state !== 'answers') continue;
      const there = { ...context, stripeMode: 'emulator' as const, emulatorUrl: url, stripe: stripeClientFor({ stripeMode: 'emulator', emulatorUrl: url }) };
      const fromThere = await sweepEntries(made, ledger, there, { dryRun: flags.dryRun });
      result.removed += fromThere.removed;
      result.failed.push(...fromThere.failed);
      listed += made.length;
    }
    return { ...result, listed, pending: await ledger.pending() };
  } finally {
    await ledger.close();
  }
}

/** The entries of each emulator their runs recorded, and whether it is still there to ask. */
async function emulatorsOf(entries: readonly LedgerEntry[]): Promise<{ url: string; state: EmulatorState; entries: LedgerEntry[] }[]> {
  const byUrl = new Map<string, LedgerEntry[]>();
  for (const e of entries) if (e.stripe_url) byUrl.set(e.stripe_url, [...(byUrl.get(e.stripe_url) ?? []), e]);
  return Promise.all([...byUrl].map(async ([url, made]) => ({ url, state: await emulatorAt(url), entries: made })));
}

type EmulatorState = 'answers' | 'gone' | { unknown: string };

/**
 * Whether the emulator at `url` still runs. Refused (or a compose host name that no longer
 * resolves): it has stopped, and the objects it held in memory with it. Anything else that is not
 * an emulator's customer list is not taken for either.
 */
async function emulatorAt(url: string): Promise<EmulatorState> {
  try {
    const answer = await fetch(new URL('/v1/customers?limit=1', url), {
      headers: { authorization: `Bearer ${EMULATOR_SECRET_KEY}`, 'stripe-version': API_VERSION },
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await answer.json().catch(() => undefined)) as { object?: unknown } | undefined;
    if (answer.ok && body?.object === 'list') return 'answers';
    return { unknown: `what answers there (${answer.status}) is not a Stripe emulator` };
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') return 'gone';
    return { unknown: `it did not answer (${code ?? (error as Error).message})` };
  }
}

/** The app-user removal the flags describe; a header without a URL, or a URL that cannot be one, is a usage error. */
function appUserRemoval(flags: SweepFlags): AppUserCleanup | undefined {
  if (flags.appUserSql) return { sql: flags.appUserSql };
  const headers = flags.appUserHeader ?? [];
  if (headers.length > 0 && !flags.appUserUrl) throw new UsageError('--app-user-header is sent with --app-user-url requests: pass --app-user-url too.');
  if (!flags.appUserUrl) return undefined;
  const absolute = URL.canParse(flags.appUserUrl) ? new URL(flags.appUserUrl) : undefined;
  if (absolute ? !/^https?:$/.test(absolute.protocol) : !flags.appUserUrl.startsWith('/')) {
    throw new UsageError(`--app-user-url "${flags.appUserUrl}" is neither an http(s) URL (http://…) nor a path (/api/test/users).`);
  }
  return { url: flags.appUserUrl, headers: parseHeaders(headers, '--app-user-header') };
}

function durationOption(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

// Stripe's search matches a substring of 3 characters or more; refused here, before the ledger is swept.
function emailPrefixOption(value: string): string {
  if (value.trim().length < 3) throw new InvalidArgumentError("expected 3 characters or more: Stripe's search cannot look for less (e.g. vibes+).");
  return value;
}

function rateOption(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 100)) throw new InvalidArgumentError('expected requests per second between 0 and 100 (Stripe test mode allows 25).');
  return n;
}
