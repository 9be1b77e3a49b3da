import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedPostgres } from '../postgres/index.js';

/**
 * A fresh database for one benchmark: on VIBES_DATABASE_URL's server when set (dropped by the
 * returned cleanup), else an ephemeral embedded Postgres (stopped by it).
 */
export async function benchDatabase(prefix = 'vibes_bench'): Promise<{ url: string; cleanup: () => Promise<void> }> {
  const serverUrl = process.env.VIBES_DATABASE_URL;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres({ ephemeral: true });
    return { url: embedded.url, cleanup: () => embedded.stop() };
  }
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async cleanup() {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
