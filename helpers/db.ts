import type pg from 'pg';
import { sharedPool } from './pools.js';

/** The app's own database, as `db: { url }` in defineVibesConfig names it. */
export interface DbConfig {
  /**
   * The app's Postgres: the `db` fixture's, and that of SQL probes and removals that name no
   * `databaseUrl` of their own. Default: DATABASE_URL (the app's own variable), else
   * VIBES_DATABASE_URL, else the run's embedded Postgres.
   */
  url?: string;
}

/** A statement the database refused, with the SQL it was given (never its parameters: they may be secrets). */
export class DbQueryError extends Error {
  override name = 'DbQueryError';
  /** Postgres's SQLSTATE, e.g. 42P01 for a table that does not exist. */
  readonly code: string | undefined;

  /** `label` names what ran the SQL: `db.query`, `entitlements.sql`, `cleanup.appUser.sql`… */
  constructor(sql: string, cause: Error & { code?: string; position?: string }, label = 'db.query', params: readonly unknown[] = []) {
    const at = cause.position ? pointAt(sql, Number(cause.position)) : `  sql: ${sql}`;
    super(`${label} failed: ${withoutParams(cause.message, params)}${cause.code ? ` (SQLSTATE ${cause.code})` : ''}\n${at}`, { cause });
    this.code = cause.code;
  }
}

/**
 * The `db` fixture: the app's test database, for what a test checks or sets up beneath the UI;
 * also what the entitlements probe, app-user removals and fuzz invariants run their SQL on.
 * Each statement commits on its own, because the app (another process) must see what a test
 * wrote. The database is resolved, and passed through the safety guard, before the first
 * statement; a test that never queries never connects.
 */
export class AppDatabase {
  private pool: Promise<pg.Pool> | undefined;

  /** `connect` resolves the database URL, and throws if the guard refuses it; `label` names the SQL in errors. */
  constructor(
    private readonly connect: () => Promise<string>,
    private readonly label = 'db.query',
  ) {}

  /** Runs one statement (`$1`, `$2`… for `params`) and resolves with its rows. */
  async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    // A refused or missing database is remembered: every later call fails the same way.
    this.pool ??= this.connect().then(sharedPool);
    const pool = await this.pool;
    try {
      return (await pool.query(sql, [...params])).rows as Row[];
    } catch (error) {
      throw new DbQueryError(sql, error as Error, this.label, params);
    }
  }

  /** The first column of the first row, or undefined when there is no row: made for `expect.poll`. */
  async value<T = unknown>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    const [row] = await this.query(sql, params);
    return row === undefined ? undefined : (Object.values(row)[0] as T);
  }
}

/** Postgres quotes a value it cannot read (`invalid input syntax for type integer: "…"`); a parameter may be a secret. */
function withoutParams(message: string, params: readonly unknown[]): string {
  return params.reduce<string>((text, param) => (param === null || param === undefined || String(param) === '' ? text : text.replaceAll(`"${String(param)}"`, '"<parameter>"')), message);
}

/** The SQL with a caret under the character Postgres named (its position counts from 1). */
function pointAt(sql: string, position: number): string {
  const before = sql.slice(0, position - 1);
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = sql.indexOf('\n', lineStart);
  const line = sql.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  return `  sql: ${line}\n       ${' '.repeat(position - 1 - lineStart)}^`;
}
