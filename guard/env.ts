import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { sourceFiles } from '../core/index.js';
import { packagesOfCommand } from './workspaces.js';

/** Files read, in order of precedence (a later file wins over an earlier one). `.env` never is. */
export const TEST_ENV_FILES = ['.env.test', '.env.test.local'] as const;

export type EnvSource = { kind: 'process' } | { kind: 'file'; file: string };

export interface LoadedEnv {
  /** Where each variable the run can read came from, so a refusal can name it. */
  sources: Map<string, EnvSource>;
}

let loaded: LoadedEnv | undefined;

/**
 * Loads `.env.test` and `.env.test.local` of `dir` (the config's folder) into process.env
 * without overriding what the shell already set, and remembers where every value came from.
 * Idempotent: the config, the setup project and `vibes doctor` may all call it.
 */
export function loadTestEnv(dir = process.cwd(), env: NodeJS.ProcessEnv = process.env): LoadedEnv {
  if (loaded && env === process.env) return loaded;
  const sources = new Map<string, EnvSource>();
  for (const name of Object.keys(env)) sources.set(name, { kind: 'process' });
  const fromFiles: Record<string, { value: string; file: string }> = {};
  for (const file of TEST_ENV_FILES) {
    const full = path.join(dir, file);
    if (!existsSync(full)) continue;
    const parsed = dotenv.parse(readFileSync(full));
    // Named from where the command was typed (`apps/web/.env.test` when the config is in apps/web), else in full.
    const relative = path.relative(process.cwd(), full);
    const shown = relative.startsWith('..') ? full : relative;
    for (const [name, value] of Object.entries(parsed)) fromFiles[name] = { value, file: shown };
  }
  for (const [name, { value, file }] of Object.entries(fromFiles)) {
    if (sources.get(name)?.kind === 'process') continue; // the shell wins, and is named as the source
    env[name] = value;
    sources.set(name, { kind: 'file', file });
  }
  const result = { sources };
  if (env === process.env) loaded = result;
  return result;
}

/**
 * The environment as the shell gave it, without what the files added: for a child run in the
 * same folder, which loads the files itself and so names them as the source of their values
 * (given them ready-made, it would blame "the process environment").
 */
export function shellEnvironment({ sources }: LoadedEnv, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => sources.get(name)?.kind !== 'file'));
}

/**
 * The app's own env files, which the suite never loads but the app does (dotenv, node --env-file,
 * Next.js, Vite, python-dotenv; `flask run` reads `.flaskenv` below `.env`): lowest precedence
 * first, as Next.js and Flask rank them. A variable the run leaves unset reaches the app from these.
 */
export const APP_ENV_FILES = ['.flaskenv', '.env', '.env.development', '.env.local', '.env.development.local'] as const;

/** A variable of one of the app's env files, and that file (relative to the app's folder). */
export interface AppEnvValue {
  name: string;
  value: string;
  file: string;
  /**
   * Where the app loads its env files with override (`dotenv.config({ override: true })`,
   * `ConfigModule.forRoot({ override: true })`, `load_dotenv(override=True)`, `dotenv -o`): then
   * this value wins over the one the run passes, and is what the app uses.
   */
  loadedOver?: string;
}

/**
 * Each variable of the app's env files in `cwd`, with the file it comes from (the highest-ranked
 * one). `command`, the app's start command, adds the files it names (`node --env-file=.env.dev`,
 * also through an npm script), ranked above the usual ones, as node ranks them; and the env files
 * of the other workspace packages it starts (`npm run dev -w @acme/api`), which read their own.
 */
export function readAppEnvFiles(cwd = process.cwd(), command?: string): AppEnvValue[] {
  const text = command ? commandText(cwd, command) : '';
  const packages = [
    { dir: cwd, text },
    ...packagesOfCommand(cwd, text).map(({ dir, script }) => ({ dir, text: script ? commandText(dir, `npm run ${script}`) : '' })),
  ];
  return packages.flatMap(({ dir, text }) => {
    const values = [...envFilesIn(dir, envFilesNamedIn(text))];
    // Only a database variable is judged by whether it is loaded over the run's (a live key is
    // refused either way): without one, no source file is read, in the config's every process.
    const loadedOver = values.some(([name]) => isAppDatabaseVariable(name)) ? overrideIn(dir, text, cwd) : undefined;
    return values.map(([name, { value, file }]) => ({ name, value, file: path.relative(cwd, path.join(dir, file)), ...(loadedOver ? { loadedOver } : {}) }));
  });
}

/** Code that loads env files, and says that they override what the process was given. */
const LOADS_ENV = /\b(?:dotenv|dotenvx|load_dotenv|ConfigModule)\b/;
const WITH_OVERRIDE = /\b(?:override|overload)\s*[:=]\s*(?:true|True)\b/;
const TEST_CODE = /(?:^|\/)(?:e2e|tests?|__tests__|spec)\/|(?:^|\/)playwright\.config\.|\.(?:spec|test)\.[cm]?[jt]sx?$/;
/** dotenv-cli's `-o`/`--override`, dotenvx's `--overload`. */
const OVERRIDE_FLAG = /\bdotenv(?:x\s+run)?\b[^|&;]*?\s(?:-o|--override|--overload)\b/;

