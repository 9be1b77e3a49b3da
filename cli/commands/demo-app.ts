import { Command } from 'commander';

// Placeholder until the component lands; replaced by its real command.
export function demoAppCommand(): Command {
  return new Command('demo-app').description('(not built yet)').action(() => {
    throw new Error('demo-app is not built yet');
  });
}
