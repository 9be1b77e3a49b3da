import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { migrate, type Migration } from '../postgres/index.js';
import type { StripeMode } from './stripe-mode.js';

const migrations: Migration[] = [
  {
    version: 1,
    name: 'cleanup ledger',
    sql: `
      create table cleanup_ledger (
        id bigserial primary key,
        run_id text not null,
        worker integer not null,
        test text not null,
        kind text not null,
        resource_id text not null,
        label text not null,
        created_at timestamptz not null default now(),
        removed_at timestamptz,
        attempts integer not null default 0,
        last_error text
      );
      create index cleanup_ledger_pending on cleanup_ledger (run_id) where removed_at is null;`,
  },
  {
    version: 2,
    name: 'the Stripe an entry was made in',
    sql: `alter table cleanup_ledger add column stripe text check (stripe in ('emulator', 'test-mode'));`,
  },
  {
    version: 3,
    name: 'the base URL an app user was made on',
    sql: `alter table cleanup_ledger add column base_url text;`,
  },
  {
    version: 4,
    name: 'the emulator a Stripe entry was made in',
    sql: `alter table cleanup_ledger add column stripe_url text;`,
  },
];


export interface LedgerEntry {
  id: number;
  run_id: string;
  worker: number;
  test: string;
  kind: string;
  resource_id: string;
  label: string;
  created_at: Date;
  removed_at: Date | null;
  attempts: number;
  last_error: string | null;
  /** For Stripe kinds, the Stripe the object was made in; null for others and for older entries. */
  stripe: StripeMode | null;
  /**
   * For app users, the baseURL of the run that made them (null without one, and for older
   * entries): a removal given as a path goes there, not to whatever a later sweep's run is on.
   */
  base_url: string | null;
  /**
   * For an emulator's Stripe entries, that emulator's URL (null for others and older entries): a
   * sweep that names no Stripe looks there, and one that no longer answers took its objects with it.
   */
  stripe_url: string | null;
}

/**
 * What tests created and what was removed, in Postgres as it happens, so that a run killed
 * in the middle of a test leaves a record the next run can act on. A run is alive while one of
 * its processes holds the run's shared advisory lock: a killed process's connection drops and
 * the lock with it, which is how the next run tells dead runs from ones still going (other
 * shards, a parallel local run).
 */
