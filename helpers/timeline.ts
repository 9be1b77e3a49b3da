import type { EventDetail } from '../replay-server/index.js';

/**
 * The story of a test's webhooks, one line per capture and delivery, for failure messages
 * and the report: what arrived, how it was signed, where it went and what the app answered.
 */
export function formatTimeline(events: readonly EventDetail[]): string {
  if (events.length === 0) return '  (no webhook events matched this test)';
  const lines: string[] = [];
  const sorted = [...events].sort((a, b) => a.received_at.localeCompare(b.received_at));
  for (const event of sorted) {
    const flags = [event.source, `signature ${event.signature}`, event.teardown ? 'teardown' : ''].filter(Boolean).join(', ');
    lines.push(`  ${clock(event.received_at)}  ${event.type}  ${event.id}  (${flags})`);
    let said: string | undefined;
    for (const d of event.deliveries) {
      const outcome = d.status !== null ? String(d.status) : `failed: ${d.error ?? 'no answer'}`;
      const latency = d.latency_ms !== null ? ` in ${Math.round(d.latency_ms)} ms` : '';
      // Why the app refused (its "Webhook Error: …"), said once while it repeats.
      const answer = d.status !== null && d.status >= 300 ? excerpt(d.response_excerpt) : undefined;
      const because = answer === undefined ? '' : answer === said ? ' (the same answer)' : `: "${answer}"`;
      if (answer !== undefined) said = answer;
      lines.push(`    ${clock(d.started_at)}  ${d.kind.padEnd(7)} ${d.signature.padEnd(12)} -> ${outcome}${latency}${because}`);
    }
  }
  return lines.join('\n');
}

function excerpt(text: string | null): string | undefined {
  const line = text?.replace(/\s+/g, ' ').trim();
  if (!line) return undefined;
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

function clock(iso: string): string {
  return iso.slice(11, 23);
}
