import type { Request, Response } from 'express';
import type { Change, ChangeFeed } from './changes.js';

/** What a dashboard receives, as the `data` of a `change` message. */
export interface StreamMessage {
  /** Events that are new or have new deliveries. */
  events: string[];
  /** Too much changed to name (an import, a large burst): reload everything shown. */
  all: boolean;
}

// A burst of captures becomes one message per window, so a browser refetches a few times a
// second at most, however fast webhooks arrive.
const COALESCE_MS = 100;
const MAX_NAMED_EVENTS = 200;
// Proxies and load balancers drop connections that stay silent for a minute or so.
const HEARTBEAT_MS = 20_000;
const RECONNECT_MS = 2_000;

/**
 * `GET /api/stream`: server-sent events telling a dashboard what changed; it then reads the
 * changes through the ordinary API, with its own filters. It sits under /api so that the
 * token check applies; the dashboard reads it with fetch (which can send the token), not
 * EventSource (which cannot).
 */
export function eventStream(feed: ChangeFeed) {
  return (req: Request, res: Response): void => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx buffers responses by default, which would hold messages back.
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);

    const pending = new Set<string>();
    let all = false;
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const message: StreamMessage = { events: all ? [] : [...pending], all };
      pending.clear();
      all = false;
      res.write(`event: change\ndata: ${JSON.stringify(message)}\n\n`);
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS).unref();
    const stop = () => {
      unsubscribe();
      clearInterval(heartbeat);
      clearTimeout(timer);
    };
    const unsubscribe = feed.subscribe({
      change(change: Change) {
        if (change.kind === 'event') pending.add(change.id);
        else if (change.kind === 'deliveries') change.eventIds.forEach((id) => pending.add(id));
        else all = true;
        if (pending.size > MAX_NAMED_EVENTS) all = true;
        timer ??= setTimeout(flush, COALESCE_MS);
      },
      close() {
        stop();
        res.end();
      },
    });
    req.once('close', stop);
  };
}
