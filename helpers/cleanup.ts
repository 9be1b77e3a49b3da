import type { TestInfo } from '@playwright/test';
import { ANNOTATIONS } from './annotations.js';
import { removeByKind, type Ledger, type RemovableKind, type RemoverContext } from '../cleanup/index.js';

interface Entry {
  label: string;
  ledgerId?: number;
  remove: () => Promise<void>;
  /** Removals that can hang with nothing to show for it (the app, the user's own function) are cut off. */
  timeLimited: boolean;
}

export interface CleanupFailure {
  label: string;
  error: string;
}

export interface CleanupOwner {
  run: string;
  worker: number;
  test: string;
}

export interface CleanupOptions {
  /** The safety guard, run again right before anything is deleted. */
  beforeRemoval?: () => void;
  /**
   * Set when this run removes no app users (a pre-deploy check whose removal would run on this
   * machine's database): `track('app-user', …)` records nothing then, so nothing is left pending
   * that no removal here could honestly finish. The run says so once (deploymentKeepsUsersNotice).
   */
  leavesAppUsers?: boolean;
  /**
   * How long an app-user or cleanup.defer() removal may take before it counts as failed and the
   * next one starts. Stripe removals are not cut off: they are slow only when rate-limited, and
   * each request has the stripe client's own timeout.
   */
  removalTimeoutMs?: number;
}

/**
 * One hung removal (a deferred function that never settles, an app that does not answer) must not
 * keep the older ones from running before the test's own timeout ends them all.
 */
const REMOVAL_TIMEOUT_MS = 10_000;

const TRACKED_KINDS: readonly string[] = ['stripe-customer', 'stripe-customers', 'app-user'] satisfies Exclude<RemovableKind, 'custom'>[];

/**
 * The `cleanup` fixture: everything a test creates is registered the moment it exists (in the
 * Postgres ledger, when there is one) and removed after the test, newest first, whether the
 * test passed, failed or timed out. A removal that fails stays in the ledger with its error.
 */
export class CleanupRegistry {
  private readonly entries: Entry[] = [];
  private readonly registering: Promise<unknown>[] = [];

  constructor(
    private readonly ledger: Ledger | undefined,
    private readonly owner: CleanupOwner,
    private readonly removers: RemoverContext,
    private readonly options: CleanupOptions = {},
  ) {}

  /**
   * Registers something a later run can remove from its kind and id alone, even if this process
   * is killed: `stripe-customer` (an id), `stripe-customers` (every customer with an email),
   * `app-user` (an email, removed with the configured SQL or HTTP call).
   */
  track(kind: Exclude<RemovableKind, 'custom'>, id: string, label = `${kind} ${id}`): Promise<void> {
    // Refused here, before anything is registered: a missing email would list, and then delete,
    // every customer in the account.
    const problem = trackProblem(kind, id);
    if (problem) throw new TypeError(`cleanup.track(${JSON.stringify(kind)}, ${describeValue(id)}): ${problem}; nothing was registered.`);
    if (kind === 'app-user' && this.options.leavesAppUsers) return Promise.resolve();
    return this.add({ label, remove: () => removeByKind(kind, id, this.removers), timeLimited: kind === 'app-user' }, kind, id);
  }

  /** Registers any removal as a function; it runs after the test, newest first. */
  defer(label: string, remove: () => Promise<void> | void): Promise<void> {
    if (typeof label !== 'string' || label.trim() === '' || typeof remove !== 'function') {
      throw new TypeError(`cleanup.defer(${describeValue(label)}, ${typeof remove}): pass a label (a non-empty string) and the function that removes it; nothing was registered.`);
    }
    return this.add({ label, remove: async () => void (await remove()), timeLimited: true }, 'custom', label);
  }

  get pending(): readonly { label: string }[] {
    return this.entries;
  }

  private add(entry: Entry, kind: string, id: string): Promise<void> {
    this.entries.push(entry);
    const registered = this.ledger
      ? this.ledger.register({
          run_id: this.owner.run, worker: this.owner.worker, test: this.owner.test, kind, resource_id: id, label: entry.label,
          stripe: kind.startsWith('stripe-') ? (this.removers.stripeMode ?? null) : null,
          stripe_url: kind.startsWith('stripe-') && this.removers.stripeMode === 'emulator' ? (this.removers.emulatorUrl ?? null) : null,
          base_url: kind === 'app-user' ? (this.removers.baseURL ?? null) : null,
        })
          .then((ledgerId) => void (entry.ledgerId = ledgerId))
      : Promise.resolve();
    this.registering.push(registered);
    return registered;
  }

  /** Runs every removal in reverse order of creation; one failing does not stop the rest. */
  async run(): Promise<CleanupFailure[]> {
    await Promise.allSettled(this.registering);
    if (this.entries.length === 0) return [];
    this.options.beforeRemoval?.();
    const failures: CleanupFailure[] = [];
    while (this.entries.length > 0) {
      const entry = this.entries.pop()!;
      try {
        await (entry.timeLimited ? withinTime(entry.remove(), this.options.removalTimeoutMs ?? REMOVAL_TIMEOUT_MS) : entry.remove());
        if (entry.ledgerId !== undefined) await this.ledger?.markRemoved(entry.ledgerId);
      } catch (error) {
        const message = (error as Error)?.message ?? String(error);
        failures.push({ label: entry.label, error: message });
        if (entry.ledgerId !== undefined) await this.ledger?.markFailed(entry.ledgerId, message).catch(() => {});
      }
    }
    return failures;
  }

  async runAndReport(testInfo: TestInfo): Promise<void> {
    const total = this.entries.length;
    const failures = await this.run();
    if (total > 0) testInfo.annotations.push({ type: ANNOTATIONS.cleanup, description: `removed ${total - failures.length} of ${total}` });
    if (failures.length === 0) return;
    const body = failures.map((f) => `${f.label}: ${f.error}`).join('\n');
    await testInfo.attach('cleanup-failures.txt', { body, contentType: 'text/plain' });
    testInfo.annotations.push({ type: ANNOTATIONS.cleanupFailed, description: body });
  }
}

function trackProblem(kind: unknown, id: unknown): string | undefined {
  if (typeof kind !== 'string' || !TRACKED_KINDS.includes(kind)) return `the kind must be one of ${TRACKED_KINDS.join(', ')} (cleanup.defer takes anything else)`;
  if (typeof id !== 'string' || id.trim() === '') return kind === 'stripe-customer' ? 'pass the customer id (cus_…)' : 'pass the email';
  if (kind === 'stripe-customer' && !id.startsWith('cus_')) return 'a Stripe customer id starts with cus_';
  if (kind !== 'stripe-customer' && !id.includes('@')) return 'pass an email address';
  return undefined;
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

async function withinTime(removal: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    await Promise.race([removal, late]);
  } finally {
    clearTimeout(timer);
  }
}
