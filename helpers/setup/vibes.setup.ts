import { test as setup } from '../fixtures.js';
import { ReplayClient } from '../../replay-server/index.js';

// The first project of every vibes run: the browser projects depend on it.
setup('the replay server answers', async ({ vibes }) => {
  await new ReplayClient(vibes.replayServerUrl, { token: process.env.VIBES_REPLAY_TOKEN }).health();
});
