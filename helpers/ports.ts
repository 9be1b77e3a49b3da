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
