import { readFileSync } from 'node:fs';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { plural } from '../core/index.js';
import { ANNOTATIONS } from './annotations.js';

/** What a vibes run did, summed over every test and attempt. */
export interface VibesSummary {
  eventsCaptured: number;
  /** Events a test made itself (webhooks.inject): absent or 0 when there were none. */
  eventsInjected?: number;
  /** Events of a recorded run (webhooks.import): absent or 0 when there were none. */
  eventsImported?: number;
  replaysSent: number;
  exactlyOnce: { passed: number; failed: number };
  /** `unchecked`: the run ended (interrupted) before its teardown read the ledger, so leftBehind counts only what tests noted. */
  cleanup: { removed: number; leftBehind: number; unchecked?: boolean };
  /** webhooks.fuzz calls: absent from the summary when there were none. */
  fuzz?: { properties: number; runs: number; counterexamples: number };
  /** Titles of the tests that failed first and passed on a retry. */
  flaky: string[];
  /** The run's id (VIBES_RUN_ID): what `vibes replay-server export --run` takes. */
  run?: string;
  /** Whether any event seen carried the run's id in `metadata.vibes_run` (an app tags them only if it copies VIBES_RUN_ID). */
  runTagged?: boolean;
}

/** The part of the timeline attachment (helpers/webhooks.ts) counted here. */
interface TimelineEvent {
  id: string;
  source?: string;
  run?: string | null;
  deliveries?: Array<{ id: number; kind: string }>;
}

const TIMELINE_ATTACHMENT = 'webhook-timeline.json';
const FLAKY_TITLES_SHOWN = 5;

/**
 * `playwright-vibes/reporter`: ends a run with a few lines on what the vibes fixtures did,
 * read from what each test attached and annotated (webhook timelines, exactly-once checks,
 * cleanup outcomes) and from Playwright's own outcomes (flaky tests). It prints nothing else,
 * so it goes beside `list` or `line` and the HTML report:
 *
 *   reporter: [['list'], ['html'], ['playwright-vibes/reporter']]
 *
 * (defineVibesConfig adds it.)
 */
export default class VibesReporter implements Reporter {
  private root: Suite | undefined;
  /** Each event seen, by id, with where it came from (captured, injected, imported). */
  private readonly events = new Map<string, string | undefined>();
  private readonly runs = new Set<string>();
  private readonly replays = new Set<number>();
  private readonly exactlyOnce = { passed: 0, failed: 0 };
  private readonly cleanup = { removed: 0, leftBehind: 0 };
  private readonly fuzz = { properties: 0, runs: 0, counterexamples: 0 };
  /** The ledger's count at the run's end, which includes tests whose worker died before their cleanup. */
  private ledgerLeft = 0;
  /** Whether the teardown read the ledger: an interrupted run ends before it does. */
  private ledgerChecked = false;
  private ran = false;

  printsToStdio(): boolean {
    return true;
  }

  onBegin(_config: FullConfig, suite: Suite): void {
    this.root = suite;
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    this.ran = true;
    for (const attachment of result.attachments) {
      if (attachment.name === TIMELINE_ATTACHMENT) this.countTimeline(attachment);
    }
    for (const { type, description = '' } of result.annotations) {
      if (type === ANNOTATIONS.exactlyOnce) {
        if (description.startsWith('passed')) this.exactlyOnce.passed++;
        else this.exactlyOnce.failed++;
      } else if (type === ANNOTATIONS.cleanup) {
        const match = /^removed (\d+) of (\d+)$/.exec(description);
        if (!match) continue;
        this.cleanup.removed += Number(match[1]);
        this.cleanup.leftBehind += Number(match[2]) - Number(match[1]);
      } else if (type === ANNOTATIONS.cleanupLeft) {
        this.ledgerChecked = true;
        this.ledgerLeft = Math.max(this.ledgerLeft, Number(description) || 0);
      } else if (type === ANNOTATIONS.fuzz) {
        const match = /: (\d+) runs, (no )?counterexample/.exec(description);
        if (!match) continue;
        this.fuzz.properties++;
        this.fuzz.runs += Number(match[1]);
        if (!match[2]) this.fuzz.counterexamples++;
      }
    }
  }

  onEnd(result?: Pick<FullResult, 'status'>): void {
    // A listing (`--list`) or a run that ran no test has nothing to sum up.
    if (!this.ran) return;
    const flaky = (this.root?.allTests() ?? []).filter((test) => test.outcome() === 'flaky').map((test) => titleOf(test));
    const text = formatSummary({
      eventsCaptured: [...this.events.values()].filter((source) => source === undefined || source === 'captured').length,
      eventsInjected: [...this.events.values()].filter((source) => source === 'injected').length,
      eventsImported: [...this.events.values()].filter((source) => source === 'imported').length,
      replaysSent: this.replays.size,
      exactlyOnce: { ...this.exactlyOnce },
      cleanup: {
        removed: this.cleanup.removed,
        leftBehind: Math.max(this.cleanup.leftBehind, this.ledgerLeft),
        ...(result?.status === 'interrupted' && !this.ledgerChecked ? { unchecked: true } : {}),
      },
      ...(this.fuzz.properties > 0 ? { fuzz: { ...this.fuzz } } : {}),
      flaky,
      // The config set it when it loaded, in this process.
      run: process.env.VIBES_RUN_ID,
      // Said only of a run that saw events: with none, there is nothing to have tagged.
      ...(this.events.size > 0 ? { runTagged: !!process.env.VIBES_RUN_ID && this.runs.has(process.env.VIBES_RUN_ID) } : {}),
    });
    process.stdout.write(`\n${text}\n`);
  }

