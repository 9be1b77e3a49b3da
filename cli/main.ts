#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { shutdown } from '../core/index.js';
import { loadTestEnv } from '../guard/index.js';
import { UsageError } from './usage-error.js';
import { readVersion } from './version.js';

const program = new Command('vibes')
  .description('Vibes testing for Stripe-powered SaaS apps: replay webhooks, emulate Stripe, guard production.')
  .version(readVersion())
  .showHelpAfterError()
  .exitOverride();

// Each command's module is loaded only when it runs: the replay server, the emulator and the
// demo app are started by Playwright on every run, and must not wait for the modules of
// `sweep`, `doctor` or `predeploy` (which load Playwright itself) to be read.
const commands: Record<string, () => Promise<Command>> = {
  'replay-server': async () => (await import('./commands/replay-server.js')).replayServerCommand(),
  'stripe-emulator': async () => (await import('./commands/stripe-emulator.js')).stripeEmulatorCommand(),
  'demo-app': async () => (await import('./commands/demo-app.js')).demoAppCommand(),
  postgres: async () => (await import('./commands/postgres.js')).postgresCommand(),
  sweep: async () => (await import('./commands/sweep.js')).sweepCommand(),
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand(),
  init: async () => (await import('./commands/init.js')).initCommand(),
  predeploy: async () => (await import('./commands/predeploy.js')).predeployCommand(),
  flake: async () => (await import('./commands/flake.js')).flakeCommand(),
};
// Help, `help <command>` and a mistyped name need every command, to list or suggest them.
const named = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
// The servers take their settings from the environment as they parse (STRIPE_WEBHOOK_SECRET,
// the database): .env.test and .env.test.local first, as a run loads them; the shell still wins.
if (named === 'replay-server' || named === 'demo-app') loadTestEnv();
const needed = named !== undefined && Object.hasOwn(commands, named) ? [named] : Object.keys(commands);
for (const command of await Promise.all(needed.map((name) => commands[name]!()))) program.addCommand(command.showHelpAfterError());
// Subcommands do not inherit exitOverride: without this, a bad flag ends the process inside
// Commander, with 1, where every other usage error of `vibes` exits 2.
overrideExits(program);

try {
  refuseUnknownSubcommand(process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (error) {
  // Help and --version end here too, with 0.
  if (error instanceof CommanderError) await exit(error.exitCode === 0 ? 0 : 2);
  if (error instanceof UsageError) {
    console.error(`vibes: ${error.message}`);
    await exit(2);
  }
  console.error(`vibes: ${(error as Error).message ?? error}`);
  await exit(1);
}

/**
 * `vibes replay-server stat` would reach the default subcommand as an argument, and Commander
 * would answer "too many arguments for 'start'", naming a command the user never typed.
 */
function refuseUnknownSubcommand(args: string[]): void {
  const at = args.findIndex((arg) => !arg.startsWith('-'));
  const parent = program.commands.find((c) => c.name() === args[at]);
  const word = args[at + 1];
  if (!parent || parent.commands.length === 0 || word === undefined || word.startsWith('-')) return;
  const names = parent.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (names.includes(word) || word === 'help') return;
  throw new UsageError(`unknown command '${word}' for 'vibes ${parent.name()}': its commands are ${parent.commands.map((c) => c.name()).join(', ')} (see vibes ${parent.name()} --help)`);
}

function overrideExits(command: Command): void {
  command.exitOverride();
  command.commands.forEach(overrideExits);
}

/** process.exit runs no shutdown handler: what a command started (an ephemeral Postgres, servers) is stopped first. */
async function exit(code: number): Promise<never> {
  await shutdown();
  process.exit(code);
}
