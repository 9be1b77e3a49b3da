import { InvalidArgumentError } from 'commander';
import { httpUrl } from '../core/index.js';

/** Commander parser for `--port`: 0 (any free port) to 65535. Digits only: Number('') is 0. */
export function parsePort(value: string): number {
  const port = wholeNumber(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  }
  return port;
}

/** Commander parser for a repeatable option: each use adds its value. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Digits only, else NaN: Number() also reads '' (as 0), 0x10, 1e3 and ' 7 '. */
export function wholeNumber(value: string): number {
  return /^\d+$/.test(value) ? Number(value) : Number.NaN;
}

export function parsePositiveInt(value: string): number {
  const n = wholeNumber(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number.');
  return n;
}

/** The longest wait a Node timer keeps: beyond it, setTimeout fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Commander parser for a wait in milliseconds that becomes a timer. */
export function parseTimeoutMs(value: string): number {
  const n = wholeNumber(value);
  if (!Number.isInteger(n) || n <= 0 || n > MAX_TIMER_MS) throw new InvalidArgumentError(`expected milliseconds from 1 to ${MAX_TIMER_MS} (about 24.8 days).`);
  return n;
}

/** Commander parser for the URLs the commands send HTTP to. */
export function parseUrl(value: string): string {
  const url = httpUrl(value);
  if (!url) {
    throw new InvalidArgumentError(`expected an absolute http(s) URL such as http://127.0.0.1:3000/webhook, got "${value}".`);
  }
  return url.toString();
}
