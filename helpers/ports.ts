import { execFileSync } from 'node:child_process';

const PICK_PORTS = `
const net = require('node:net');
const n = Number(process.argv[1]);
const servers = [];
let done = 0;
for (let i = 0; i < n; i++) {
  const s = net.createServer();
  servers.push(s);
  s.listen(0, '127.0.0.1', () => {
    if (++done === n) {
      console.log(servers.map((x) => x.address().port).join(','));
      servers.forEach((x) => x.close());
    }
  });
}`;

const CONNECT = `
const socket = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
socket.setTimeout(1000, () => process.exit(1));
socket.on('connect', () => process.exit(0));
socket.on('error', () => process.exit(1));`;

/** The URL's port, or its protocol's default. */
export function portOf(url: string): number {
  const parsed = new URL(url);
  return Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
}

/** Whether something accepts connections at the URL's host and port (asked from a child process: a config loads synchronously). */
export function somethingListensAt(url: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  try {
    execFileSync(process.execPath, ['-e', CONNECT, target.hostname.replace(/^\[|\]$/g, ''), String(portOf(url))], { stdio: 'ignore', timeout: 3000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Free loopback ports, chosen once in the runner and shared with workers and web servers
 * through the environment. A config file is evaluated synchronously, in every worker too, so
 * the ports come from a short child process and are remembered under `key`.
 */
export function reservePorts(key: string, names: readonly string[], env: NodeJS.ProcessEnv = process.env): Record<string, number> {
  const saved = env[key];
  if (saved) {
    const parsed = JSON.parse(saved) as Record<string, number>;
    if (names.every((name) => typeof parsed[name] === 'number')) return parsed;
  }
  const ports = execFileSync(process.execPath, ['-e', PICK_PORTS, String(names.length)], { encoding: 'utf8' })
    .trim()
    .split(',')
    .map(Number);
  const result = Object.fromEntries(names.map((name, i) => [name, ports[i]!]));
  env[key] = JSON.stringify(result);
  return result;
}
