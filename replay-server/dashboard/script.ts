import * as browser from './browser.js';

/**
 * The dashboard's script, as one module: the source of every function in browser.ts, then a
 * call to `main`. Function declarations are hoisted, so their order does not matter.
 */
export const DASHBOARD_SCRIPT = `${Object.values(browser)
  .filter((value): value is (...args: never[]) => unknown => typeof value === 'function')
  .map((fn) => fn.toString())
  .join('\n\n')}\n\nmain();\n`;
