import path from 'node:path';
import { Command, Option } from 'commander';
import { plural } from '../../core/index.js';
import { checkTarget, DEPLOYMENT_CHECK_ENV, formatRefusals, loadTestEnv, shellEnvironment, UNAVAILABLE_IN_DEPLOYMENT_CHECK } from '../../guard/index.js';
import { parseDuration } from '../duration.js';
import { collect } from '../options.js';
import { bypassHeaders, EXTRA_HEADERS_ENV, VERCEL_BYPASS_ENV } from '../predeploy/headers.js';
import { formatSummary } from '../predeploy/summary.js';
import { warmUp, type WarmupResult } from '../predeploy/warmup.js';
import { isRunSetup, type TestEvent } from '../suite/events.js';
import { EVENT_REPORTER, finalAttempts, resolveConfig, runSuite, whyNothingRan, type SuiteOutcome } from '../suite/run.js';
import { UsageError } from '../usage-error.js';

/** Exit codes a deploy pipeline can branch on. */
const PREDEPLOY_EXIT = { passed: 0, testsFailed: 1, misconfigured: 2, unreachable: 3 } as const;

interface PredeployFlags {
  baseUrl?: string;
  healthUrl?: string;
  warmupTimeout: string;
  config?: string;
  grep: string;
  junit?: string;
  vercelBypassSecret?: string;
  header?: string[];
}

/**
 * `vibes predeploy --base-url <url>`: the safety guard, a warm-up that waits out cold starts,
 * then the @predeploy tests against the deployment, with JUnit output and a summary.
 */
export function predeployCommand(): Command {
  return new Command('predeploy')
    .description('check a deployment before it goes live: guard, warm-up, then the @predeploy tests against it')
    .option('--base-url <url>', 'the deployment to check, e.g. a preview URL (required)')
    .option('--health-url <url>', 'URL polled until the deployment answers, absolute or a path on the base URL (default: the base URL)')
    .option('--warmup-timeout <duration>', 'how long to wait for the deployment to answer (90s, 5m)', '120s')
    .option('--config <file>', 'Playwright config (default: playwright.config.* in the current directory)')
    .option('--grep <pattern>', 'which tests make up the check (those that need nothing of this machine: no webhook waits, no SQL counts on it)', '@predeploy')
    .option('--junit <file>', 'JUnit XML report (default: test-results/predeploy-junit.xml beside the config, with its other reports)')
    .addOption(new Option('--vercel-bypass-secret <secret>', "Vercel's Protection Bypass for Automation secret, sent as x-vercel-protection-bypass").env(VERCEL_BYPASS_ENV))
    .option('--header <name: value>', 'another header every request carries, e.g. a custom protection bypass (repeatable)', collect)
    .argument('[playwright-args...]', 'more arguments for `playwright test`, after --')
    .addHelpText('after', '\nExit codes: 0 all passed, 1 tests failed, 2 misconfigured (bad flags, guard refusal, no config or tests, the preset failing its own setup, tests asking for what the check lacks), 3 deployment unreachable.')
    .action(async (playwrightArgs: string[], flags: PredeployFlags) => {
      process.exitCode = await predeploy(flags, playwrightArgs);
    });
}

