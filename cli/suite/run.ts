import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../usage-error.js';
import { parseEventLine, type SuiteEvent, type TestEvent } from './events.js';

export const EVENT_REPORTER = fileURLToPath(new URL('./event-reporter.js', import.meta.url));
/** In Playwright's own order (its resolveConfigFile): with two configs, the one `npx playwright test` loads. */
export const PLAYWRIGHT_CONFIG_NAMES = ['.ts', '.js', '.mts', '.mjs', '.cts', '.cjs'].map((ext) => `playwright.config${ext}`);

/** The user's Playwright config: `--config` as given, else the first playwright.config.* in cwd. */
export function resolveConfig(cwd: string, given: string | undefined): string {
  if (given) {
    const full = path.resolve(cwd, given);
    if (!existsSync(full)) throw new UsageError(`--config ${given}: no such file (looked for ${full}).`);
    return full;
  }
  const found = PLAYWRIGHT_CONFIG_NAMES.map((name) => path.join(cwd, name)).find((file) => existsSync(file));
  if (!found) {
    throw new UsageError(`no Playwright config in ${cwd} (looked for ${PLAYWRIGHT_CONFIG_NAMES.join(', ')}). Run \`vibes init\` to add one, or pass --config <file>.`);
  }
  return found;
}

/**
 * The `playwright` CLI of the user's project (so the run uses the same @playwright/test as their
 * config and specs), else the one this package was installed with.
 */
function resolvePlaywrightCli(cwd: string): string {
  for (const from of [path.join(cwd, 'package.json'), fileURLToPath(import.meta.url)]) {
    try {
      return createRequire(from).resolve('@playwright/test/cli');
    } catch {
      // not installed there; try the next place
    }
  }
  throw new UsageError('@playwright/test is not installed: add it to your project (npm install -D @playwright/test).');
}

export interface SuiteRun {
  cwd: string;
  config: string;
  /** Arguments after `playwright test --config <config>`. */
  args: string[];
  env: NodeJS.ProcessEnv;
  onEvent?: (event: SuiteEvent) => void;
  /** Every other line the run prints (reporters, web servers, errors). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface SuiteOutcome {
  exitCode: number;
  /** False when the run ended before Playwright had a list of tests (the config failed, say). */
  began: boolean;
  total: number;
  /** Every attempt of every test, in the order they ended. */
  attempts: TestEvent[];
  /** Errors outside the tests, first line each (a web server that did not start, say). */
  errors: string[];
  /** Playwright's own verdict; `interrupted` after Ctrl-C or a signal passed on. */
  status?: 'passed' | 'failed' | 'timedout' | 'interrupted';
  /** The run's own output without the event lines, for error messages. */
  output: string;
}

/** Runs `playwright test` as a child process and collects the event reporter's lines. */
export function runSuite(run: SuiteRun): Promise<SuiteOutcome> {
  const cli = resolvePlaywrightCli(run.cwd);
  const child = spawn(process.execPath, [cli, 'test', '--config', run.config, ...run.args], {
    cwd: run.cwd,
    env: run.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const outcome: SuiteOutcome = { exitCode: 1, began: false, total: 0, attempts: [], errors: [], output: '' };
  const lineReader = (stream: 'stdout' | 'stderr') => {
    let pending = '';
    return {
      push(chunk: Buffer) {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        lines.forEach((line) => handle(line, stream));
      },
      flush() {
        if (pending) handle(pending, stream);
        pending = '';
      },
    };
  };
  const handle = (line: string, stream: 'stdout' | 'stderr') => {
    const event = parseEventLine(line);
    if (!event) {
      outcome.output += `${line}\n`;
      run.onLine?.(line, stream);
      return;
    }
    if (event.type === 'begin') {
      outcome.began = true;
      outcome.total = event.total;
    } else if (event.type === 'test') {
      outcome.attempts.push(event);
    } else if (event.type === 'error') {
      outcome.errors.push(event.message);
    } else if (event.type === 'end') {
      outcome.status = event.status;
    }
    run.onEvent?.(event);
  };
  const out = lineReader('stdout');
  const err = lineReader('stderr');
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  // A Ctrl-C of `vibes` reaches the child through the process group; it shuts its web servers down.
  // A signal sent to `vibes` alone (a CI job cancelled, `kill <pid>`) is passed on as that Ctrl-C:
  // Playwright stops its web servers on SIGINT, while a SIGTERM ends it with them left running.
  const passOn = () => child.kill('SIGINT');
  const signals = ['SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, passOn);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      for (const s of signals) process.off(s, passOn);
      out.flush();
      err.flush();
      outcome.exitCode = code ?? (signal ? 128 + 15 : 1);
      resolve(outcome);
    });
  });
}

/** Why a run that ran no test ran none, for a command's one-line verdict. */
export function whyNothingRan(outcome: SuiteOutcome, grep: string | undefined): string {
  if (!outcome.began) return 'Playwright stopped before running any test: the config or a spec failed to load (see above)';
  // Playwright reports an empty selection as an error of its own.
  const errors = outcome.errors.filter((e) => !/^(Error: )?No tests found/.test(e));
  if (errors.length > 0) return `Playwright stopped before running any test: ${errors[0]} (see above)`;
  if (outcome.status === 'interrupted') return 'the run was interrupted before any test ran';
  return grep ? `no test matches --grep ${grep}` : 'no tests to run';
}

/** The last attempt of each test (of each repeat): the outcomes that count. */
export function finalAttempts(attempts: TestEvent[]): TestEvent[] {
  return attempts.filter((attempt) => !attempt.willRetry);
}
