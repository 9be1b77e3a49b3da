import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestInfo } from '@playwright/test';
import { formatScheduleFile, type ReplayClient } from '../../replay-server/index.js';
import { ANNOTATIONS } from '../annotations.js';
import { FuzzCounterexampleError, formatCounterexample, seedPrefix } from './report.js';
import { fuzzWebhooks, type FuzzEnvironment, type WebhookFuzzOptions } from './run.js';
import type { FuzzResult } from './search.js';
import { FUZZ_ENV, type FuzzConfig } from './settings.js';

/** What `webhooks.fuzz` knows about the test it runs in. */
export interface FuzzTestContext extends Pick<FuzzEnvironment, 'emailFor' | 'onSubject' | 'query' | 'grants'> {
  testInfo: TestInfo;
  config: FuzzConfig;
  replayServerUrl: string;
}

const COUNTEREXAMPLE_FILE = 'fuzz-counterexample.ndjson';

/**
 * `webhooks.fuzz` in a Playwright test: the seed comes from the environment, the test or the
 * config; a counterexample fails the test with the whole story, and its schedule is attached to
 * the report as NDJSON, with the command lines that reproduce it.
 */
export async function fuzzInTest<S>(client: ReplayClient, options: WebhookFuzzOptions<S>, context: FuzzTestContext): Promise<FuzzResult> {
  const { testInfo } = context;
  const name = options.name ?? testInfo.titlePath.slice(1).join(' › ');
  const result = await fuzzWebhooks(options, {
    client,
    name,
    config: context.config,
    emailFor: context.emailFor,
    onSubject: context.onSubject,
    query: context.query,
    grants: context.grants,
  });
  const summary = `seed ${result.seed} (${result.seedSource}): ${result.numRuns} runs, ${result.passed ? 'no counterexample' : `counterexample after ${result.numShrinks} shrinks`}`;
  testInfo.annotations.push({ type: ANNOTATIONS.fuzz, description: summary });
  if (result.passed) return result;

  const file = testInfo.outputPath(COUNTEREXAMPLE_FILE);
  await writeFile(file, formatScheduleFile(result.counterexample!.file));
  await testInfo.attach(COUNTEREXAMPLE_FILE, { path: file, contentType: 'application/x-ndjson' });
  const shown = path.relative(process.cwd(), file);
  const command = rerunCommand(testInfo);
  const reproduce = [
    `${seedPrefix(result)} ${command}`,
    `or run this exact schedule again (copy it out first: Playwright empties ${path.relative(process.cwd(), testInfo.project.outputDir) || 'test-results'} when a run starts):`,
    `  cp ${shown} ${COUNTEREXAMPLE_FILE} && ${FUZZ_ENV.replaySchedule}=${COUNTEREXAMPLE_FILE} ${command}`,
    `or deliver it to a running stack: npx vibes replay-server replay-schedule ${shown} --url ${context.replayServerUrl} --fresh-ids`,
  ];
  throw new FuzzCounterexampleError(formatCounterexample(result, { reproduce }), result);
}

/** Names Playwright finds a config by when `-c` names none (its own list, in its order). */
const DEFAULT_CONFIG_NAMES = ['playwright.config.ts', 'playwright.config.js', 'playwright.config.mts', 'playwright.config.mjs', 'playwright.config.cts', 'playwright.config.cjs'];

/**
 * The command that runs this test again, from where this run was started: with `-c` when the run
 * used a config Playwright would not find by itself (a second config for the production build),
 * or the copied command would run the counterexample against another app.
 */
export function rerunCommand(testInfo: Pick<TestInfo, 'file' | 'line' | 'project'> & { config: Pick<TestInfo['config'], 'configFile'> }, cwd = process.cwd()): string {
  const configFile = testInfo.config.configFile;
  const config = configFile && !(path.dirname(configFile) === cwd && DEFAULT_CONFIG_NAMES.includes(path.basename(configFile)))
    ? ` -c ${path.relative(cwd, configFile)}`
    : '';
  return `npx playwright test${config} ${path.relative(cwd, testInfo.file)}:${testInfo.line}${testInfo.project.name ? ` --project=${testInfo.project.name}` : ''}`;
}
