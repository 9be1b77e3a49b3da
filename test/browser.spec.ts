import { chromium, expect, test } from '@playwright/test';
import { chromiumLaunchOptions, findSystemChromium } from '../helpers/browser.js';

// The system-Chromium path (CI machines without Playwright's browser), tested even where
// Playwright's own is installed. CI installs Debian's Chromium, so there it always runs.
const system = findSystemChromium();

test.describe('a system Chromium, launched with the preset\'s flags', () => {
  test.skip(!system, 'no system Chromium or Chrome on this machine');

  test('builds no omnibox WebUI for a test\'s window, and keeps every feature Playwright disables', async () => {
    const browser = await chromium.launch(chromiumLaunchOptions(system!));
    try {
      const page = await browser.newPage();
      await page.goto('chrome://version');
      const commandLine = (await page.locator('#command_line').textContent()) ?? '';
      const lists = [...commandLine.matchAll(/--disable-features=(\S*)/g)].map((m) => m[1]!.split(','));
      // Chromium honours only the last --disable-features; Playwright's own comes before ours.
      const honoured = lists.at(-1) ?? [];
      const playwrights = lists.find((list) => list !== honoured) ?? [];
      expect(playwrights, `Playwright's --disable-features on ${commandLine}`).toContain('PaintHolding');
      const dropped = playwrights.filter((feature) => !honoured.includes(feature));
      expect(dropped, 'features Playwright disables that the system-Chromium flags would turn back on: add them to PLAYWRIGHT_DISABLED_FEATURES in helpers/browser.ts').toEqual([]);

      const session = await browser.newBrowserCDPSession();
      const { targetInfos } = await session.send('Target.getTargets', { filter: [{}] });
      expect(targetInfos.map((t) => t.url).filter((url) => url.startsWith('chrome://omnibox-popup'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
