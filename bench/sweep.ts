// npm run bench:sweep — sweeping 1,000 test customers from the emulator at its test-mode limit of
// 25 requests/s, against the bound that limit sets (one DELETE each: 1,000 / 25 = 40 s), through
// the real `vibes sweep` command, its ledger in Postgres and the emulator's 429s.
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { Ledger, StripeRateLimiter } from '../cleanup/index.js';
import { emulatorStripeConfig, startStripeEmulator } from '../stripe-emulator/index.js';
import { benchDatabase } from './database.js';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1000);
const LIMIT = 25;
const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

const emulator = await startStripeEmulator({ rateLimit: LIMIT });
const database = await benchDatabase('vibes_bench_sweep');
try {
  const stripe = new Stripe('sk_test_bench', emulatorStripeConfig(emulator.url));
  const ledger = await Ledger.open(database.url);
  // Setting up goes through the same limit, just under it.
  const limiter = new StripeRateLimiter({ perSecond: LIMIT - 1 });
  process.stderr.write(`creating ${CUSTOMERS} customers at ${LIMIT - 1}/s…\n`);
  for (let i = 0; i < CUSTOMERS; i++) {
    const customer = await limiter.call(() => stripe.customers.create({ email: `vibes+bench${i}@example.com` }));
    await ledger.register({ run_id: 'bench-dead-run', worker: 0, test: 'bench', kind: 'stripe-customer', resource_id: customer.id, label: customer.id });
  }
  await ledger.close();
  await new Promise((r) => setTimeout(r, 1100)); // an empty window before the clock starts

  for (const rate of [20, 25]) {
    if (rate === 25) {
      // The second pass needs customers again; created outside the measured time.
      const ledgerAgain = await Ledger.open(database.url);
      for (let i = 0; i < CUSTOMERS; i++) {
        const customer = await limiter.call(() => stripe.customers.create({ email: `vibes+bench${i}@example.com` }));
        await ledgerAgain.register({ run_id: 'bench-dead-run', worker: 0, test: 'bench', kind: 'stripe-customer', resource_id: customer.id, label: customer.id });
      }
      await ledgerAgain.close();
      await new Promise((r) => setTimeout(r, 1100));
    }
    const started = performance.now();
    const { code, stdout, stderr } = await run(['sweep', '--older-than', '0s', '--no-strays', '--rate', String(rate)], {
      STRIPE_EMULATOR_URL: emulator.url,
      VIBES_DATABASE_URL: database.url,
    });
    const seconds = (performance.now() - started) / 1000;
    const removed = Number(/removed (\d+)/.exec(stdout)?.[1] ?? 0);
    const failed = Number(/failed (\d+)/.exec(stdout)?.[1] ?? -1);
    const backoffs = (stderr.match(/asked to slow down/g) ?? []).length;
    const left = (await stripe.customers.list({ limit: 100 })).data.length;
    const bound = CUSTOMERS / LIMIT;
    console.log(`sweep --rate ${rate}: ${removed} removed, ${failed} failed, ${left} left in Stripe, ${backoffs} 429s retried, exit ${code}`);
    console.log(`sweep --rate ${rate}: ${seconds.toFixed(1)} s against the ${bound.toFixed(0)} s bound of ${LIMIT} req/s: ratio ${(seconds / bound).toFixed(2)}`);
  }
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}`);
} finally {
  await emulator.close();
  await database.cleanup();
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
