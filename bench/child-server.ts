import type http from 'node:http';
import { listen } from '../core/index.js';

/**
 * Serves one of the bench's child processes (app, floors) the same way: keep-alive longer than
 * the client's, a free loopback port told to the parent over IPC, and an exit with the parent.
 */
export async function serveToParent(server: http.Server, path = ''): Promise<void> {
  if (!process.send) throw new Error('run by bench/replay.ts, which gives its children an IPC channel');
  server.keepAliveTimeout = 65_000;
  const { url } = await listen(server);
  process.send({ url: `${url}${path}` });
  process.on('disconnect', () => process.exit(0));
}
