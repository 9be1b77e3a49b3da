import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { redactUrl } from '../postgres/index.js';
import { ReplayClient } from '../replay-server/index.js';
import { cpuMs, postgresCpuMs } from './cpu-time.js';
import { benchDatabase } from './database.js';
import { post } from './http-post.js';
import { median } from './stats.js';

/**
 * The replay server against the physical limit, measured side by side in one run:
 * - a replay round trip (POST /api/events/:id/replay, times 1, timed by the client) against a
 *   direct signed POST to the same app, interleaved so that drift hits both alike;
 * - capture-and-forward throughput (POST /webhooks/stripe from concurrent clients, each
 *   forwarded to the app) against the same clients posting to the app directly.
 * The app (a real exactly-once handler) and the replay server (the real CLI) run in their own
 * processes, as in use. Two floors are measured alongside: a minimal node:http proxy (no store,
 * no signing), the floor for anything that adds a hop; and a minimal replayer (the proxy plus a
 * fresh signature by the stripe library), the floor for anything that replays. What the replay
 * server adds on top of them is its own.
 *
 * Shared 2-core machines drift by tens of percent within a minute, so each measure is taken in
 * blocks spread over the run, and the spread of the blocks' ratios is printed beside the overall one.
 */
const BLOCKS = 4;
const ROUNDS_PER_BLOCK = 150;
const CLIENTS = 16;
const LATENCY_WARMUP_MS = 2_000;
const THROUGHPUT_WARMUP_MS = 2_000;
const PHASE_MS = 400;
const BURST = 10;

// Random orders, reproducible: the seed is printed, and BENCH_SEED=<seed> runs the same orders again.
const seed = benchSeed();
const random = mulberry32(seed);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const secret = `whsec_${randomBytes(24).toString('base64url')}`;
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];

try {
  const database = await benchDatabase();
  cleanups.push(database.cleanup);
  const databaseUrl = database.url;
  const app = await startChild('receiver.js', { BENCH_WEBHOOK_SECRET: secret, BENCH_APP_DATABASE_URL: databaseUrl });
  const proxy = await startChild('minimal-proxy.js', { BENCH_PROXY_TARGET: app.url });
  const replayer = await startChild('minimal-replayer.js', { BENCH_REPLAYER_TARGET: app.url, BENCH_WEBHOOK_SECRET: secret });
  const server = await startReplayServer(databaseUrl, app.url);
  const client = new ReplayClient(server.url);

  const flow = await throughput({ direct: new URL(app.url), forward: new URL(`${server.url}/webhooks/stripe`), proxy: new URL(proxy.url) }, { app: app.pid, replay: server.pid, proxy: proxy.pid });
  const trips = await roundTrips(client, replayer.child, { app: new URL(app.url), replay: new URL(server.url), proxy: new URL(proxy.url), replayer: new URL(replayer.url) });
  const spread = await burstSpread(client);

  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown cpu';
  console.log(`machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}, ${os.platform()} ${os.arch()}, load average ${os.loadavg()[0]!.toFixed(2)}`);
  console.log(`postgres: ${process.env.VIBES_DATABASE_URL ? redactUrl(process.env.VIBES_DATABASE_URL) : 'embedded, ephemeral'}`);
  console.log('app: an exactly-once webhook handler (constructEvent, then record the event id and grant, in one transaction)');
  console.log(`replay round trip median: ${ms(trips.median.replay)} ms; direct signed POST median: ${ms(trips.median.direct)} ms (${BLOCKS * ROUNDS_PER_BLOCK} interleaved rounds each)`);
  console.log(`replay/direct median ratio: ${ratio(trips.median.replay, trips.median.direct)} (blocks ${trips.spread('replay')})`);
  console.log(`forward throughput: ${flow.rate.forward.toFixed(0)} req/s; direct throughput: ${flow.rate.direct.toFixed(0)} req/s (${CLIENTS} concurrent clients)`);
  console.log(`forward/direct throughput ratio: ${ratio(flow.rate.forward, flow.rate.direct)} (blocks ${flow.spread('forward')})`);
  console.log(`CPU µs per request: ${flow.cpu}`);
  console.log(
    `floor, a minimal node:http proxy to the same app: round trip median ${ms(trips.median.proxy)} ms (ratio ${ratio(trips.median.proxy, trips.median.direct)}, blocks ${trips.spread('proxy')}), ` +
      `throughput ${flow.rate.proxy.toFixed(0)} req/s (ratio ${ratio(flow.rate.proxy, flow.rate.direct)}, blocks ${flow.spread('proxy')})`,
  );
  console.log(
    `floor, a minimal replayer (that proxy plus a fresh stripe signature): round trip median ${ms(trips.median.replayer)} ms ` +
      `(ratio ${ratio(trips.median.replayer, trips.median.direct)}, blocks ${trips.spread('replayer')})`,
  );
  console.log(`burst of ${BURST} copies (concurrency ${BURST}): start spread median ${ms(spread)} ms`);
  console.log(`orders: random with seed ${seed} (BENCH_SEED=${seed} repeats them)`);
} finally {
  await stopChildren();
  for (const cleanup of cleanups.reverse()) await cleanup();
}

