import type pg from 'pg';

export interface Migration {
  /** Strictly increasing; a version once released never changes its SQL. */
  version: number;
  name: string;
  sql: string;
}

/**
 * Applies the pending migrations of one schema in a single transaction, under an advisory lock
 * so that processes starting together (a replay server and a test worker) apply each exactly
 * once. A failing migration rolls everything back: no half-migrated schema.
 */
export async function migrate(pool: pg.Pool, schema: string, migrations: readonly Migration[]): Promise<number[]> {
  assertOrdered(schema, migrations);
  const client = await pool.connect();
  const q = client.escapeIdentifier(schema);
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`vibes.migrate:${schema}`]);
    await client.query(`create schema if not exists ${q}`);
    await client.query(
      `create table if not exists ${q}.schema_migrations (
         version integer primary key,
         name text not null,
         applied_at timestamptz not null default now())`,
    );
    const { rows } = await client.query<{ version: number }>(`select version from ${q}.schema_migrations`);
    const applied = new Set(rows.map((r) => r.version));
    const newlyApplied: number[] = [];
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      await client.query(`set local search_path to ${q}`);
      await client.query(m.sql);
      await client.query(`insert into ${q}.schema_migrations (version, name) values ($1, $2)`, [m.version, m.name]);
      newlyApplied.push(m.version);
    }
    await client.query('commit');
    return newlyApplied;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

function assertOrdered(schema: string, migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const previous = migrations[i - 1];
    if (previous && m.version <= previous.version) {
      throw new Error(`migrations of schema ${schema} are out of order: ${previous.version} then ${m.version}`);
    }
  });
}
