import { Command } from 'commander';
import { EMULATOR_SECRET_KEY, onShutdown } from '../../core/index.js';
import { DEMO_BUGS, parseDemoBugs, startDemoApp, type DemoBug } from '../../demo-app/index.js';
import { redactUrl } from '../../postgres/index.js';
import { databaseOptionHelp, openCommandDatabase } from '../database.js';
import { parsePort, parseUrl } from '../options.js';
import { UsageError } from '../usage-error.js';

interface DemoAppFlags {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir?: string;
  ephemeral?: boolean;
  stripeEmulatorUrl?: string;
  webhookSecret?: string;
  publicUrl?: string;
}

interface DemoAppSettings {
  secretKey: string;
  emulatorUrl?: string;
  webhookSecret: string;
  bugs: DemoBug[];
}

/** Everything the app needs from flags and environment, or a UsageError saying what is missing. */
function demoAppSettings(flags: DemoAppFlags, env: NodeJS.ProcessEnv): DemoAppSettings {
  let bugs: DemoBug[];
  try {
    bugs = parseDemoBugs(env.DEMO_BUGS);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const webhookSecret = flags.webhookSecret ?? env.STRIPE_WEBHOOK_SECRET;
  if (!webhookSecret) {
    throw new UsageError(
      'no webhook signing secret: pass --webhook-secret or set STRIPE_WEBHOOK_SECRET (whsec_…, the secret of the endpoint that delivers events to /api/stripe/webhook).',
    );
  }
  const emulatorUrl = flags.stripeEmulatorUrl ?? (env.STRIPE_EMULATOR_URL ? checkedUrl(env.STRIPE_EMULATOR_URL, 'STRIPE_EMULATOR_URL') : undefined);
  const secretKey = env.STRIPE_SECRET_KEY || (emulatorUrl ? EMULATOR_SECRET_KEY : undefined);
  if (!secretKey) {
    throw new UsageError(
      'no Stripe to talk to: pass --stripe-emulator-url (or set STRIPE_EMULATOR_URL) to use the emulator, or set STRIPE_SECRET_KEY to a test-mode key (sk_test_…) for real Stripe.',
    );
  }
  if (/^(sk|rk)_live_/.test(secretKey)) {
    throw new UsageError('STRIPE_SECRET_KEY is a live key; the demo app only runs against Stripe test mode (sk_test_…) or the emulator.');
  }
  return { secretKey, emulatorUrl, webhookSecret, bugs };
}

function checkedUrl(value: string, name: string): string {
  try {
    return new URL(value).toString();
  } catch {
    throw new UsageError(`${name} must be an absolute URL such as http://127.0.0.1:12111, got "${value}".`);
  }
}

/** `vibes demo-app`: the demo SaaS that the e2e suite runs against. */
export function demoAppCommand(): Command {
  return new Command('demo-app')
    .description('run the demo SaaS (sign up, Stripe Checkout, webhooks) that the e2e suite tests')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 3000)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--database-url <url>', databaseOptionHelp.databaseUrl)
    .option('--data-dir <dir>', databaseOptionHelp.dataDir)
    .option('--ephemeral', databaseOptionHelp.ephemeral)
    .option('--stripe-emulator-url <url>', 'Stripe emulator base URL (default: STRIPE_EMULATOR_URL; without one, real Stripe test mode via STRIPE_SECRET_KEY)', parseUrl)
    .option('--webhook-secret <whsec>', 'webhook signing secret (default: STRIPE_WEBHOOK_SECRET)')
    .option('--public-url <url>', 'URL browsers reach the app at, for Checkout success/cancel links (default: the listening URL)', parseUrl)
    .addHelpText(
      'after',
      `\nEnvironment: STRIPE_SECRET_KEY, STRIPE_EMULATOR_URL, STRIPE_WEBHOOK_SECRET, DEMO_BUGS (planted bugs, comma-separated: ${DEMO_BUGS.join(', ')}).`,
    )
    .action(async (flags: DemoAppFlags) => {
      const settings = demoAppSettings(flags, process.env);
      const db = await openCommandDatabase(flags);
      const app = await startDemoApp({
        host: flags.host,
        port: flags.port,
        pool: db.pool,
        stripe: { secretKey: settings.secretKey, emulatorUrl: settings.emulatorUrl },
        webhookSecret: settings.webhookSecret,
        bugs: settings.bugs,
        publicUrl: flags.publicUrl,
        // Set by the playwright-vibes run that starts the app as a web server.
        runId: process.env.VIBES_RUN_ID,
      }).catch(async (error: unknown) => {
        // The CLI exits right after this error; an embedded Postgres must not outlive it.
        await db.close();
        throw error;
      });
      onShutdown(() => app.close());
      console.log(`database: ${redactUrl(db.url)}`);
      console.log(`stripe: ${settings.emulatorUrl ? `emulator at ${settings.emulatorUrl}` : 'Stripe test mode'}`);
      console.log(`planted bugs: ${settings.bugs.length ? settings.bugs.join(', ') : 'none (the correct app)'}`);
      console.log(`listening on ${app.url}`);
    });
}
