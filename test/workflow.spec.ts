import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { runVibes } from './support/cli.js';
import { REPO_ROOT, tempProject } from './support/temp-project.js';
import { loadWorkflow, runsOnFailure, stepIndex, type Job, type Workflow } from './support/workflow.js';
import { STRIPE_FIXTURES_BESIDE_REPOSITORY } from './support/stripe-fixtures.js';

/**
 * GitHub Actions cannot run here, so the workflows are checked twice: against the workflow
 * schema (action-validator), and for the facts the smoke gate depends on.
 */

/** The facts every sharded smoke workflow must have, this repository's and the generated one alike. */
function expectShardedSmokeGate(workflow: Workflow, { install, cache }: { install: RegExp; cache?: string }) {
  expect(Object.keys(workflow.on)).toContain('pull_request');
  const [testName, testJob] = Object.entries(workflow.jobs).find(([, job]) => job.steps.some((s) => /playwright test/.test(s.run ?? '')))!;

  const postgres = testJob.services?.postgres;
  expect(postgres?.image).toMatch(/^postgres:\d+/);
  expect(postgres?.ports).toContain('5432:5432');
  expect(postgres?.options).toMatch(/--health-cmd\s+"pg_isready/);
  expect(postgres?.options).toMatch(/--health-interval \S+/);
  expect(postgres?.options).toMatch(/--health-retries \d+/);

  const setupNode = testJob.steps[stepIndex(testJob, (s) => s.uses?.startsWith('actions/setup-node@') ?? false, 'setting up Node')]!;
  if (cache) expect(setupNode.with?.cache).toBe(cache);
  const installed = stepIndex(testJob, (s) => install.test(s.run ?? ''), 'installing dependencies');
  const browser = stepIndex(testJob, (s) => /playwright install --with-deps chromium$/.test(s.run ?? ''), 'installing Chromium with its system dependencies');
  const run = stepIndex(testJob, (s) => /playwright test/.test(s.run ?? ''), 'running the suite');
  expect(installed).toBeLessThan(browser);
  expect(browser).toBeLessThan(run);

  const shards = testJob.strategy?.matrix?.shard ?? [];
  expect(shards.length).toBeGreaterThan(1);
  expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1));
  const command = testJob.steps[run]!.run!;
  expect(command).toContain(`--shard=\${{ matrix.shard }}/${shards.length}`);
  expect(command).toContain('--fail-on-flaky-tests');

  const upload = testJob.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@') && /(^|\/)blob-report$/.test(String(s.with?.path)));
  expect(upload, 'each shard uploads its blob report').toBeDefined();
  expect(runsOnFailure(upload!.if), 'the blob report is uploaded even when tests failed').toBe(true);
  expect(upload!.with?.name).toContain('${{ matrix.shard }}');

  const [, mergeJob] = Object.entries(workflow.jobs).find(([, job]) => job.steps.some((s) => /playwright merge-reports/.test(s.run ?? '')))!;
  expect([mergeJob.needs].flat()).toContain(testName);
  expect(runsOnFailure(mergeJob.if), 'the reports are merged even when a shard failed').toBe(true);
  const download = mergeJob.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
  expect(download.with?.['merge-multiple']).toBe(true);
  const uploadedName = String(upload!.with!.name).replace('${{ matrix.shard }}', '');
  expect(String(download.with?.pattern)).toBe(`${uploadedName}*`);
  const merge = mergeJob.steps.find((s) => /playwright merge-reports/.test(s.run ?? ''))!;
  // The run step reads from its working directory; the action wrote from the checkout's root.
  const read = /--reporter[= ]html (\S+)/.exec(merge.run ?? '')?.[1] ?? '';
  expect(path.posix.join(mergeJob.defaults?.run?.['working-directory'] ?? '.', read)).toBe(path.posix.normalize(String(download.with?.path)));
  const htmlUpload = mergeJob.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@') && /(^|\/)playwright-report$/.test(String(s.with?.path)));
  expect(htmlUpload, 'the merged HTML report is uploaded').toBeDefined();
  expect(runsOnFailure(htmlUpload!.if)).toBe(true);
  return { testJob };
}

