import http from 'node:http';
import { serveToParent } from './child-server.js';

/**
 * The floor for any forwarding server: node:http in, node:http out over a keep-alive agent, no
 * parsing, no store, no signing. What the replay server adds beyond this is its own cost; what
 * this adds beyond a direct POST is the hop itself. It tells its parent its URL over IPC.
 */
const target = process.env.BENCH_PROXY_TARGET;
if (!target || !process.send) throw new Error('run by bench/replay.ts (BENCH_PROXY_TARGET and an IPC channel)');
const targetUrl = new URL(target);
const agent = new http.Agent({ keepAlive: true });

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const forward = http.request(targetUrl, {
      method: 'POST',
      agent,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json', 'stripe-signature': req.headers['stripe-signature'] ?? '', 'content-length': body.length },
    });
    forward.on('response', (answer) => {
      const parts: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => parts.push(chunk));
      answer.on('end', () => {
        const bytes = Buffer.concat(parts);
        res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'text/plain', 'content-length': bytes.length });
        res.end(bytes);
      });
    });
    forward.on('error', () => res.writeHead(502).end());
    forward.end(body);
  });
});
await serveToParent(server);
