import { startEmbeddedPostgres } from '../../postgres/index.js';

/**
 * The framework's tests need a Postgres server to create throwaway databases on. Without
 * VIBES_TEST_DATABASE_URL, one temporary embedded cluster serves the whole run; workers
 * inherit the variable set here.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.VIBES_TEST_DATABASE_URL) return async () => {};
  const server = await startEmbeddedPostgres({ ephemeral: true });
  process.env.VIBES_TEST_DATABASE_URL = server.url;
  return () => server.stop();
}
