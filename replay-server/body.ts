import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from './errors.js';

/**
 * The request body, exactly as received, up to `limit` bytes. Compressed bodies are refused:
 * the stored bytes must be the ones Stripe signed.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') {
    return Promise.reject(new ApiError(415, 'encoding_unsupported', 'compressed bodies are refused: the stored bytes must be the ones Stripe signed.'));
  }
  const tooLarge = () =>
    new ApiError(413, 'body_too_large', `the body is over the limit of ${limit} bytes; raise it with --body-limit (bodyLimitBytes) if the event is genuine.`);
  if (Number(req.headers['content-length']) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', () => reject(badRequest('body_incomplete', 'the request body was cut off before its end.')));
  });
}

/** `expected`: what the route takes, for the message, e.g. `the event as JSON`. */
export function requireBody(body: Buffer, expected = 'the event as JSON'): Buffer {
  if (body.length === 0) throw badRequest('empty_body', `the body is empty; send ${expected}.`);
  return body;
}

/** `example`: a body the route takes, for the message. */
export function parseJsonBody(body: Buffer, example = '{"times": 2}'): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('invalid_json', `the body is not valid JSON; send an object such as ${example}.`);
  }
}
