import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';

export interface DeliveryRequest {
  target: URL;
  body: Uint8Array;
  headers: Record<string, string>;
}

export interface DeliveryOutcome {
  startedAt: Date;
  /** performance.now() when the request was handed to the socket; for start spreads. */
  flushedAt: number;
  latencyMs: number | null;
  status: number | null;
  error: string | null;
  /** The target did not answer within the timeout (as opposed to refusing or resetting). */
  timedOut: boolean;
  /** The start of the response body (at most RESPONSE_KEEP_BYTES). */
  responseBody: Buffer | null;
  responseContentType: string | null;
}

const RESPONSE_KEEP_BYTES = 64 * 1024;

/** The error of a delivery that a schedule cut off on purpose once the app had the whole body. */
export const CUT_OFF_ERROR = 'cut off';

// One pool of keep-alive sockets per process: a forward or replay to the same app reuses a
// connection instead of paying a TCP handshake each time.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxFreeSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxFreeSockets: 256 }),
};

/**
 * POSTs one webhook and resolves with what happened; it never rejects. A target that refuses,
 * resets or does not answer within `timeoutMs` is a failed delivery with its error.
 *
 * `cutOff` plays Stripe giving up on a slow app: the whole body is sent, and once it has been
 * handed to the socket the connection is destroyed without reading any answer. The app has the
 * complete request (loopback or not, the kernel sends what it was given before the FIN) and
 * goes on processing it, as it would after Stripe's timeout; the sender never learns the result.
 */
export function deliver(
  { target, body, headers }: DeliveryRequest,
  { timeoutMs, connection, cutOff = false }: { timeoutMs: number; connection?: net.Socket; cutOff?: boolean },
): Promise<DeliveryOutcome> {
  const startedAt = new Date();
  const start = performance.now();
  let flushedAt = start;
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: Omit<DeliveryOutcome, 'startedAt' | 'flushedAt'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ startedAt, flushedAt, ...outcome });
    };
    const fail = (error: string, timedOut = false) =>
      finish({ latencyMs: null, status: null, error, timedOut, responseBody: null, responseContentType: null });

    const client = target.protocol === 'https:' ? https : http;
    let request: http.ClientRequest;
    try {
      request = client.request(target, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.byteLength) },
        ...(connection ? { createConnection: () => connection } : { agent: agents[target.protocol as 'http:' | 'https:'] }),
      });
    } catch (error) {
      // Node refuses to build the request (a header it will not send): nothing went out.
      connection?.destroy();
      return fail(`the request could not be sent: ${(error as Error).message}`);
    }
    timer = setTimeout(() => {
      fail(`no response from ${target.origin} within ${timeoutMs} ms`, true);
      request.destroy();
    }, timeoutMs);
    request.once('finish', () => {
      flushedAt = performance.now();
      if (!cutOff) return;
      fail(CUT_OFF_ERROR);
      request.destroy();
    });
    request.once('error', (error) => fail(describeNetworkError(error, target)));
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      response.on('data', (chunk: Buffer) => {
        if (kept >= RESPONSE_KEEP_BYTES) return;
        chunks.push(chunk);
        kept += chunk.length;
      });
      response.once('error', (error) => fail(describeNetworkError(error, target)));
      response.once('end', () =>
        finish({
          latencyMs: round(performance.now() - start),
          status: response.statusCode ?? null,
          error: null,
          timedOut: false,
          responseBody: Buffer.concat(chunks).subarray(0, RESPONSE_KEEP_BYTES),
          responseContentType: response.headers['content-type'] ?? null,
        }),
      );
    });
    request.end(body);
  });
}

/**
 * Opens `count` connections to the target and resolves once all are ready, so that a burst
 * only has to write its requests: the copies then leave as close together as the machine
 * allows. A connection that fails resolves as its error, to become that copy's failed delivery.
 */
export async function openConnections(target: URL, count: number, timeoutMs: number): Promise<Array<net.Socket | Error>> {
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  return Promise.all(
    Array.from({ length: count }, () =>
      new Promise<net.Socket | Error>((resolve) => {
        const secure = target.protocol === 'https:';
        const socket = secure
          ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] })
          : net.connect({ host, port });
        socket.setNoDelay(true);
        const timer = setTimeout(() => {
          socket.destroy();
          resolve(new Error(`could not connect to ${target.origin} within ${timeoutMs} ms`));
        }, timeoutMs);
        socket.once(secure ? 'secureConnect' : 'connect', () => {
          clearTimeout(timer);
          resolve(socket);
        });
        socket.once('error', (error) => {
          clearTimeout(timer);
          resolve(new Error(describeNetworkError(error, target)));
        });
      }),
    ),
  );
}

function describeNetworkError(error: Error & { code?: string }, target: URL): string {
  const code = error.code ? `${error.code}: ` : '';
  if (error.code === 'ECONNREFUSED') return `${code}nothing is listening at ${target.origin} (is the app running?)`;
  return `${code}${error.message || 'request failed'} (${target.origin})`;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
