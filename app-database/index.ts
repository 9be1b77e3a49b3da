/**
 * The app's own database, opened only once the guard has passed it: the `db` fixture's, and the one
 * the entitlements probe and app-user removals run their SQL on (the fixtures and `vibes sweep`).
 */
export { AppDatabase, DbQueryError, type DbConfig, type ResolvedDatabase } from './db.js';
export { appDatabases, appFileDatabaseNotice, defaultDatabaseUrl, type OpenAppDatabase } from './open.js';
