import { UsageError } from '../usage-error.js';

/** Vercel's Protection Bypass for Automation: the header and the system variable that holds its secret. */
const VERCEL_BYPASS_HEADER = 'x-vercel-protection-bypass';
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

/**
 * Each `Name: value` of a repeatable header flag, into one record. A name given twice is refused:
 * one of the two values would be dropped without a word.
 */
export function parseHeaders(values: readonly string[], flag = '--header'): Record<string, string> {
  // No prototype: a header called `constructor` or `__proto__` is a header like any other.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const value of values) {
    const [name, headerValue] = parseHeader(value, flag);
    if (Object.hasOwn(headers, name)) throw new UsageError(`${flag}: the header ${name} is given twice (header names ignore case); pass each header once.`);
    headers[name] = headerValue;
  }
  return headers;
}

/** The headers every request of the check carries: a Vercel bypass, then custom ones. */
export function bypassHeaders(custom: string[], vercelSecret: string | undefined): Record<string, string> {
  const headers = parseHeaders(custom);
  if (!vercelSecret) return headers;
  // Also sets a cookie, so requests the page makes without our headers (iframes, redirects back from Checkout) pass too.
  const vercel = { [VERCEL_BYPASS_HEADER]: vercelSecret, 'x-vercel-set-bypass-cookie': 'true' };
  const clash = Object.keys(vercel).find((name) => Object.hasOwn(headers, name));
  if (clash) throw new UsageError(`--header ${clash}: the Vercel bypass secret (--vercel-bypass-secret or ${VERCEL_BYPASS_ENV}) sets this header already; pass one or the other.`);
  return { ...vercel, ...headers };
}
