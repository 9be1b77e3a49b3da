/**
 * The planted bugs. Each one is a mistake real Stripe integrations ship with; the e2e suite and
 * the fuzzer must catch every one of them, so each is visible over HTTP.
 */
export const DEMO_BUGS = [
  /** No event-id dedupe: every delivery of an event grants again. */
  'double-grant',
  /** Check-then-insert without a constraint: sequential duplicates are caught, concurrent ones are not. */
  'race',
  /** Subscription state follows whichever event arrived last, not the newest by `created`. */
  'out-of-order',
  /** The dashboard shows Pro as soon as checkout starts, before (or without) the webhook. */
  'optimistic-ui',
  /** Webhook bodies are trusted without verifying the Stripe-Signature header. */
  'no-signature-check',
  /** Forms are accepted without a valid CSRF token. */
  'no-csrf',
  /** Every paid invoice grants Pro again, the monthly renewal's included (a renewal taken for a purchase). */
  'renewal-grant',
  /** Deleting the account deletes the user's row and leaves their Stripe customer (and its card) at Stripe. */
  'keep-customer',
  /** customer.subscription.deleted for a user deleted since is a 500 (as a foreign key would make it): Stripe retries it for days. */
  'deleted-user-500',
] as const;

export type DemoBug = (typeof DEMO_BUGS)[number];

export class UnknownDemoBugError extends Error {
  override name = 'UnknownDemoBugError';
}

/**
 * Parses `DEMO_BUGS` (comma-separated names, blanks ignored). An unknown name is refused rather
 * than ignored: a typo would otherwise run the correct app while the suite believes a bug is on.
 */
export function parseDemoBugs(value: string | undefined): DemoBug[] {
  const names = (value ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !isDemoBug(name));
  if (unknown.length > 0) {
    const quoted = unknown.map((name) => `"${name}"`).join(', ');
    throw new UnknownDemoBugError(
      `unknown planted bug ${quoted} in DEMO_BUGS. Valid names: ${DEMO_BUGS.join(', ')} (comma-separated), or leave DEMO_BUGS empty for the correct app.`,
    );
  }
  return [...new Set(names as DemoBug[])];
}

function isDemoBug(name: string): name is DemoBug {
  return (DEMO_BUGS as readonly string[]).includes(name);
}

/** The bugs switched on for one running app, asked by name. */
export class BugSwitches {
  private readonly on: ReadonlySet<DemoBug>;

  constructor(bugs: readonly DemoBug[] = []) {
    this.on = new Set(bugs);
  }

  has(bug: DemoBug): boolean {
    return this.on.has(bug);
  }

  list(): DemoBug[] {
    return DEMO_BUGS.filter((bug) => this.on.has(bug));
  }
}
