import type { EventDetail } from '../replay-server/index.js';
import { isAccepted, isGenuine } from './deliveries.js';

/**
 * The story of a test's webhooks, one line per capture and delivery, for failure messages
 * and the report: what arrived, how it was signed, where it went and what the app answered.
 */
export function formatTimeline(events: readonly EventDetail[]): string {
  if (events.length === 0) return '  (no webhook events matched this test)';
  const lines: string[] = [];
  const refusedAll = everyGenuineDeliveryRefused(events);
  if (refusedAll) lines.push(refusedAll);
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
  const line = (text && readableAnswer(text))?.replace(/\s+/g, ' ').trim();
  if (!line) return undefined;
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/**
 * An HTML answer (a framework's error page: Django's debug page, Rails', a proxy's) by its title,
 * which names the error where its first kilobyte is mostly <style>; without one, its text.
 */
function readableAnswer(text: string): string {
  if (!/^\s*</.test(text)) return text;
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
  if (title) return `${decodeEntities(title)} (an HTML page)`;
  return decodeEntities(text.replace(/<(style|script)\b[^>]*>[\s\S]*?(<\/\1>|$)/gi, ' ').replace(/<[^>]*>?/g, ' '));
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (entity, code: string) =>
    code[0] === '#' ? String.fromCodePoint(Number.parseInt(code.slice(code[1] === 'x' || code[1] === 'X' ? 2 : 1), code[1] === 'x' || code[1] === 'X' ? 16 : 10)) : (named[code.toLowerCase()] ?? entity));
}

/**
 * A lead line when the app refused every genuinely signed delivery: a long timeline of one
 * misconfiguration (most often a webhook secret that is not the run's) said once, up front.
 */
function everyGenuineDeliveryRefused(events: readonly EventDetail[]): string | undefined {
  const genuine = events.filter((event) => !event.teardown).flatMap((event) => event.deliveries.filter(isGenuine));
  if (genuine.length === 0 || genuine.some(isAccepted)) return undefined;
  const answers = new Map<string, { count: number; status: number | null }>();
  for (const d of genuine) {
    const said = excerpt(d.response_excerpt);
    const answer = d.status !== null ? `${d.status}${said ? ` "${said}"` : ''}` : `no answer (${d.error ?? 'failed'})`;
    answers.set(answer, { count: (answers.get(answer)?.count ?? 0) + 1, status: d.status });
  }
  const [answer, { status }] = [...answers.entries()].sort((a, b) => b[1].count - a[1].count)[0]!;
  const why =
    status === null ? 'Is the app answering at its webhook URL (webhooks.forwardTo)?'
    // No route there: a path or method the app does not serve, not a signature it refused.
    : status === 404 || status === 405 ? 'Does the app serve POST at webhooks.forwardTo? That is where the deliveries went.'
    // Stripe takes a redirect for a failure and does not follow it; nor does the replay server.
    : status >= 300 && status < 400 ? 'A redirect: the app sends POSTs at webhooks.forwardTo elsewhere (a trailing slash it adds, as Django\'s APPEND_SLASH does; http to https; a login page). Set forwardTo to the URL it redirects to: Stripe does not follow redirects either.'
    : status < 500 ? "Does its webhook verify with the run's STRIPE_WEBHOOK_SECRET, on the raw body?"
    : "The app's log says why.";
  return `  The app took no genuinely signed delivery (${genuine.length}); ${answers.size === 1 ? 'each' : 'most'} got ${answer}. ${why}`;
}

function clock(iso: string): string {
  return iso.slice(11, 23);
}
