import { Command } from 'commander';

// Placeholder until the component lands; replaced by its real command.
export function stripeEmulatorCommand(): Command {
  return new Command('stripe-emulator').description('(not built yet)').action(() => {
    throw new Error('stripe-emulator is not built yet');
  });
}