test("this repository's smoke workflow is a valid workflow with the gate's facts", async () => {
  const text = await readFile(path.join(REPO_ROOT, '.github/workflows/smoke.yml'), 'utf8');
  const { errors, workflow } = loadWorkflow(text);
  expect(errors).toEqual([]);
  const { testJob } = expectShardedSmokeGate(workflow, { install: /^npm ci$/, cache: 'npm' });
  // The config imports the preset from dist/, so the build comes before the tests.
  expect(stepIndex(testJob, (s) => s.run === 'npm run build', 'building')).toBeLessThan(stepIndex(testJob, (s) => /playwright test/.test(s.run ?? ''), 'testing'));
  // Stripe's fixtures go where the tests read them, beside the repository, before the tests run.
  const fixtures = path.relative(REPO_ROOT, STRIPE_FIXTURES_BESIDE_REPOSITORY);
  expect(stepIndex(testJob, (s) => (s.run ?? '').includes(`> ${fixtures}`), `writing ${fixtures}`)).toBeLessThan(stepIndex(testJob, (s) => /playwright test/.test(s.run ?? ''), 'testing'));
  // The @db tests run against the service container too.
  expect(testJob.env?.VIBES_TEST_SERVER_URL).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:5432\//);
});

test('the schema check is not vacuous: a broken workflow is refused', async () => {
  const text = await readFile(path.join(REPO_ROOT, '.github/workflows/smoke.yml'), 'utf8');
  expect(loadWorkflow(text.replace('runs-on: ubuntu-latest', 'runs-onn: ubuntu-latest')).errors).not.toEqual([]);
  expect(loadWorkflow(text.replace('cancel-in-progress: true', 'cancel-in-progress: [true]')).errors).not.toEqual([]);
});