  private countTimeline(attachment: TestResult['attachments'][number]): void {
    let events: TimelineEvent[];
    try {
      const body = attachment.body ?? (attachment.path ? readFileSync(attachment.path) : undefined);
      if (!body) return;
      events = JSON.parse(body.toString('utf8')) as TimelineEvent[];
    } catch {
      // A timeline we cannot read is a gap in the summary, not a reason to fail the run.
      return;
    }
    if (!Array.isArray(events)) return;
    for (const event of events) {
      if (typeof event?.id !== 'string') continue;
      this.events.set(event.id, event.source);
      if (event.run) this.runs.add(event.run);
      for (const delivery of event.deliveries ?? []) if (delivery.kind === 'replay') this.replays.add(delivery.id);
    }
  }
}

export function formatSummary(summary: VibesSummary): string {
  const { flaky } = summary;
  const shown = flaky.slice(0, FLAKY_TITLES_SHOWN).map((title) => `\n                ${title}`).join('');
  const hidden = flaky.length > FLAKY_TITLES_SHOWN ? `\n                … and ${flaky.length - FLAKY_TITLES_SHOWN} more` : '';
  return [
    'Vibes summary',
    `  webhooks      ${describeEvents({ captured: summary.eventsCaptured, injected: summary.eventsInjected ?? 0, imported: summary.eventsImported ?? 0 })}, ${plural(summary.replaysSent, 'replay')} sent`,
    `  exactly once  ${exactlyOnceLine(summary)}`,
    `  cleanup       ${summary.cleanup.removed} removed, ${summary.cleanup.leftBehind} left behind${summary.cleanup.unchecked ? ' by the tests that finished' : ''}`,
    ...(summary.cleanup.unchecked ? [`                interrupted before the cleanup check: the next run removes what this one left, or now \`npx vibes sweep --older-than 0s\``] : []),
    ...(summary.fuzz ? [`  fuzz          ${plural(summary.fuzz.properties, 'property', 'properties')}, ${plural(summary.fuzz.runs, 'run')}, ${plural(summary.fuzz.counterexamples, 'counterexample')} found`] : []),
    `  flaky tests   ${flaky.length === 0 ? 'none' : `${flaky.length}${shown}${hidden}`}`,
    ...(summary.run ? [`  run           ${summary.run} ${runNote(summary.run, summary.runTagged, summary.eventsCaptured > 0)}`] : []),
  ].join('\n');
}

/** The matcher's checks; a run with none says where exactly-once was checked, if anywhere, rather than "0 passed". */
function exactlyOnceLine({ exactlyOnce, fuzz }: VibesSummary): string {
  if (exactlyOnce.passed + exactlyOnce.failed > 0) return `${plural(exactlyOnce.passed, 'check')} passed, ${exactlyOnce.failed} failed`;
  return fuzz ? 'no toGrantExactlyOnce checks; the fuzz properties below checked what they state' : 'no toGrantExactlyOnce checks';
}

/** What the run's id is good for: the events that carry it, if the tests saw any; undefined `tagged`, no events seen. */
function runNote(run: string, tagged: boolean | undefined, captured: boolean): string {
  if (tagged === true) return `(events with metadata.vibes_run = it: vibes replay-server export --out recorded.ndjson --run ${run} --teardown false)`;
  // A run fed only what the tests injected or imported made nothing in Stripe to tag: no advice to give.
  if (tagged === false && !captured) return '(Stripe sent this run no events: those seen were injected or imported)';
  if (tagged === false) {
    return '(no event carried it in metadata.vibes_run, so `export --run` finds none: export by --email or --since, or have the app copy VIBES_RUN_ID into its Stripe metadata)';
  }
  return '(no events seen)';
}

/** "23 events captured", "1 event injected", "3 events (2 captured, 1 injected)": the sources there were, "0 events captured" for none. */
function describeEvents(counts: { captured: number; injected: number; imported: number }): string {
  const present = Object.entries(counts).filter(([, count]) => count > 0);
  if (present.length === 0) return `${plural(0, 'event')} captured`;
  if (present.length === 1) return `${plural(present[0]![1], 'event')} ${present[0]![0]}`;
  const total = present.reduce((sum, [, count]) => sum + count, 0);
  return `${plural(total, 'event')} (${present.map(([source, count]) => `${count} ${source}`).join(', ')})`;
}

/** `file › describe › title`, as Playwright's list reporter names a test (without the project). */
function titleOf(test: TestCase): string {
  const [, , file, ...rest] = test.titlePath();
  return [file, ...rest].filter(Boolean).join(' › ');
}