async function predeploy(flags: PredeployFlags, playwrightArgs: string[]): Promise<number> {
  const cwd = process.cwd();
  const config = resolveConfig(cwd, flags.config);
  // Beside the config, as the run's own config reads them: `--config apps/web/playwright.config.ts`
  // from a monorepo's root means apps/web/.env.test, here and in the run.
  const loaded = loadTestEnv(path.dirname(config));
  const baseUrl = checkedBaseUrl(flags.baseUrl);
  const healthUrl = checkedHealthUrl(flags.healthUrl, baseUrl);
  const timeoutMs = checkedDuration(flags.warmupTimeout);
  const headers = bypassHeaders(flags.header ?? [], flags.vercelBypassSecret ?? process.env[VERCEL_BYPASS_ENV]);
  const junit = flags.junit ? path.resolve(cwd, flags.junit) : path.join(path.dirname(config), 'test-results', 'predeploy-junit.xml');

  const { refusals } = checkTarget({ urls: [{ name: '--base-url', url: baseUrl }] });
  if (refusals.length > 0) throw new UsageError(formatRefusals(refusals));
  const env = {
    ...shellEnvironment(loaded),
    BASE_URL: baseUrl,
    [DEPLOYMENT_CHECK_ENV]: '1',
    PLAYWRIGHT_JUNIT_OUTPUT_FILE: junit,
    // The report CI uploads (playwright-report/), never opened in a browser here.
    PLAYWRIGHT_HTML_OPEN: 'never',
    ...(Object.keys(headers).length ? { [EXTRA_HEADERS_ENV]: JSON.stringify(headers) } : {}),
  };
  // The config loaded first, alone (no web server, no test): its own guard (guard.productionHosts)
  // refuses the target, and an empty selection or a config that does not load is found, before
  // any request goes to the deployment and before a warm-up is waited out.
  // Its output (the config's notices too) is shown only when it stops the check: the run repeats it.
  const listed = await runSuite({ cwd, config, env, args: ['--list', '--grep', flags.grep, '--reporter', EVENT_REPORTER, ...playwrightArgs] });
  if (!listed.began || listed.total === 0) {
    process.stderr.write(listed.output);
    return nothingToRun(listed, flags.grep);
  }
  console.log(`vibes predeploy: guard passed; checking ${baseUrl}`);

  // One line per attempt: with backoff there are few, and each says why the deployment is not up yet.
  const warmup = await warmUp({
    url: healthUrl,
    headers,
    timeoutMs,
    onAttempt: (a) => {
      if (!a.ready) process.stderr.write(`vibes predeploy: warming up: attempt ${a.attempt} at ${(a.elapsedMs / 1000).toFixed(1)} s: ${a.answer}\n`);
    },
  });
  if (warmup.kind !== 'ready') return warmupFailed(warmup, healthUrl, Object.keys(headers), timeoutMs);
  console.log(`vibes predeploy: ${healthUrl} answered ${warmup.status} after ${plural(warmup.attempts, 'attempt')} (${(warmup.elapsedMs / 1000).toFixed(1)} s)`);

  // A trace records every request's headers, the bypass secret too, and CI uploads test-results/.
  const noTraces = Object.keys(headers).length > 0 ? ['--trace', 'off'] : [];
  if (noTraces.length) console.log('vibes predeploy: traces are off: they would record the bypass headers');
  const run = await runSuite({
    cwd,
    config,
    args: ['--grep', flags.grep, '--reporter', `list,junit,html,${EVENT_REPORTER}`, ...noTraces, ...playwrightArgs],
    env,
    onLine: (line, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(`${line}\n`),
  });
  const tests = finalAttempts(run.attempts);
  if (!run.began || run.total === 0) return nothingToRun(run, flags.grep);
  const { exitCode, verdict } = judge(run, tests, flags.grep);
  console.log(formatSummary({
    baseUrl,
    headerNames: Object.keys(headers),
    warmup,
    tests,
    junit: path.relative(cwd, junit) || junit,
    exitCode,
    verdict,
  }));
  return exitCode;
}

/**
 * The exit code and verdict of a run that began. The preset's own setup failing (the ledger's
 * database unreachable, say) is this machine's problem, not the deployment's: misconfigured, like
 * a guard refusal. So are tests that fail only on asking for what a pre-deploy check does not have
 * (webhooks, a SQL count); a failure of the deployment's outranks them.
 */
function judge(run: SuiteOutcome, tests: TestEvent[], grep: string): { exitCode: number; verdict: string } {
  if (run.exitCode === 0) return { exitCode: PREDEPLOY_EXIT.passed, verdict: 'PASSED: safe to go live' };
  if (run.status === 'interrupted') return { exitCode: PREDEPLOY_EXIT.testsFailed, verdict: 'INTERRUPTED: the check did not finish; do not go live' };
  const failed = tests.filter((t) => t.outcome === 'unexpected');
  if (failed.some(isRunSetup)) {
    return { exitCode: PREDEPLOY_EXIT.misconfigured, verdict: "MISCONFIGURED: the preset's own setup failed on this machine (see above); the deployment was not checked" };
  }
  // The error itself, not a mention of one (a matcher's failure that could not add its timeline).
  const unfit = failed.filter((t) => t.error !== undefined && stripErrorName(t.error).startsWith(UNAVAILABLE_IN_DEPLOYMENT_CHECK));
  if (unfit.length > 0 && unfit.length === failed.length) {
    return {
      exitCode: PREDEPLOY_EXIT.misconfigured,
      verdict: `MISCONFIGURED: ${plural(unfit.length, `${grep} test`)} ${unfit.length === 1 ? 'asks' : 'ask'} for what a pre-deploy check does not have (see above); ` +
        'the deployment was not fully checked',
    };
  }
  return { exitCode: PREDEPLOY_EXIT.testsFailed, verdict: 'FAILED: do not go live' };
}

/** "Error: message" → "message", as Playwright prefixes a thrown error's message with its name. */
function stripErrorName(error: string): string {
  return error.replace(/^\w*Error: /, '');
}

function nothingToRun(outcome: SuiteOutcome, grep: string): number {
  const nothing = whyNothingRan(outcome, grep);
  const why = outcome.output.includes('refused to run')
    ? 'the safety guard in your Playwright config refused the target (see above)'
    : nothing.startsWith('no test matches') ? `${nothing}: tag the tests of the check with ${grep} in their titles` : nothing;
  console.error(`vibes predeploy: misconfigured: ${why}.`);
  return PREDEPLOY_EXIT.misconfigured;
}

function warmupFailed(warmup: Exclude<WarmupResult, { kind: 'ready' }>, healthUrl: string, headerNames: string[], timeoutMs: number): number {
  if (warmup.kind === 'refused') {
    const hint = headerNames.length
      ? `the bypass headers sent (${headerNames.join(', ')}) were not accepted: check the secret`
      : `it looks protected: pass --vercel-bypass-secret (or set ${VERCEL_BYPASS_ENV}) or --header "Name: value"`;
    console.error(`vibes predeploy: misconfigured: ${healthUrl} answered ${warmup.status}; ${hint}.`);
    return PREDEPLOY_EXIT.misconfigured;
  }
  console.error(
    `vibes predeploy: unreachable: ${healthUrl} did not answer with a success within ${Math.round(timeoutMs / 1000)} s ` +
      `(${warmup.attempts} attempts, last: ${warmup.lastAnswer}). Is the deployment up and healthy? A slow cold start needs a longer --warmup-timeout.`,
  );
  return PREDEPLOY_EXIT.unreachable;
}

function checkedBaseUrl(value: string | undefined): string {
  if (!value) throw new UsageError('--base-url is required: the URL of the deployment to check, e.g. --base-url https://my-app-git-branch.vercel.app');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--base-url must be an absolute http(s) URL, got "${value}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--base-url must be an http(s) URL, got "${value}".`);
  return url.toString().replace(/\/$/, '');
}

function checkedHealthUrl(value: string | undefined, baseUrl: string): string {
  if (!value) return baseUrl;
  try {
    return new URL(value, `${baseUrl}/`).toString();
  } catch {
    throw new UsageError(`--health-url must be a URL or a path on the base URL, got "${value}".`);
  }
}

function checkedDuration(value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms <= 0) throw new Error('it must be longer than zero');
    return ms;
  } catch (error) {
    throw new UsageError(`--warmup-timeout: ${(error as Error).message}`);
  }
}
