import { test as bare } from '@playwright/test';
import { test as vibes, expect } from 'playwright-vibes';

// Both visit the same page; the difference is what the vibes fixtures cost per test:
// a unique user registered in the cleanup ledger, the replay-server client, the entitlements
// probe (one SQL count), the timeline attachment and the removals after the test.

bare('bare playwright test', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('heading').first().waitFor();
});

vibes('vibes test with user, webhooks, entitlements and cleanup', async ({ page, user, webhooks, entitlements }) => {
  await page.goto('/');
  await page.getByRole('heading').first().waitFor();
  expect(webhooks).toBeDefined();
  await expect(entitlements).toGrantNothing(user.email);
});
