import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

/** Flags that keep a system Chromium quiet on machines without a network (CI sandboxes). */
export const SYSTEM_CHROMIUM_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
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
 * Playwright's own Chromium when it is installed; otherwise `VIBES_CHROMIUM`, then a system
 * Chromium or Chrome. Never throws: a missing browser must not break browserless projects,
 * so the caller reports `missing` when a browser is actually needed.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumChoice {
  const explicit = env.VIBES_CHROMIUM;
  if (explicit) {
    if (existsSync(explicit)) return { kind: 'system', executablePath: explicit, source: 'VIBES_CHROMIUM' };
    return { kind: 'missing', message: `VIBES_CHROMIUM is set to ${explicit}, but no file is there. Point it at a Chromium or Chrome binary, or unset it.` };
  }
  const bundled = bundledChromiumPath();
  if (bundled && existsSync(bundled)) return { kind: 'playwright', executablePath: bundled };
  for (const candidate of SYSTEM_CHROMIUM_PATHS) {
    if (existsSync(candidate)) return { kind: 'system', executablePath: candidate, source: candidate };
  }
  return {
    kind: 'missing',
    message:
      'No Chromium found. Install Playwright\'s browser with `npx playwright install chromium`, ' +
      'or a system Chromium (Debian/Ubuntu: `apt-get install chromium`), or set VIBES_CHROMIUM to a Chromium binary.',
  };
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
