import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedOptions, type EmbeddedServer } from './embedded.js';

export interface DatabaseOptions extends EmbeddedOptions {
  /** A server to use. Without one, an embedded Postgres starts (see `databaseUrlFromEnv`). */
  url?: string;
}

export interface Database {
  pool: pg.Pool;
  url: string;
  /** Set when this process runs the embedded cluster. */
  embedded?: EmbeddedServer;
  close(): Promise<void>;
}

/** `VIBES_DATABASE_URL` wins over `DATABASE_URL`, so an app's own variable can stay as it is. */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.VIBES_DATABASE_URL || env.DATABASE_URL || undefined;
}

export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const embedded = options.url ? undefined : await startEmbeddedPostgres(options);
  const url = options.url ?? embedded!.url;
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  // An idle client losing its server (Postgres restarting) must not crash the process.
  pool.on('error', () => {});
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => {});
    await embedded?.stop();
    throw new Error(`cannot connect to Postgres at ${redactUrl(url)}: ${(error as Error).message}`);
  }
  let closed = false;
  return {
    pool,
    url,
    embedded,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end().catch(() => {});
      await embedded?.stop();
    },
  };
}

/**
 * A connection URL fit for logs and error messages: the password is never printed, neither in
 * `user:pass@` nor in the query parameters pg also takes secrets from.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const name of ['password', 'sslpassword']) {
      if (u.searchParams.has(name)) u.searchParams.set(name, '***');
    }
    return u.toString();
  } catch {
    // pg takes URLs the WHATWG parser refuses, as postgres://user@/app (the default host or socket):
    // shown with all between the user's name and the last @ hidden, and the password parameters.
    if (!/^postgres(?:ql)?:\/\//i.test(url)) return '<unparseable database URL>';
    return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)(.*)@/i, '$1***@').replace(/([?&](?:ssl)?password=)[^&]*/gi, '$1***');
  }
}
