import type { TestInfo } from '@playwright/test';

export interface CleanupEntry {
  kind: string;
  id: string;
  label: string;
  remove: () => Promise<void>;
}

export interface CleanupFailure {
  label: string;
  error: string;
}

/**
 * The `cleanup` fixture: everything a test creates is registered the moment it exists and
 * removed after the test, newest first, whether the test passed, failed or timed out.
 */
export class CleanupRegistry {
  private readonly entries: CleanupEntry[] = [];

  /** Registers a removal; returns the label so a step can name it. */
  defer(label: string, remove: () => Promise<void> | void, { kind = 'custom', id = label }: { kind?: string; id?: string } = {}): void {
    this.entries.push({ kind, id, label, remove: async () => void (await remove()) });
  }

  get pending(): readonly CleanupEntry[] {
    return this.entries;
  }

  /** Runs every removal in reverse order of creation; one failing does not stop the rest. */
  async run(): Promise<CleanupFailure[]> {
    const failures: CleanupFailure[] = [];
    while (this.entries.length > 0) {
      const entry = this.entries.pop()!;
      try {
        await entry.remove();
      } catch (error) {
        failures.push({ label: entry.label, error: (error as Error)?.message ?? String(error) });
      }
    }
    return failures;
  }

  async runAndReport(testInfo: TestInfo): Promise<void> {
    const failures = await this.run();
    if (failures.length === 0) return;
    const body = failures.map((f) => `${f.label}: ${f.error}`).join('\n');
    await testInfo.attach('cleanup-failures.txt', { body, contentType: 'text/plain' });
    testInfo.annotations.push({ type: 'vibes-cleanup-failed', description: body });
  }
}
