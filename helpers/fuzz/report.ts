import { plural } from '../../core/index.js';
import { formatScheduleTable } from '../../replay-server/index.js';
import type { FuzzResult } from './search.js';
import { FUZZ_ENV } from './settings.js';

/** A failed property: its message is the whole report (seed, path, shrunk schedule, how to reproduce). */
export class FuzzCounterexampleError extends Error {
  override name = 'FuzzCounterexampleError';
  constructor(
    message: string,
    readonly result: FuzzResult,
  ) {
    super(message);
  }
}

/**
 * The report of a failed property, for a terminal and a test report: what broke, the seed and
 * path, the shrunk schedule as a table, and the commands that reproduce it.
 */
export function formatCounterexample(result: FuzzResult, { reproduce = [] }: { reproduce?: string[] } = {}): string {
  const example = result.counterexample;
  if (!example) return `${result.name}: no counterexample in ${result.numRuns} runs (seed ${result.seed}).`;
  const lines = [
    `${result.name}: counterexample after ${plural(result.numRuns, 'run')}, shrunk ${plural(result.numShrinks, 'time')}.`,
    indent(example.message),
    '',
    `  seed ${result.seed} (${result.seedSource}), path ${result.path ?? '(none)'}`,
    `  shrunk schedule: ${plural(example.deliveries, 'delivery', 'deliveries')} in ${plural(example.groups, 'group')} (a group's deliveries start together; groups run in order)`,
    formatScheduleTable(example.rows, { indent: '    ' }),
  ];
  if (example.details) lines.push('', indent(example.details));
  lines.push('', '  reproduce:', ...reproduceLines(result, reproduce).map((line) => `    ${line}`));
  return lines.join('\n');
}

/** `VIBES_SEED=… VIBES_FUZZ_PATH=… <command>`: replays the counterexample through fast-check. */
export function seedPrefix(result: Pick<FuzzResult, 'seed' | 'path'>): string {
  return `${FUZZ_ENV.seed}=${result.seed}${result.path ? ` ${FUZZ_ENV.path}=${result.path}` : ''}`;
}

function reproduceLines(result: FuzzResult, extra: string[]): string[] {
  return extra.length > 0 ? extra : [`${seedPrefix(result)} <the command that ran this property>`];
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** Throws a FuzzCounterexampleError with the whole report when the result holds a counterexample. */
export function assertNoCounterexample(result: FuzzResult, options: { reproduce?: string[] } = {}): void {
  if (!result.passed) throw new FuzzCounterexampleError(formatCounterexample(result, options), result);
}