/** Round trips to the app: direct, replayed through the server, and through the two floors. */
async function roundTrips(client: ReplayClient, replayer: ChildProcess, urls: { app: URL; replay: URL; proxy: URL; replayer: URL }) {
  const event = await client.inject(eventJson(`evt_${randomBytes(12).toString('hex')}`));
  replayer.send({ raw: event.raw });
  const replayPath = new URL(`/api/events/${event.id}/replay`, urls.replay);
  const replayBody = JSON.stringify({ times: 1 });
  const signedPost = async (url: URL) => {
    const { status } = await post(url, event.raw, { 'stripe-signature': sign(event.raw) });
    expectStatus(status, 200, url === urls.app ? 'direct POST' : 'proxied POST');
  };
  const paths = {
    direct: () => signedPost(urls.app),
    proxy: () => signedPost(urls.proxy),
    replayer: async () => {
      const { status, body } = await post(urls.replayer, '{}', {});
      expectStatus(status, 200, 'minimal replayer');
      if ((JSON.parse(body) as { status: number }).status !== 200) throw new Error(`the app refused a minimal replay: ${body}`);
    },
    replay: async () => {
      const { status, body } = await post(replayPath, replayBody, {});
      expectStatus(status, 200, 'replay');
      const delivery = (JSON.parse(body) as { deliveries: Array<{ status: number | null; error: string | null }> }).deliveries[0];
      if (delivery?.status !== 200) throw new Error(`the app refused a replay: ${delivery?.status} ${delivery?.error ?? ''}`);
    },
  };
  type Path = keyof typeof paths;
  const names = Object.keys(paths) as Path[];
  // Until the JIT has compiled every path, the round trips measure the compiler: warm up first.
  for (const until = performance.now() + LATENCY_WARMUP_MS; performance.now() < until; ) {
    for (const name of names) await paths[name]();
  }
  const all = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Path, number[]>;
  const blocks: Array<Record<Path, number>> = [];
  for (let block = 0; block < BLOCKS; block++) {
    const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Path, number[]>;
    for (let round = 0; round < ROUNDS_PER_BLOCK; round++) {
      // A fresh random order each round: what a path leaves behind (the replay server writes its
      // delivery record after answering) must not always land on the same neighbour. A fixed
      // rotation put `direct` after `replay` in three rounds of four, flattering every ratio.
      for (const name of shuffled(names)) {
        const started = performance.now();
        await paths[name]();
        times[name].push(performance.now() - started);
      }
    }
    for (const name of names) all[name].push(...times[name]);
    blocks.push(Object.fromEntries(names.map((n) => [n, median(times[n])])) as Record<Path, number>);
  }
  const medians = Object.fromEntries(names.map((n) => [n, median(all[n])])) as Record<Path, number>;
  return { median: medians, spread: (path: Path) => range(blocks.map((b) => b[path] / b.direct)) };
}

/** Requests per second from CLIENTS concurrent clients, each path in turn, every request a new event. */
async function throughput(urls: { direct: URL; forward: URL; proxy: URL }, pids: { app: number; replay: number; proxy: number }) {
  const template = eventJson('EVENT_ID');
  const send = async (url: URL) => {
    // A new event (and customer) each time: every capture is stored, every grant is new.
    const raw = template.replaceAll('EVENT_ID', `evt_${randomBytes(12).toString('hex')}`);
    const { status } = await post(url, raw, { 'stripe-signature': sign(raw) });
    expectStatus(status, 200, `POST ${url.pathname}`);
  };
  const cpuNow = () => ({
    client: cpuMs(process.pid) ?? 0, replay: cpuMs(pids.replay) ?? 0, proxy: cpuMs(pids.proxy) ?? 0, app: cpuMs(pids.app) ?? 0, postgres: postgresCpuMs(),
  });
  const phase = async (url: URL, durationMs: number) => {
    const before = cpuNow();
    let done = 0;
    const started = performance.now();
    const until = started + durationMs;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < until) {
          await send(url);
          done++;
        }
      }),
    );
    const elapsed = performance.now() - started;
    const after = cpuNow();
    const cpu = Object.fromEntries(Object.entries(after).map(([who, ms]) => [who, ms - before[who as keyof typeof before]])) as typeof after;
    return { done, ms: elapsed, cpu };
  };
  type Path = keyof typeof urls;
  // Each block runs every path once, in a random order of its own.
  const cycle: Path[] = ['direct', 'forward', 'proxy'];
  const order = Array.from({ length: BLOCKS }, () => shuffled(cycle)).flat();
  for (const path of ['direct', 'proxy', 'forward'] as const) await phase(urls[path], THROUGHPUT_WARMUP_MS / (path === 'forward' ? 1 : 2));
  const zero = () => ({ done: 0, ms: 0, cpu: { client: 0, replay: 0, proxy: 0, app: 0, postgres: 0 } });
  const totals = { direct: zero(), forward: zero(), proxy: zero() };
  const blocks: Array<Record<Path, number>> = [];
  for (const [index, path] of order.entries()) {
    const { done, ms, cpu } = await phase(urls[path], PHASE_MS);
    if (index % cycle.length === 0) blocks.push({ direct: 0, forward: 0, proxy: 0 });
    blocks[blocks.length - 1]![path] = (done / ms) * 1000;
    totals[path].done += done;
    totals[path].ms += ms;
    for (const key of Object.keys(cpu) as Array<keyof typeof cpu>) totals[path].cpu[key] += cpu[key];
  }
  // Each path's own hop (the replay server, the proxy) is named only on its own path.
  const perRequest = (t: ReturnType<typeof zero>, hop?: 'replay' | 'proxy') =>
    Object.entries(t.cpu)
      .filter(([who]) => (who !== 'replay' && who !== 'proxy') || who === hop)
      .map(([who, ms]) => `${who} ${((ms / t.done) * 1000).toFixed(0)}`)
      .join(', ');
  const rate = (t: ReturnType<typeof zero>) => (t.done / t.ms) * 1000;
  return {
    rate: { direct: rate(totals.direct), forward: rate(totals.forward), proxy: rate(totals.proxy) },
    spread: (path: Path) => range(blocks.map((b) => b[path] / b.direct)),
    cpu: `forward: ${perRequest(totals.forward, 'replay')}; proxy: ${perRequest(totals.proxy, 'proxy')}; direct: ${perRequest(totals.direct)}`,
  };
}

