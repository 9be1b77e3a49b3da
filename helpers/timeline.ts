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
    for (const d of event.deliveries) {
      const outcome = d.status !== null ? String(d.status) : `failed: ${d.error ?? 'no answer'}`;
      const latency = d.latency_ms !== null ? ` in ${Math.round(d.latency_ms)} ms` : '';
      lines.push(`    ${clock(d.started_at)}  ${d.kind.padEnd(7)} ${d.signature.padEnd(12)} -> ${outcome}${latency}`);
    }
  }
  return lines.join('\n');
}

function clock(iso: string): string {
  return iso.slice(11, 23);
}
