import { existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { findChromium } from '../../helpers/index.js';
import { addDevDependencies, detectProject, exec, readPackageJson, runScript } from '../init/detect.js';
import { appChoice, missingGitignoreLines, planFiles, SCRIPTS, type InitChoices } from '../init/plan.js';
import { parsePort, parsePositiveInt, parseUrl } from '../options.js';
import { UsageError } from '../usage-error.js';

interface InitFlags extends InitChoices {
  dir: string;
  repoRoot?: string;
  force?: boolean;
  dryRun?: boolean;
}

/**
 * `vibes init`: adds the vibes suite to an existing app: config, smoke spec, env example, CI
 * workflows and package.json scripts. It detects what it can instead of asking, and never
 * overwrites a file without --force.
 */
export function initCommand(): Command {
  return new Command('init')
    .description('add playwright-vibes to this app: config, smoke spec, .env.test.example, CI workflows, scripts')
    .option('--dir <path>', "the app's root (where package.json is)", '.')
    .option('--repo-root <path>', 'the git repository the workflows go to (default: the nearest folder up with .git)')
    .option('--force', 'overwrite files and scripts that already exist')
    .option('--dry-run', 'print what would be written; write nothing')
    .option('--app-command <command>', 'what starts the app for a local run (default: its dev or start script)')
    .option('--app-url <url>', 'the URL that answers once the app is up (default: http://localhost:<port>)', parseUrl)
    .option('--port <port>', "the app's port (default: detected)", parsePort)
    .option('--webhook-path <path>', "the app's Stripe webhook route (default: detected, else /api/stripe/webhook)")
    .option('--entitlements-sql <sql>', 'SQL that counts grants of the paid plan to the email $1')
    .option('--shards <n>', 'machines the CI workflow spreads the suite over', parsePositiveInt, 2)
    .action((flags: InitFlags) => init(flags));
}

function init(flags: InitFlags): void {
  const dir = path.resolve(flags.dir);
  let pkg;
  try {
    pkg = readPackageJson(dir);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!pkg) throw new UsageError(`no package.json in ${dir}: run vibes init in your app's root, or pass --dir <path>.`);
  if (flags.webhookPath && !flags.webhookPath.startsWith('/')) throw new UsageError(`--webhook-path must start with /, got "${flags.webhookPath}".`);

  const repoRoot = flags.repoRoot === undefined ? undefined : path.resolve(flags.repoRoot);
  const appInRoot = repoRoot === undefined ? '' : path.relative(repoRoot, dir);
  if (repoRoot !== undefined && (appInRoot.startsWith('..') || path.isAbsolute(appInRoot))) {
    throw new UsageError(`--repo-root ${flags.repoRoot} does not contain the app (${dir}): give the repository the app is in.`);
  }
  const facts = detectProject(dir, pkg, repoRoot);
  const app = appChoice(facts, flags);
  const files = planFiles(facts, app, flags);
  const say = (line: string) => console.log(line);
  const verb = flags.dryRun ? 'would write' : 'wrote';

  say(`vibes init in ${dir}`);
  say(`  package manager: ${facts.packageManager.name} (${facts.packageManager.source})`);
  if (facts.repository.appDir) say(`  repository:      ${facts.repository.root} (GitHub reads workflows only from its root; they run in ${facts.repository.appDir})`);
  const other = facts.otherLanguage;
  say(`  framework:       ${facts.framework?.name ?? (other ? `none recognised: a ${other.name} app (${other.file}), and init reads only JavaScript and TypeScript: check the command, port and webhook below` : 'none recognised')}`);
  say(`  app:             ${app.command} → ${app.url}`);
  say(`  webhook:         ${app.webhookUrl} (${flags.webhookPath ? 'given' : facts.webhookPath.source})`);
  if (facts.checkoutMode === 'payment') say("  checkout:        one-time purchases (mode: 'payment'): the race test injects one");
  // Found here, nothing to install; the workflows install Playwright's own on CI.
  const browser = findChromium();
  if (browser.kind !== 'missing') say(`  browser:         ${browser.kind === 'playwright' ? "Playwright's Chromium" : `${browser.executablePath}${browser.source === 'VIBES_CHROMIUM' ? ' (VIBES_CHROMIUM)' : ''}`}`);
  if (facts.existingConfig) say(`  existing config: ${facts.existingConfig}${facts.testDir.source === facts.existingConfig ? ` (testDir ${facts.testDir.value})` : ''}`);
  // The guesses to check, here as well as in the config's comments.
  for (const note of app.notes.filter((n) => n.startsWith('ADAPT'))) say(`  ${note}`);
  say('');

  const skipped: string[] = [];
  for (const file of files) {
    const full = path.join(dir, file.path);
    const existing = file.path === 'playwright.config.ts' && facts.existingConfig ? facts.existingConfig : existsSync(full) ? file.path : undefined;
    if (existing && !flags.force) {
      skipped.push(existing);
      say(`  skipped ${file.path}: ${existing} exists (--force overwrites it)`);
      continue;
    }
    if (!flags.dryRun) {
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, file.content);
    }
    const replaced = existing && existing !== file.path ? ` (replaces ${existing}, which Playwright no longer loads: move what you still need from it into defineVibesConfig's second argument, then delete it)` : '';
    say(`  ${verb} ${file.path}${replaced || (existing ? ' (overwritten)' : '')}`);
  }

  const scripts = { ...pkg.scripts };
  const added: string[] = [];
  for (const [name, command] of Object.entries(SCRIPTS)) {
    if (scripts[name] !== undefined && scripts[name] !== command && !flags.force) {
      skipped.push(`script "${name}"`);
      say(`  skipped script "${name}": package.json already has one (--force overwrites it)`);
      continue;
    }
    if (scripts[name] === command) continue;
    scripts[name] = command;
    added.push(name);
  }
  if (added.length > 0) {
    if (!flags.dryRun) updatePackageScripts(path.join(dir, 'package.json'), scripts);
    say(`  ${flags.dryRun ? 'would add' : 'added'} scripts to package.json: ${added.join(', ')}`);
  }

  const ignore = missingGitignoreLines(dir);
  if (ignore.length > 0) {
    if (!flags.dryRun) appendFileSync(path.join(dir, '.gitignore'), `${needsNewline(path.join(dir, '.gitignore')) ? '\n' : ''}# playwright-vibes\n${ignore.join('\n')}\n`);
    say(`  ${flags.dryRun ? 'would add' : 'added'} to .gitignore: ${ignore.join(', ')}`);
  }

  const pm = facts.packageManager.name;
  const run = (script: string, fallback: string) => (scripts[script] === SCRIPTS[script] ? runScript(pm, script) : `${exec(pm)} ${fallback}`);
  const missing = [...(facts.has.vibes ? [] : ['playwright-vibes']), ...(facts.has.playwright ? [] : ['@playwright/test'])];
  const steps = [
    ...(missing.length ? [`Install: ${addDevDependencies(pm, missing)}`] : []),
    ...(browser.kind === 'missing' ? [`Browser: ${exec(pm)} playwright install --with-deps chromium (or a system Chromium: /usr/bin/chromium, or VIBES_CHROMIUM)`] : []),
    `Open playwright.config.ts and ${path.posix.join(facts.testDir.value, 'checkout.smoke.spec.ts')}: adapt the lines marked ADAPT (entitlements SQL, texts your app shows).`,
    ...(other
      ? [
          `Make your app's Stripe client follow STRIPE_EMULATOR_URL when it is set (README, "Set up in your app", step 5, and the paragraph on other languages): init reads no ${other.name}, so it cannot tell whether it does.`,
          `The CI workflows set up Node only: add your ${other.name} set-up (its runtime and dependencies) before the tests run.`,
        ]
      : facts.stripeClient.followsEmulator
      ? []
      : [`Make your app's Stripe client${facts.stripeClient.file ? ` (${facts.stripeClient.file})` : ''} follow STRIPE_EMULATOR_URL when it is set (README, "Set up in your app", step 5): no file reads it yet, so in emulator runs the app's Checkout would go to api.stripe.com and fail.`]),
    'Copy .env.test.example to .env.test (or .env.test.local for secrets).',
    `Run it: ${run('test:e2e', 'playwright test')}   (smoke only: ${run('test:smoke', 'playwright test --grep @smoke')}; flakiness: ${run('test:flake', 'vibes flake')})`,
    `Before a deploy goes live: ${exec(pm)} vibes predeploy --base-url <preview URL> --grep @predeploy (the browser-only tests); ${files.find((f) => /predeploy[^/]*\.yml$/.test(f.path))!.path.replace(/^(\.\.\/)+/, '')} does it on every successful deployment.`,
  ];
  if (facts.existingConfig && !flags.force && !usesVibes(path.join(dir, facts.existingConfig))) {
    steps.unshift(`Your ${facts.existingConfig} was left as it is: wrap it with defineVibesConfig from 'playwright-vibes' (or re-run with --force to replace it).`);
  }
  say('\nNext steps:');
  steps.forEach((step, i) => say(`  ${i + 1}. ${step}`));
  if (skipped.length > 0) say(`\nLeft as they were (${skipped.length}): ${skipped.join(', ')}. Nothing was overwritten.`);
}

/** Rewrites only "scripts", keeping the file's indentation, line endings and key order. */
function updatePackageScripts(file: string, scripts: Record<string, string>): void {
  const text = readFileSync(file, 'utf8');
  // Spaces and tabs only: \s would take a CRLF file's "\r\n  " for the indentation.
  const indent = /^([ \t]+)"/m.exec(text)?.[1] ?? '  ';
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const pkg = JSON.parse(text) as Record<string, unknown>;
  pkg.scripts = scripts;
  writeFileSync(file, `${JSON.stringify(pkg, null, indent)}\n`.replace(/\n/g, newline));
}

function needsNewline(file: string): boolean {
  return existsSync(file) && !readFileSync(file, 'utf8').endsWith('\n') && readFileSync(file, 'utf8').length > 0;
}

function usesVibes(configFile: string): boolean {
  return /defineVibesConfig|playwright-vibes/.test(readFileSync(configFile, 'utf8'));
}
