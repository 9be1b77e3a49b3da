import { setTimeout as sleep } from 'node:timers/promises';
/**
 * Waits out a deployment's cold start: GETs the health URL with exponential backoff until it
 * answers, so the tests measure the app and not the platform waking it up.
 */
export interface WarmupOptions {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** First pause between attempts; doubles up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  onAttempt?: (attempt: WarmupAttempt) => void;
}

export interface WarmupAttempt {
  attempt: number;
  elapsedMs: number;
  /** `503 Service Unavailable`, `connection refused`, … */
  answer: string;
  ready: boolean;
}

export type WarmupResult =
  | { kind: 'ready'; status: number; attempts: number; elapsedMs: number }
  /** It answers, but refuses us: protection without a bypass, so waiting longer will not help. */
  | { kind: 'refused'; status: number; attempts: number; elapsedMs: number }
  | { kind: 'unreachable'; lastAnswer: string; attempts: number; elapsedMs: number };

/** Statuses a platform answers while the app is not up yet (or is overloaded by its own start). */
const NOT_YET = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * No attempt after the first starts with less than this left before the deadline. Without it the
 * last pause could end at the deadline and the attempt after it time out at once, and the report
 * would blame a timeout that never happened.
 */
const MIN_ATTEMPT_MS = 250;

export async function warmUp(options: WarmupOptions): Promise<WarmupResult> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let delay = options.initialDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  let lastAnswer = 'no attempt';
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline - Date.now();
    const answer = await probe(options.url, options.headers, Math.max(1, Math.min(10_000, remaining)));
    const elapsedMs = Date.now() - started;
    lastAnswer = answer.text;
    const ready = answer.status !== undefined && !NOT_YET.has(answer.status) && answer.status !== 401 && answer.status !== 403;
    options.onAttempt?.({ attempt, elapsedMs, answer: answer.text, ready });
    if (ready) return { kind: 'ready', status: answer.status!, attempts: attempt, elapsedMs };
    if (answer.status === 401 || answer.status === 403) return { kind: 'refused', status: answer.status, attempts: attempt, elapsedMs };
    const wait = Math.min(delay, deadline - Date.now() - MIN_ATTEMPT_MS);
    if (wait < 0) return { kind: 'unreachable', lastAnswer, attempts: attempt, elapsedMs };
    await sleep(wait);
    delay = Math.min(delay * 2, maxDelay);
  }
}

async function probe(url: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status?: number; text: string }> {
  try {
    // A redirect (to a login page, to the canonical host) already proves the app is up.
    const response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel().catch(() => {});
    return { status: response.status, text: `${response.status}${response.statusText ? ` ${response.statusText}` : ''}` };
  } catch (error) {
    return { text: describeFetchError(error) };
  }
}

function describeFetchError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer before the attempt timed out';
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  if (code === 'ECONNRESET') return 'connection reset';
  return e.cause?.message ?? e.message ?? String(error);
}
