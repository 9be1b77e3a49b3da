/**
 * The URL of an endpoint a setting names (`entitlements.url`, `cleanup.appUser.url`): absolute, or
 * a path on the run's baseURL. A path is what works against previews, whose URL changes with each
 * deployment; `vibes predeploy` sets baseURL to the deployment's.
 */
export function endpointUrl(setting: string, value: string, baseURL: string | undefined): URL {
  try {
    return new URL(value, baseURL);
  } catch {
    const why = baseURL === undefined && !/^[a-z][a-z\d+.-]*:/i.test(value)
      ? 'is a path, and this run has no baseURL to put it on'
      : 'is not a valid URL';
    throw new Error(`${setting} ${JSON.stringify(value)} ${why}: give an absolute URL (http://…), or a path together with a baseURL (BASE_URL, use.baseURL).`);
  }
}
