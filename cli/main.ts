#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { postgresCommand } from './commands/postgres.js';
import { sweepCommand } from './commands/sweep.js';
import { doctorCommand } from './commands/doctor.js';
import { replayServerCommand } from './commands/replay-server.js';
import { stripeEmulatorCommand } from './commands/stripe-emulator.js';
import { demoAppCommand } from './commands/demo-app.js';
import { predeployCommand } from './commands/predeploy.js';
import { flakeCommand } from './commands/flake.js';
import { initCommand } from './commands/init.js';
import { UsageError } from './usage-error.js';
import { readVersion } from './version.js';

const program = new Command('vibes')
  .description('Vibes testing for Stripe-powered SaaS apps: replay webhooks, emulate Stripe, guard production.')
  .version(readVersion())
  .showHelpAfterError()
  .exitOverride();

program.addCommand(replayServerCommand());
program.addCommand(stripeEmulatorCommand());
program.addCommand(demoAppCommand());
program.addCommand(postgresCommand());
program.addCommand(sweepCommand());
program.addCommand(doctorCommand());
program.addCommand(initCommand());
program.addCommand(predeployCommand());
program.addCommand(flakeCommand());

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
