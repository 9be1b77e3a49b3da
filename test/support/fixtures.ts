import { randomBytes } from 'node:crypto';
import { test as base } from '@playwright/test';
import pg from 'pg';

export interface DatabaseFixtures {
  /** The server tests make databases on; a project option, so one suite runs against several servers. */
  databaseServerUrl: string;
  /** A new, empty database for this test alone, dropped afterwards. */
  databaseUrl: string;
  /** Another empty database on the same server, dropped after the test. */
  secondDatabaseUrl: string;
}

export const test = base.extend<DatabaseFixtures>({
  databaseServerUrl: [process.env.VIBES_TEST_DATABASE_URL ?? '', { option: true }],
  databaseUrl: async ({ databaseServerUrl }, use) => {
    await withTestDatabase(databaseServerUrl, use);
  },
  secondDatabaseUrl: async ({ databaseServerUrl }, use) => {
    await withTestDatabase(databaseServerUrl, use);
  },
});

/** Creates an empty database on `serverUrl`, hands its URL to `body`, and drops it afterwards. */
export async function withTestDatabase(serverUrl: string, body: (url: string) => Promise<void>): Promise<void> {
  if (!serverUrl) throw new Error('no test database server: the global setup sets VIBES_TEST_DATABASE_URL');
  const name = `vibes_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    await body(url.toString());
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

/** Runs one statement on a connection of its own and resolves with the rows, as another process sees them. */
export async function rowsIn<Row = Record<string, unknown>>(databaseUrl: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Row[];
  } finally {
    await client.end();
  }
}

export { expect } from '@playwright/test';