export class Ledger {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly liveness?: RunLock,
  ) {}

  static async open(databaseUrl: string, options: { holdRun?: string } = {}): Promise<Ledger> {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    pool.on('error', () => {});
    try {
      await migrate(pool, { schema: 'vibes', component: 'cleanup-ledger', migrations });
      const liveness = options.holdRun ? await holdRunLock(databaseUrl, options.holdRun) : undefined;
      return new Ledger(pool, liveness);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  async register(entry: Pick<LedgerEntry, 'run_id' | 'worker' | 'test' | 'kind' | 'resource_id' | 'label'> & Partial<Pick<LedgerEntry, 'stripe' | 'base_url' | 'stripe_url'>>): Promise<number> {
    const { rows } = await this.pool.query<{ id: string }>(
      `insert into vibes.cleanup_ledger (run_id, worker, test, kind, resource_id, label, stripe, base_url, stripe_url) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
      [entry.run_id, entry.worker, entry.test, entry.kind, entry.resource_id, entry.label, entry.stripe ?? null, entry.base_url ?? null, entry.stripe_url ?? null],
    );
    return Number(rows[0]!.id);
  }

  async markRemoved(id: number): Promise<void> {
    await this.pool.query('update vibes.cleanup_ledger set removed_at = now(), attempts = attempts + 1, last_error = null where id = $1', [id]);
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.pool.query('update vibes.cleanup_ledger set attempts = attempts + 1, last_error = $2 where id = $1', [id, error.slice(0, 2000)]);
  }

  /** Entries not removed yet, oldest first; `olderThanMs` leaves young ones to their own run. */
  async pending({ run, olderThanMs = 0, exceptRun }: { run?: string; olderThanMs?: number; exceptRun?: string } = {}): Promise<LedgerEntry[]> {
    const { rows } = await this.pool.query<LedgerEntry>(
      `select id::int, run_id, worker, test, kind, resource_id, label, created_at, removed_at, attempts, last_error, stripe, base_url, stripe_url
         from vibes.cleanup_ledger
        where removed_at is null
          and ($1::text is null or run_id = $1)
          and ($2::text is null or run_id <> $2)
          and created_at <= now() - make_interval(secs => $3::double precision / 1000)
        order by id`,
      [run ?? null, exceptRun ?? null, olderThanMs],
    );
    return rows;
  }

  /** Pending entries of runs that no process holds any more (killed, crashed, timed out). */
  async pendingOfDeadRuns(currentRun: string): Promise<LedgerEntry[]> {
    return this.ofDeadRuns(await this.pending({ exceptRun: currentRun }));
  }

  /**
   * The entries whose run no process holds any more: a run's lock that can be taken belongs to a
   * dead run; one still going (another shard, a long run) keeps its lock and its entries.
   */
  async ofDeadRuns(entries: readonly LedgerEntry[]): Promise<LedgerEntry[]> {
    const runs = [...new Set(entries.map((e) => e.run_id))];
    const dead = new Set<string>();
    const client = await this.pool.connect();
    try {
      for (const run of runs) {
        const { rows } = await client.query<{ free: boolean }>('select pg_try_advisory_lock($1) as free', [runLockKey(run)]);
        if (rows[0]!.free) {
          dead.add(run);
          await client.query('select pg_advisory_unlock($1)', [runLockKey(run)]);
        }
      }
    } finally {
      client.release();
    }
    return entries.filter((e) => dead.has(e.run_id));
  }

  async close(): Promise<void> {
    // The lock first, awaited to its socket's close (pg's Pool.end() resolves before its
    // connections are gone): once close() resolves, no other process sees this run as going,
    // unless the server had stopped answering.
    try {
      await this.liveness?.release();
    } finally {
      await this.pool.end();
    }
  }
}

const RELEASE_TIMEOUT_MS = 5_000;

interface RunLock {
  /** Ends the connection, and with it the lock; resolves once the socket has closed. */
  release(): Promise<void>;
}

/**
 * The run's liveness: a connection of its own (not the pool's, so that closing it can be awaited)
 * holding the run's shared advisory lock for as long as it is open.
 */
async function holdRunLock(databaseUrl: string, run: string): Promise<RunLock> {
  const client = new pg.Client({ connectionString: databaseUrl });
  let releasing = false;
  let warned = false;
  // Without a listener, a Postgres restart, `vibes postgres stop` or idle_session_timeout during
  // the run would crash the worker. The lock goes with the connection; said once, the run goes on.
  // Once the run lets go of it, a server that ends the connection first (a database dropped or a
  // cluster stopped at the run's end) has taken nothing the run still needs.
  client.on('error', (error) => {
    if (warned || releasing) return;
    warned = true;
    console.warn(`vibes: the cleanup ledger lost its connection to Postgres (${error.message}), and with it this run's liveness lock. ` +
      'Tests and their cleanup go on; until this run ends, another run\'s setup or `vibes sweep` may take it for dead and remove what it left in the ledger.');
  });
  const release = async () => {
    releasing = true;
    // A server that no longer answers would hold the worker's teardown until TCP gives up; past
    // a few seconds teardown goes on, and the lock goes when the worker's process ends.
    await Promise.race([client.end(), sleep(RELEASE_TIMEOUT_MS, undefined, { ref: false })]);
  };
  try {
    await client.connect();
    await client.query('select pg_advisory_lock_shared($1)', [runLockKey(run)]);
    return { release };
  } catch (error) {
    await release().catch(() => {});
    throw error;
  }
}

function runLockKey(run: string): string {
  // Two 32-bit halves would need two calls; the 64-bit hash fits pg's bigint lock key.
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(`vibes.run:${run}`)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, h).toString();
}
