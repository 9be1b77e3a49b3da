import { exec, type PackageManagerFacts, type RepositoryFacts } from './detect.js';

/** A GitHub Actions expression, written out: `${{ expr }}`. */
const gh = (expr: string) => `\${{ ${expr} }}`;

/** A path as a YAML value: plain when it is only path characters, else quoted (JSON is YAML). */
const yamlPath = (value: string) => (/^[\w./-]+$/.test(value) ? value : JSON.stringify(value));

/** Where the workflow runs: the app's folder, which in a monorepo is not the checkout's root. */
interface Place {
  /** `defaults.run.working-directory`, as a job's YAML lines; empty at the root. */
  defaults: string;
  /** A path the actions take from the checkout's root (artifacts), as a YAML value. */
  fromRoot: (file: string) => string;
  /** The same path's start as text, for a literal block (`|`), where quotes would be literal. */
  prefix: string;
  /** How the workflow is told apart from another app's in the same repository: '' at the root. */
  suffix: { name: string; key: string };
}

function place({ appDir }: RepositoryFacts): Place {
  if (!appDir) return { defaults: '', fromRoot: yamlPath, prefix: '', suffix: { name: '', key: '' } };
  return {
    defaults: `    defaults:\n      run:\n        working-directory: ${yamlPath(appDir)}\n`,
    fromRoot: (file) => yamlPath(`${appDir}/${file}`),
    prefix: `${appDir}/`,
    suffix: { name: ` (${appDir})`, key: `-${workflowSlug(appDir)}` },
  };
}

