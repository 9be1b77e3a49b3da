import { createHash, randomBytes } from 'node:crypto';
import type { TestInfo } from '@playwright/test';

/**
 * One id per `playwright test` invocation, fixed in the runner process when the config loads
 * and inherited by workers and web servers through the environment. Its random part keeps the
 * shards of one CI run, and parallel CI jobs sharing one replay-server store, apart.
 */
export function currentRunId(env: NodeJS.ProcessEnv = process.env): string {
  if (!env.VIBES_RUN_ID) {
    const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(2, 12); // yymmddhhmm
    env.VIBES_RUN_ID = `r${stamp}${randomBytes(3).toString('hex')}`;
  }
  return env.VIBES_RUN_ID;
}

export interface TestIdentity {
  /** Unique per run, worker, test and retry: safe under parallel workers and shards. */
  tag: string;
  run: string;
}

export function testIdentity(testInfo: Pick<TestInfo, 'testId' | 'workerIndex' | 'retry' | 'repeatEachIndex'>, run = currentRunId()): TestIdentity {
  const test = createHash('sha1').update(testInfo.testId).digest('hex').slice(0, 6);
  const salt = randomBytes(2).toString('hex');
  return { run, tag: `${run}-w${testInfo.workerIndex}-${test}${testInfo.repeatEachIndex}${testInfo.retry}${salt}` };
}
