// The fixture-overhead benchmark's suite: bare Playwright tests and vibes tests doing the same
// page visit, side by side in one run against the demo app (see bench/fixture-overhead.ts).
import { defineVibesConfig } from 'playwright-vibes';

export default defineVibesConfig(
  {
    app: 'demo',
    entitlements: { sql: 'select count(*) from demo.entitlements e join demo.users u on u.id = e.user_id where u.email = $1' },
    cleanup: { appUser: { sql: 'delete from demo.users where lower(email) = lower($1)' } },
  },
  { testDir: '.', testMatch: /\.bench\.ts$/, workers: 1, retries: 0, fullyParallel: false },
);
