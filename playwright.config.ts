// This repository's own config: the preset exactly as a user gets it (imported from the built
// package), pointed at the bundled demo app, plus the browserless framework tests.
import { availableParallelism } from 'node:os';
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
    // Most of these tests wait on child processes, servers and Postgres, not on the CPU: with two
    // workers a 2-core machine was about 1.2 cores busy, and the suite took 17 to 21 minutes; with
    // three, 12 (562 tests, none flaky). Playwright's default there would be one.
    workers: Math.max(3, Math.floor(availableParallelism() / 2)),
    projects: [
      // The framework's own tests: real HTTP, real Postgres, the real stripe library, no browser.
      // They need nothing from vibes-setup; depending on it puts them in the same phase as the
      // browser tests, so that the long @meta runs go beside them instead of after them all.
      { name: 'framework', testDir: './test', dependencies: ['vibes-setup'] },
      // The database-backed tests (@db) again, against a Postgres server you run (CI: 127.0.0.1:5432).
      // Not those tagged @stack: their subject is a UI, the reporter or a generated suite, whose
      // database work goes through the same store and ledger code the other @db tests cover twice.
      ...(serverUrl
        ? [{ name: 'framework-server', testDir: './test', grep: /@db/, grepInvert: /@stack/, dependencies: ['vibes-setup'], use: { databaseServerUrl: serverUrl } as object }]
        : []),
    ],
  },
);
