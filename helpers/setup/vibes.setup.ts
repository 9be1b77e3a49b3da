import { test as setup } from '../fixtures.js';
import { plural } from '../../core/index.js';
import { configuredTargets } from '../targets.js';
import { checkTarget, formatRefusals } from '../../guard/index.js';
import { sweepEntries } from '../../cleanup/index.js';

// The first project of every vibes run; the browser projects depend on it, so nothing of the
// suite runs before the target is proven safe and dead runs' leftovers are gone.

// In order, and a failure skips the rest: with `fullyParallel` these tests would otherwise run
// independently, and the leftovers' removal must never run against a target the guard refused.
setup.describe.configure({ mode: 'serial' });

setup('the target is a test target (safety guard)', async ({ guardConfig, baseURL, entitlementsConfig, cleanupConfig, dbConfig }) => {
  const targets = configuredTargets({ entitlements: entitlementsConfig, cleanup: cleanupConfig, db: dbConfig }, baseURL);
  const { checks, refusals } = checkTarget({ config: guardConfig, baseURL, ...targets });
  for (const check of checks) {
    await setup.step(`${check.passed ? '✓' : '✗'} ${check.name}: ${check.detail}`, async () => {});
  }
  if (refusals.length > 0) throw new Error(formatRefusals(refusals));
});

setup('the replay server answers', async ({ _vibesReplay }) => {
  setup.skip(!_vibesReplay, 'a pre-deploy check: the deployment gets its own webhooks');
  await _vibesReplay!.health();
});

setup('what killed runs left behind is removed', async ({ vibes, _vibesLedger, _vibesRemovers }) => {
  if (!_vibesLedger) {
    // Each test still removes what it made; what a killed run made would stay. Said, not only skipped.
    const why = 'vibes: no database for the cleanup ledger, so a run killed mid-test leaves its test data behind and no later run removes it. ' +
      (vibes.replayServerUrl === undefined
        ? 'A pre-deploy check starts no Postgres here, and neither VIBES_DATABASE_URL nor DATABASE_URL is set; set VIBES_DATABASE_URL to a Postgres of your own if the check should keep a ledger.'
        : 'The replay server runs elsewhere (VIBES_REPLAY_URL or webhooks.replayServerUrl), so no embedded Postgres started here, and neither ' +
          'VIBES_DATABASE_URL nor DATABASE_URL is set: set VIBES_DATABASE_URL (in .env.test) to a Postgres for the ledger.');
    console.warn(why);
    setup.skip(true, why);
  }
  const dead = await _vibesLedger!.pendingOfDeadRuns(vibes.runId);
  // A cleanup.defer() removal was a function of the process that died: no later run can run it.
  const unremovable = dead.filter((e) => e.kind === 'custom');
  const leftovers = dead.filter((e) => e.kind !== 'custom');
  const result = await sweepEntries(leftovers, _vibesLedger!, _vibesRemovers);
  if (leftovers.length > 0) console.log(`vibes: removed ${result.removed} of ${leftovers.length} leftovers of killed runs`);
  // A leftover that cannot be removed (its app-user SQL names a renamed table, no appUser is
  // configured any more) must not fail setup: that would skip every project after it, in this
  // run and each one after. It stays pending with its error, is retried by the next run, and is
  // reported here, loudly.
  if (result.failed.length > 0) {
    const lines = result.failed.map((f) => `  ${f.label}: ${f.error}`).join('\n');
    const one = result.failed.length === 1;
    console.warn(`vibes: ${plural(result.failed.length, 'leftover')} of killed runs could not be removed; ${one ? 'it stays' : 'they stay'} in the ledger and the next run retries ${one ? 'it' : 'them'}. ` +
      `Remove ${one ? 'it' : 'them'} with \`npx vibes sweep --older-than 0s\` (\`--app-user-sql\` or \`--app-user-url\` for app users), or by hand:\n${lines}`);
    setup.info().annotations.push({ type: 'vibes-cleanup-leftovers-failed', description: lines });
  }
  if (unremovable.length > 0) {
    const labels = unremovable.map((e) => `  ${e.label} (${e.test})`).join('\n');
    console.warn(`vibes: ${unremovable.length} cleanup.defer() removal(s) of dead runs cannot run any more; remove these by hand, then mark them done with \`npx vibes sweep --removed-by-hand\` (\`--dry-run\` lists them):\n${labels}`);
    setup.info().annotations.push({ type: 'vibes-cleanup-unremovable', description: labels });
  }
});
