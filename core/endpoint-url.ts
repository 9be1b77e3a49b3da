import { httpUrl } from './url.js';
/**
 * The URL of an endpoint a setting names (`entitlements.url`, `cleanup.appUser.url`): absolute, or
 * a path on the run's baseURL, resolved as `page.goto` resolves one. A path is what works against
 * previews, whose URL changes with each deployment; `vibes predeploy` sets baseURL to the deployment's.
 */
export function endpointUrl(setting: string, value: string, baseURL: string | undefined): URL {
  const named = `${setting} ${JSON.stringify(value)}`;
  const hint = 'give an absolute URL (http://…), or a path together with a baseURL (BASE_URL, use.baseURL).';
  if (isAbsoluteUrl(value)) {
    // `localhost:3000/api` parses, with "localhost:" as its scheme: it would fail at fetch instead.
    const url = httpUrl(value);
    if (url) return url;
    throw new Error(`${named} is not a valid http(s) URL: ${hint}`);
  }
  if (baseURL === undefined) throw new Error(`${named} is a path, and this run has no baseURL to put it on: ${hint}`);
  try {
    return new URL(value, baseURL);
  } catch {
    throw new Error(`${named} is a path, and the base URL it would go on, ${JSON.stringify(baseURL)}, is not a URL: set BASE_URL or use.baseURL to an http(s) URL.`);
  }
}

/** Whether a setting's URL names its own scheme (and so its host), rather than a path on baseURL. */
export function isAbsoluteUrl(value: string): boolean {
  return /^[a-z][a-z\d+.-]*:/i.test(value);
}
