import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { posixRelative, runScript, type ProjectFacts } from './detect.js';
import { envTestExample, EXAMPLE_ENTITLEMENTS_SQL, playwrightConfig, smokeSpec, type AppChoice } from './templates.js';
import { predeployWorkflow, smokeWorkflow, workflowSlug } from './workflows.js';

export interface InitChoices {
  appCommand?: string;
  appUrl?: string;
  port?: number;
  webhookPath?: string;
  entitlementsSql?: string;
  shards?: number;
}

export interface PlannedFile {
  path: string;
  content: string;
}

/** Scripts `vibes init` adds to package.json. No `predeploy`: npm would run it before every `deploy` script. */
export const SCRIPTS: Record<string, string> = {
  'test:e2e': 'playwright test',
  'test:smoke': 'playwright test --grep @smoke',
  'test:flake': 'vibes flake',
  'check:predeploy': 'vibes predeploy --grep @predeploy',
};

const GITIGNORE_LINES = ['.env.test.local', 'test-results/', 'playwright-report/', 'blob-report/', '.vibes/'];

export function appChoice(facts: ProjectFacts, choices: InitChoices): AppChoice {
  const port = choices.port ?? facts.port.value;
  const pm = facts.packageManager.name;
  const startScript = facts.startScript ? facts.pkg.scripts?.[facts.startScript] : undefined;
  // A start script that runs built output (`node dist/main.js`) runs nothing on a fresh clone, and a stale build locally.
  const buildFirst = !!startScript && /(?:^|\s)(?:\.\/)?(?:dist|build|\.output)\//.test(startScript) && !!facts.pkg.scripts?.build;
  const command = choices.appCommand ?? (facts.startScript
    ? `${buildFirst ? `${runScript(pm, 'build')} && ` : ''}${runScript(pm, facts.startScript)}`
    : runScript(pm, 'dev'));
  // An app bound to 127.0.0.1 (`runserver 127.0.0.1:8000`, `--host 127.0.0.1`) is reached there: "localhost" may
  // resolve to ::1 first, and a Host header of localhost is refused by Django's ALLOWED_HOSTS = ['127.0.0.1'].
  const host = /(?:^|[\s=:'"])127\.0\.0\.1(?=[\s:'"]|$)/.test(`${command} ${startScript ?? ''}`) ? '127.0.0.1' : 'localhost';
  const url = (choices.appUrl ?? `http://${host}:${port}`).replace(/\/$/, '');
  const webhookPath = choices.webhookPath ?? facts.webhookPath.value;
  const notes = [
    `Detected: ${facts.framework?.name ?? 'no known framework'}, ${facts.packageManager.name} (${facts.packageManager.source}), ` +
      `port ${port} (${choices.port || choices.appUrl ? 'given' : facts.port.source}).`,
    `Webhook endpoint ${webhookPath}: ${choices.webhookPath ? 'given' : facts.webhookPath.source}.`,
  ];
  if (facts.port.guessed && !choices.port && !choices.appUrl) {
    notes.push(`ADAPT: port ${port} is a guess (nothing in the app named one): set app.url to where your app listens, or a run waits out its start-up timeout.`);
  }
  const script = !choices.appCommand && facts.startScript ? facts.pkg.scripts?.[facts.startScript] : undefined;
  const envFile = script && /--env-file[= ](\S+)/.exec(script)?.[1];
  if (envFile) {
    notes.push(`ADAPT: the "${facts.startScript}" script reads ${envFile} (--env-file), which a CI machine does not have, so the app would not start there: ` +
      'use a command without it for app.command (the run passes what the app needs), or --env-file-if-exists on Node 22.');
  }
  if (!facts.startScript && !choices.appCommand) notes.push('ADAPT: no "dev" or "start" script was found; set app.command to what starts your app.');
  return {
    command,
    url,
    webhookUrl: new URL(webhookPath, `${url}/`).toString(),
    entitlementsSql: choices.entitlementsSql ?? EXAMPLE_ENTITLEMENTS_SQL,
    logsToStdout: facts.framework?.logsToStdout ? facts.framework.name : undefined,
    notes,
  };
}

export function planFiles(facts: ProjectFacts, app: AppChoice, choices: InitChoices): PlannedFile[] {
  const pm = facts.packageManager;
  return [
    { path: 'playwright.config.ts', content: playwrightConfig(app, facts.testDir.value) },
    { path: path.posix.join(facts.testDir.value, 'checkout.smoke.spec.ts'), content: smokeSpec(facts.checkoutMode) },
    { path: '.env.test.example', content: envTestExample(facts) },
    // GitHub reads workflows from the repository's root only: in a monorepo that is above the app.
    { path: workflowPath(facts, 'smoke'), content: smokeWorkflow(pm, facts.repository, choices.shards) },
    { path: workflowPath(facts, 'predeploy'), content: predeployWorkflow(pm, facts.repository) },
  ];
}

/**
 * A workflow's path, relative to the app's folder: `.github/workflows/<name>.yml` at the
 * repository's root, `<name>-<app folder>.yml` for an app below it, so each app of a monorepo has its own.
 */
function workflowPath({ dir, repository }: ProjectFacts, name: string): string {
  const file = repository.appDir ? `${name}-${workflowSlug(repository.appDir)}.yml` : `${name}.yml`;
  return posixRelative(dir, path.join(repository.root, '.github', 'workflows', file));
}

/** The lines of .gitignore that are missing, so test output and local secrets stay out of git. */
export function missingGitignoreLines(dir: string): string[] {
  const file = path.join(dir, '.gitignore');
  const present = new Set(existsSync(file) ? readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.trim().replace(/^\//, '')) : []);
  return GITIGNORE_LINES.filter((line) => !present.has(line) && !present.has(line.replace(/\/$/, '')));
}