/**
 * Where the app in `dir` loads its env files with override, named from `cwd`: its start command's
 * flag, else the first of its JavaScript, TypeScript or Python files that does (a few hundred read;
 * a value computed at run time cannot be seen).
 */
function overrideIn(dir: string, commandText: string, cwd: string): string | undefined {
  if (OVERRIDE_FLAG.test(commandText)) return 'its start command';
  for (const file of sourceFiles(dir, /\.(?:[cm]?[jt]sx?|py)$/, 400)) {
    // The tests' own set-up (a Playwright config loading .env.test with override) is not the app's.
    if (TEST_CODE.test(file.split(path.sep).join('/'))) continue;
    let text: string;
    try {
      text = readFileSync(path.join(dir, file), 'utf8');
    } catch {
      continue;
    }
    if (LOADS_ENV.test(text) && WITH_OVERRIDE.test(text)) return path.relative(cwd, path.join(dir, file));
  }
  return undefined;
}

function envFilesIn(dir: string, named: string[]): Map<string, { value: string; file: string }> {
  const values = new Map<string, { value: string; file: string }>();
  for (const file of [...APP_ENV_FILES.filter((f) => !named.includes(f)), ...named]) {
    const full = path.join(dir, file);
    if (!existsSync(full)) continue;
    try {
      for (const [name, value] of Object.entries(dotenv.parse(readFileSync(full)))) values.set(name, { value, file });
    } catch {
      // A file the app cannot read either: nothing of it reaches the app.
    }
  }
  return values;
}

/** A start command with the body of the package.json script it runs (`npm run dev`, `pnpm dev`) in `cwd`. */
function commandText(cwd: string, command: string): string {
  const script = /^(?:npm|bun)\s+run\s+(\S+)|^(?:pnpm|yarn)\s+(?:run\s+)?(\S+)/.exec(command.trim());
  if (!script) return command;
  try {
    const scripts = (JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> }).scripts;
    const body = scripts?.[script[1] ?? script[2]!];
    return typeof body === 'string' ? `${command} ${body}` : command;
  } catch {
    return command; // No package.json to read: only the command's own flags count.
  }
}

/** The env files a command loads itself: `--env-file[-if-exists]` of node, or `dotenv -e` of dotenv-cli. */
function envFilesNamedIn(text: string): string[] {
  return [...text.matchAll(/(?:--env-file(?:-if-exists)?[= ]|\bdotenv\s+(?:-\w+\s+)*-e\s+)(['"]?)([^\s'"]+)\1/g)].map((m) => m[2]!);
}

/**
 * The names apps and their ORMs read their database from: `DATABASE_URL` and any `…_DATABASE_URL`,
 * `…_DATABASE_URI` or `…_DB_URL` (Flask-SQLAlchemy's SQLALCHEMY_DATABASE_URI), Vercel Postgres'
 * POSTGRES_URL…, Prisma's DIRECT_URL.
 */
export function isAppDatabaseVariable(name: string): boolean {
  return /^(?:\w+_)?(?:DATABASE|DB)_UR[LI]$/.test(name) || /^POSTGRES_(?:\w+_)?URL(?:_\w+)?$/.test(name) || name === 'DIRECT_URL';
}

/** How a value of the app's own env files is named in the guard's checks and refusals: `DATABASE_URL in .env`. */
export function appFileVariable({ name, file }: Pick<AppEnvValue, 'name' | 'file'>): string {
  return `${name} in ${file}`;
}

/**
 * The database variables an app the run starts reads from its own env files: because the run gives
 * it none of that name (not in the environment, not in `app.env`), or because the app loads them
 * with override, over what the run gives.
 */
export function appFileDatabaseUrls(files: AppEnvValue[], env: NodeJS.ProcessEnv = process.env, appEnv?: Record<string, string>): AppEnvValue[] {
  return files.filter(({ name, value, loadedOver }) => isAppDatabaseVariable(name) && value && (loadedOver || (!env[name] && !appEnv?.[name])));
}

/** Set by `vibes predeploy` for its Playwright run: the app under test is a deployment, and BASE_URL is its --base-url. */
export const DEPLOYMENT_CHECK_ENV = 'VIBES_DEPLOYMENT_CHECK';

/**
 * How the error of a test that asks a pre-deploy check for what it does not have (a replay
 * server, this run's Stripe, the deployment's database) begins: `vibes predeploy` reads it in the
 * failures to call the run misconfigured, not the deployment failed.
 */
export const UNAVAILABLE_IN_DEPLOYMENT_CHECK = 'unavailable in a pre-deploy check: ';

export function describeSource(source: EnvSource | undefined): string {
  if (!source || source.kind === 'process') return 'the process environment (your shell or CI)';
  return `the file ${source.file}`;
}
