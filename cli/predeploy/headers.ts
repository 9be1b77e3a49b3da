import { UsageError } from '../usage-error.js';

/** Vercel's Protection Bypass for Automation: the header and the system variable that holds its secret. */
export const VERCEL_BYPASS_HEADER = 'x-vercel-protection-bypass';
export const VERCEL_BYPASS_ENV = 'VERCEL_AUTOMATION_BYPASS_SECRET';
/** The variable the preset reads into its `appHeaders` option: the browser sends them to the base URL's origin only. */
export const EXTRA_HEADERS_ENV = 'PLAYWRIGHT_VIBES_EXTRA_HEADERS';

/** `Name: value` from `--header` (or another `flag`), checked the way an HTTP client would refuse it. */
export function parseHeader(value: string, flag = '--header'): [string, string] {
  const colon = value.indexOf(':');
  const name = colon > 0 ? value.slice(0, colon).trim() : '';
  const headerValue = colon > 0 ? value.slice(colon + 1).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || headerValue === '' || /[\r\n]/.test(headerValue)) {
    throw new UsageError(`${flag} expects "Name: value" (a header name, a colon, a non-empty value), got "${value.replace(/:.*/, ': …')}".`);
  }
  return [name.toLowerCase(), headerValue];
}

/** The headers every request of the check carries: a Vercel bypass, then custom ones. */
export function bypassHeaders(custom: string[], vercelSecret: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (vercelSecret) {
    headers[VERCEL_BYPASS_HEADER] = vercelSecret;
    // Also sets a cookie, so requests the page makes without our headers (iframes, redirects back from Checkout) pass too.
    headers['x-vercel-set-bypass-cookie'] = 'true';
  }
  for (const value of custom) {
    const [name, headerValue] = parseHeader(value);
    headers[name] = headerValue;
  }
  return headers;
}
