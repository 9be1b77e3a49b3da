import { Command } from 'commander';

// Placeholder until the component lands; replaced by its real command.
export function replayServerCommand(): Command {
  return new Command('replay-server').description('(not built yet)').action(() => {
    throw new Error('replay-server is not built yet');
  });
}
