import { test as setup, expect } from '../fixtures.js';
import { checkTarget, formatRefusals } from '../guard.js';
import { sweepEntries } from '../sweep.js';
import { ReplayClient } from '../../replay-server/index.js';

// The first project of every vibes run; the browser projects depend on it, so nothing of the
// suite runs before the target is proven safe and dead runs' leftovers are gone.

setup('the target is a test target (safety guard)', async ({ guardConfig, baseURL }) => {
  const { checks, refusals } = checkTarget({ config: guardConfig, baseURL });
  for (const check of checks) {
    await setup.step(`${check.passed ? '✓' : '✗'} ${check.name}: ${check.detail}`, async () => {});
  }
  if (refusals.length > 0) throw new Error(formatRefusals(refusals));
});

setup('the replay server answers', async ({ vibes }) => {
  await new ReplayClient(vibes.replayServerUrl, { token: process.env.VIBES_REPLAY_TOKEN }).health();
});

setup('what killed runs left behind is removed', async ({ vibes, _vibesLedger, _vibesRemovers }) => {
  setup.skip(!_vibesLedger, 'no database for the cleanup ledger');
  const leftovers = await _vibesLedger!.pendingOfDeadRuns(vibes.runId);
  const result = await sweepEntries(leftovers, _vibesLedger!, _vibesRemovers);
  if (leftovers.length > 0) console.log(`vibes: removed ${result.removed} of ${leftovers.length} leftovers of killed runs`);
  expect(result.failed, 'removals of leftovers that failed (they stay in the ledger for `vibes sweep`)').toEqual([]);
});