/** `apps/web` → `apps-web`: the app's part of its workflows' file names and concurrency groups. */
export function workflowSlug(appDir: string): string {
  return appDir.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Steps that check out the app and install its dependencies with its own package manager, cached. */
function installSteps(facts: PackageManagerFacts, { appDir }: RepositoryFacts): string {
  const pm = facts.name;
  const pnpmWith = [
    ...(facts.pnpmMajor === undefined ? [] : [`          version: ${facts.pnpmMajor} # ADAPT: your pnpm major (or set "packageManager" in package.json and remove this)`]),
    ...(facts.declaredIn ? [`          package_json_file: ${yamlPath(facts.declaredIn)}`] : []),
  ];
  const setupPm = {
    npm: '',
    // pnpm's action reads the version from "packageManager" in package.json; without it, it needs one.
    pnpm: `      - uses: pnpm/action-setup@v4\n${pnpmWith.length ? `        with:\n${pnpmWith.join('\n')}\n` : ''}`,
    // setup-node's cache step runs \`yarn\`: without corepack that is the runner's Yarn 1, which refuses a Yarn 4 project.
    yarn: facts.yarnBerry ? '      - run: corepack enable\n' : '',
    bun: '      - uses: oven-sh/setup-bun@v2\n',
  }[pm];
  const locked = facts.lockfile !== undefined;
  // setup-node looks for the lockfile at the checkout's root, and its cache needs one.
  const lockDir = facts.lockfile?.includes('/') ? facts.lockfile.slice(0, facts.lockfile.lastIndexOf('/')) : '';
  const cache = pm === 'bun' || !locked ? '' : `\n          cache: ${pm}${lockDir ? `\n          cache-dependency-path: ${yamlPath(facts.lockfile!)}` : ''}`;
  const install = locked
    ? { npm: 'npm ci', pnpm: 'pnpm install --frozen-lockfile', yarn: facts.yarnBerry ? 'yarn install --immutable' : 'yarn install --frozen-lockfile', bun: 'bun install --frozen-lockfile' }[pm]
    : // Each of those refuses to run without a lockfile (pnpm freezes it by default in CI).
      // Yarn 2+ makes installs immutable when CI is set.
      { npm: 'npm install', pnpm: 'pnpm install --no-frozen-lockfile', yarn: facts.yarnBerry ? 'yarn install --no-immutable' : 'yarn install', bun: 'bun install' }[pm];
  const unlocked = locked ? '' : '      # ADAPT: no lockfile was found. Commit one, then install from it (npm ci, --frozen-lockfile) and add setup-node\'s cache.\n';
  // A workspace installs where its lockfile is, which may be above the app.
  const installIn = !locked || lockDir === appDir ? '' : `\n        working-directory: ${yamlPath(lockDir || '.')}`;
  return `      - uses: actions/checkout@v4
${setupPm}      - uses: actions/setup-node@v4
        with:
          node-version: 20${cache}
${unlocked}      - run: ${install}${installIn}
      - name: Chromium and its system libraries
        run: ${exec(pm)} playwright install --with-deps chromium
`;
}

/** The smoke gate on every pull request: sharded, blob reports merged into one HTML report. */
export function smokeWorkflow(pm: PackageManagerFacts, repository: RepositoryFacts, shards = 2): string {
  const x = exec(pm.name);
  const { defaults, fromRoot, suffix } = place(repository);
  return `# The vibes smoke gate (written by \`vibes init\`): every pull request runs the e2e suite,
# sharded over ${shards} machines; the shards' blob reports are merged into one HTML report.
name: smoke${suffix.name}

on:
  pull_request:
  push:
    branches: [main]
  workflow_dispatch:

concurrency:
  group: smoke${suffix.key}-${gh('github.ref')}
  cancel-in-progress: true

permissions:
  contents: read

jobs:
  e2e:
    name: e2e (shard ${gh('matrix.shard')}/${shards})
    runs-on: ubuntu-latest
    timeout-minutes: 30
${defaults}    strategy:
      fail-fast: false
      matrix:
        shard: [${Array.from({ length: shards }, (_, i) => i + 1).join(', ')}]
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_DB: app_test
          POSTGRES_HOST_AUTH_METHOD: trust
        ports:
          - 5432:5432
        options: >-
          --health-cmd "pg_isready -U postgres -d app_test"
          --health-interval 5s
          --health-timeout 5s
          --health-retries 20
    env:
      CI: true
      # Your app's database and the preset's (webhook store, cleanup ledger): the service above.
      DATABASE_URL: postgres://postgres@localhost:5432/app_test
      VIBES_DATABASE_URL: postgres://postgres@localhost:5432/app_test
      # Without a key, the bundled Stripe emulator stands in (your app must honour STRIPE_EMULATOR_URL).
      # For real Stripe test mode, add a repository secret and uncomment:
      # STRIPE_SECRET_KEY: ${gh('secrets.STRIPE_TEST_SECRET_KEY')}
    steps:
${installSteps(pm, repository)}      # If your app does not migrate its database on start, run the migrations here.
      - name: Smoke suite
        run: ${x} playwright test --shard=${gh('matrix.shard')}/${shards} --fail-on-flaky-tests
      - name: Upload the blob report, also when tests failed
        if: ${gh('!cancelled()')}
        uses: actions/upload-artifact@v4
        with:
          name: blob-report-${gh('matrix.shard')}
          path: ${fromRoot('blob-report')}
          retention-days: 7

  report:
    name: merged HTML report
    if: ${gh('!cancelled()')}
    needs: [e2e]
    runs-on: ubuntu-latest
${defaults}    steps:
${installSteps(pm, repository).split('      - name: Chromium')[0]}      - uses: actions/download-artifact@v4
        with:
          path: ${fromRoot('all-blob-reports')}
          pattern: blob-report-*
          merge-multiple: true
      - name: Merge the shards into one HTML report
        run: ${x} playwright merge-reports --reporter html ./all-blob-reports
      - name: Upload the HTML report
        if: ${gh('!cancelled()')}
        uses: actions/upload-artifact@v4
        with:
          name: html-report-attempt-${gh('github.run_attempt')}
          path: ${fromRoot('playwright-report')}
          retention-days: 14
`;
}

/**
 * The check before a deploy goes live: when a deployment (a Vercel, Netlify or Render preview)
 * reports success, `vibes predeploy` runs the @predeploy tests (browser only) against its URL.
 */
export function predeployWorkflow(pm: PackageManagerFacts, repository: RepositoryFacts): string {
  const x = exec(pm.name);
  const { defaults, prefix, suffix } = place(repository);
  return `# The vibes pre-deploy check (written by \`vibes init\`): when a deployment reports success,
# the @predeploy tests (browser only: the deployment's Stripe events and database are its own)
# run against its URL. Production deployments are skipped: the suite signs up
# and pays with test cards, so it only ever runs against previews backed by Stripe test mode.
name: predeploy${suffix.name}

on:
  deployment_status:

permissions:
  contents: read
  deployments: read

jobs:
  predeploy:
    name: vibes predeploy (${gh('github.event.deployment_status.environment')})
    if: ${gh("github.event.deployment_status.state == 'success' && !startsWith(github.event.deployment_status.environment, 'production')")}
    runs-on: ubuntu-latest
    timeout-minutes: 20
${defaults}    env:
      CI: true
      # Vercel's Protection Bypass for Automation, if your previews are protected (Settings → Deployment Protection).
      VERCEL_AUTOMATION_BYPASS_SECRET: ${gh('secrets.VERCEL_AUTOMATION_BYPASS_SECRET')}
      # Hosts the safety guard refuses as a target, comma-separated, e.g. app.example.com.
      VIBES_PRODUCTION_HOSTS: ${gh('vars.VIBES_PRODUCTION_HOSTS')}
      # No database here (the deployment's is its own): an empty value unsets what .env.test names for local runs.
      DATABASE_URL: ""
      VIBES_DATABASE_URL: ""
      # The deployment's Stripe test-mode key: with it, the Stripe customers of the check's test users are removed.
      # STRIPE_SECRET_KEY: ${gh('secrets.STRIPE_TEST_SECRET_KEY')}
    steps:
${installSteps(pm, repository)}      - name: Guard, warm-up, then the @predeploy tests against the deployment
        env:
          # Through the environment, not spliced into the script: GitHub's advice for event fields.
          DEPLOYMENT_URL: ${gh('github.event.deployment_status.environment_url || github.event.deployment_status.target_url')}
        run: ${x} vibes predeploy --base-url "$DEPLOYMENT_URL" --grep @predeploy --junit test-results/predeploy-junit.xml
      - name: Upload the JUnit and HTML reports, also when tests failed
        if: ${gh('!cancelled()')}
        uses: actions/upload-artifact@v4
        with:
          name: predeploy-report-attempt-${gh('github.run_attempt')}
          path: |
            ${prefix}test-results/
            ${prefix}playwright-report/
          retention-days: 14
`;
}
