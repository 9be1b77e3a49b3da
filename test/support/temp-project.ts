import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PLAYWRIGHT_CLI = path.join(REPO_ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
export const VIBES_CLI = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

/**
 * Variables the outer `playwright test` set for its own servers and workers: a run nested in a
 * test must choose its own. `undefined` removes them in `runVibes`'s environment overrides.
 */
export const NESTED_RUN_ENV: Record<string, undefined> = {
  VIBES_PORTS: undefined,
  VIBES_RUN_ID: undefined,
  STRIPE_WEBHOOK_SECRET: undefined,
  STRIPE_EMULATOR_URL: undefined,
  CI: undefined,
  TEST_WORKER_INDEX: undefined,
  TEST_PARALLEL_INDEX: undefined,
  BASE_URL: undefined,
  VIBES_REPLAY_URL: undefined,
};

/**
 * For a nested run whose tests use neither the replay server nor Stripe: naming both as already
 * running (at a port nothing answers) means defineVibesConfig starts no web server for them.
 * Pass --no-deps too, or the setup project asks that replay server for its health.
 */
export const NO_VIBES_SERVERS: Record<string, string> = {
  VIBES_REPLAY_URL: 'http://127.0.0.1:9',
  STRIPE_EMULATOR_URL: 'http://127.0.0.1:9',
};

export interface TempProject {
  dir: string;
  write(file: string, content: string): Promise<void>;
  remove(): Promise<void>;
}

/**
 * A throwaway app directory that resolves `playwright-vibes` and `@playwright/test` the way an
 * installed package would: node_modules symlinks to this repository and its Playwright.
 */
export async function tempProject(files: Record<string, string> = {}): Promise<TempProject> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vibes-project-'));
  await mkdir(path.join(dir, 'node_modules'));
  await symlink(REPO_ROOT, path.join(dir, 'node_modules', 'playwright-vibes'), 'dir');
  await symlink(path.join(REPO_ROOT, 'node_modules', '@playwright'), path.join(dir, 'node_modules', '@playwright'), 'dir');
  const project: TempProject = {
    dir,
    async write(file, content) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  for (const [file, content] of Object.entries(files)) await project.write(file, content);
  return project;
}

/**
 * `playwright test` in the project, as its owner runs it (`npx playwright test`), with a clean
 * nested environment. Aborting `interrupt` presses Ctrl-C (SIGINT).
 */
export function runPlaywright(project: TempProject, args: string[], env: NodeJS.ProcessEnv = {}, interrupt?: AbortSignal): Promise<{ code: number | null; output: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of Object.keys(NESTED_RUN_ENV)) if (!(name in env)) delete childEnv[name];
  const child = spawn(process.execPath, [PLAYWRIGHT_CLI, 'test', '--config', path.join(project.dir, 'playwright.config.ts'), ...args], {
    cwd: project.dir,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: interrupt,
    killSignal: 'SIGINT',
  });
  // An abort also emits 'error' (AbortError); the run's end is still 'close'.
  child.on('error', () => {});
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  // Colours are on when the outer run forces them; the output is read as plain text.
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output: output.replace(/\u001b\[[0-9;]*m/g, '') })));
}
