import { SIGNATURE_MODES, type SignatureMode } from '../types.js';

/**
 * The dashboard's two pages. They carry no data, only the frame the browser script fills from
 * the API, so they need no token: what needs one is every /api call the script makes.
 */

const SIGNATURE_LABELS: Record<SignatureMode, string> = {
  fresh: "fresh: signed now with the server's secret",
  original: 'original: the header it arrived with',
  stale: "stale: signed before Stripe's tolerance",
  future: "future: signed after Stripe's tolerance",
  'wrong-secret': 'wrong secret: signed with another secret',
  missing: 'missing: no Stripe-Signature header',
};

function layout(page: 'events' | 'event', title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · vibes replay server</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/app.css">
<script type="module" src="/dashboard/app.js"></script>
</head>
<body data-page="${page}">
<a class="skip-link" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/">vibes replay server</a>
  <p id="connection" class="connection" role="status">Connecting…</p>
  <button type="button" id="forget-token" class="quiet" hidden>Forget token</button>
</header>
<main id="main" tabindex="-1">
  <section id="login" class="login" hidden aria-labelledby="login-title">
    <h1 id="login-title">Token required</h1>
    <p>This replay server answers only with the token it was started with (<code>--token</code> or <code>VIBES_REPLAY_TOKEN</code>).
    It is kept in this tab until you close it.</p>
    <form id="login-form">
      <label for="token">Access token</label>
      <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required aria-describedby="login-error">
      <button type="submit">Open dashboard</button>
    </form>
    <p id="login-error" class="error" role="alert"></p>
  </section>
  <div id="content" hidden>
${content}
  </div>
</main>
</body>
</html>
`;
}

export const EVENTS_PAGE = layout('events', 'Webhook events', `
    <h1>Webhook events</h1>
    <form id="filters" class="filters" role="search" aria-label="Filter events">
      <div class="field"><label for="f-type">Type</label><input id="f-type" name="type" list="types" autocomplete="off" spellcheck="false"></div>
      <div class="field"><label for="f-email">E-mail</label><input id="f-email" name="email" inputmode="email" autocomplete="off" spellcheck="false"></div>
      <div class="field"><label for="f-customer">Customer</label><input id="f-customer" name="customer" autocomplete="off" spellcheck="false"></div>
      <div class="field"><label for="f-run">Run</label><input id="f-run" name="run" autocomplete="off" spellcheck="false"></div>
      <div class="field"><label for="f-delivery">Delivery status</label>
        <select id="f-delivery" name="delivery">
          <option value="">Any</option>
          <option value="ok">Delivered (2xx)</option>
          <option value="failed">Failed (non-2xx or no answer)</option>
          <option value="none">Not delivered</option>
        </select>
      </div>
      <div class="actions">
        <button type="submit">Apply filters</button>
        <button type="button" id="clear-filters" class="secondary">Clear</button>
        <button type="button" id="export" class="secondary">Export NDJSON</button>
      </div>
      <datalist id="types"></datalist>
    </form>
    <p id="summary" class="summary" aria-live="polite"></p>
    <p id="list-error" class="error" role="alert"></p>
    <div class="scroll">
      <table class="events">
        <caption id="events-caption">Events, newest first</caption>
        <thead><tr>
          <th scope="col">Type</th><th scope="col">Customer or e-mail</th><th scope="col">Received</th>
          <th scope="col" class="num">Deliveries</th><th scope="col">Last status</th>
        </tr></thead>
        <tbody id="events"></tbody>
      </table>
    </div>
    <p><button type="button" id="more" class="secondary" hidden>Show more</button></p>`);

export const EVENT_PAGE = layout('event', 'Event', `
    <p class="back"><a href="/" id="back">← All events</a></p>
    <p id="event-error" class="error" role="alert"></p>
    <article id="event" hidden aria-labelledby="event-title">
      <h1 id="event-title"></h1>
      <p id="event-tags" class="tags"></p>
      <dl id="event-facts" class="facts"></dl>

      <section class="panel" aria-labelledby="replay-title">
        <h2 id="replay-title">Replay</h2>
        <form id="replay-form" class="replay" novalidate>
          <div class="field"><label for="r-times">Times</label>
            <input id="r-times" name="times" type="number" inputmode="numeric" min="1" max="1000" value="1" required aria-describedby="r-times-help">
            <small id="r-times-help">copies to deliver, 1 to 1000</small></div>
          <div class="field"><label for="r-concurrency">Concurrency</label>
            <input id="r-concurrency" name="concurrency" type="number" inputmode="numeric" min="1" max="1" value="1" required aria-describedby="r-concurrency-help">
            <small id="r-concurrency-help">copies sent at the same moment</small></div>
          <div class="field"><label for="r-signature">Signature</label>
            <select id="r-signature" name="signature">
${SIGNATURE_MODES.map((mode) => `              <option value="${mode}">${SIGNATURE_LABELS[mode]}</option>`).join('\n')}
            </select></div>
          <div class="actions"><button type="submit" id="replay-submit">Replay</button></div>
        </form>
        <p id="replay-result" class="result" role="status"></p>
        <p id="replay-error" class="error" role="alert"></p>
      </section>

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Delivery timeline</h2>
        <p id="teardown-note" class="note" hidden>Caused by test cleanup (teardown): tests leave this event out of their assertions.</p>
        <div class="scroll" role="region" aria-labelledby="timeline-title" tabindex="0">
          <table class="timeline">
            <thead><tr>
              <th scope="col">Time</th><th scope="col">What</th><th scope="col">Signature</th><th scope="col">Status</th>
              <th scope="col" class="num">Latency</th><th scope="col">Answer or error</th>
            </tr></thead>
            <tbody id="timeline"></tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="payload-title">
        <h2 id="payload-title">Payload</h2>
        <pre id="payload" class="code" tabindex="0" aria-labelledby="payload-title"></pre>
      </section>

      <section aria-labelledby="headers-title">
        <h2 id="headers-title">Headers</h2>
        <div class="scroll" role="region" aria-labelledby="headers-title" tabindex="0">
          <table class="headers">
            <thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
            <tbody id="headers"></tbody>
          </table>
        </div>
      </section>
    </article>`);
