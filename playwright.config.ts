import { defineConfig, devices } from '@playwright/test';
import { chromiumLaunchOptions } from './helpers/browser.js';

const serverUrl = process.env.VIBES_TEST_SERVER_URL;

export default defineConfig({
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? [['list'], ['junit', { outputFile: 'test-results/junit.xml' }]] : 'list',
  globalSetup: './test/support/global-setup.ts',
  projects: [
    // The framework's own tests: real HTTP, real Postgres, the real stripe library, no browser.
    { name: 'framework', testDir: './test' },
    // The same database-backed tests (@db) against a Postgres server you run (CI: 127.0.0.1:5432).
    ...(serverUrl
      ? [{ name: 'framework-server', testDir: './test', grep: /@db/, use: { databaseServerUrl: serverUrl } }]
      : []),
    {
      name: 'e2e',
      testDir: './e2e',
      use: { ...devices['Desktop Chrome'], launchOptions: chromiumLaunchOptions() },
    },
  ],
});
