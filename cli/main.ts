#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
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
const needed = named !== undefined && Object.hasOwn(commands, named) ? [named] : Object.keys(commands);
for (const command of await Promise.all(needed.map((name) => commands[name]!()))) program.addCommand(command);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof UsageError) {
    console.error(`vibes: ${error.message}`);
    process.exit(2);
  }
  console.error(`vibes: ${(error as Error).message ?? error}`);
  process.exit(1);
}
