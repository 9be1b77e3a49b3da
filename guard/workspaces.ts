import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A package a start command runs a script of: its folder, and the script when the command names one. */
export interface StartedPackage {
  dir: string;
  script: string | undefined;
}

/**
 * The other packages of a monorepo that a start command runs (`npm run dev -w @acme/api`,
 * `pnpm --filter api dev`, `yarn workspace api dev`, `npm --prefix ../api run dev`,
 * `cd ../api && …`), also inside `concurrently "…" "…"`: each starts with its own folder, so its
 * own env files are what it reads. Names are looked up in the workspaces of the nearest
 * package.json or pnpm-workspace.yaml above `cwd`; a name not found there is left out.
 */
export function packagesOfCommand(cwd: string, text: string): StartedPackage[] {
  const found: StartedPackage[] = [];
  const add = (dir: string | undefined, script: string | undefined) => {
    if (dir && path.resolve(dir) !== path.resolve(cwd) && !found.some((p) => p.dir === dir)) found.push({ dir, script });
  };
  // One command at a time: `a && b`, `a & b`, `a; b`, and each quoted command of concurrently or npm-run-all.
  for (const command of text.split(/[&|;\n]+|(?<!\\)["']/)) {
    const words = command.trim().split(/\s+/).filter(Boolean);
    const value = (...flags: string[]) => {
      for (const [i, word] of words.entries()) {
        for (const flag of flags) {
          if (word === flag) return words[i + 1];
          if (word.startsWith(`${flag}=`)) return word.slice(flag.length + 1);
        }
      }
      return undefined;
    };
    const script = scriptOf(words);
    const workspace = value('-w', '--workspace', '--filter', '-F') ?? (words[0] === 'yarn' && words[1] === 'workspace' ? words[2] : undefined);
    if (workspace) add(workspaceDir(cwd, workspace), script);
    const prefix = value('--prefix', '-C', '--dir');
    if (prefix) add(path.resolve(cwd, prefix), script);
    if (words[0] === 'cd' && words[1]) add(path.resolve(cwd, words[1]), undefined);
  }
  return found;
}

/** The script a package-manager command runs: `npm run dev`, `pnpm dev`, `yarn workspace api dev`. */
function scriptOf(words: string[]): string | undefined {
  if (!['npm', 'pnpm', 'yarn', 'bun'].includes(words[0] ?? '')) return undefined;
  const run = words.indexOf('run');
  if (run >= 0) return words[run + 1];
  // pnpm --filter api dev: the last word that is neither a flag nor a flag's value.
  const last = words.at(-1);
  return last && !last.startsWith('-') && words.at(-2)?.startsWith('-') !== true ? last : undefined;
}

/** The folder of the workspace package named `name` (or at the path `name`), from the nearest workspace root above `cwd`. */
function workspaceDir(cwd: string, name: string): string | undefined {
  if (name.startsWith('.') || name.startsWith('/')) return path.resolve(cwd, name);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const patterns = workspacePatterns(dir);
    if (patterns) return patterns.flatMap((pattern) => expand(dir, pattern)).find((candidate) => packageName(candidate) === name);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** `workspaces` of package.json (npm, yarn, bun) or `packages` of pnpm-workspace.yaml; undefined where neither is. */
function workspacePatterns(dir: string): string[] | undefined {
  try {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { workspaces?: unknown };
    const list = Array.isArray(pkg.workspaces) ? pkg.workspaces : (pkg.workspaces as { packages?: unknown } | undefined)?.packages;
    if (Array.isArray(list)) return list.filter((p): p is string => typeof p === 'string');
  } catch {
    // no package.json here, or not one with workspaces
  }
  const yaml = path.join(dir, 'pnpm-workspace.yaml');
  if (!existsSync(yaml)) return undefined;
  return [...readFileSync(yaml, 'utf8').matchAll(/^\s*-\s*['"]?([^'"#\n]+?)['"]?\s*$/gm)].map((m) => m[1]!);
}

/** The package folders a workspace pattern names: `apps/*`, `packages/**`, or one folder. */
function expand(root: string, pattern: string): string[] {
  if (pattern.startsWith('!')) return [];
  const star = pattern.indexOf('*');
  if (star < 0) return [path.join(root, pattern)];
  const base = path.join(root, pattern.slice(0, star).replace(/\/$/, ''));
  try {
    return readdirSync(base, { withFileTypes: true }).filter((entry) => entry.isDirectory() && entry.name !== 'node_modules').map((entry) => path.join(base, entry.name));
  } catch {
    return [];
  }
}

function packageName(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}
