import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PLAYWRIGHT = path.join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');

/** Variables the outer run set for its own servers; an inner run must choose its own. */
const OUTER_RUN_VARIABLES = ['VIBES_PORTS', 'VIBES_RUN_ID', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_EMULATOR_URL', 'TEST_WORKER_INDEX', 'TEST_PARALLEL_INDEX'];

export interface SuiteResult {
  passed: string[];
  failed: { title: string; error: string }[];
  flaky: string[];
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  output: string;
}

export interface SuiteOptions {
  /** Planted bugs the demo app starts with (DEMO_BUGS). */
  bugs?: string[];
  /** One test of the e2e suite (a @smoke or @fuzz one), by its title, instead of the @smoke suite. */
  only?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs this repository's @smoke suite in a child `playwright test`, the way a user runs it,
 * against the demo app with the given planted bugs, and reads Playwright's JSON report.
 */
export async function runSmokeSuite({ bugs = [], only, args = [], env = {} }: SuiteOptions): Promise<SuiteResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vibes-meta-'));
  const report = path.join(dir, 'report.json');
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, DEMO_BUGS: bugs.join(','), PLAYWRIGHT_JSON_OUTPUT_FILE: report };
  for (const name of OUTER_RUN_VARIABLES) delete childEnv[name];
  delete childEnv.CI; // the inner run's reporters and retries are set on its command line
  // One worker: a browser run is CPU-bound, and the outer run already keeps both cores busy.
  const child = spawn(
    process.execPath,
    [PLAYWRIGHT, 'test', '--project=chromium', '--grep', only === undefined ? '@smoke' : escapeRegExp(only), '--reporter=json', '--retries=0', '--workers=1', '--output', path.join(dir, 'results'), ...args],
    { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  await new Promise((resolve) => child.once('close', resolve));
  try {
    return { ...summarise(JSON.parse(await readFile(report, 'utf8')) as JsonReport), output };
  } catch (error) {
    throw new Error(`the inner playwright run wrote no report (${(error as Error).message}). Its output:\n${output}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface JsonReport {
  suites: JsonSuite[];
  stats: SuiteResult['stats'];
}
interface JsonSuite {
  suites?: JsonSuite[];
  specs?: { title: string; tests: { results: { status: string; error?: { message?: string } }[]; status: string }[] }[];
}

function summarise(report: JsonReport): Omit<SuiteResult, 'output'> {
  const passed: string[] = [];
  const failed: SuiteResult['failed'] = [];
  const flaky: string[] = [];
  const visit = (suite: JsonSuite) => {
    suite.suites?.forEach(visit);
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests) {
        if (test.status === 'flaky') flaky.push(spec.title);
        else if (test.status === 'expected') passed.push(spec.title);
        else if (test.status === 'unexpected') {
          const error = test.results.map((r) => r.error?.message ?? '').join('\n');
          failed.push({ title: spec.title, error: stripVTControlCharacters(error) });
        }
      }
    }
  };
  report.suites.forEach(visit);
  return { passed, failed, flaky, stats: report.stats };
}


function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
