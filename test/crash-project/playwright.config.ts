// A user's project whose run is killed in the middle of a test (see test/cleanup.spec.ts). The
// Stripe emulator, replay server and database come from the outer test, so they outlive the kill.
import { defineVibesConfig } from 'playwright-vibes';

export default defineVibesConfig(
  { webhooks: { replayServerUrl: process.env.VIBES_REPLAY_URL } },
  { testDir: '.', testMatch: /\.crash\.ts$/, reporter: 'line', retries: 0 },
);
