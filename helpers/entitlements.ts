import { countsOnThisMachine, unavailableInDeploymentCheck } from './deployment-check.js';
import type { AppDatabase, OpenAppDatabase } from '../app-database/index.js';
import { endpointUrl } from '../core/index.js';
import type { NamedUrl } from '../guard/index.js';

/**
 * How the preset asks the app how many times it granted an entitlement to an email:
 * a SQL count through `pg`, an HTTP endpoint, or a function of your own.
 */
export type EntitlementsConfig = (
  | { sql: string; databaseUrl?: string }
  | { url: string; headers?: Record<string, string> }
  | { count: (email: string) => Promise<number> }
) & {
  /**
   * How long toGrantExactlyOnce and toGrantNothing keep watching once they hold (default 0: they
   * pass at once). An app that grants from a queue after answering Stripe can grant again, or
   * late, after the first look; a window catches that, at its cost in every such assertion.
   */
  stableForMs?: number;
};

export class EntitlementsNotConfiguredError extends Error {
  override name = 'EntitlementsNotConfiguredError';
  constructor() {
    super(
      'The entitlements probe is not configured. Tell the preset how to count grants in defineVibesConfig, e.g.\n' +
        "  entitlements: { sql: 'select count(*) from entitlements e join users u on u.id = e.user_id where u.email = $1' }\n" +
        "or { url: 'http://localhost:3000/api/test/entitlements' } (GET ?email=…, answers a number or { count }), or { count: async (email) => … }.",
    );
  }
}

/** The database a SQL probe counts in: its own databaseUrl, else the app's; `label` names the SQL in errors. */
export function probeDatabase(config: EntitlementsConfig | undefined, open: OpenAppDatabase, label = 'entitlements.sql'): AppDatabase {
  return open(label, { name: 'entitlements.databaseUrl', url: config && 'sql' in config ? config.databaseUrl : undefined });
}

/** The subject of `toGrantExactlyOnce` / `toGrantNothing`: counts grants for an email. */
export class EntitlementProbe {
  private readonly database: AppDatabase;
  /** The test's webhook timeline, which a failed matcher prints (set by the `entitlements` fixture). */
  timelineText?: () => Promise<string>;

  /**
   * `assertSafeUrl` is the safety guard for the endpoint: a `test.use` can name one that
   * defineVibesConfig never saw. `baseURL` is what an endpoint given as a path is on.
   */
  constructor(
    private readonly config: EntitlementsConfig | undefined,
    openDatabase: OpenAppDatabase,
    private readonly assertSafeUrl: (target: NamedUrl) => void = () => {},
    private readonly baseURL?: string,
  ) {
    this.database = probeDatabase(config, openDatabase);
  }

  /** The configured watch window of the matchers (see EntitlementsConfig.stableForMs). */
  get stableForMs(): number {
    return this.config?.stableForMs ?? 0;
  }

  /** How many grants the app has recorded for this email right now. */
  async count(email: string): Promise<number> {
    const config = this.config;
    if (!config) throw new EntitlementsNotConfiguredError();
    if ('count' in config) return config.count(email);
    if ('url' in config) return this.countOverHttp(config, email);
    if (countsOnThisMachine(config)) {
      throw unavailableInDeploymentCheck('entitlements.sql', "It would count on this machine's database, not the deployment's, and find nothing there. " +
        "Set entitlements.databaseUrl to the deployment's database, or entitlements.url to a count the deployment serves (a path goes to the deployment).");
    }
    const value = (await this.database.value(config.sql, [email])) ?? 0;
    const n = Number(value);
    if (!Number.isInteger(n)) throw new Error(`The entitlements SQL must return one number (a count); its first column was ${JSON.stringify(value)}.`);
    return n;
  }

  private async countOverHttp(config: { url: string; headers?: Record<string, string> }, email: string): Promise<number> {
    const url = endpointUrl('entitlements.url', config.url, this.baseURL);
    this.assertSafeUrl({ name: 'entitlements.url', url: url.href });
    url.searchParams.set('email', email);
    const response = await fetch(url, { headers: config.headers });
    if (!response.ok) throw new Error(`The entitlements endpoint ${url.origin}${url.pathname} answered ${response.status}.`);
    const body = (await response.json()) as unknown;
    const n = typeof body === 'number' ? body : Number((body as { count?: unknown }).count);
    if (!Number.isInteger(n)) throw new Error(`The entitlements endpoint must answer a number or { count }, not ${JSON.stringify(body)}.`);
    return n;
  }
}
