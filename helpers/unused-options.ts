import type { VibesOptions } from './options.js';
import type { StripeMode } from '../cleanup/index.js';

/** Where the servers the options would configure run: here (started by the run) or elsewhere. */
export interface ServerPlacement {
  /** The replay server's URL when one runs elsewhere (VIBES_REPLAY_URL, webhooks.replayServerUrl). */
  externalReplayUrl?: string;
  /** The emulator's URL when one runs elsewhere (STRIPE_EMULATOR_URL). */
  externalEmulatorUrl?: string;
  stripeMode: StripeMode;
}

/**
 * Options that configure a server this run does not start, each with what takes its place: set
 * and silently without effect, they would leave a user wondering why a port or a limit is not kept.
 */
export function unusedOptions(options: VibesOptions, placement: ServerPlacement): string[] {
  const unused: string[] = [];
  const replay = placement.externalReplayUrl;
  // webhooks.forwardTo is not named: vibes init always writes it, and a compose set-up (an
  // external replay server) keeps it for the runs without compose; a warning on every run would be noise.
  if (replay && options.webhooks?.port !== undefined) {
    unused.push(`webhooks.port is not used: the replay server at ${replay} runs elsewhere and keeps the --port it was started with.`);
  }
  if (replay && options.webhooks?.import) {
    unused.push(`webhooks.import is not used: the replay server at ${replay} runs elsewhere; import into it with \`npx vibes replay-server import ${options.webhooks.import}\` (with its --database-url), or start it with --import.`);
  }
  // Truthy, as the config reads it: 0 is no limit.
  if (options.stripe?.rateLimit) {
    if (placement.stripeMode === 'test-mode') unused.push("stripe.rateLimit is not used: it limits the emulator, and this run uses Stripe test mode, whose own limits apply.");
    else if (placement.externalEmulatorUrl) unused.push(`stripe.rateLimit is not used: the Stripe emulator at ${placement.externalEmulatorUrl} runs elsewhere; start it with --rate-limit.`);
  }
  return unused;
}
