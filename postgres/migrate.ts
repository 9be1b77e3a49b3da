import type pg from 'pg';
import { inTransaction } from './transaction.js';

export interface Migration {
  /** Strictly increasing; a version once released never changes its SQL. */
  version: number;
  name: string;
  sql: string;
}

export interface MigrationSet {
  /** The Postgres schema the tables live in (`vibes` for the framework's own). */
  schema: string;
  /** Who owns these migrations; several components can share a schema, each with its own versions. */
  component: string;
  migrations: readonly Migration[];
}

/**
 * Applies the pending migrations of one component in a single transaction, under an advisory lock
 * so that processes starting together (a replay server and a test worker) apply each exactly
 * once. A failing migration rolls everything back: no half-migrated schema.
 */
export async function migrate(pool: pg.Pool, { schema, component, migrations }: MigrationSet): Promise<number[]> {
  assertOrdered(component, migrations);
  return inTransaction(pool, async (client) => {
    const q = client.escapeIdentifier(schema);
    await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`vibes.migrate:${schema}`]);
    await client.query(`create schema if not exists ${q}`);
    await client.query(
      `create table if not exists ${q}.schema_migrations (
         component text not null,
         version integer not null,
         name text not null,
         applied_at timestamptz not null default now(),
         primary key (component, version))`,
    );
    const { rows } = await client.query<{ version: number }>(
      `select version from ${q}.schema_migrations where component = $1`,
      [component],
    );
    const applied = new Set(rows.map((r) => r.version));
    const newlyApplied: number[] = [];
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      await client.query(`set local search_path to ${q}`);
      await client.query(m.sql);
      await client.query(`insert into ${q}.schema_migrations (component, version, name) values ($1, $2, $3)`, [
        component,
        m.version,
        m.name,
      ]);
      newlyApplied.push(m.version);
    }
    return newlyApplied;
  });
}

function assertOrdered(component: string, migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const previous = migrations[i - 1];
    if (previous && m.version <= previous.version) {
      throw new Error(`migrations of ${component} are out of order: ${previous.version} then ${m.version}`);
    }
  });
}
