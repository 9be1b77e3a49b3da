import type { ServerResponse } from 'node:http';

/** How long one replay or schedule may go on starting copies; `--run-limit` changes it. */
export const DEFAULT_RUN_LIMIT_MS = 300_000;

/** Why a replay or schedule stopped before sending every copy, as its answer tells the caller. */
export interface Stopped {
  /** `run_limit`: it went on too long (a hung app, most likely); the others are not the app's doing. */
  cause: StopCause;
  reason: string;
  not_sent: number;
}

export type StopCause = 'run_limit' | 'caller_gone' | 'server_stopping';

const REASONS: Record<Exclude<StopCause, 'run_limit'>, string> = {
  server_stopping: 'the replay server is stopping',
  caller_gone: 'the caller closed the connection',
};

/**
 * What keeps a replay of 1,000 copies against a hung app from running for hours: no further
 * wave or group starts once the limit has passed, the caller has hung up or the server is
 * stopping. A wave under way finishes (each copy within the forward timeout), and what it sent
 * is recorded.
 */
export class RunLimit {
  private readonly deadline: number;
  private readonly interrupters: AbortSignal[];

  constructor(
    private readonly limitMs: number,
    private readonly signals: { caller?: AbortSignal; stopping: AbortSignal },
  ) {
    this.deadline = Date.now() + limitMs;
    // Not AbortSignal.any: it is newer than the Node 20.0 that engines allows.
    this.interrupters = [signals.stopping, ...(signals.caller ? [signals.caller] : [])];
  }

  /**
   * Why nothing more may start, or null while it may. Before anything was sent (`started` false)
   * only an interruption counts: the run limit always lets the first wave go.
   */
  stop(started: boolean): { cause: StopCause; reason: string } | null {
    if (this.signals.stopping.aborted) return { cause: 'server_stopping', reason: REASONS.server_stopping };
    if (this.signals.caller?.aborted) return { cause: 'caller_gone', reason: REASONS.caller_gone };
    if (started && Date.now() >= this.deadline) return { cause: 'run_limit', reason: `it reached the replay server's run limit of ${this.limitMs / 1000} s (--run-limit)` };
    return null;
  }

  /** Waits `ms`, less if the limit passes or the run is interrupted meanwhile. */
  async pause(ms: number): Promise<void> {
    if (ms <= 0 || this.interrupters.some((signal) => signal.aborted)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const signal of this.interrupters) signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, Math.max(0, this.deadline - Date.now())));
      for (const signal of this.interrupters) signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** An AbortSignal that fires when the client hangs up before its answer was sent. */
export function callerGone(res: ServerResponse): AbortSignal {
  const caller = new AbortController();
  res.once('close', () => {
    if (!res.writableEnded) caller.abort();
  });
  return caller.signal;
}
