import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { test, expect } from '@playwright/test';
import { REPO_ROOT } from './support/temp-project.js';

/** What `npm pack` would put in the tarball, without writing one. */
async function packedFiles(): Promise<Set<string>> {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT });
  const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  return new Set(pack.files.map((f) => f.path));
}

test('the package ships the source every source map names, so a stack trace or "go to definition" lands on a real file', async () => {
  const files = await packedFiles();
  const maps = [...files].filter((f) => f.endsWith('.map'));
  expect(maps.some((f) => f.endsWith('.d.ts.map')), 'declaration maps, for editors').toBe(true);
  const missing: string[] = [];
  for (const map of maps) {
    const { sources } = JSON.parse(await readFile(path.join(REPO_ROOT, map), 'utf8')) as { sources: string[] };
    for (const source of sources) {
      const shipped = path.posix.normalize(path.posix.join(path.posix.dirname(map), source));
      if (!files.has(shipped)) missing.push(`${map} → ${shipped}`);
    }
  }
  expect(missing, 'sources named by a shipped map but not shipped').toEqual([]);
});

test('the package holds what a user runs and imports, and none of the repository\'s tests, benchmarks or secrets', async () => {
  const files = await packedFiles();
  const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; exports: Record<string, string | Record<string, string>> };
  const targets = [...Object.values(pkg.bin), ...Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))];
  expect(targets.map((t) => path.posix.normalize(t)).filter((t) => !files.has(t))).toEqual([]);
  expect([...files].filter((f) => /^(test|e2e|bench|dist\/bench|\.ci|\.vibes)\/|(^|\/)\.env/.test(f))).toEqual([]);
});
