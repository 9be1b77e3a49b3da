import { filtersToQuery } from './filters.js';
import type { Injection } from './inject.js';
import type { Schedule, ScheduleResult } from './schedule.js';
import type { ErrorBody, EventDetail, EventFilters, EventList, Health, ImportResult, ReplayOptions, ReplayResult } from './types.js';

/** A non-2xx answer from the replay server, with its message and code. */
export class ReplayServerError extends Error {
  override name = 'ReplayServerError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The replay server's HTTP API, typed. Every method throws a ReplayServerError on a non-2xx answer. */
export class ReplayClient {
  /** The server's URL, without a trailing slash. */
  readonly baseUrl: string;
  private readonly token: string | undefined;

  constructor(baseUrl: string, { token }: { token?: string } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.token = token;
  }

  /** Newest first. */
  listEvents(filters: EventFilters = {}): Promise<EventList> {
    return this.json('GET', `/api/events${queryString(filters)}`);
  }

  getEvent(id: string): Promise<EventDetail> {
    return this.json('GET', `/api/events/${encodeURIComponent(id)}`);
  }

  /**
   * Stores an event that did not come from Stripe and forwards it as if captured. An object
   * gets `id`, `object`, `created` and `livemode` filled in when missing; a string is sent as
   * the exact bytes. `deliver: false` only stores it, so a later replay is its first delivery.
   */
  inject(event: Injection['event'], { headers, deliver }: { headers?: Record<string, string>; deliver?: boolean } = {}): Promise<EventDetail> {
    const body: Injection = { event, ...(headers ? { headers } : {}), ...(deliver === false ? { deliver } : {}) };
    return this.json('POST', '/api/events', body);
  }

  /** Marks every later event of these customers as caused by test cleanup (left out of assertions). */
  async markTeardown(customers: string[]): Promise<void> {
    if (customers.length > 0) await this.json('POST', '/api/teardown', { customers });
  }

  replay(id: string, options: ReplayOptions = {}): Promise<ReplayResult> {
    return this.json('POST', `/api/events/${encodeURIComponent(id)}/replay`, options);
  }

  /**
   * Runs a delivery schedule: its groups one after another, the steps of a group started
   * together; answers with every delivery once the last group is done.
   */
  runSchedule(schedule: Schedule): Promise<ScheduleResult> {
    return this.json('POST', '/api/schedules', schedule);
  }

  health(): Promise<Health> {
    return this.json('GET', '/healthz');
  }

  /** NDJSON, oldest first; see `importEvents`. */
  async exportEvents(filters: EventFilters = {}): Promise<string> {
    const response = await this.send('GET', `/api/export${queryString(filters)}`);
    return response.text();
  }

  importEvents(ndjson: string): Promise<ImportResult> {
    return this.json('POST', '/api/import', ndjson);
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    return (await response.json()) as T;
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] = typeof body === 'string' ? 'application/x-ndjson' : 'application/json';
    }
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: payload });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      throw new ReplayServerError(0, 'unreachable', `replay server at ${this.baseUrl} is unreachable: ${cause ?? (error as Error).message}`);
    }
    if (response.ok) return response;
    const text = await response.text();
    let error: ErrorBody['error'] | undefined;
    try {
      error = (JSON.parse(text) as ErrorBody).error;
    } catch {
      error = undefined;
    }
    throw new ReplayServerError(
      response.status,
      error?.code ?? 'http_error',
      `replay server: ${method} ${path} failed with ${response.status}: ${error?.message ?? text.slice(0, 500)}`,
    );
  }
}

function queryString(filters: EventFilters): string {
  const query = filtersToQuery(filters).toString();
  return query ? `?${query}` : '';
}
