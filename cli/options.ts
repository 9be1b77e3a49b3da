import { InvalidArgumentError } from 'commander';

/** Commander parser for `--port`: 0 (any free port) to 65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  }
  return port;
}

/** Commander parser for a repeatable option: each use adds its value. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number.');
  return n;
}

export function parseUrl(value: string): string {
  try {
    return new URL(value).toString();
  } catch {
    throw new InvalidArgumentError(`expected an absolute URL such as http://127.0.0.1:3000/webhook, got "${value}".`);
  }
}
