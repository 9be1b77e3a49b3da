import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Stripe from 'stripe';
import { test, expect } from './support/fixtures.js';
import { freePort } from '../core/index.js';
import { ReplayClient } from '../replay-server/index.js';
import { emulatorStripeConfig } from '../stripe-emulator/index.js';
import { runVibes, startVibes, type RunningCommand } from './support/cli.js';
import { loadCompose, validateCompose, type ComposeFile, type ComposeService } from './support/compose.js';
import { REPO_ROOT } from './support/temp-project.js';

// No container engine runs here: docker-compose.yml is checked against the Compose schema and
// for its wiring, and then its services' own commands and environments are run on 127.0.0.1,
// with each service name and port mapped to a free loopback port, the way Compose would wire them.

const COMPOSE_FILE = path.join(REPO_ROOT, 'docker-compose.yml');
const readCompose = () => readFile(COMPOSE_FILE, 'utf8');

/** `--flag value` in a service's command. */
const flag = (service: ComposeService, name: string) => {
  const i = service.command?.indexOf(name) ?? -1;
  return i >= 0 ? service.command![i + 1] : undefined;
};
const vibesServices = (compose: ComposeFile) => Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

test('docker-compose.yml is a valid Compose file', async () => {
  const { document } = loadCompose(await readCompose());
  expect(validateCompose(document)).toEqual([]);
});

test('the schema check is not vacuous: a broken Compose file is refused', async () => {
  const text = await readCompose();
  expect(validateCompose(loadCompose(text.replace('interval: 2s', 'interval: [2s]')).document)).not.toEqual([]);
  expect(validateCompose(loadCompose(text.replace('depends_on:', 'depends_onn:')).document)).not.toEqual([]);
});

test('the services are wired together: health checks, start order, ports, URLs, database', async () => {
  const { compose, variables } = loadCompose(await readCompose());
  const names = Object.keys(compose.services);
  expect(names.sort()).toEqual(['demo-app', 'postgres', 'replay-server', 'stripe-emulator']);
  // `docker compose up` needs no variables set: every one has a default.
  expect(variables.filter((v) => !v.hasDefault)).toEqual([]);

  const postgres = compose.services.postgres!;
  expect(postgres.image).toMatch(/^postgres:\d+/);
  expect(postgres.healthcheck?.test.join(' ')).toMatch(/pg_isready -U (\S+) -d (\S+)/);
  const [, pgUser, pgDb] = /pg_isready -U (\S+) -d (\S+)/.exec(postgres.healthcheck!.test.join(' '))!;
  expect(postgres.environment?.POSTGRES_USER).toBe(pgUser);
  expect(postgres.environment?.POSTGRES_DB).toBe(pgDb);

  for (const [name, service] of Object.entries(compose.services)) {
    // Published on loopback only: nothing of the test stack is reachable from the network.
    for (const port of service.ports ?? []) expect(port, `${name} publishes ${port}`).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      expect(names, `${name} depends on ${dependency}`).toContain(dependency);
      expect(condition, `${name} waits for ${dependency} to be healthy`).toBe('service_healthy');
      expect(compose.services[dependency]!.healthcheck, `${dependency} has a health check`).toBeDefined();
    }
  }
  expect(startOrder(compose)).toHaveLength(names.length); // no cycle

  for (const [name, service] of vibesServices(compose)) {
    const port = flag(service, '--port');
    expect(port, `${name} listens on a fixed port`).toMatch(/^\d+$/);
    expect(flag(service, '--host'), `${name} listens beyond its container's loopback`).toBe('0.0.0.0');
    expect(service.ports).toContain(`127.0.0.1:${port}:${port}`);
    expect(service.healthcheck?.test.join(' '), `${name}'s health check asks its own port`).toContain(`http://127.0.0.1:${port}/`);
    expect(service.environment?.VIBES_DATABASE_URL).toBe(`postgres://${pgUser}@postgres:5432/${pgDb}`);
    if (name !== 'stripe-emulator') expect(service.depends_on?.postgres).toBeDefined();
    // Every URL naming another service uses that service's port.
    for (const arg of service.command ?? []) {
      const reference = /^http:\/\/([a-z-]+):(\d+)/.exec(arg);
      if (!reference || reference[1] === '127.0.0.1') continue;
      expect(names, `${name} refers to ${reference[1]}`).toContain(reference[1]);
      expect(flag(compose.services[reference[1]!]!, '--port'), `${name} → ${arg}`).toBe(reference[2]);
    }
  }
  // Browsers on the host open the emulator's checkout page and come back to the app at the published ports.
  expect(flag(compose.services['stripe-emulator']!, '--public-url')).toBe(`http://127.0.0.1:${flag(compose.services['stripe-emulator']!, '--port')}`);
  expect(flag(compose.services['demo-app']!, '--public-url')).toBe(`http://127.0.0.1:${flag(compose.services['demo-app']!, '--port')}`);
  expect(flag(compose.services['replay-server']!, '--forward-to')).toBe(`http://demo-app:${flag(compose.services['demo-app']!, '--port')}/api/stripe/webhook`);
  expect(flag(compose.services['stripe-emulator']!, '--webhook-url')).toBe(`http://replay-server:${flag(compose.services['replay-server']!, '--port')}/webhooks/stripe`);
});

