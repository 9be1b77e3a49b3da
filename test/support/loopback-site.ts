import http from 'node:http';
import { listen } from '../../core/index.js';

export interface SeenRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  status: number;
}

export interface LoopbackSite {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export interface SiteAnswer {
  status: number;
  body?: string;
  /** Answer this much later, as a busy deployment would. */
  delayMs?: number;
}

/**
 * A deployment stand-in on 127.0.0.1: answers each request with `answer` (status and page),
 * and remembers every request, so a test can see what the check sent.
 */
export async function loopbackSite(answer: (req: http.IncomingMessage, count: number) => SiteAnswer): Promise<LoopbackSite> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const { status, body, delayMs = 0 } = answer(req, requests.length + 1);
    requests.push({ path: req.url ?? '/', headers: req.headers, status });
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body ?? `<!doctype html><title>${status}</title><p>status ${status}</p>`);
    }, delayMs);
  });
  const listening = await listen(server, { host: '127.0.0.1', port: 0 });
  return { url: listening.url.replace(/\/$/, ''), requests, close: () => listening.close() };
}
