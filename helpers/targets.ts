import type { DbConfig } from '../app-database/index.js';
import type { AppUserCleanup } from '../cleanup/index.js';
import { endpointUrl } from '../core/index.js';
import type { GuardInput, NamedUrl } from '../guard/index.js';
import type { EntitlementsConfig } from './entitlements.js';
import type { VibesOptions } from './options.js';

export interface DatabaseSettings {
  entitlements?: EntitlementsConfig;
  cleanup?: { appUser?: AppUserCleanup };
  db?: DbConfig;
}

/**
 * What the guard must see of the options, besides the environment: every database they name and
 * every URL they send requests to, resolved on `baseURL` as the requests resolve them (an endpoint
 * such as `cleanup.appUser.url` may be a path, and `//host/…` is a path that leaves the base URL).
 * The config, the setup project and the cleanup fixture (where `test.use` may have named others)
 * each check it.
 */
export function configuredTargets(settings: DatabaseSettings & Pick<VibesOptions, 'app' | 'webhooks'>, baseURL?: string): Pick<GuardInput, 'databaseUrls' | 'urls'> {
  const urls = configuredUrls(settings).map(({ name, url }) => ({ name, url: url && resolvedOrAsIs(name, url, baseURL) }));
  return { databaseUrls: configuredDatabaseUrls(settings), urls };
}

/**
 * Every database URL a vibes config names, under the name a refusal should show: the safety
 * guard must see each of them, not only the environment's, before anything is written or deleted.
 */
function configuredDatabaseUrls({ entitlements, cleanup, db }: DatabaseSettings): NamedUrl[] {
  const appUser = cleanup?.appUser;
  return [
    { name: 'db.url', url: db?.url },
    { name: 'entitlements.databaseUrl', url: entitlements && 'sql' in entitlements ? entitlements.databaseUrl : undefined },
    { name: 'cleanup.appUser.databaseUrl', url: appUser && 'sql' in appUser ? appUser.databaseUrl : undefined },
  ];
}

/**
 * URLs the options send requests to besides the browser's, under their option path: a production
 * host in any is refused like one in the base URL (a removal there is a DELETE on production).
 */
function configuredUrls({ app, webhooks, entitlements, cleanup }: Pick<VibesOptions, 'app' | 'webhooks' | 'entitlements' | 'cleanup'>): NamedUrl[] {
  const appUser = cleanup?.appUser;
  return [
    { name: 'app.url', url: typeof app === 'object' ? app.url : undefined },
    { name: 'webhooks.forwardTo', url: webhooks?.forwardTo },
    { name: 'entitlements.url', url: entitlements && 'url' in entitlements ? entitlements.url : undefined },
    { name: 'cleanup.appUser.url', url: appUser && 'url' in appUser ? appUser.url : undefined },
  ];
}

/** A URL that does not resolve is judged as it is: no request can be sent to it either. */
function resolvedOrAsIs(name: string, url: string, baseURL: string | undefined): string {
  try {
    return endpointUrl(name, url, baseURL).href;
  } catch {
    return url;
  }
}
