import type { DbConfig } from './db.js';
import type { EntitlementsConfig } from './entitlements.js';
import type { AppUserCleanup } from './removers.js';

export interface DatabaseSettings {
  entitlements?: EntitlementsConfig;
  cleanup?: { appUser?: AppUserCleanup };
  db?: DbConfig;
}

/**
 * Every database URL a vibes config names, under the name a refusal should show: the safety
 * guard must see each of them, not only the environment's, before anything is written or deleted.
 */
export function configuredDatabaseUrls({ entitlements, cleanup, db }: DatabaseSettings): { name: string; url: string | undefined }[] {
  const appUser = cleanup?.appUser;
  return [
    { name: 'db.url', url: db?.url },
    { name: 'entitlements.databaseUrl', url: entitlements && 'sql' in entitlements ? entitlements.databaseUrl : undefined },
    { name: 'cleanup.appUser.databaseUrl', url: appUser && 'sql' in appUser ? appUser.databaseUrl : undefined },
  ];
}
