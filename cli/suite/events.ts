/**
 * What the event reporter tells the `vibes` process about a Playwright run, one line each on
 * the child's stdout. The marker keeps the lines apart from whatever else the run prints.
 */
export const EVENT_MARKER = '\u001evibes-suite-event ';

export type SuiteEvent =
  | { type: 'begin'; total: number }
  | TestEvent
  /** An error outside the tests: a web server that did not start, global setup, a spec that failed to load. */
  | { type: 'error'; message: string }
  | { type: 'end'; status: 'passed' | 'failed' | 'timedout' | 'interrupted' };

export interface TestEvent {
  type: 'test';
  /** The same for every repeat of a test: project, file and titles. */
  key: string;
  /** `file › describe › title`, for people. */
  name: string;
  project: string;
  status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
  expectedStatus: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
  /** The test's outcome over its attempts so far (final on its last attempt). */
  outcome: 'skipped' | 'expected' | 'unexpected' | 'flaky';
  /** Another attempt of this test follows. */
  willRetry: boolean;
  retry: number;
  durationMs: number;
  /** First failure message, without colours. */
  error?: string;
}

/**
 * The preset's own projects (helpers/config.ts): the safety guard, the replay server and the
 * leftovers of killed runs before the tests, the cleanup check after. They run once per run, whatever
 * `--repeat-each` says, so the commands count them apart from the suite's tests.
 */
const RUN_SETUP_PROJECTS = new Set(['vibes-setup', 'vibes-teardown']);

export function isRunSetup(event: TestEvent): boolean {
  return RUN_SETUP_PROJECTS.has(event.project);
}

export function parseEventLine(line: string): SuiteEvent | undefined {
  const at = line.indexOf(EVENT_MARKER);
  if (at < 0) return undefined;
  try {
    return JSON.parse(line.slice(at + EVENT_MARKER.length)) as SuiteEvent;
  } catch {
    return undefined;
  }
}

