import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { EVENT_MARKER, type SuiteEvent } from './events.js';

/**
 * A Playwright reporter that `vibes predeploy` and `vibes flake` add to the user's run: it writes
 * one marked JSON line per test attempt, so the command can show progress while the run goes and
 * summarise it afterwards without parsing anyone's console output.
 */
export default class VibesEventReporter implements Reporter {
  private rootDir = process.cwd();

  onBegin(config: FullConfig, suite: Suite): void {
    // Files are named from the project's root (where the config is), as people see them.
    this.rootDir = config.configFile ? path.dirname(config.configFile) : config.rootDir;
    emit({ type: 'begin', total: suite.allTests().length });
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const [, project = '', , ...titles] = test.titlePath();
    const relative = path.relative(this.rootDir, test.location.file);
    // Files outside the project (the preset's own setup project) are named by their file name alone.
    const file = relative.startsWith('..') ? path.basename(relative) : relative.split(path.sep).join('/');
    const failed = result.status !== test.expectedStatus && result.status !== 'skipped';
    const message = result.errors.map((e) => e.message ?? e.value ?? '').find((m) => m.trim() !== '');
    emit({
      type: 'test',
      key: JSON.stringify([project, file, ...titles]),
      name: [file, ...titles].join(' › '),
      project,
      status: result.status,
      expectedStatus: test.expectedStatus,
      outcome: test.outcome(),
      willRetry: failed && result.retry < test.retries,
      retry: result.retry,
      durationMs: result.duration,
      ...(failed ? { error: stripVTControlCharacters(message ?? `test ${result.status}`).trim().slice(0, 2000) } : {}),
    });
  }

  onError(error: TestError): void {
    const message = stripVTControlCharacters(error.message ?? error.value ?? 'an error').trim();
    emit({ type: 'error', message: message.split('\n')[0]!.slice(0, 500) });
  }

  onEnd(result: FullResult): void {
    emit({ type: 'end', status: result.status });
  }

  printsToStdio(): boolean {
    return false;
  }
}

function emit(event: SuiteEvent): void {
  process.stdout.write(`${EVENT_MARKER}${JSON.stringify(event)}\n`);
}
