import type { TestInfo } from '@playwright/test';
import { ANNOTATIONS } from './annotations.js';
import type { Ledger } from './ledger.js';
import { removeByKind, type RemovableKind, type RemoverContext } from './removers.js';

interface Entry {
  label: string;
  ledgerId?: number;
  remove: () => Promise<void>;
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
}

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
    if (kind === 'app-user' && this.options.leavesAppUsers) return Promise.resolve();
    return this.add({ label, remove: () => removeByKind(kind, id, this.removers) }, kind, id);
  }

  /** Registers any removal as a function; it runs after the test, newest first. */
  defer(label: string, remove: () => Promise<void> | void): Promise<void> {
    return this.add({ label, remove: async () => void (await remove()) }, 'custom', label);
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
        await entry.remove();
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
