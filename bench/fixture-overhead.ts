// npm run bench:fixtures — per-test cost of the vibes fixtures against a bare Playwright test,
// measured in one run (interleaved, one worker), and the wall time of the demo's @smoke suite.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PLAYWRIGHT = path.join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
const REPEAT = Number(process.env.BENCH_REPEAT ?? 20);

interface JsonSpec { title: string; tests: { results: { duration: number; status: string }[] }[] }
interface JsonSuite { suites?: JsonSuite[]; specs?: JsonSpec[] }
interface JsonReport { suites: JsonSuite[]; stats: { duration: number; expected: number; unexpected: number } }

async function run(args: string[]): Promise<{ report: JsonReport; wallMs: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vibes-bench-'));
  const file = path.join(dir, 'report.json');
  const env: NodeJS.ProcessEnv = { ...process.env, PLAYWRIGHT_JSON_OUTPUT_FILE: file };
  for (const name of ['VIBES_PORTS', 'VIBES_RUN_ID', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_EMULATOR_URL', 'CI']) delete env[name];
  const started = performance.now();
  const child = spawn(process.execPath, [PLAYWRIGHT, 'test', '--reporter=json', ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const wallMs = performance.now() - started;
  try {
    const report = JSON.parse(await readFile(file, 'utf8')) as JsonReport;
    if (code !== 0 || report.stats.unexpected > 0) throw new Error(`the benchmark run failed (exit ${code}); run it with the list reporter to see why`);
    return { report, wallMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function durationsByTitle(report: JsonReport): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const visit = (suite: JsonSuite) => {
    suite.suites?.forEach(visit);
    for (const spec of suite.specs ?? []) {
      const list = out.get(spec.title) ?? [];
      for (const t of spec.tests) for (const r of t.results) if (r.status === 'passed') list.push(r.duration);
      out.set(spec.title, list);
    }
  };
  report.suites.forEach(visit);
  return out;
}

const overhead = await run(['--config', path.join(ROOT, 'bench', 'suites', 'playwright.config.ts'), '--project=chromium', '--repeat-each', String(REPEAT)]);
const byTitle = durationsByTitle(overhead.report);
const bare = median(byTitle.get('bare playwright test') ?? []);
const vibes = median(byTitle.get('vibes test with user, webhooks, entitlements and cleanup') ?? []);

const smoke = await run(['--project=chromium', '--grep', '@smoke']);

console.log(`machine: ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, node ${process.version}`);
console.log(`bare test median: ${bare.toFixed(0)} ms, vibes test median: ${vibes.toFixed(0)} ms (n=${REPEAT} each, one worker)`);
console.log(`vibes/bare per-test median ratio: ${(vibes / bare).toFixed(2)}`);
console.log(`fixture overhead per test (median difference): ${(vibes - bare).toFixed(0)} ms`);
console.log(`demo @smoke suite: ${smoke.report.stats.expected} tests, wall time ${(smoke.wallMs / 1000).toFixed(1)} s (Playwright's own: ${(smoke.report.stats.duration / 1000).toFixed(1)} s, including web server start)`);
