// npm run bench:browser — what a test's page costs in a system Chromium launched with the
// preset's flags, against the same browser with Playwright's flags alone, measured in one run.
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser, type BrowserServer } from '@playwright/test';
import { listen } from '../core/index.js';
import { findChromium, SYSTEM_CHROMIUM_ARGS } from '../helpers/index.js';
import { processTreeCpuMs } from './cpu-time.js';
import { median } from './stats.js';

/**
 * Each round opens one page per browser, in alternating order, as a test does: a new context,
 * a sign-up form loaded, filled and submitted, the next page awaited, the context closed. Both
 * browsers run all along, so drift on a shared machine hits them alike. A page's CPU is that of
 * the browser's whole process tree (renderers, GPU process, zygotes) while it was open.
 */
const WARMUP_ROUNDS = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);

const choice = findChromium();
if (choice.kind !== 'system') {
  throw new Error(
    choice.kind === 'missing'
      ? choice.message
      : "Playwright's own Chromium is installed, and this bench measures a system one: set VIBES_CHROMIUM=/usr/bin/chromium (or your Chrome).",
  );
}
const variants = {
  "Playwright's flags": SYSTEM_CHROMIUM_ARGS.filter((arg) => !arg.startsWith('--disable-features=')),
  "the preset's flags": SYSTEM_CHROMIUM_ARGS,
};
type Variant = keyof typeof variants;
const names = Object.keys(variants) as Variant[];

const site = await listen(http.createServer(servePage));
const launched: Array<{ server: BrowserServer; browser: Browser }> = [];
try {
  const browsers = {} as Record<Variant, { browser: Browser; pid: number }>;
  for (const name of names) {
    const server = await chromium.launchServer({ executablePath: choice.executablePath, args: variants[name] });
    const browser = await chromium.connect(server.wsEndpoint());
    launched.push({ server, browser });
    browsers[name] = { browser, pid: server.process().pid! };
  }
  const wall = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Variant, number[]>;
  const cpu = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Variant, number[]>;
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const { browser, pid } = browsers[name];
      const cpuBefore = processTreeCpuMs(pid);
      const started = performance.now();
      await openPage(browser, site.url);
      const elapsed = performance.now() - started;
      if (round < WARMUP_ROUNDS) continue;
      wall[name].push(elapsed);
      cpu[name].push(processTreeCpuMs(pid) - cpuBefore);
    }
  }

  const [baseline, preset] = names as [Variant, Variant];
  const version = launched[0]!.browser.version();
  console.log(`machine: ${os.cpus()[0]?.model.trim() ?? 'unknown cpu'}, ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg()[0]!.toFixed(2)}`);
  console.log(`browser: ${choice.executablePath} (${version}), headless`);
  console.log(`a test's page (new context, sign-up form loaded, filled and submitted, next page), ${ROUNDS} rounds, interleaved:`);
  for (const name of names) {
    console.log(`  ${name}: median ${median(wall[name]).toFixed(0)} ms, browser CPU ${mean(cpu[name]).toFixed(0)} ms a page`);
  }
  console.log(`preset/playwright median ratio: ${(median(wall[preset]) / median(wall[baseline])).toFixed(2)}`);
  console.log(`preset/playwright browser CPU ratio: ${(mean(cpu[preset]) / mean(cpu[baseline])).toFixed(2)}`);
} finally {
  for (const { server, browser } of launched) {
    await browser.close().catch(() => {});
    await server.close();
  }
  await site.close();
}

async function openPage(browser: Browser, url: string): Promise<void> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}/signup`);
  await page.getByLabel('Email').fill('bench@example.com');
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Welcome' }).waitFor();
  await context.close();
}

function servePage(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method === 'POST') {
    req.resume();
    req.once('end', () => res.writeHead(303, { location: '/welcome' }).end());
    return;
  }
  const body =
    req.url === '/welcome'
      ? '<h1>Welcome</h1><p>Your account is ready.</p>'
      : '<h1>Sign up</h1><form method="post" action="/signup"><label>Email <input name="email" type="email"></label>' +
        '<label>Password <input name="password" type="password"></label><button>Sign up</button></form>';
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><title>bench</title>${body}</html>`);
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
