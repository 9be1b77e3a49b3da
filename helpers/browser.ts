import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

/**
 * The features Playwright disables (playwright-core's chromiumSwitches.ts, 1.65), then those
 * that earlier versions in our peer range (from 1.52) also disabled. Chromium keeps only the last
 * --disable-features it is given, so a list of ours must carry Playwright's too.
 * test/browser.spec.ts fails, naming the missing ones, when a Playwright upgrade changes it.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
  'AcceptCHFrame',
  'AutoExpandDetailsElement',
  'CertificateTransparencyComponentUpdater',
  'DeferRendererTasksAfterInput',
  'DialMediaRouteProvider',
  'ExtensionManifestV2Disabled',
  'GlobalMediaControls',
  'ImprovedCookieControls',
  'LazyFrameLoading',
  'Translate',
];

/**
 * A full Chromium or Chrome, headless, still builds each window's omnibox popups as WebUI pages:
 * a renderer of their own for every test's window that nobody sees. In the smoke suite they took
 * half of the browser's CPU. Playwright's own headless shell has no omnibox to build.
 */
const SYSTEM_CHROMIUM_DISABLED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

/** Flags for a system Chromium: quiet on machines without a network (CI sandboxes), and lean. */
export const SYSTEM_CHROMIUM_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...SYSTEM_CHROMIUM_DISABLED_FEATURES].join(',')}`,
];

const SYSTEM_CHROMIUM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export type ChromiumChoice =
  | { kind: 'playwright'; executablePath: string }
  | { kind: 'system'; executablePath: string; source: string }
  | { kind: 'missing'; message: string };

/**
 * `VIBES_CHROMIUM` when set (the user's explicit choice wins); otherwise Playwright's own Chromium
 * when it is installed, then a system Chromium or Chrome. Never throws: a missing browser must not
 * break browserless projects, so the caller reports `missing` when a browser is actually needed.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumChoice {
  const explicit = env.VIBES_CHROMIUM;
  if (explicit) {
    if (existsSync(explicit)) return { kind: 'system', executablePath: explicit, source: 'VIBES_CHROMIUM' };
    return { kind: 'missing', message: `VIBES_CHROMIUM is set to ${explicit}, but no file is there. Point it at a Chromium or Chrome binary, or unset it.` };
  }
  const bundled = bundledChromiumPath();
  if (bundled && existsSync(bundled)) return { kind: 'playwright', executablePath: bundled };
  const system = findSystemChromium();
  if (system) return system;
  return {
    kind: 'missing',
    message:
      'No Chromium found. Install Playwright\'s browser with `npx playwright install chromium`, ' +
      'or a system Chromium (Debian/Ubuntu: `apt-get install chromium`), or set VIBES_CHROMIUM to a Chromium binary.',
  };
}

/** The first system Chromium or Chrome at a usual place, whether or not Playwright's own is installed. */
export function findSystemChromium(): Extract<ChromiumChoice, { kind: 'system' }> | undefined {
  const found = SYSTEM_CHROMIUM_PATHS.find((candidate) => existsSync(candidate));
  return found === undefined ? undefined : { kind: 'system', executablePath: found, source: found };
}

function bundledChromiumPath(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

/** Launch options for the browser `findChromium` chose; Playwright's own needs none. */
export function chromiumLaunchOptions(choice: ChromiumChoice = findChromium()): { executablePath?: string; args?: string[] } {
  if (choice.kind !== 'system') return {};
  return { executablePath: choice.executablePath, args: SYSTEM_CHROMIUM_ARGS };
}
