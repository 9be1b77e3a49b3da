import http from 'node:http';
import Stripe from 'stripe';
import { serveToParent } from './child-server.js';

/**
 * The floor for any replayer: what a replay must do at the least, and nothing else. It holds one
 * event in memory (sent by its parent), and each POST delivers it to the app signed afresh by
 * the stripe library's signer over a keep-alive agent, then answers with the app's status. No
 * store, no validation, no delivery record. What the replay server adds beyond this is its own
 * cost; this against the minimal proxy is the cost of signing afresh. It tells its parent its URL
 * over IPC.
 */
const target = process.env.BENCH_REPLAYER_TARGET;
const secret = process.env.BENCH_WEBHOOK_SECRET;
if (!target || !secret || !process.send) throw new Error('run by bench/replay.ts (BENCH_REPLAYER_TARGET, BENCH_WEBHOOK_SECRET and an IPC channel)');
const targetUrl = new URL(target);
const agent = new http.Agent({ keepAlive: true });
let raw = '';
process.on('message', (message) => (raw = (message as { raw: string }).raw));

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = Buffer.from(raw);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: raw, secret });
    const forward = http.request(targetUrl, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature, 'content-length': body.length },
    });
    forward.on('response', (answer) => {
      answer.resume();
      answer.on('end', () => {
        const bytes = Buffer.from(JSON.stringify({ status: answer.statusCode }));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
        res.end(bytes);
      });
    });
    forward.on('error', () => res.writeHead(502).end());
    forward.end(body);
  });
});
await serveToParent(server);