/** Each package manager, and the set-ups whose CI installs differently: what init must write for it. */
const projects = [
  { name: 'npm', files: { 'package-lock.json': '' }, install: /^npm ci$/, cache: 'npm' },
  // No "packageManager": pnpm/action-setup needs a version, here from the lockfile's format.
  { name: 'pnpm', files: { 'pnpm-lock.yaml': "lockfileVersion: '6.0'\n" }, install: /^pnpm install --frozen-lockfile$/, cache: 'pnpm', pnpmVersion: 8 },
  // With it, a version in the action too is an error ("Multiple versions of pnpm specified").
  { name: 'pnpm with packageManager', files: { 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n" }, packageManager: 'pnpm@9.12.0', install: /^pnpm install --frozen-lockfile$/, cache: 'pnpm', pnpmVersion: null },
  { name: 'yarn 1', files: { 'yarn.lock': '# yarn lockfile v1\n' }, install: /^yarn install --frozen-lockfile$/, cache: 'yarn', corepack: false },
  // Yarn 4: setup-node's cache step would run the runner's Yarn 1, which refuses the project.
  { name: 'yarn 4', files: { 'yarn.lock': '__metadata:\n  version: 8\n', '.yarnrc.yml': 'nodeLinker: node-modules\n' }, install: /^yarn install --immutable$/, cache: 'yarn', corepack: true },
  { name: 'yarn 4 from packageManager', files: { 'yarn.lock': '' }, packageManager: 'yarn@4.5.0', install: /^yarn install --immutable$/, cache: 'yarn', corepack: true },
  { name: 'bun', files: { 'bun.lock': '' }, install: /^bun install --frozen-lockfile$/, cache: undefined },
  // npm ci and setup-node's cache both need a lockfile: without one, a plain install, uncached.
  { name: 'npm without a lockfile', files: {}, install: /^npm install$/, cache: undefined, uncached: true },
  { name: 'pnpm without a lockfile', files: {}, packageManager: 'pnpm@9.12.0', install: /^pnpm install --no-frozen-lockfile$/, cache: undefined, uncached: true },
  // Yarn 2+ makes installs immutable when CI is set: without a lockfile that must be undone.
  { name: 'yarn 4 without a lockfile', files: {}, packageManager: 'yarn@4.5.0', install: /^yarn install --no-immutable$/, cache: undefined, uncached: true, corepack: true },
] as const;

for (const project of projects) {
  test(`the workflows vibes init writes for ${project.name} are valid and have the gate's facts`, async () => {
    const packageManager = 'packageManager' in project ? { packageManager: project.packageManager } : {};
    const dir = await tempProject({ 'package.json': JSON.stringify({ name: 'shop', ...packageManager, scripts: { dev: 'node server.js' } }), ...project.files });
    try {
      const result = await runVibes(['init'], { cwd: dir.dir });
      expect(result.code, result.stderr).toBe(0);

      const smoke = loadWorkflow(await readFile(path.join(dir.dir, '.github/workflows/smoke.yml'), 'utf8'));
      expect(smoke.errors).toEqual([]);
      const { testJob } = expectShardedSmokeGate(smoke.workflow, { install: project.install, cache: project.cache });
      const predeploy = loadWorkflow(await readFile(path.join(dir.dir, '.github/workflows/predeploy.yml'), 'utf8'));
      expect(predeploy.errors).toEqual([]);
      expectPredeployWorkflow(predeploy.workflow);

      for (const job of [testJob, Object.values(predeploy.workflow.jobs)[0]!]) {
        const setupNode = stepIndex(job, (s) => s.uses?.startsWith('actions/setup-node@') ?? false, 'setting up Node');
        if ('uncached' in project) expect(job.steps[setupNode]!.with?.cache).toBeUndefined();
        if ('pnpmVersion' in project) {
          const setupPnpm = job.steps[stepIndex(job, (s) => s.uses?.startsWith('pnpm/action-setup@') ?? false, 'setting up pnpm')]!;
          expect(setupPnpm.with?.version ?? null).toBe(project.pnpmVersion);
        }
        if ('corepack' in project) {
          const corepack = job.steps.findIndex((s) => s.run === 'corepack enable');
          if (project.corepack) expect(corepack, 'corepack is on before setup-node caches with yarn').toBeGreaterThanOrEqual(0);
          if (project.corepack) expect(corepack).toBeLessThan(setupNode);
          else expect(corepack).toBe(-1);
        }
      }
    } finally {
      await dir.remove();
    }
  });
}

test('in a monorepo, init writes the workflows at the repository root, where GitHub reads them, running in the app\'s folder', async () => {
  const repo = await tempProject({
    '.git/HEAD': 'ref: refs/heads/main\n',
    // A pnpm workspace: one lockfile and the "packageManager" at the top, the app in apps/web.
    'package.json': JSON.stringify({ name: 'monorepo', private: true, packageManager: 'pnpm@9.12.0' }),
    'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
    'pnpm-workspace.yaml': "packages: ['apps/*']\n",
    'apps/web/package.json': JSON.stringify({ name: 'web', scripts: { dev: 'node server.js' } }),
    // Not a workspace member: its own lockfile, installed in its own folder.
    'apps/admin/package.json': JSON.stringify({ name: 'admin', scripts: { dev: 'node server.js' } }),
    'apps/admin/package-lock.json': '{}',
    // Its own pnpm lockfile: the action installs the root's declared pnpm, so no version beside it.
    'tools/cli/package.json': JSON.stringify({ name: 'cli', scripts: { dev: 'node cli.js' } }),
    'tools/cli/pnpm-lock.yaml': "lockfileVersion: '6.0'\n",
  });
  try {
    const web = await runVibes(['init', '--dir', 'apps/web'], { cwd: repo.dir });
    expect(web.code, web.stderr).toBe(0);
    expect(web.stdout).toContain('wrote ../../.github/workflows/smoke-apps-web.yml');
    expect(web.stdout).toContain('.github/workflows/predeploy-apps-web.yml does it on every successful deployment');
    expect(web.stdout).toContain('package manager: pnpm ("packageManager" in package.json)');
    expect(existsSync(path.join(repo.dir, 'apps/web/.github'))).toBe(false);

    const smoke = loadWorkflow(await readFile(path.join(repo.dir, '.github/workflows/smoke-apps-web.yml'), 'utf8'));
    expect(smoke.workflow.name).toBe('smoke (apps/web)');
    expect(smoke.errors).toEqual([]);
    const { testJob } = expectShardedSmokeGate(smoke.workflow, { install: /^pnpm install --frozen-lockfile$/, cache: 'pnpm' });
    const predeploy = loadWorkflow(await readFile(path.join(repo.dir, '.github/workflows/predeploy-apps-web.yml'), 'utf8'));
    expect(predeploy.errors).toEqual([]);
    expectPredeployWorkflow(predeploy.workflow);
    const predeployJob = Object.values(predeploy.workflow.jobs)[0]!;
    for (const job of [...Object.values(smoke.workflow.jobs), predeployJob]) {
      expect(job.defaults?.run?.['working-directory']).toBe('apps/web');
      // The workspace installs at its top; the action finds "packageManager" there.
      const install = job.steps.find((s) => s.run === 'pnpm install --frozen-lockfile')!;
      expect(install['working-directory']).toBe('.');
      expect(job.steps.find((s) => s.uses?.startsWith('pnpm/action-setup@'))!.with).toBeUndefined();
      expect(job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!.with?.['cache-dependency-path']).toBeUndefined();
    }
    // Actions take paths from the checkout's root, not from working-directory.
    const paths = (job: Job) => job.steps.flatMap((s) => (s.uses?.includes('-artifact@') ? String(s.with?.path).trim().split('\n').map((p) => p.trim()) : []));
    expect(paths(testJob)).toEqual(['apps/web/blob-report']);
    expect(paths(smoke.workflow.jobs.report!)).toEqual(['apps/web/all-blob-reports', 'apps/web/playwright-report']);
    expect(paths(predeployJob)).toEqual(['apps/web/test-results/', 'apps/web/playwright-report/']);

    // Each app its own workflows, beside the others': no --force, nothing overwritten.
    const admin = await runVibes(['init', '--dir', 'apps/admin'], { cwd: repo.dir });
    expect(admin.code, admin.stderr).toBe(0);
    expect(admin.stdout).not.toContain('skipped');
    const adminSmoke = loadWorkflow(await readFile(path.join(repo.dir, '.github/workflows/smoke-apps-admin.yml'), 'utf8'));
    expect(adminSmoke.errors).toEqual([]);
    expect(String(adminSmoke.workflow.concurrency?.group)).not.toBe(String(smoke.workflow.concurrency?.group));
    const adminJob = expectShardedSmokeGate(adminSmoke.workflow, { install: /^npm ci$/, cache: 'npm' }).testJob;
    expect(adminJob.defaults?.run?.['working-directory']).toBe('apps/admin');
    expect(adminJob.steps.find((s) => s.run === 'npm ci')!['working-directory']).toBeUndefined();
    expect(adminJob.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!.with?.['cache-dependency-path']).toBe('apps/admin/package-lock.json');

    // --repo-root names the repository when the nearest .git up is not it (a home folder under git).
    const own = await runVibes(['init', '--dir', 'tools/cli', '--repo-root', 'tools/cli', '--dry-run'], { cwd: repo.dir });
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toContain('would write .github/workflows/smoke.yml');
    const outside = await runVibes(['init', '--dir', 'tools/cli', '--repo-root', 'apps'], { cwd: repo.dir });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('--repo-root apps does not contain the app');

    const cli = await runVibes(['init', '--dir', 'tools/cli'], { cwd: repo.dir });
    expect(cli.code, cli.stderr).toBe(0);
    const cliJob = expectShardedSmokeGate(loadWorkflow(await readFile(path.join(repo.dir, '.github/workflows/smoke-tools-cli.yml'), 'utf8')).workflow, { install: /^pnpm install --frozen-lockfile$/, cache: 'pnpm' }).testJob;
    expect(cliJob.steps.find((s) => s.uses?.startsWith('pnpm/action-setup@'))!.with, 'pnpm/action-setup refuses a version beside the root\'s "packageManager"').toBeUndefined();
  } finally {
    await repo.remove();
  }
});

function expectPredeployWorkflow(workflow: Workflow) {
  expect(Object.keys(workflow.on)).toEqual(['deployment_status']);
  const job: Job = Object.values(workflow.jobs)[0]!;
  // Only a deployment that finished, and never production: the suite signs up and pays.
  expect(job.if).toContain("github.event.deployment_status.state == 'success'");
  expect(job.if).toContain("!startsWith(github.event.deployment_status.environment, 'production')");
  const check = job.steps.find((s) => /vibes predeploy/.test(s.run ?? ''))!;
  // The event's URL reaches the script through the environment, never spliced into it.
  expect(check.run).toContain('--base-url "$DEPLOYMENT_URL"');
  expect(check.run).not.toContain('${{');
  expect(check.env?.DEPLOYMENT_URL).toBe('${{ github.event.deployment_status.environment_url || github.event.deployment_status.target_url }}');
  // No database in this job: what .env.test names for local runs is unset.
  expect([job.env?.DATABASE_URL, job.env?.VIBES_DATABASE_URL]).toEqual(['', '']);
  expect(check.run).toContain('--junit ');
  expect(job.env?.VERCEL_AUTOMATION_BYPASS_SECRET).toBe('${{ secrets.VERCEL_AUTOMATION_BYPASS_SECRET }}');
  const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
  expect(runsOnFailure(upload.if)).toBe(true);
  expect(String(upload.with?.path)).toContain('test-results/');
}
