import { Command } from 'commander';
import { defaultDataDir, findRunningEmbeddedPostgres, startEmbeddedPostgres, stopEmbeddedPostgres, redactUrl } from '../../postgres/index.js';
import { onShutdown } from '../../core/index.js';
import { UsageError } from '../usage-error.js';

/**
 * `vibes postgres`: runs the embedded Postgres in the foreground so that several `vibes`
 * processes (and Playwright's webServer list) share one cluster. `vibes postgres url` prints
 * the connection URL, password included, for scripts that ask for it; `vibes postgres stop` ends a
 * cluster whoever started it (one left running by a killed run, say).
 */
export function postgresCommand(): Command {
  const command = new Command('postgres').description('the embedded Postgres (real binaries from npm)');
  command
    .command('start', { isDefault: true })
    .description('run the embedded Postgres in the foreground (the default)')
    .option('--data-dir <dir>', 'data directory (default: VIBES_DATA_DIR, else .vibes/postgres)', defaultDataDir())
    .option('--ephemeral', 'use a temporary directory, removed at exit')
    .action(async (opts: { dataDir: string; ephemeral?: boolean }) => {
      const server = await startEmbeddedPostgres({ dataDir: opts.dataDir, ephemeral: opts.ephemeral });
      onShutdown(() => server.stop());
      const how = server.owned ? 'started' : 'already running';
      console.log(`postgres ${how}: ${redactUrl(server.url)} (data: ${server.dataDir})`);
      if (!server.owned) return;
      await new Promise(() => {}); // until a signal stops it
    });
  command
    .command('url')
    .description('print the connection URL of the running embedded Postgres (starts none)')
    .option('--data-dir <dir>', 'data directory (default: VIBES_DATA_DIR, else .vibes/postgres)', defaultDataDir())
    .action(async (opts: { dataDir: string }) => {
      const server = await findRunningEmbeddedPostgres(opts.dataDir);
      if (!server) {
        throw new UsageError(`no embedded Postgres is running from ${opts.dataDir}; start one with \`vibes postgres\`.`);
      }
      console.log(server.url);
    });
  command
    .command('stop')
    .description('stop the embedded Postgres running from the data directory, whoever started it (fast shutdown: every committed row is kept)')
    .option('--data-dir <dir>', 'data directory (default: VIBES_DATA_DIR, else .vibes/postgres)', defaultDataDir())
    .action(async (opts: { dataDir: string }) => {
      const pid = await stopEmbeddedPostgres(opts.dataDir);
      // Nothing running is the state `stop` asks for: say so and succeed, so scripts can call it blindly.
      console.log(pid === undefined ? `no embedded Postgres is running from ${opts.dataDir}; nothing to stop` : `postgres stopped (pid ${pid}, data: ${opts.dataDir})`);
    });
  return command;
}
