/** Milliseconds as the largest whole unit parseDuration reads back: 3_600_000 is `1h`, 90_000 `90s`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return ms === 0 ? '0s' : `${ms}ms`;
}

const MAX_DURATION_DAYS = 3650;

/**
 * `90s`, `30m`, `1h`, `2d`, `500ms` to milliseconds. A number needs its unit (but 0): `3600` could
 * mean seconds or milliseconds, and a sweep that read the wrong one would remove a running run's data.
 */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match || (match[2] === undefined && Number(match[1]) !== 0)) {
    throw new Error(`expected a duration with its unit, such as 90s, 30m, 1h or 2d (ms for milliseconds), got "${value}".`);
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? 'ms') as 'ms'];
  const ms = Number(match[1]) * unit;
  if (ms > MAX_DURATION_DAYS * 86_400_000) throw new Error(`expected a duration of at most ${MAX_DURATION_DAYS}d, got "${value}".`);
  return ms;
}
