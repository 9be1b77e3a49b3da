import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts listening and resolves once the server accepts connections. Port 0 picks a free port,
 * which is what tests and parallel workers want; the real port is in the result.
 */
export function listen(server: Server, { host = '127.0.0.1', port = 0 }: { host?: string; port?: number } = {}): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        server,
        port: address.port,
        url: `http://${shownHost}:${address.port}`,
        close: () => closeServer(server),
      });
    });
  });
}

/** Closes a server without waiting for idle keep-alive sockets to time out. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
    // Sockets still busy (a hung forward, an SSE stream) must not keep a test or a CLI alive.
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}

/** A free TCP port on loopback, for child processes that cannot be told to use port 0. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
