import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { test, expect } from './support/fixtures.js';
import { migrate, openDatabase, startEmbeddedPostgres, findRunningEmbeddedPostgres, stopEmbeddedPostgres, redactUrl, type Migration } from '../postgres/index.js';
import { CLI, runVibes } from './support/cli.js';

const migrations: Migration[] = [
  { version: 1, name: 'things', sql: 'create table things (id serial primary key, name text not null)' },
  { version: 2, name: 'things.unique', sql: 'alter table things add constraint things_name_key unique (name)' },
];

const set = { schema: 'vibes', component: 'things', migrations };

/**
 * pool.end() resolves before every backend has gone; the forced drop of the test database then
 * ends the stragglers, which must not surface as an unhandled error in a later test.
 */
function testPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', () => {});
  return pool;
}

/** The built package, as a user's process imports it (the children below are separate processes). */
const POSTGRES_MODULE = new URL('../dist/postgres/index.js', import.meta.url).href;

/** A fresh directory for a cluster; as root, the cluster runs as "postgres", which must get in. */
async function clusterDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vibes-embedded-test-'));
  await chmod(dir, 0o711);
  return dir;
}

interface NodeChild {
  child: ChildProcess;
  /** The first line it prints on stdout; rejects when it exits first. */
  firstLine: Promise<string>;
  exited: Promise<number | null>;
}

/** Runs `script` (an ES module; `process.argv[1]` is POSTGRES_MODULE, then `args`) in its own node process. */
function nodeScript(script: string, args: string[], { detached = false } = {}): NodeChild {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, POSTGRES_MODULE, ...args], { detached, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
    });
    void exited.then((code) => reject(new Error(`child exited with ${code} before printing a line:\n${stdout}${stderr}`)));
  });
  firstLine.catch(() => {}); // a child killed on purpose is not an unhandled rejection
  return { child, firstLine, exited };
}

/** Opens the database, writes a table named after argv[3], reports, and closes when stdin ends. */
const OPEN_AND_WAIT = `
  const { openDatabase } = await import(process.argv[1]);
  const db = await openDatabase({ dataDir: process.argv[2] });
  await db.pool.query(\`create table from_\${process.argv[3]} (v text); insert into from_\${process.argv[3]} values ('kept')\`);
  const { rows } = await db.pool.query('select system_identifier::text as cluster from pg_control_system()');
  console.log(JSON.stringify({ cluster: rows[0].cluster, owned: db.embedded.owned }));
  process.stdin.resume();
  process.stdin.on('end', () => db.close().then(() => process.exit(0)));
`;

test.describe('migrations @db', () => {
  test('apply once, then nothing on the next start', async ({ databaseUrl }) => {
    const pool = testPool(databaseUrl);
    try {
      expect(await migrate(pool, set)).toEqual([1, 2]);
      expect(await migrate(pool, set)).toEqual([]);
      const { rows } = await pool.query("select version, name from vibes.schema_migrations where component = 'things' order by version");
      expect(rows).toEqual([{ version: 1, name: 'things' }, { version: 2, name: 'things.unique' }]);
    } finally {
      await pool.end();
    }
  });

  test('processes starting together apply each migration exactly once', async ({ databaseUrl }) => {
    const pools = Array.from({ length: 6 }, () => testPool(databaseUrl, 1));
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool, set)));
      expect(results.flat().sort()).toEqual([1, 2]);
      const { rows } = await pools[0]!.query('select count(*)::int as n from vibes.schema_migrations');
      expect(rows[0].n).toBe(2);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  test('a failing migration leaves no half-migrated schema', async ({ databaseUrl }) => {
    const pool = testPool(databaseUrl);
    try {
      const broken = [...migrations, { version: 3, name: 'broken', sql: 'alter table nowhere add column x int' }];
      await expect(migrate(pool, { ...set, migrations: broken })).rejects.toThrow(/nowhere/);
      const { rows } = await pool.query("select count(*)::int as n from information_schema.schemata where schema_name = 'vibes'");
      expect(rows[0].n).toBe(0);
    } finally {
      await pool.end();
    }
  });

  test('components sharing a schema keep their own versions', async ({ databaseUrl }) => {
    const pool = testPool(databaseUrl);
    try {
      await migrate(pool, set);
      const other = { schema: 'vibes', component: 'other', migrations: [{ version: 1, name: 'others', sql: 'create table others (id int)' }] };
      expect(await migrate(pool, other)).toEqual([1]);
      const { rows } = await pool.query('select component, version from vibes.schema_migrations order by component, version');
      expect(rows).toEqual([{ component: 'other', version: 1 }, { component: 'things', version: 1 }, { component: 'things', version: 2 }]);
    } finally {
      await pool.end();
    }
  });

  test('out-of-order versions are refused before anything runs', async ({ databaseUrl }) => {
    const pool = testPool(databaseUrl);
    try {
      await expect(migrate(pool, { ...set, migrations: [migrations[1]!, migrations[0]!] })).rejects.toThrow(/out of order: 2 then 1/);
    } finally {
      await pool.end();
    }
  });
});

