// This repository's own config: the preset exactly as a user gets it (imported from the built
// package), pointed at the bundled demo app, plus the browserless framework tests.
import { defineVibesConfig } from 'playwright-vibes';

const serverUrl = process.env.VIBES_TEST_SERVER_URL;

export default defineVibesConfig(
  {
    app: 'demo',
    entitlements: { sql: 'select count(*) from demo.entitlements e join demo.users u on u.id = e.user_id where u.email = $1' },
    cleanup: { appUser: { sql: 'delete from demo.users where lower(email) = lower($1)' } },
  },
  {
    globalSetup: './test/support/global-setup.ts',
    projects: [
      // The framework's own tests: real HTTP, real Postgres, the real stripe library, no browser.
      { name: 'framework', testDir: './test' },
      // The database-backed tests (@db) again, against a Postgres server you run (CI: 127.0.0.1:5432).
      ...(serverUrl ? [{ name: 'framework-server', testDir: './test', grep: /@db/, use: { databaseServerUrl: serverUrl } as object }] : []),
    ],
  },
);
