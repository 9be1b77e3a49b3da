import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Build output, dependencies and tool folders: never an app's own source. */
const NOT_SOURCE = new Set(['node_modules', '.git', 'dist', 'build', '.next', '.svelte-kit', '.nuxt', '.output', 'coverage', '.vibes', 'test-results', 'playwright-report', '__pycache__', 'venv']);

/**
 * An app's own source files under `dir` whose names `pattern` matches, relative to it: at most
 * `limit` files, eight folders deep, each under 512 KiB, hidden and build folders skipped.
 */
export function sourceFiles(dir: string, pattern: RegExp, limit = 2000): string[] {
  const found: string[] = [];
  const walk = (relative: string, depth: number) => {
    if (depth > 8 || found.length >= limit) return;
    let entries: string[];
    try {
      entries = readdirSync(path.join(dir, relative));
    } catch {
      return;
    }
    for (const name of entries) {
      if (NOT_SOURCE.has(name) || name.startsWith('.') || found.length >= limit) continue;
      const child = path.join(relative, name);
      let stats;
      try {
        stats = statSync(path.join(dir, child));
      } catch {
        continue;
      }
      if (stats.isDirectory()) walk(child, depth + 1);
      else if (pattern.test(name) && stats.size < 512 * 1024) found.push(child);
    }
  };
  walk('', 0);
  return found;
}
