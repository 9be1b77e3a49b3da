import { plural } from '../../core/index.js';
import { isRunSetup, type TestEvent } from '../suite/events.js';
import type { WarmupResult } from './warmup.js';

export interface PredeploySummary {
  baseUrl: string;
  headerNames: string[];
  warmup: WarmupResult;
  tests: TestEvent[];
  junit: string;
  exitCode: number;
  verdict: string;
}

/** The closing block of `vibes predeploy`: warm-up and tests reported apart, secrets never shown. */
export function formatSummary(s: PredeploySummary): string {
  const setup = s.tests.filter(isRunSetup);
  const tests = s.tests.filter((t) => !isRunSetup(t));
  const count = (list: TestEvent[], outcome: TestEvent['outcome']) => list.filter((t) => t.outcome === outcome && t.status !== 'interrupted').length;
  const interrupted = tests.filter((t) => t.status === 'interrupted').length;
  const lines = [
    '',
    'vibes predeploy summary',
    `  target:   ${s.baseUrl}${s.headerNames.length ? ` (bypass headers: ${s.headerNames.join(', ')})` : ''}`,
    `  warm-up:  ${describeWarmup(s.warmup)}`,
    `  tests:    ${count(tests, 'expected')} passed, ${count(tests, 'unexpected')} failed, ${count(tests, 'flaky')} flaky, ${count(tests, 'skipped')} skipped${interrupted ? `, ${interrupted} interrupted` : ''}`,
    ...listed(tests),
    ...(setup.length ? [`  preset:   ${count(setup, 'expected')} passed, ${count(setup, 'unexpected')} failed, ${count(setup, 'skipped')} skipped (its own setup and teardown)`] : []),
    ...listed(setup),
  ];
  lines.push(`  junit:    ${s.junit}`, `  result:   ${s.verdict} (exit ${s.exitCode})`);
  return lines.join('\n');
}

/** The failed and flaky ones, each with the first line of its error. */
function listed(tests: TestEvent[]): string[] {
  return tests
    .filter((t) => t.outcome === 'unexpected' || t.outcome === 'flaky')
    .map((t) => `    ${t.outcome === 'flaky' ? '~' : '✗'} ${t.name}${t.error ? ` — ${firstLine(t.error)}` : ''}`);
}

function describeWarmup(w: WarmupResult): string {
  const seconds = (w.elapsedMs / 1000).toFixed(1);
  const tries = plural(w.attempts, 'attempt');
  if (w.kind === 'ready') return `answered ${w.status} after ${tries} in ${seconds} s${w.attempts > 1 ? ' (cold start)' : ''}`;
  if (w.kind === 'refused') return `refused with ${w.status} after ${tries} in ${seconds} s`;
  return `no answer after ${tries} in ${seconds} s (last: ${w.lastAnswer})`;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}
