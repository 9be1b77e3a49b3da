import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord, sourceFiles } from '../../core/index.js';
import { APP_ENV_FILES, packagesOfCommand } from '../../guard/index.js';
import { PLAYWRIGHT_CONFIG_NAMES } from '../suite/run.js';

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

export interface PackageJson {
  name?: string;
  packageManager?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface Framework {
  name: string;
  /** The port its dev server uses when nothing says otherwise. */
  defaultPort: number;
  /**
   * A server library: the app's own code calls listen(), usually on process.env.PORT, so its port
   * is in its env files or code, and this default is only a guess. A framework with a dev server
   * of its own keeps its port whatever .env says.
   */
  appListens?: true;
  /** Its log goes to stdout (pino in Fastify, Nest's Logger), which a run shows only with app.stdout: 'pipe'. */
  logsToStdout?: true;
}

/** The package manager, where that came from, and what a CI machine needs to install it. */
export interface PackageManagerFacts {
  name: PackageManager;
  source: string;
  /**
   * pnpm without "packageManager" in package.json: the major to install, from the lockfile's
   * format (pnpm/action-setup fails with no version at all, and also when given one beside "packageManager").
   */
  pnpmMajor?: number;
  /** Yarn 2 or later: corepack must be on before setup-node's cache step runs `yarn`, and installs are `--immutable`. */
  yarnBerry?: boolean;
  /** The lockfile, relative to the repository's root (a workspace's is above the app). */
  lockfile?: string;
  /** The package.json pnpm/action-setup must read (`package_json_file`), relative to the root, when not the root's own. */
  declaredIn?: string;
}

/**
 * Where the app sits in its git repository. GitHub reads workflows only from the repository's
 * root, so in a monorepo they go there and run in the app's folder.
 */
export interface RepositoryFacts {
  /** The repository's root: the nearest folder up with `.git`, else the app's own. */
  root: string;
  /** The app's folder relative to the root, POSIX-style; '' when it is the root. */
  appDir: string;
}

/** What `vibes init` can tell about an app without asking, and where each fact came from. */
export interface ProjectFacts {
  dir: string;
  pkg: PackageJson;
  packageManager: PackageManagerFacts;
  repository: RepositoryFacts;
  framework: Framework | undefined;
  /** `guessed`: no script, env file or code of the app's named it. */
  port: { value: number; source: string; guessed?: true };
  /** The script that starts the app for a local run (`dev`, else `start`). */
  startScript: string | undefined;
  webhookPath: { value: string; source: string };
  /**
   * The file that makes the app's Stripe client (`new Stripe(`), and whether any source file reads
   * STRIPE_EMULATOR_URL: without it, the app's Checkout goes to api.stripe.com in emulator runs.
   */
  stripeClient: { file: string | undefined; followsEmulator: boolean };
  /** What the app's Checkout sells: `payment` when its code creates only one-time Checkout Sessions. */
  checkoutMode: 'subscription' | 'payment';
  existingConfig: string | undefined;
  /**
   * An app in another language (Python, Ruby…), by the file that says so, when no JavaScript or
   * TypeScript makes a Stripe client: init reads only those, so it must not claim what it did not read.
   */
  otherLanguage: { name: string; file: string } | undefined;
  /** `testDir` of an existing Playwright config, where the smoke spec goes. */
  testDir: { value: string; source: string };
  has: { playwright: boolean; vibes: boolean };
}

/** Most specific first: a Next.js app also depends on react, a Remix app on vite. */
const FRAMEWORKS: { dependency: string; framework: Framework }[] = [
  { dependency: 'next', framework: { name: 'Next.js', defaultPort: 3000 } },
  { dependency: '@remix-run/dev', framework: { name: 'Remix', defaultPort: 5173 } },
  { dependency: '@react-router/dev', framework: { name: 'React Router', defaultPort: 5173 } },
  { dependency: '@sveltejs/kit', framework: { name: 'SvelteKit', defaultPort: 5173 } },
  { dependency: 'nuxt', framework: { name: 'Nuxt', defaultPort: 3000 } },
  { dependency: 'astro', framework: { name: 'Astro', defaultPort: 4321 } },
  { dependency: '@nestjs/core', framework: { name: 'NestJS', defaultPort: 3000, appListens: true, logsToStdout: true } },
  { dependency: '@redwoodjs/core', framework: { name: 'RedwoodJS', defaultPort: 8910 } },
  { dependency: 'vite', framework: { name: 'Vite', defaultPort: 5173 } },
  { dependency: 'fastify', framework: { name: 'Fastify', defaultPort: 3000, appListens: true, logsToStdout: true } },
  { dependency: 'hono', framework: { name: 'Hono', defaultPort: 3000, appListens: true } },
  { dependency: 'koa', framework: { name: 'Koa', defaultPort: 3000, appListens: true } },
  { dependency: 'express', framework: { name: 'Express', defaultPort: 3000, appListens: true } },
];

const LOCKFILES: [string, PackageManager][] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lockb', 'bun'],
  ['bun.lock', 'bun'],
  ['package-lock.json', 'npm'],
];