async function burstSpread(client: ReplayClient): Promise<number> {
  const event = await client.inject(eventJson(`evt_${randomBytes(12).toString('hex')}`));
  const spreads: number[] = [];
  for (let i = 0; i < 12; i++) {
    const result = await client.replay(event.id, { times: BURST, concurrency: BURST });
    if (result.deliveries.some((d) => d.status !== 200)) throw new Error('a burst copy was not accepted by the app');
    spreads.push(result.start_spread_ms);
  }
  return median(spreads.slice(2));
}

/** One of the bench's own processes (app, proxy); it reports its URL over IPC. */
function startChild(file: string, env: Record<string, string>): Promise<{ url: string; pid: number; child: ChildProcess }> {
  const child = fork(here(`./${file}`), { env: { ...process.env, ...env }, stdio: 'inherit' });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ url: (message as { url: string }).url, pid: child.pid!, child }));
    child.once('exit', (code) => reject(new Error(`bench/${file} exited with ${code}`)));
  });
}

function startReplayServer(databaseUrl: string, forwardTo: string): Promise<{ url: string; pid: number }> {
  // BENCH_REPLAY_NODE_ARGS="--cpu-prof" profiles the replay server (NODE_OPTIONS refuses that flag).
  const nodeArgs = process.env.BENCH_REPLAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const args = [...nodeArgs, here('../cli/main.js'), 'replay-server', '--port', '0', '--database-url', databaseUrl, '--forward-to', forwardTo];
  const child = spawn(process.execPath, args, { env: { ...process.env, STRIPE_WEBHOOK_SECRET: secret }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ url: match[1]!, pid: child.pid! });
    });
    child.once('exit', (code) => reject(new Error(`the replay server exited with ${code}:\n${output}`)));
  });
}

async function stopChildren(): Promise<void> {
  const running = children.splice(0).filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(
    running.map((child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    }),
  );
}

function eventJson(id: string): string {
  const event = {
    id,
    object: 'event',
    api_version: '2025-03-31.basil',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: `cs_test_${randomBytes(12).toString('hex')}`,
        object: 'checkout.session',
        customer: `cus_${randomBytes(7).toString('hex')}`,
        customer_details: { email: `bench+${id}@example.com`, name: null },
        metadata: { vibes_run: 'bench' },
        mode: 'subscription',
        payment_status: 'paid',
        status: 'complete',
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'checkout.session.completed',
  };
  return JSON.stringify(event, null, 2);
}

function benchSeed(): number {
  const given = process.env.BENCH_SEED;
  if (given === undefined || given === '') return randomBytes(4).readUInt32LE();
  const value = Number(given);
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw new Error(`BENCH_SEED must be a whole number from 0 to 4294967295; got "${given}"`);
  return value;
}

/** A small seeded generator (mulberry32): uniform enough for shuffling, and the same for a seed. */
function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A Fisher–Yates shuffle of a copy. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function sign(raw: string): string {
  return Stripe.webhooks.generateTestHeaderString({ payload: raw, secret });
}

function expectStatus(status: number, expected: number, what: string): void {
  if (status !== expected) throw new Error(`${what} answered ${status}, expected ${expected}: the bench would measure errors`);
}

/** The lowest and highest of some ratios, as "1.41–1.62". */
function range(ratios: number[]): string {
  return `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
}

function ratio(a: number, b: number): string {
  return (a / b).toFixed(2);
}

function ms(value: number): string {
  return value.toFixed(3);
}
