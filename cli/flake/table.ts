import type { TestEvent } from '../suite/events.js';

export interface FlakeRow {
  name: string;
  project: string;
  passes: number;
  failures: number;
  firstFailure?: string;
}

/** Attempts grouped per test (every repeat of it), most failures first. Skipped attempts count for neither. */
export function tally(attempts: TestEvent[]): FlakeRow[] {
  const rows = new Map<string, FlakeRow>();
  for (const a of attempts) {
    const row = rows.get(a.key) ?? { name: a.name, project: a.project, passes: 0, failures: 0 };
    rows.set(a.key, row);
    // An attempt cut short by Ctrl-C or a signal says nothing about the test.
    if (a.status === 'skipped' || a.status === 'interrupted') continue;
    if (a.status === a.expectedStatus) row.passes++;
    else {
      row.failures++;
      row.firstFailure ??= a.error;
    }
  }
  return [...rows.values()].sort((x, y) => y.failures - x.failures || x.name.localeCompare(y.name));
}

/** A plain-text table that reads the same in a terminal and in a CI log. */
export function formatTable(rows: FlakeRow[], { width = 100 }: { width?: number } = {}): string {
  const showProject = new Set(rows.map((r) => r.project)).size > 1;
  const names = rows.map((r) => (showProject && r.project ? `[${r.project}] ${r.name}` : r.name));
  const nameWidth = Math.min(Math.max(4, ...names.map((n) => n.length)), 70);
  const header = `${'passes'.padStart(6)}  ${'fails'.padStart(5)}  ${'test'.padEnd(nameWidth)}  first failure`;
  const lines = [header, '-'.repeat(Math.min(header.length + 20, width + nameWidth))];
  rows.forEach((row, i) => {
    const failure = row.firstFailure ? truncate(summary(row.firstFailure), Math.max(30, width - 20)) : '';
    lines.push(`${String(row.passes).padStart(6)}  ${String(row.failures).padStart(5)}  ${truncate(names[i]!, nameWidth).padEnd(nameWidth)}  ${failure}`.trimEnd());
  });
  return lines.join('\n');
}

/** The preset's setup and teardown, which run once per run: a line, and each failure with its first line. */
export function formatSetup(rows: FlakeRow[]): string {
  const passes = rows.reduce((sum, r) => sum + r.passes, 0);
  const failures = rows.reduce((sum, r) => sum + r.failures, 0);
  const lines = [`the preset's setup and teardown (safety guard, replay server, cleanup), once per run: ${passes} passed${failures ? `, ${failures} failed` : ''}`];
  for (const row of rows.filter((r) => r.failures > 0)) {
    lines.push(`  ✗ [${row.project}] ${row.name}${row.firstFailure ? ` — ${oneLine(row.firstFailure, 160)}` : ''}`);
  }
  return lines.join('\n');
}

/**
 * A failure in one line: its first line, and for a matcher's message (whose first line only names
 * the matcher) what it received, e.g. `…toGrantExactlyOnce(email) — Received: granted 8 times`.
 */
function summary(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const first = lines[0] ?? '';
  const received = /^(Error: )?expect\(/.test(first) ? lines.find((l) => /^Received( string| array| object)?:/.test(l)) : undefined;
  return received ? `${first} — ${received.replace(/\s+/g, ' ')}` : first;
}

function oneLine(text: string, max: number): string {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
  return truncate(line, max);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
