import pg from 'pg';
import { test as base } from './fixtures.js';
import { ReplayClient, startReplayServer, type ReplayServerOptions } from '../../replay-server/index.js';
import { startReceiver, type Receiver, type ReceiverOptions } from './replay-receiver.js';
import { randomSecret } from './replay-events.js';

export interface Harness {
  url: string;
  client: ReplayClient;
  /** The app's secret (and the server's, unless started with `secret: ''`). */
  secret: string;
  pool: pg.Pool;
  /** The app: absent when started with `receiver: false`. */
  receiver: Receiver;
  /** Rows in the store, to prove that a refused request changed nothing. */
  counts(): Promise<{ events: number; deliveries: number }>;
}

export interface HarnessOptions extends Omit<Partial<ReplayServerOptions>, 'pool'> {
  receiver?: Omit<ReceiverOptions, 'secret'> | false;
  /** Another database than the test's (e.g. `secondDatabaseUrl`). */
  databaseUrl?: string;
}

export interface ReplayFixtures {
  /** Starts a replay server on port 0 over this test's database, forwarding to a fresh receiver. */
  startHarness(options?: HarnessOptions): Promise<Harness>;
}

export const test = base.extend<ReplayFixtures>({
  startHarness: async ({ databaseUrl }, use) => {
    const closers: Array<() => Promise<void>> = [];
    const pools = new Map<string, pg.Pool>();
    const poolFor = (url: string) => {
      let pool = pools.get(url);
      if (!pool) {
        pool = new pg.Pool({ connectionString: url, max: 10 });
        // pool.end() resolves before every backend has gone; the database drop then kills the stragglers.
        pool.on('error', () => {});
        closers.push(pool.end.bind(pool));
        pools.set(url, pool);
      }
      return pool;
    };
    await use(async (options = {}) => {
      const pool = poolFor(options.databaseUrl ?? databaseUrl);
      // The app always has a secret; `secret: ''` starts a server that knows none.
      const secret = options.secret || randomSecret();
      const receiver = options.receiver === false ? undefined : await startReceiver({ secret, ...options.receiver });
      if (receiver) closers.push(receiver.close);
      const { receiver: _r, databaseUrl: _d, ...serverOptions } = options;
      const server = await startReplayServer({ pool, forwardTo: receiver?.url, ...serverOptions, secret: options.secret ?? secret });
      closers.push(server.close);
      const client = new ReplayClient(server.url, { token: options.token });
      return {
        url: server.url,
        client,
        secret,
        pool,
        receiver: receiver!,
        counts: async () => {
          // A read through the server first: it waits for the deliveries it writes behind its answers.
          await client.listEvents({ limit: 1 });
          const { rows } = await pool.query(
            'select (select count(*) from vibes.replay_events)::int as events, (select count(*) from vibes.replay_deliveries)::int as deliveries',
          );
          return rows[0];
        },
      };
    });
    for (const close of closers.reverse()) await close();
  },
});

export { expect, rowsIn } from './fixtures.js';