const DEFAULT_WEBHOOK_PATH = '/api/stripe/webhook';

/**
 * The app's package.json, refused (with what is wrong) when it is not valid JSON or not the shape
 * init reads and rewrites: it is read before anything is written, so a refusal leaves the app as it was.
 */
export function readPackageJson(dir: string): PackageJson | undefined {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}); fix it and run vibes init again.`);
  }
  const problem = packageJsonProblem(file, parsed);
  if (problem) throw new Error(`${problem} Fix it and run vibes init again.`);
  return parsed as PackageJson;
}

/**
 * What each field init reads must be when present, so a wrong type is refused here instead of
 * crashing, or being mangled into the rewritten file, later. Fields it does not read (workspaces, bin, …) may be anything.
 */
const FIELD_SHAPES: { field: keyof PackageJson; expected: string; problem: (value: unknown) => string | undefined }[] = [
  { field: 'name', expected: 'a string', problem: notAString },
  { field: 'packageManager', expected: 'a string such as "pnpm@9.12.0"', problem: notAString },
  { field: 'scripts', expected: 'an object of command strings ({"dev": "vite"})', problem: notAStringRecord },
  { field: 'dependencies', expected: 'an object of package names to versions ({"vite": "^6.0.0"})', problem: notAStringRecord },
  { field: 'devDependencies', expected: 'an object of package names to versions ({"vite": "^6.0.0"})', problem: notAStringRecord },
];

/** Why a parsed package.json cannot be used, naming the file; undefined when it can. */
function packageJsonProblem(file: string, pkg: unknown): string | undefined {
  if (!isRecord(pkg)) return `${file} must hold a JSON object ({"name": …}); it holds ${kindOf(pkg)}.`;
  for (const { field, expected, problem } of FIELD_SHAPES) {
    if (!(field in pkg)) continue;
    const wrong = problem(pkg[field]);
    if (wrong) return `${file}: "${field}" must be ${expected}; ${wrong}.`;
  }
  return undefined;
}

function notAString(value: unknown): string | undefined {
  return typeof value === 'string' ? undefined : `it is ${kindOf(value)}`;
}

function notAStringRecord(value: unknown): string | undefined {
  if (!isRecord(value)) return `it is ${kindOf(value)}`;
  const entry = Object.entries(value).find(([, item]) => typeof item !== 'string');
  return entry && `"${entry[0]}" is ${kindOf(entry[1])}`;
}

/** A JSON value's kind as a message names it: "a string", "an array", "null". */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** `repoRoot`: the repository's root as the user gave it (`--repo-root`), instead of the nearest `.git` up. */
export function detectProject(dir: string, pkg: PackageJson, repoRoot?: string): ProjectFacts {
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  const framework = FRAMEWORKS.find((f) => f.dependency in deps)?.framework;
  const startScript = ['dev', 'start'].find((name) => pkg.scripts?.[name]);
  const repository = detectRepository(dir, repoRoot);
  const existingConfig = PLAYWRIGHT_CONFIG_NAMES.find((name) => existsSync(path.join(dir, name)));
  // In a monorepo the dev script may start another package too (`npm run dev -w @acme/api`): its
  // webhook route and Stripe client are the app's as well.
  const script = startScript ? pkg.scripts?.[startScript] ?? '' : '';
  const sources = [dir, ...packagesOfCommand(dir, script).map((p) => p.dir)].flatMap((root) => readSources(root, dir));
  const stripeClient = detectStripeClient(sources);
  return {
    dir,
    pkg,
    packageManager: detectPackageManager(dir, pkg, repository),
    repository,
    framework,
    port: detectPort(dir, pkg, startScript, framework),
    startScript,
    webhookPath: detectWebhookPath(sources),
    stripeClient,
    checkoutMode: detectCheckoutMode(sources),
    existingConfig,
    otherLanguage: stripeClient.file ? undefined : detectOtherLanguage(dir),
    testDir: detectTestDir(dir, existingConfig),
    has: { playwright: '@playwright/test' in deps, vibes: 'playwright-vibes' in deps },
  };
}

/** `to` from `from`, with forward slashes: how paths are written into workflows and shown. */
export function posixRelative(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join('/');
}

/** The given root, else the nearest folder up with `.git`, else the app's own. */
function detectRepository(dir: string, given?: string): RepositoryFacts {
  let root = given;
  for (let folder = dir; root === undefined; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, '.git'))) root = folder;
    else if (path.dirname(folder) === folder) root = dir;
  }
  return { root, appDir: posixRelative(root, dir) };
}

/** The nearest lockfile from the app's folder up to the repository's root: a workspace keeps one at its top. */
function findLockfile(dir: string, root: string): { file: string; name: PackageManager; folder: string } | undefined {
  for (let folder = dir; ; folder = path.dirname(folder)) {
    const lock = LOCKFILES.find(([file]) => existsSync(path.join(folder, file)));
    if (lock) return { file: lock[0], name: lock[1], folder };
    if (folder === root || path.dirname(folder) === folder) return undefined;
  }
}

function detectPackageManager(dir: string, pkg: PackageJson, { root, appDir }: RepositoryFacts): PackageManagerFacts {
  const lock = findLockfile(dir, root);
  const lockfile = lock && path.join(lock.folder, lock.file);
  const rootDeclares = root === dir ? undefined : readRootPackageManager(root);
  // A workspace (its lockfile above the app) says it once, at its root; an app with a lockfile of its own is its own.
  const declaration = pkg.packageManager ? { value: pkg.packageManager, inApp: root !== dir } : rootDeclares && lock?.folder !== dir ? { value: rootDeclares, inApp: false } : undefined;
  const declared = /^(npm|pnpm|yarn|bun)@(\d+)?/.exec(declaration?.value ?? '');
  const name = (declared?.[1] as PackageManager | undefined) ?? lock?.name ?? 'npm';
  const facts: PackageManagerFacts = { name, source: declared ? '"packageManager" in package.json' : lockfile ? posixRelative(dir, lockfile) : 'default (no lockfile)' };
  if (lockfile) facts.lockfile = posixRelative(root, lockfile);
  if (declared && declaration?.inApp) facts.declaredIn = `${appDir}/package.json`;
  const lockText = lockfile ? readText(lockfile) : '';
  if (name === 'pnpm' && !declared) {
    // pnpm/action-setup reads the root's package.json: a pnpm there is the one it installs, and
    // anything else there beside a version is an error, so it reads the app's (which says none).
    if (!rootDeclares?.startsWith('pnpm@')) facts.pnpmMajor = pnpmMajorForLockfile(lockText);
    if (rootDeclares && !rootDeclares.startsWith('pnpm@')) facts.declaredIn = `${appDir}/package.json`;
  }
  if (name === 'yarn') {
    const major = declared?.[2] === undefined ? undefined : Number(declared[2]);
    facts.yarnBerry = major !== undefined ? major >= 2 : existsSync(path.join(lock?.folder ?? dir, '.yarnrc.yml')) || /^__metadata:/m.test(lockText);
  }
  return facts;
}

/**
 * The pnpm major that reads a lockfile without rewriting it: format 9 is written by pnpm 9 and
 * 10, 6 by pnpm 8, 5.x by pnpm 7. Without a lockfile, the current major.
 */
function pnpmMajorForLockfile(lockfile: string): number {
  const format = /^lockfileVersion:\s*'?(\d+)/m.exec(lockfile)?.[1];
  return format === '6' ? 8 : format === '5' ? 7 : 10;
}

/**
 * The repository root's "packageManager". A root package.json that cannot be read, or holds
 * something else there, says nothing: it is not the app's, and init leaves it alone.
 */
function readRootPackageManager(root: string): string | undefined {
  let pkg: unknown;
  try {
    pkg = JSON.parse(readText(path.join(root, 'package.json')));
  } catch {
    return undefined;
  }
  const declared = isRecord(pkg) ? pkg.packageManager : undefined;
  return typeof declared === 'string' ? declared : undefined;
}

/** The file's text, or '' when it cannot be read. */
function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The app's port: its start script's flag; for a framework with a dev server of its own, that
 * framework's default. An app that listens itself (Express and the like, or no known framework):
 * PORT in its env files, else a default in the file its start script runs (`process.env.PORT ??
 * 4000`, `.listen(4000`), else a guess, said so.
 */
function detectPort(dir: string, pkg: PackageJson, startScript: string | undefined, framework: Framework | undefined): ProjectFacts['port'] {
  const script = startScript ? pkg.scripts?.[startScript] : undefined;
  const flag = script ? /(?:--port[= ]|-p[= ]?|PORT=)(\d{2,5})\b/.exec(script)?.[1] : undefined;
  if (flag) return { value: Number(flag), source: `the "${startScript}" script` };
  if (framework && !framework.appListens) return { value: framework.defaultPort, source: `${framework.name}'s default` };
  // Highest-ranked file first.
  for (const file of [...APP_ENV_FILES].reverse()) {
    const text = readText(path.join(dir, file));
    const value = text && /^\s*(?:export\s+)?PORT\s*=\s*["']?(\d{2,5})\b/m.exec(text)?.[1];
    if (value) return { value: Number(value), source: `PORT in ${file}` };
  }
  const named = script && /(?:^|\s)((?:\.\/)?[\w./-]+\.[cm]?[jt]sx?)(?=\s|$)/.exec(script)?.[1];
  // Built output a fresh clone lacks (`node dist/main.js`, `node dist/main`) is read from its source; NestJS's entry is src/main.ts.
  const fromBuild = script && /(?:^|\s)(?:\.\/)?(?:dist|build)\/([\w./-]+?)(?:\.[cm]?js)?(?=\s|$)/.exec(script)?.[1];
  const entries = [named, fromBuild && `src/${fromBuild}.ts`, framework?.name === 'NestJS' ? 'src/main.ts' : undefined].filter((e): e is string => !!e);
  for (const entry of entries) {
    const code = readText(path.join(dir, entry));
    const fromCode = /\bPORT\b[^\n;]{0,20}?(?:\?\?|\|\|)\s*["']?(\d{2,5})\b/.exec(code)?.[1] ?? /\.listen\(\s*(\d{2,5})\b/.exec(code)?.[1];
    if (fromCode) return { value: Number(fromCode), source: entry };
  }
  return { value: framework?.defaultPort ?? 3000, source: framework ? `${framework.name}'s default` : 'default', guessed: true };
}

/** The app's source files with their text, read once for every detector that looks inside them. */
interface SourceText {
  /** Relative to its package's folder, where file-system routes start. */
  file: string;
  /** Relative to the app's folder, as init names it. */
  shown: string;
  text: string;
}

const JS_SOURCE = /\.[cm]?[jt]sx?$/;

function readSources(root: string, appDir: string): SourceText[] {
  return sourceFiles(root, JS_SOURCE).map((file) => ({ file, shown: path.relative(appDir, path.join(root, file)), text: readText(path.join(root, file)) }));
}

/**
 * The route that verifies Stripe signatures: the source file that calls `constructEvent`, turned
 * into a URL path by the file-system routing of Next.js, Remix, SvelteKit and Nuxt (Nitro), read
 * from an Express-style `.post('/…')` in that file, or from NestJS's `@Controller` and `@Post`
 * (under the app's `setGlobalPrefix`).
 */
function detectWebhookPath(sources: SourceText[]): ProjectFacts['webhookPath'] {
  for (const { file, shown, text } of sources) {
    if (!text || !/constructEvent(Async)?\s*\(/.test(text)) continue;
    const route = routeFromFile(file) ?? postRoute(text) ?? nestRoute(text, sources);
    if (route) return { value: route, source: shown };
  }
  return { value: DEFAULT_WEBHOOK_PATH, source: 'default (no Stripe webhook handler found)' };
}

/**
 * The `.post('/…')` route (Express, Fastify, Hono, Koa routers) that verifies Stripe's signature, in
 * a file that may hold every route: one named like a webhook, else the last declared before the
 * `constructEvent` call (the handler holding it), else the first.
 */
function postRoute(text: string): string | undefined {
  const routes = [...text.matchAll(/\.post\(\s*['"`](\/[^'"`]*)['"`]/g)].map((m) => ({ path: m[1]!, at: m.index }));
  if (routes.length === 0) return undefined;
  const verifies = text.search(/constructEvent(Async)?\s*\(/);
  return (routes.find((r) => /webhook/i.test(r.path)) ?? routes.filter((r) => r.at < verifies).at(-1) ?? routes[0])!.path;
}

/** `@Controller('stripe')` and `@Post('webhook')`, under `app.setGlobalPrefix('api')`: /api/stripe/webhook. */
function nestRoute(text: string, sources: SourceText[]): string | undefined {
  const controller = /@Controller\(\s*(?:['"`]([^'"`]*)['"`])?/.exec(text);
  const post = /@Post\(\s*(?:['"`]([^'"`]*)['"`])?\s*\)/.exec(text);
  if (!controller || !post) return undefined;
  const prefix = sources.map(({ text: other }) => /\.setGlobalPrefix\(\s*['"`]([^'"`]*)['"`]/.exec(other)?.[1]).find((p) => p !== undefined);
  const parts = [prefix, controller[1], post[1]].flatMap((part) => (part ?? '').split('/')).filter(Boolean);
  return `/${parts.join('/')}`;
}

function detectStripeClient(sources: SourceText[]): ProjectFacts['stripeClient'] {
  return {
    file: sources.find(({ text }) => /new\s+Stripe\s*\(/.test(text))?.shown,
    followsEmulator: sources.some(({ text }) => text.includes('STRIPE_EMULATOR_URL')),
  };
}

/** `payment` when the code that creates Checkout Sessions names only that mode; a subscription otherwise. */
function detectCheckoutMode(sources: SourceText[]): ProjectFacts['checkoutMode'] {
  const modes = new Set(sources.filter(({ text }) => text.includes('checkout.sessions.create')).flatMap(({ text }) => [...text.matchAll(/\bmode\s*:\s*['"`](payment|subscription)['"`]/g)].map((m) => m[1])));
  return modes.has('payment') && !modes.has('subscription') ? 'payment' : 'subscription';
}

function routeFromFile(file: string): string | undefined {
  const f = file.split(path.sep).join('/').replace(/^src\//, '');
  // Before Next's app router, whose pattern app/…/route.ts also matches Remix's folder routes.
  const remix = /^app\/routes\/(.+)\.[jt]sx?$/.exec(f);
  if (remix) return `/${remix[1]!.replace(/\./g, '/').replace(/\/route$/, '')}`;
  const nextApp = /^app\/(.+)\/route\.[cm]?[jt]sx?$/.exec(f);
  if (nextApp) return `/${nextApp[1]!.split('/').filter((s) => !/^\(.*\)$/.test(s)).join('/')}`;
  const nextPages = /^pages\/(api\/.+)\.[cm]?[jt]sx?$/.exec(f);
  if (nextPages) return `/${nextPages[1]!.replace(/\/index$/, '')}`;
  const svelte = /^routes\/(.+)\/\+server\.[jt]s$/.exec(f);
  if (svelte) return `/${svelte[1]}`;
  // Nitro (Nuxt): server/api/… is under /api, server/routes/… at the root; `.post` names the method.
  const nitro = /^server\/(api|routes)\/(.+?)(?:\.(?:post|put|patch|delete|get))?\.[cm]?[jt]s$/.exec(f);
  if (nitro) return `${nitro[1] === 'api' ? '/api' : ''}/${nitro[2]!.replace(/(^|\/)index$/, '')}`.replace(/\/$/, '') || '/';
  return undefined;
}

/** The files that make a folder another language's app, most telling first. */
const OTHER_LANGUAGES: { file: string; name: string }[] = [
  { file: 'manage.py', name: 'Python' },
  { file: 'pyproject.toml', name: 'Python' },
  { file: 'requirements.txt', name: 'Python' },
  { file: 'Pipfile', name: 'Python' },
  { file: 'Gemfile', name: 'Ruby' },
  { file: 'go.mod', name: 'Go' },
  { file: 'composer.json', name: 'PHP' },
  { file: 'mix.exs', name: 'Elixir' },
];

function detectOtherLanguage(dir: string): ProjectFacts['otherLanguage'] {
  return OTHER_LANGUAGES.find(({ file }) => existsSync(path.join(dir, file)));
}

function detectTestDir(dir: string, existingConfig: string | undefined): ProjectFacts['testDir'] {
  if (existingConfig) {
    const text = readFileSync(path.join(dir, existingConfig), 'utf8');
    const testDir = /testDir\s*:\s*['"`]([^'"`]+)['"`]/.exec(text)?.[1];
    if (testDir) return { value: testDir.replace(/^\.\//, '').replace(/\/$/, ''), source: existingConfig };
  }
  return { value: 'e2e', source: 'default' };
}

/** `npm run dev`, `pnpm dev`, … */
export function runScript(pm: PackageManager, script: string): string {
  return pm === 'npm' ? `npm run ${script}` : pm === 'bun' ? `bun run ${script}` : `${pm} ${script}`;
}

/** The command that adds dev dependencies with this package manager. */
export function addDevDependencies(pm: PackageManager, packages: string[]): string {
  const verb = pm === 'npm' ? 'npm install -D' : pm === 'yarn' ? 'yarn add -D' : `${pm} add -D`;
  return `${verb} ${packages.join(' ')}`;
}

/** How `npx`-style commands run with this package manager. */
export function exec(pm: PackageManager): string {
  return { npm: 'npx', pnpm: 'pnpm exec', yarn: 'yarn', bun: 'bunx' }[pm];
}
