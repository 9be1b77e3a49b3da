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

test('the package\'s entry exports what the README imports from it, and none of the `vibes` command\'s plumbing', async () => {
  const entry = (await import(path.join(REPO_ROOT, 'dist/helpers/index.js'))) as Record<string, unknown>;
  const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const imported = [...readme.matchAll(/import \{([^}]*)\} from 'playwright-vibes'/g)]
    .flatMap(([, names]) => names!.split(',').map((n) => n.trim()).filter((n) => n && !n.startsWith('type ')));
  expect(imported.length).toBeGreaterThan(3);
  expect(imported.filter((name) => !(name in entry)), 'imported by the README, not exported').toEqual([]);

  // The ledger, the guard's checks and the database opener are components the command and the
  // fixtures share; a user meets them only through the fixtures, and catches only their errors.
  const catchable = new Set(['DbQueryError', 'GuardError']);
  const plumbing: string[] = [];
  for (const component of ['cleanup', 'app-database', 'guard']) {
    const exports = (await import(path.join(REPO_ROOT, `dist/${component}/index.js`))) as Record<string, unknown>;
    plumbing.push(...Object.keys(exports).filter((name) => name in entry && !catchable.has(name)).map((name) => `${component}: ${name}`));
  }
  expect(plumbing, 'exported by the package and by a component the command uses').toEqual([]);
});
