import path from 'node:path';
import { Command } from 'commander';
import { plural } from '../../core/index.js';
import { loadTestEnv, shellEnvironment } from '../../guard/index.js';
import { formatSetup, formatTable, tally } from '../flake/table.js';
import { parsePositiveInt } from '../options.js';
import { progressLine } from '../progress.js';
import { isRunSetup, type TestEvent } from '../suite/events.js';
import { EVENT_REPORTER, resolveConfig, runSuite, whyNothingRan, type SuiteOutcome } from '../suite/run.js';

interface FlakeFlags {
  repeat: number;
  config?: string;
  grep?: string;
  workers?: number;
  separateRuns?: boolean;
  verbose?: boolean;
}

/**
 * `vibes flake`: runs the suite many times without retries and prints, per test, how often it
 * passed and failed and the first failure, so a flaky test is found before CI finds it.
 */
export function flakeCommand(): Command {
  return new Command('flake')
    .description('run the suite repeatedly (no retries) and print passes, failures and the first failure per test')
    .option('--repeat <n>', 'how many times to run each test', parsePositiveInt, 20)
    .option('--config <file>', 'Playwright config (default: playwright.config.* in the current directory)')
    .option('--grep <pattern>', 'only the tests whose title matches, e.g. @smoke')
    .option('--workers <n>', 'parallel workers (default: the config\'s)', parsePositiveInt)
    .option('--separate-runs', 'start a fresh `playwright test` (and its servers) for each repeat instead of --repeat-each in one run')
    .option('--verbose', "also print Playwright's own output")
    .argument('[playwright-args...]', 'more arguments for `playwright test`, after --')
    .addHelpText('after', '\nExit codes: 0 no test failed, 1 a test failed at least once, 2 misconfigured (bad flags, no config, the run did not start).')
    .action(async (playwrightArgs: string[], flags: FlakeFlags) => {
      process.exitCode = await flake(flags, playwrightArgs);
    });
}

async function flake(flags: FlakeFlags, playwrightArgs: string[]): Promise<number> {
  const cwd = process.cwd();
  const config = resolveConfig(cwd, flags.config);
  // Beside the config, as the run's own config reads them (see predeploy).
  const loaded = loadTestEnv(path.dirname(config));
  // Every attempt counts: a retry would hide exactly what this command looks for.
  const common = ['--retries=0', '--reporter', EVENT_REPORTER, ...(flags.grep ? ['--grep', flags.grep] : []),
    ...(flags.workers ? ['--workers', String(flags.workers)] : []), ...playwrightArgs];
  const onLine = flags.verbose ? (line: string) => process.stderr.write(`${line}\n`) : undefined;
  const attempts: TestEvent[] = [];
  const runs = flags.separateRuns ? flags.repeat : 1;
  const progress = progressLine('vibes flake: attempts (setup and teardown included)');
  let failures = 0;
  let interrupted = false;
  // Runs that Playwright failed though no test did: an error outside every test.
  const brokenRuns: string[] = [];
  for (let run = 1; run <= runs; run++) {
    const failuresBefore = failures;
    let done = 0;
    let total = 0;
    const outcome: SuiteOutcome = await runSuite({
      cwd,
      config,
      args: flags.separateRuns ? common : ['--repeat-each', String(flags.repeat), ...common],
      env: shellEnvironment(loaded),
      onLine,
      onEvent: (event) => {
        if (event.type === 'begin') total = event.total;
        if (event.type !== 'test') return;
        done++;
        if (event.status !== event.expectedStatus && event.status !== 'skipped' && event.status !== 'interrupted') failures++;
        const position = flags.separateRuns ? `(run ${run}/${runs}) ` : '';
        progress.update(flags.separateRuns ? (run - 1) * total + done : done, flags.separateRuns ? runs * total : total, `${position}${failures} failed so far`);
      },
    });
    if (!outcome.began || outcome.total === 0) {
      if (!flags.verbose) process.stderr.write(outcome.output);
      console.error(`vibes flake: ${whyNothingRan(outcome, flags.grep)}.`);
      return 2;
    }
    attempts.push(...outcome.attempts);
    if (outcome.status === 'interrupted') {
      interrupted = true;
      break;
    }
    if (outcome.exitCode !== 0 && failures === failuresBefore) brokenRuns.push(outcome.output);
  }
  // The preset's own setup and teardown run once per run whatever the repeat: counted apart.
  const tested = attempts.filter((a) => !isRunSetup(a));
  const rows = tally(tested);
  const setupRows = tally(attempts.filter(isRunSetup));
  const flaky = rows.filter((r) => r.failures > 0);
  const brokenSetup = setupRows.filter((r) => r.failures > 0);
  const how = flags.separateRuns ? `${plural(flags.repeat, 'separate run')}` : `repeated ${plural(flags.repeat, 'time')} in one run`;
  console.log(`\nvibes flake: ${plural(rows.length, 'test')}, ${how}, no retries`);
  console.log(formatTable(rows, { width: process.stdout.columns ?? 100 }));
  if (setupRows.length > 0) console.log(`\n${formatSetup(setupRows)}`);
  const ran = tested.filter((a) => a.status !== 'skipped').length;
  const testFailures = flaky.reduce((sum, r) => sum + r.failures, 0);
  console.log(flaky.length === 0
    ? `\nvibes flake: no failures in ${plural(ran, 'attempt')}`
    : `\nvibes flake: ${plural(flaky.length, 'test')} failed at least once (${plural(testFailures, 'failure')} in ${plural(ran, 'attempt')})`);
  if (interrupted) {
    console.error('vibes flake: interrupted (Ctrl-C or a signal): the counts above cover only the attempts that finished.');
    return 1;
  }
  if (brokenSetup.length > 0) {
    console.error("vibes flake: the preset's own setup or teardown failed (see above); the tests it stopped were skipped and are not counted.");
    return 1;
  }
  if (brokenRuns.length > 0) {
    if (!flags.verbose) process.stderr.write(brokenRuns.at(-1)!);
    console.error(`vibes flake: Playwright failed ${brokenRuns.length === 1 ? 'a run' : `${brokenRuns.length} runs`} where no test failed: an error outside the tests (a fixture's teardown, global setup or teardown, a reporter); see its output${flags.verbose ? ' above' : ' just above'}.`);
    return 1;
  }
  return flaky.length === 0 ? 0 : 1;
}