test.describe('embedded Postgres', () => {
  test('a restart keeps the data; a second process joins the running cluster', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vibes-embedded-test-'));
    await chmod(dir, 0o711); // as root, the cluster runs as "postgres", which must get in
    const dataDir = path.join(dir, 'pg');
    try {
      const first = await openDatabase({ dataDir });
      expect(first.embedded?.owned).toBe(true);
      await first.pool.query('create table kept (v text)');
      await first.pool.query("insert into kept values ('still here')");

      const joined = await findRunningEmbeddedPostgres(dataDir);
      expect(joined?.owned).toBe(false);
      expect(joined?.url).toBe(first.url);
      await first.close();
      expect(await findRunningEmbeddedPostgres(dataDir)).toBeUndefined();

      const second = await openDatabase({ dataDir });
      const { rows } = await second.pool.query('select v from kept');
      expect(rows).toEqual([{ v: 'still here' }]);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('vibes postgres stop ends a cluster whose owner was killed, and keeps its data', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vibes-embedded-test-'));
    await chmod(dir, 0o711);
    const dataDir = path.join(dir, 'pg');
    try {
      const owner = spawn(process.execPath, [CLI, 'postgres', 'start', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((resolve) => owner.once('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        let output = '';
        owner.stdout!.on('data', (chunk: Buffer) => (output += chunk) && /postgres started/.test(output) && resolve());
        void exited.then(() => reject(new Error(`vibes postgres exited before starting:\n${output}`)));
      });
      const before = await openDatabase({ dataDir });
      await before.pool.query("create table kept (v text); insert into kept values ('still here')");
      await before.close();

      owner.kill('SIGKILL');
      await exited;
      expect(await findRunningEmbeddedPostgres(dataDir), 'the cluster outlives its killed owner').toBeDefined();

      const stop = await runVibes(['postgres', 'stop', '--data-dir', dataDir]);
      expect(stop.code, stop.stderr).toBe(0);
      expect(stop.stdout).toMatch(/^postgres stopped \(pid \d+, data: /);
      expect(await findRunningEmbeddedPostgres(dataDir)).toBeUndefined();
      const again = await runVibes(['postgres', 'stop', '--data-dir', dataDir]);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('nothing to stop');

      const after = await openDatabase({ dataDir });
      expect((await after.pool.query('select v from kept')).rows).toEqual([{ v: 'still here' }]);
      await after.close();
    } finally {
      await stopEmbeddedPostgres(dataDir).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an ephemeral cluster leaves no directory behind', async () => {
    const server = await startEmbeddedPostgres({ ephemeral: true });
    expect(existsSync(server.dataDir)).toBe(true);
    await server.stop();
    expect(existsSync(server.dataDir)).toBe(false);
  });

  test('processes starting at once on a fresh directory share one cluster, and its data stays', async () => {
    const dir = await clusterDir();
    const dataDir = path.join(dir, 'pg');
    const children = ['a', 'b'].map((name) => nodeScript(OPEN_AND_WAIT, [dataDir, name]));
    try {
      const reports = (await Promise.all(children.map((c) => c.firstLine))).map((line) => JSON.parse(line) as { cluster: string; owned: boolean });
      expect(reports[0]!.cluster).toBe(reports[1]!.cluster);
      expect(reports.map((r) => r.owned).sort()).toEqual([false, true]);

      // The joiner leaves first: the owner's leaving stops the cluster.
      const byOwnership = reports[0]!.owned ? [children[1]!, children[0]!] : children;
      for (const { child, exited } of byOwnership) {
        child.stdin!.end();
        expect(await exited).toBe(0);
      }
      expect(await findRunningEmbeddedPostgres(dataDir)).toBeUndefined();
      expect(await readdir(dir), 'no lock file or staging directory is left').toEqual(['pg']);

      const after = await openDatabase({ dataDir });
      const { rows } = await after.pool.query('select (select v from from_a) as a, (select v from from_b) as b');
      expect(rows).toEqual([{ a: 'kept', b: 'kept' }]);
      await after.close();
    } finally {
      for (const { child } of children) child.kill('SIGKILL');
      await stopEmbeddedPostgres(dataDir).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a start killed during initdb leaves no data directory; the next start clears its leftovers', async () => {
    const dir = await clusterDir();
    const dataDir = path.join(dir, 'pg');
    // Its own process group, so that the kill ends initdb too, as Ctrl-C in a terminal does.
    const starter = nodeScript(OPEN_AND_WAIT, [dataDir, 'never'], { detached: true });
    try {
      const initialising = async () => (await readdir(dir)).find((name) => name.startsWith('pg.init-') && existsSync(path.join(dir, name, 'PG_VERSION')));
      await expect.poll(initialising, { timeout: 30_000, intervals: [20] }).toBeTruthy();
      process.kill(-starter.child.pid!, 'SIGKILL');
      await starter.exited;
      expect(existsSync(dataDir), 'the half-made cluster never became the data directory').toBe(false);
      expect((await readdir(dir)).sort()).toEqual([await initialising(), 'pg.lock']);

      const db = await openDatabase({ dataDir });
      expect(db.embedded?.owned).toBe(true);
      expect((await db.pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      expect(await readdir(dir), 'the staging directory and the stale lock are gone').toEqual(['pg']);
      await db.close();
    } finally {
      try {
        process.kill(-starter.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await stopEmbeddedPostgres(dataDir).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a data directory with a cluster but no credentials file is refused with what to do', async () => {
    const dir = await clusterDir();
    const dataDir = path.join(dir, 'pg');
    try {
      // What an older vibes killed between initdb and writing the credentials left behind.
      await mkdir(dataDir);
      await writeFile(path.join(dataDir, 'PG_VERSION'), '18\n');
      await expect(openDatabase({ dataDir })).rejects.toThrow(
        /holds a Postgres cluster but no vibes-credentials\.json.*Remove the directory.*or set VIBES_DATABASE_URL/,
      );
      expect(await readdir(dir), 'the lock is released').toEqual(['pg']);
      expect(await readdir(dataDir), 'nothing is removed').toEqual(['PG_VERSION']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a data directory with files but no cluster is refused, and nothing in it is deleted', async () => {
    const dir = await clusterDir();
    const dataDir = path.join(dir, 'project');
    try {
      // A mistyped --data-dir pointing at someone's work.
      await mkdir(dataDir);
      await writeFile(path.join(dataDir, 'notes.txt'), 'keep me\n');
      await expect(openDatabase({ dataDir })).rejects.toThrow(/project is not empty and holds no Postgres cluster.*Choose another data directory/);
      expect(await readdir(dataDir)).toEqual(['notes.txt']);
      expect(await readdir(dir), 'no staging directory or lock is left').toEqual(['project']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a connection URL is never shown with its password', () => {
    expect(redactUrl('postgres://u:s3cret@db.example:5432/app')).toBe('postgres://u:***@db.example:5432/app');
    expect(redactUrl('postgres://u@db.example/app?sslmode=require&password=s3cret&sslpassword=k3y')).toBe(
      'postgres://u@db.example/app?sslmode=require&password=***&sslpassword=***',
    );
    expect(redactUrl('postgres://u:a@db.example/app?password=b')).toBe('postgres://u:***@db.example/app?password=***');
    expect(redactUrl('not a url')).not.toContain('not a url');
    // pg connects with these (the default host), though the URL parser refuses them.
    expect(redactUrl('postgres://postgres@/django_test')).toBe('postgres://postgres@/django_test');
    expect(redactUrl('postgres://u:p@ss@/app?password=x')).toBe('postgres://u:***@/app?password=***');
  });
});
