export { findChromium, chromiumLaunchOptions, SYSTEM_CHROMIUM_ARGS, type ChromiumChoice } from './browser.js';
