import { plural } from '../../core/index.js';
import { ANNOTATIONS } from '../annotations.js';
import { test as teardown } from '../fixtures.js';

// Runs after every test of the run: failed removals are summarised once, not lost in attachments.
teardown('every test removed what it created', async ({ vibes, _vibesLedger }) => {
  teardown.skip(!_vibesLedger, 'no database for the cleanup ledger');
  const left = await _vibesLedger!.pending({ run: vibes.runId });
  // Noted when nothing is left too: the summary then knows the ledger was read.
  teardown.info().annotations.push({ type: ANNOTATIONS.cleanupLeft, description: String(left.length) });
  if (left.length === 0) return;
  const lines = left.map((e) => `  ${e.label} (${e.test}): ${e.last_error ?? 'not attempted'}`);
  const one = left.length === 1;
  throw new Error(`${plural(left.length, 'removal')} of this run failed and ${one ? 'stays' : 'stay'} in the ledger; the next run retries ${one ? 'it' : 'them'}, or now \`npx vibes sweep --older-than 0s\` (cleanup.defer() removals are listed there for removal by hand):\n${lines.join('\n')}`);
});