test('every service command is a vibes command the image can run', async () => {
  const { compose } = loadCompose(await readCompose());
  const dockerfile = await readFile(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/ENTRYPOINT \["node", "dist\/cli\/main\.js"\]/);
  // The image builds what tsconfig.build.json includes: every one of those folders is copied in.
  const { include } = JSON.parse(await readFile(path.join(REPO_ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
  for (const folder of include) expect(dockerfile, `the Dockerfile copies ${folder}/ for the build`).toMatch(new RegExp(`^COPY ${folder} ${folder}$`, 'm'));
  for (const [name, service] of vibesServices(compose)) {
    expect(service.build).toBe('.');
    const help = await runVibes([service.command![0]!, '--help']);
    expect(help.code, `${name}: vibes ${service.command![0]} --help\n${help.stderr}`).toBe(0);
    // A command with subcommands (replay-server) lists its server's options under its default subcommand.
    const serverHelp = /^\s+start \[options\]/m.test(help.stdout) ? (await runVibes([service.command![0]!, 'start', '--help'])).stdout : help.stdout;
    for (const option of service.command!.filter((a) => a.startsWith('--'))) expect(serverHelp, `${name} ${option}`).toContain(option);
  }
});

test('the services, run as the file wires them, carry a Stripe event from the emulator through the replay server to the demo app @db', async ({ databaseUrl }) => {
  test.setTimeout(90_000);
  const secrets = { STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64url')}`, VIBES_REPLAY_TOKEN: randomBytes(16).toString('hex') };
  const { compose } = loadCompose(await readCompose(), secrets);
  const services = vibesServices(compose);
  const loopbackPort = new Map<string, number>();
  for (const [name] of services) loopbackPort.set(name, await freePort());
  const hostPortOwner = new Map<string, string>();
  for (const [name, service] of services) for (const p of service.ports ?? []) hostPortOwner.set(p.split(':')[1]!, name);

  /** A value as it must read on loopback: service names and ports become 127.0.0.1 and free ports. */
  const onLoopback = (value: string, self: string) =>
    value
      .replace(/^postgres:\/\/[^/]*@postgres:5432\/.*$/, databaseUrl)
      .replace(/^0\.0\.0\.0$/, '127.0.0.1')
      .replace(/http:\/\/([a-z0-9.-]+):(\d+)/g, (whole, host: string, port: string) => {
        const owner = host === '127.0.0.1' ? hostPortOwner.get(port) ?? self : host;
        return loopbackPort.has(owner) ? `http://127.0.0.1:${loopbackPort.get(owner)}` : whole;
      });

  const running: RunningCommand[] = [];
  try {
    for (const name of startOrder(compose).filter((n) => loopbackPort.has(n))) {
      const service = compose.services[name]!;
      const args = service.command!.map((arg, i, all) => (all[i - 1] === '--port' ? String(loopbackPort.get(name)) : onLoopback(arg, name)));
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, onLoopback(String(v), name)]));
      running.push(await startVibes(args, { env: { ...env, STRIPE_EMULATOR_URL: undefined, BASE_URL: undefined } }));
      // Its own health check, as Compose runs it, must pass before what depends on it starts.
      const [kind, program, ...rest] = service.healthcheck!.test;
      expect(kind).toBe('CMD');
      const code = await new Promise<number | null>((resolve) => {
        spawn(program === 'node' ? process.execPath : program!, rest.map((a) => onLoopback(a, name)), { stdio: 'ignore' }).once('close', resolve);
      });
      expect(code, `${name}'s health check`).toBe(0);
    }

    const email = `vibes+compose-${randomBytes(4).toString('hex')}@example.com`;
    const stripe = new Stripe('sk_test_vibes_emulator', emulatorStripeConfig(`http://127.0.0.1:${loopbackPort.get('stripe-emulator')}`));
    await stripe.customers.create({ email });
    const replay = new ReplayClient(`http://127.0.0.1:${loopbackPort.get('replay-server')}`, { token: secrets.VIBES_REPLAY_TOKEN });
    await expect
      .poll(async () => (await replay.listEvents({ type: 'customer.created', email })).data.map((e) => [e.signature, e.last_status]), { timeout: 20_000 })
      .toEqual([['valid', 200]]);
  } finally {
    await Promise.all(running.reverse().map((r) => r.stop()));
  }
});

/** Services in an order where each starts after what it depends on; shorter than the list when there is a cycle. */
function startOrder(compose: ComposeFile): string[] {
  const order: string[] = [];
  const remaining = new Set(Object.keys(compose.services));
  for (let round = 0; round < Object.keys(compose.services).length && remaining.size > 0; round++) {
    for (const name of [...remaining]) {
      if (Object.keys(compose.services[name]!.depends_on ?? {}).every((d) => order.includes(d))) {
        order.push(name);
        remaining.delete(name);
      }
    }
  }
  return order;
}
