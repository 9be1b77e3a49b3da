/**
 * The dashboard's browser code. These functions never run in Node: script.ts serves their
 * source text (Function.prototype.toString) as one module script, so they are type-checked
 * like the rest of the server but shipped without a bundler or a build step of their own.
 * Hence the rules for this file: every function is exported (script.ts collects them), none
 * uses anything imported at run time or any module-level value, and `main` starts it all.
 */
import type { StreamMessage } from '../events-stream.js';
import type { Delivery, EventDetail, EventList, EventSummary, ReplayResult } from '../types.js';

export interface View {
  /** Reads what the page shows from the API; throws only when the token is missing or refused. */
  refresh(): Promise<void>;
  /** Something changed on the server (from the event stream). */
  changed(message: StreamMessage): void;
}

export interface ViewContext {
  /** The API refused the token (or wants one): ask for it. */
  unauthorized(): void;
}

type Props = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined;

export function main(): void {
  const content = byId('content');
  const login = byId('login');
  const forget = byId<HTMLButtonElement>('forget-token');
  let streaming = false;
  const context: ViewContext = { unauthorized: () => askForToken(open) };
  const view = document.body.dataset.page === 'event' ? eventView(context) : eventsView(context);

  async function open(): Promise<void> {
    try {
      await view.refresh();
    } catch (error) {
      if (isUnauthorized(error)) return askForToken(open);
      throw error;
    }
    login.hidden = true;
    content.hidden = false;
    forget.hidden = readToken() === null;
    if (!streaming) {
      streaming = true;
      void watchChanges(view, () => {
        streaming = false;
        askForToken(open);
      });
    }
  }

  forget.addEventListener('click', () => {
    sessionStorage.removeItem('vibes-replay-token');
    location.reload();
  });
  void open();
}

/** Shows the token form in place of the page; `retry` runs once a token was entered. */
export function askForToken(retry: () => Promise<void>): void {
  const login = byId('login');
  const input = byId<HTMLInputElement>('token');
  const error = byId('login-error');
  if (readToken() !== null) {
    sessionStorage.removeItem('vibes-replay-token');
    error.textContent = 'That token was refused. Check it and try again.';
  }
  byId('content').hidden = true;
  login.hidden = false;
  setConnection('down', 'Token required');
  byId<HTMLFormElement>('login-form').onsubmit = (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    // sessionStorage, not a cookie: the token is sent only by this page's own fetch calls,
    // so no other site can make the browser use it (no CSRF), and it is gone with the tab.
    sessionStorage.setItem('vibes-replay-token', token);
    input.value = '';
    error.textContent = '';
    void retry();
  };
  input.focus();
}

export function readToken(): string | null {
  return sessionStorage.getItem('vibes-replay-token');
}

