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
  constructor(sql: string, cause: Error & { code?: string; position?: string }, label = 'db.query', params: readonly unknown[] = [], hint?: string) {
    const at = cause.position ? pointAt(sql, Number(cause.position)) : `  sql: ${sql}`;
    super(`${label} failed: ${withoutParams(cause.message, params)}${cause.code ? ` (SQLSTATE ${cause.code})` : ''}\n${at}${hint ? `\n${hint}` : ''}`, { cause });
    this.code = cause.code;
  }
}

/** Where a database came from, for errors: a URL the run fell back to is likely not the app's. */
export interface ResolvedDatabase {
  url: string;
  /** Set when nothing named the app's database and the run's own was taken instead. */
  fallback?: string;
}

/** Postgres's "no such table" and "no such schema": what SQL written for the app meets elsewhere. */
const MISSING_RELATION = new Set(['42P01', '3F000']);

/**
 * The `db` fixture: the app's test database, for what a test checks or sets up beneath the UI;
 * also what the entitlements probe, app-user removals and fuzz invariants run their SQL on.
 * Each statement commits on its own, because the app (another process) must see what a test
 * wrote. The database is resolved, and passed through the safety guard, before the first
 * statement; a test that never queries never connects.
 */
export class AppDatabase {
  private database: Promise<{ pool: pg.Pool; fallback?: string }> | undefined;

  /** `connect` resolves the database, and throws if the guard refuses it; `label` names the SQL in errors. */
  constructor(
    private readonly connect: () => Promise<string | ResolvedDatabase>,
    private readonly label = 'db.query',
  ) {}

  /** Runs one statement (`$1`, `$2`… for `params`) and resolves with its rows. */
  async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    // A refused or missing database is remembered: every later call fails the same way.
    this.database ??= this.connect().then((resolved) => {
      const { url, fallback } = typeof resolved === 'string' ? { url: resolved } : resolved;
      return { pool: sharedPool(url), fallback };
    });
    const { pool, fallback } = await this.database;
    try {
      return (await pool.query(sql, [...params])).rows as Row[];
    } catch (error) {
      const cause = error as Error & { code?: string };
      throw new DbQueryError(sql, cause, this.label, params, fallback && MISSING_RELATION.has(cause.code ?? '') ? fallback : undefined);
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
