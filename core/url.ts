/** `value` as an absolute http(s) URL; undefined for anything else (a path, ftp://, `localhost:3000`). */
export function httpUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
}