/** A fetch of the API with the token; throws on any non-2xx answer with the server's message. */
export async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = readToken();
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  if (typeof init.body === 'string') headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers, cache: 'no-store' });
  if (response.ok) return response;
  let message = `${init.method ?? 'GET'} ${path} answered ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    if (body.error?.message) message = body.error.message;
  } catch {
    // Not JSON: keep the status line.
  }
  const error = new Error(message);
  error.name = response.status === 401 ? 'Unauthorized' : `HTTP ${response.status}`;
  throw error;
}

export async function apiJson<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await api(path, init)).json()) as T;
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof Error && error.name === 'Unauthorized';
}

/**
 * Follows GET /api/stream and tells the view what changed; reconnects after a drop and then
 * refreshes everything, since changes made meanwhile were not seen. Read with fetch rather
 * than EventSource, which cannot send the token.
 */
export async function watchChanges(view: View, unauthorized: () => void): Promise<void> {
  let dropped = false;
  for (;;) {
    try {
      const headers: Record<string, string> = {};
      const token = readToken();
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const response = await fetch('/api/stream', { headers, cache: 'no-store' });
      if (response.status === 401) return unauthorized();
      if (!response.ok || !response.body) throw new Error(`the event stream answered ${response.status}`);
      setConnection('live', 'Live');
      if (dropped) view.changed({ events: [], all: true });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const message = parseServerSentEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (message?.event === 'change') view.changed(JSON.parse(message.data) as StreamMessage);
        }
      }
    } catch {
      // A dropped connection or a server restart: try again below.
    }
    dropped = true;
    setConnection('down', 'Reconnecting…');
    await new Promise((resolve) => window.setTimeout(resolve, 2000));
  }
}

export function parseServerSentEvent(block: string): { event: string; data: string } | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length > 0 ? { event, data: data.join('\n') } : undefined;
}

export function setConnection(state: 'live' | 'down', text: string): void {
  const status = byId('connection');
  if (status.textContent === text) return;
  status.className = `connection ${state}`;
  status.textContent = text;
}

/** Runs `load` now, or once more after the run in progress: never two at once, never a change missed. */
export function serialized(load: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await load();
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
}

export function eventsView(context: ViewContext): View {
  const FILTERS = ['type', 'email', 'customer', 'run', 'delivery'];
  const PAGE = 100;
  const MAX = 1000;
  const form = byId<HTMLFormElement>('filters');
  const rows = byId<HTMLTableSectionElement>('events');
  const summary = byId('summary');
  const failure = byId('list-error');
  const more = byId<HTMLButtonElement>('more');
  const types = byId<HTMLDataListElement>('types');
  const knownTypes = new Set<string>();
  let limit = PAGE;
  let firstRender = true;

  /** The filters applied: the address bar's, so a filtered view can be bookmarked and shared. */
  const applied = () => {
    const query = new URLSearchParams(location.search);
    const filters = new URLSearchParams();
    for (const name of FILTERS) {
      const value = query.get(name)?.trim();
      if (value) filters.set(name, value);
    }
    return filters;
  };
  const fillForm = () => {
    const filters = applied();
    for (const name of FILTERS) {
      const control = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
      control.value = filters.get(name) ?? '';
    }
  };
  const restart = () => {
    limit = PAGE;
    firstRender = true;
    void refresh().catch(onError);
  };
  const onError = (error: unknown) => (isUnauthorized(error) ? context.unauthorized() : undefined);

  const load = async () => {
    const query = applied();
    query.set('limit', String(limit));
    let list: EventList;
    try {
      list = await apiJson<EventList>(`/api/events?${query}`);
    } catch (error) {
      if (isUnauthorized(error)) throw error;
      failure.textContent = `Could not load events: ${(error as Error).message}`;
      return;
    }
    failure.textContent = '';
    render(list);
  };
  const refresh = serialized(load);

  const render = (list: EventList) => {
    const existing = new Map<string, HTMLTableRowElement>();
    for (const row of Array.from(rows.rows)) existing.set(row.dataset.id ?? '', row);
    let arrived = 0;
    const wanted = list.data.map((event) => {
      let row = existing.get(event.id);
      if (!row) {
        row = eventRow(event);
        if (!firstRender) {
          row.classList.add('arrived');
          arrived++;
        }
      }
      updateEventRow(row, event);
      return row;
    });
    placeRows(rows, wanted);
    if (list.data.length === 0) {
      const text = applied().size > 0
        ? 'No events match these filters.'
        : 'No events yet. Webhooks sent to POST /webhooks/stripe appear here as they arrive.';
      rows.append(element('tr', {}, element('td', { colSpan: '5', className: 'empty' }, text)));
    }
    for (const event of list.data) {
      if (!knownTypes.has(event.type)) {
        knownTypes.add(event.type);
        types.append(element('option', { value: event.type }));
      }
    }
    const count = `${list.data.length} event${list.data.length === 1 ? '' : 's'}${list.has_more ? `: the newest ${list.data.length}, more are stored` : ''}`;
    summary.textContent = arrived > 0 ? `${arrived} new. ${count}.` : `${count}.`;
    more.hidden = !list.has_more || limit >= MAX;
    firstRender = false;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const filters = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === 'string' && value.trim()) filters.set(name, value.trim());
    }
    const query = filters.toString();
    history.pushState(null, '', query ? `/?${query}` : '/');
    restart();
  });
  byId('f-delivery').addEventListener('change', () => form.requestSubmit());
  byId('clear-filters').addEventListener('click', () => {
    form.reset();
    form.requestSubmit();
  });
  window.addEventListener('popstate', () => {
    fillForm();
    restart();
  });
  more.addEventListener('click', () => {
    limit = Math.min(limit + PAGE, MAX);
    void refresh().catch(onError);
  });
  byId('export').addEventListener('click', () => void exportEvents(applied(), summary).catch(onError));
  // A click anywhere on a row opens it, as its link does from the keyboard.
  rows.addEventListener('click', (event) => {
    const target = event.target as Element;
    if (target.closest('a') || getSelection()?.toString()) return;
    const link = target.closest('tr')?.querySelector('a');
    if (link) link.click();
  });
  fillForm();

  return {
    refresh,
    changed: () => void refresh().catch(onError),
  };
}

export function eventRow(event: EventSummary): HTMLTableRowElement {
  const row = element('tr', {}) as HTMLTableRowElement;
  row.dataset.id = event.id;
  for (let i = 0; i < 5; i++) row.append(element('td', i === 3 ? { className: 'num' } : {}));
  return row;
}

/** Fills a row, cell by cell, leaving alone the cells whose content did not change. */
export function updateEventRow(row: HTMLTableRowElement, event: EventSummary): void {
  const tags: Child[] = [];
  if (event.teardown) tags.push(element('span', { className: 'tag teardown' }, 'teardown'));
  if (event.source !== 'captured') tags.push(element('span', { className: 'tag' }, event.source));
  if (event.signature === 'invalid' || event.signature === 'missing') tags.push(element('span', { className: 'tag' }, `signature ${event.signature}`));
  const cells: Array<[string, () => Child[]]> = [
    [`${event.type}|${event.teardown}|${event.source}|${event.signature}`, () => [
      element('a', { href: `/events/${encodeURIComponent(event.id)}` }, event.type),
      ...tags,
      element('span', { className: 'sub mono' }, event.id),
    ]],
    [`${event.email}|${event.customer}`, () => [
      event.email ?? event.customer ?? '—',
      event.email && event.customer ? element('span', { className: 'sub mono' }, event.customer) : null,
    ]],
    [event.received_at, () => [timeElement(event.received_at, true)]],
    [String(event.delivery_count), () => [String(event.delivery_count)]],
    [`${event.delivery_count}|${event.last_status}`, () => [statusBadge(event.last_status, event.delivery_count > 0)]],
  ];
  cells.forEach(([key, fill], i) => {
    const cell = row.cells[i]!;
    if (cell.dataset.key === key) return;
    cell.dataset.key = key;
    cell.replaceChildren(...fill().filter((c): c is Node | string => c !== null && c !== undefined));
  });
}

/** Downloads the events matching the applied filters, as the API exports them. */
export async function exportEvents(filters: URLSearchParams, status: HTMLElement): Promise<void> {
  let blob: Blob;
  try {
    blob = await (await api(`/api/export?${filters}`)).blob();
  } catch (error) {
    if (isUnauthorized(error)) throw error;
    status.textContent = `Export failed: ${(error as Error).message}`;
    return;
  }
  const lines = (await blob.text()).split('\n').filter(Boolean).length;
  const url = URL.createObjectURL(blob);
  const link = element('a', { href: url, download: `vibes-events-${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson` });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  status.textContent = `Exported ${lines} event${lines === 1 ? '' : 's'} as NDJSON.`;
}

export function eventView(context: ViewContext): View {
  const id = decodeURIComponent(location.pathname.replace(/^\/events\//, '').replace(/\/+$/, ''));
  const article = byId('event');
  const failure = byId('event-error');
  const timeline = byId<HTMLTableSectionElement>('timeline');
  const form = byId<HTMLFormElement>('replay-form');
  const times = byId<HTMLInputElement>('r-times');
  const concurrency = byId<HTMLInputElement>('r-concurrency');
  const signature = byId<HTMLSelectElement>('r-signature');
  const submit = byId<HTMLButtonElement>('replay-submit');
  const result = byId('replay-result');
  const replayError = byId('replay-error');
  let shownPayload = false;

  const load = async () => {
    let event: EventDetail;
    try {
      event = await apiJson<EventDetail>(`/api/events/${encodeURIComponent(id)}`);
    } catch (error) {
      if (isUnauthorized(error)) throw error;
      failure.textContent = (error as Error).name === 'HTTP 404' ? `No event ${id} is stored on this server.` : `Could not load the event: ${(error as Error).message}`;
      article.hidden = true;
      return;
    }
    failure.textContent = '';
    article.hidden = false;
    byId('event-tags').replaceChildren(...eventTags(event));
    byId('teardown-note').hidden = !event.teardown;
    renderTimeline(timeline, event, !shownPayload);
    if (!shownPayload) {
      renderEvent(event);
      shownPayload = true;
    }
  };
  const refresh = serialized(load);
  const onError = (error: unknown) => (isUnauthorized(error) ? context.unauthorized() : undefined);

  times.addEventListener('input', () => {
    const n = Number(times.value);
    concurrency.max = String(Number.isInteger(n) && n >= 1 ? Math.min(n, 1000) : 1);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void replay().catch(onError);
  });

  const field = (input: HTMLInputElement, name: string, max: number): number | undefined => {
    const n = Number(input.value);
    const valid = input.value.trim() !== '' && Number.isInteger(n) && n >= 1 && n <= max;
    input.setAttribute('aria-invalid', String(!valid));
    if (valid) return n;
    replayError.textContent = `${name} must be a whole number from 1 to ${max}.`;
    input.focus();
    return undefined;
  };

  const replay = async () => {
    if (submit.getAttribute('aria-disabled') === 'true') return;
    replayError.textContent = '';
    const copies = field(times, 'Times', 1000);
    if (copies === undefined) return;
    const together = field(concurrency, 'Concurrency', copies);
    if (together === undefined) return;
    // aria-disabled, not disabled: a disabled button loses the keyboard focus.
    submit.setAttribute('aria-disabled', 'true');
    result.textContent = `Sending ${copies} ${copies === 1 ? 'copy' : 'copies'}…`;
    try {
      const body = JSON.stringify({ times: copies, concurrency: together, signature: signature.value });
      const outcome = await apiJson<ReplayResult>(`/api/events/${encodeURIComponent(id)}/replay`, { method: 'POST', body });
      result.textContent = describeReplay(outcome, together, signature.value);
      await refresh();
    } catch (error) {
      result.textContent = '';
      if (isUnauthorized(error)) throw error;
      replayError.textContent = `Replay failed: ${(error as Error).message}`;
    } finally {
      submit.removeAttribute('aria-disabled');
    }
  };

  return {
    refresh,
    changed: (message) => {
      if (message.all || message.events.includes(id)) void refresh().catch(onError);
    },
  };
}

export function renderEvent(event: EventDetail): void {
  document.title = `${event.type} ${event.id} · vibes replay server`;
  byId('event-title').textContent = event.type;
  const facts: Array<[string, Child]> = [
    ['Event', element('span', { className: 'mono' }, event.id)],
    ['Customer', event.customer ?? '—'],
    ['E-mail', event.email ?? '—'],
    ['Run', event.run ?? '—'],
    ['Received', timeElement(event.received_at, true)],
    ['Created at Stripe', timeElement(new Date(event.created * 1000).toISOString(), true)],
    ['Source', event.source],
    ['Signature on arrival', event.signature],
    ['Mode', event.livemode ? 'live' : 'test'],
  ];
  byId('event-facts').replaceChildren(...facts.flatMap(([term, value]) => [element('dt', {}, term), element('dd', {}, value)]));
  byId('payload').textContent = JSON.stringify(event.payload, null, 2);
  byId('headers').replaceChildren(
    ...Object.entries(event.headers)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => element('tr', {}, element('td', {}, name), element('td', {}, value))),
  );
}

export function eventTags(event: EventDetail): Node[] {
  const tags = [element('span', { className: 'tag' }, event.source), element('span', { className: 'tag' }, `signature ${event.signature}`)];
  if (event.teardown) tags.unshift(element('span', { className: 'tag teardown' }, 'teardown'));
  return tags;
}

/** The event's arrival, then every delivery; rows that arrive after the first render are marked. */
export function renderTimeline(body: HTMLTableSectionElement, event: EventDetail, firstRender: boolean): void {
  const teardown = () => (event.teardown ? element('span', { className: 'tag teardown' }, 'teardown') : null);
  const existing = new Map<string, HTMLTableRowElement>();
  for (const row of Array.from(body.rows)) existing.set(row.dataset.key ?? '', row);
  const keyed = (key: string, make: () => HTMLTableRowElement) => {
    const row = existing.get(key) ?? make();
    row.dataset.key = key;
    return row;
  };
  const arrival = keyed(`received ${event.teardown}`, () => element('tr', {},
    element('td', {}, timeElement(event.received_at, false)),
    element('td', {}, `received (${event.source})`, teardown()),
    element('td', {}, event.signature),
    element('td', {}, '—'),
    element('td', { className: 'num' }, '—'),
    element('td', { className: 'answer' }, ''),
  ) as HTMLTableRowElement);
  const deliveries = event.deliveries.map((delivery) => keyed(`${delivery.id} ${event.teardown}`, () => {
    const row = deliveryRow(delivery, teardown());
    if (!firstRender) row.classList.add('arrived');
    return row;
  }));
  placeRows(body, [arrival, ...deliveries]);
}

/**
 * Makes `wanted` the body's rows, in order. Rows already shown stay where they are (moving one
 * would take the keyboard focus off it): the others are removed, or inserted around them.
 */
export function placeRows(body: HTMLTableSectionElement, wanted: HTMLTableRowElement[]): void {
  const keep = new Set(wanted);
  for (const row of Array.from(body.rows)) if (!keep.has(row)) row.remove();
  let cursor = body.firstElementChild;
  for (const row of wanted) {
    if (row === cursor) cursor = cursor.nextElementSibling;
    else body.insertBefore(row, cursor);
  }
}

export function deliveryRow(delivery: Delivery, teardown: Child): HTMLTableRowElement {
  const answer = delivery.error ?? delivery.response_excerpt ?? '';
  const row = element('tr', {},
    element('td', {}, timeElement(delivery.started_at, false)),
    element('td', {}, delivery.kind, teardown, delivery.batch ? element('span', { className: 'sub mono' }, delivery.batch) : null),
    element('td', {}, delivery.signature),
    element('td', {}, statusBadge(delivery.status, true)),
    element('td', { className: 'num' }, delivery.latency_ms === null ? '—' : `${delivery.latency_ms.toFixed(1)} ms`),
    element('td', { className: 'answer', title: answer }, answer.length > 240 ? `${answer.slice(0, 240)}…` : answer),
  ) as HTMLTableRowElement;
  row.dataset.delivery = String(delivery.id);
  return row;
}

export function describeReplay(outcome: ReplayResult, concurrency: number, signature: string): string {
  const counts = new Map<string, number>();
  for (const d of outcome.deliveries) {
    const status = d.status === null ? 'no answer' : String(d.status);
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  const statuses = [...counts].map(([status, n]) => `${status} × ${n}`).join(', ');
  const n = outcome.deliveries.length;
  const spread = n > 1 && concurrency > 1 ? ` Start spread ${outcome.start_spread_ms} ms.` : '';
  const stopped = outcome.stopped ? ` Stopped, ${outcome.stopped.not_sent} not sent: ${outcome.stopped.reason}.` : '';
  return `Replayed ${n} ${n === 1 ? 'copy' : 'copies'} (${concurrency} at once, signature ${signature}): ${statuses}.${spread}${stopped}`;
}

export function statusBadge(status: number | null, delivered: boolean): HTMLElement {
  if (!delivered) return element('span', { className: 'badge none' }, 'not delivered');
  if (status === null) return element('span', { className: 'badge failed' }, 'no answer');
  return element('span', { className: `badge ${status >= 200 && status < 300 ? 'ok' : 'failed'}` }, String(status));
}

/** Local time to the millisecond (bursts happen within one second), the full instant in `datetime`. */
export function timeElement(iso: string, withDate: boolean): HTMLElement {
  const date = new Date(iso);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
  return element('time', { dateTime: iso, title: date.toString() }, withDate ? `${day} ${clock}` : clock);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** A DOM element; text is always set as text, never parsed as HTML. */
export function element(tag: string, props: Props, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value !== undefined) (node as unknown as Record<string, unknown>)[name] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}
