import pg from 'pg';

const pools = new Map<string, pg.Pool>();

/**
 * One small pool per database URL for the life of the worker: a connection per test (probe,
 * removal) costs more than the query it runs. Closed when the worker exits.
 */
export function sharedPool(connectionString: string): pg.Pool {
  let pool = pools.get(connectionString);
  if (!pool) {
    pool = new pg.Pool({ connectionString, max: 3, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
    pool.on('error', () => {});
    pools.set(connectionString, pool);
  }
  return pool;
}
