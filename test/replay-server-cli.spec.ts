import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ReplayClient } from '../replay-server/index.js';
import { spawn } from 'node:child_process';
import { CLI, runVibes, startVibes } from './support/cli.js';
import { test, expect } from './support/replay-fixtures.js';
import { checkoutCompleted, postWebhook, randomSecret, stripeEvent, uniqueId } from './support/replay-events.js';
import { startReceiver } from './support/replay-receiver.js';

async function storedRaw(databaseUrl: string): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const exists = await client.query("select to_regclass('vibes.replay_events') is not null as yes");
    if (!exists.rows[0].yes) return new Map();
    const { rows } = await client.query("select id, encode(raw, 'hex') as raw from vibes.replay_events order by id");
    return new Map(rows.map((r) => [r.id, r.raw]));
  } finally {
    await client.end();
  }
}

test.describe('vibes replay-server @db', () => {
  test('a restart keeps every event, byte for byte', async ({ databaseUrl }) => {
    const secret = randomSecret();
    const receiver = await startReceiver({ secret });
    const args = ['replay-server', '--port', '0', '--database-url', databaseUrl, '--forward-to', receiver.url];
    const env = { STRIPE_WEBHOOK_SECRET: secret };
    const events = [checkoutCompleted(`${uniqueId('a')}@example.com`), stripeEvent('invoice.paid', 'invoice'), stripeEvent('customer.created', 'customer')];
    try {
      const first = await startVibes(args, { env });
      expect(first.output()).toContain(`forwarding to: ${receiver.url}; signing: yes`);
      expect(first.output()).not.toContain(secret);
      for (const event of events) expect((await postWebhook(`${first.url}/webhooks/stripe`, event.raw, { secret })).status).toBe(200);
      await first.stop();

      const second = await startVibes(args, { env });
      try {
        const client = new ReplayClient(second.url);
        const { data } = await client.listEvents();
        expect(data.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
        for (const event of events) {
          expect(await client.getEvent(event.id)).toMatchObject({ raw: event.raw, signature: 'valid', delivery_count: 1 });
        }
        expect((await client.replay(events[0]!.id)).deliveries[0]!.status).toBe(200);
      } finally {
        await second.stop();
      }
      expect(receiver.accepted()).toHaveLength(events.length + 1);
    } finally {
      await receiver.close();
    }
  });

});

// Without a database URL: the framework-server project would run these again for nothing.
test.describe('vibes replay-server, without a database URL', () => {
  test('with the embedded Postgres, a restart keeps every event too', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vibes-replay-embedded-'));
    const { chmod } = await import('node:fs/promises');
    await chmod(dir, 0o711); // as root, the cluster runs as "postgres", which must get in
    const args = ['replay-server', '--port', '0', '--data-dir', path.join(dir, 'pg')];
    const env = { VIBES_DATABASE_URL: '', DATABASE_URL: '' };
    const event = stripeEvent('invoice.paid', 'invoice');
    try {
      const first = await startVibes(args, { env, timeoutMs: 60_000 });
      await new ReplayClient(first.url).inject(event.raw);
      await first.stop();
      const second = await startVibes(args, { env, timeoutMs: 60_000 });
      try {
        expect((await new ReplayClient(second.url).getEvent(event.id)).raw).toBe(event.raw);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('refuses a non-loopback --host without --token, and a malformed secret', async () => {
    const open = await runVibes(['replay-server', '--host', '0.0.0.0', '--port', '0', '--ephemeral'], { env: { VIBES_REPLAY_TOKEN: '' } });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('--host 0.0.0.0 is reachable from other machines: give a token (--token or VIBES_REPLAY_TOKEN) that every /api call must carry, or bind 127.0.0.1.');

    const secret = await runVibes(['replay-server', '--port', '0', '--ephemeral', '--secret', 'sk_test_oops']);
    expect(secret.code).toBe(2);
    expect(secret.stderr).toContain('the webhook secret must look like whsec_');
    expect(secret.stderr).not.toContain('sk_test_oops');
  });

});

test.describe('vibes replay-server: export and import @db', () => {
  test('export then import round-trips byte-identical payloads into a fresh database', async ({ databaseUrl, secondDatabaseUrl, startHarness }) => {
    const { url, secret, client } = await startHarness();
    const run = uniqueId('run');
    const mine = [checkoutCompleted(`${uniqueId('x')}@example.com`, run), checkoutCompleted(`${uniqueId('y')}@example.com`, run)];
    const other = stripeEvent('invoice.paid', 'invoice');
    for (const event of [...mine, other]) await postWebhook(`${url}/webhooks/stripe`, event.raw, { secret });
    await client.inject({ type: 'customer.created', data: { object: { object: 'customer', metadata: { vibes_run: run } } } });

    const dir = await mkdtemp(path.join(tmpdir(), 'vibes-export-'));
    try {
      const all = path.join(dir, 'all.ndjson');
      const exported = await runVibes(['replay-server', 'export', '--out', all, '--database-url', databaseUrl]);
      expect(exported).toMatchObject({ code: 0, stderr: expect.stringContaining('exported 4 events') });
      expect(exported.stderr).not.toContain('no stored event matches');
      const lines = (await readFile(all, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => l.source)).toEqual(['captured', 'captured', 'captured', 'injected']);

      const byRun = await runVibes(['replay-server', 'export', '--run', run, '--type', 'checkout.session.completed', '--database-url', databaseUrl]);
      expect(byRun.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(mine.map((e) => e.id));


      const imported = await runVibes(['replay-server', 'import', all, '--database-url', secondDatabaseUrl]);
      expect(imported).toMatchObject({ code: 0, stdout: expect.stringContaining('imported 4 events') });
      expect(await storedRaw(secondDatabaseUrl)).toEqual(await storedRaw(databaseUrl));
      const again = await runVibes(['replay-server', 'import', all, '--database-url', secondDatabaseUrl]);
      expect(again.stdout).toContain('imported 0 events from');
      expect(again.stdout).toContain('(4 already stored)');

      // A run's customers' other events carry no run id (Checkout made the customer): --run finds them
      // too; --teardown false leaves out what cleanup's deletion caused.
      const customer = JSON.parse(mine[0]!.raw).data.object.customer as string;
      const untagged = await client.inject({ type: 'payment_intent.succeeded', data: { object: { object: 'payment_intent', customer } } });
      await client.markTeardown([customer]);
      const deleted = await client.inject({ type: 'customer.deleted', data: { object: { object: 'customer', id: customer } } });
      const ids = async (...flags: string[]) =>
        (await runVibes(['replay-server', 'export', '--run', run, ...flags, '--database-url', databaseUrl])).stdout.trim().split('\n').map((l) => JSON.parse(l).id);
      expect(await ids()).toEqual(expect.arrayContaining([untagged.id, deleted.id]));
      expect(await ids('--teardown', 'false')).toContain(untagged.id);
      expect(await ids('--teardown', 'false')).not.toContain(deleted.id);
      const empty = path.join(dir, 'empty.ndjson');
      const typo = await runVibes(['replay-server', 'export', '--run', 'r_typo', '--out', empty, '--database-url', databaseUrl]);
      expect(typo.stderr).toContain(`exported 0 events to ${empty}: no stored event matches --run r_typo`);
      const nothing = await runVibes(['replay-server', 'import', empty, '--database-url', secondDatabaseUrl]);
      expect(nothing.stdout).toContain(`imported 0 events from ${empty}: the file holds none (was it exported with filters that matched nothing?)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('Ctrl-C while an import writes stops it, and nothing is imported', async ({ databaseUrl }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vibes-import-stop-'));
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      // Enough events that the import is still writing when it is interrupted.
      const file = path.join(dir, 'recorded.ndjson');
      const line = (n: number) => JSON.stringify({
        raw: JSON.stringify({ id: `evt_stop${String(n).padStart(8, '0')}`, object: 'event', type: 'invoice.paid', created: 1764000000, livemode: false, data: { object: { object: 'invoice' } } }),
        received_at: new Date(1764000000000 + n).toISOString(),
      });
      const { writeFile } = await import('node:fs/promises');
      await writeFile(file, `${Array.from({ length: 30_000 }, (_, n) => line(n)).join('\n')}\n`);
      const child = spawn(process.execPath, [CLI, 'replay-server', 'import', file, '--database-url', databaseUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      // Interrupted once it writes the events, not while it reads the file or migrates.
      const database = new URL(databaseUrl).pathname.slice(1);
      await expect.poll(async () => (await db.query("select count(*)::int as n from pg_stat_activity where datname = $1 and query like 'insert into vibes.replay_events%'", [database])).rows[0].n,
        { intervals: [20], timeout: 60_000 }).toBeGreaterThan(0);
      child.kill('SIGINT');
      expect(await exited, output).toBe(130);
      expect(output).toContain('nothing was imported (an import is all or nothing)');
      expect((await db.query("select count(*)::int as n from vibes.replay_events where id like 'evt_stop%'")).rows[0].n).toBe(0);
    } finally {
      await db.end();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an import with a bad line imports nothing and names the line', async ({ databaseUrl }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vibes-import-'));
    try {
      const file = path.join(dir, 'bad.ndjson');
      const good = stripeEvent('invoice.paid', 'invoice');
      const { writeFile } = await import('node:fs/promises');
      await writeFile(file, `${JSON.stringify({ raw: good.raw, received_at: new Date().toISOString() })}\n{"raw": "not json"}\n`);
      const result = await runVibes(['replay-server', 'import', file, '--database-url', databaseUrl]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('line 2: raw is not a Stripe event');
      expect(await storedRaw(databaseUrl)).toEqual(new Map());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a failed export leaves the file it would replace as it was; paths it cannot use are named, and change nothing', async ({ databaseUrl }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vibes-export-bad-'));
    const { mkdir, readdir, writeFile } = await import('node:fs/promises');
    try {
      const kept = path.join(dir, 'recorded.ndjson');
      await writeFile(kept, 'the run recorded last week\n');
      await mkdir(path.join(dir, 'folder'));
      const cases: { args: string[]; says: string }[] = [
        { args: ['export', '--out', kept, '--since', 'garbage'], says: 'vibes: a filter flag: since must be an ISO 8601 time' },
        { args: ['export', '--out', kept, '--limit', '5000'], says: 'vibes: a filter flag: limit must be a whole number from 1 to 1000.' },
        { args: ['export', '--out', path.join(dir, 'missing', 'x.ndjson')], says: `vibes: --out ${path.join(dir, 'missing', 'x.ndjson')}: cannot write there (no such file or directory).` },
        { args: ['export', '--out', path.join(dir, 'folder')], says: `vibes: --out ${path.join(dir, 'folder')} is a directory; name a file in it.` },
        { args: ['import', path.join(dir, 'folder')], says: `vibes: the file ${path.join(dir, 'folder')} is a directory; name a file.` },
        { args: ['import', path.join(dir, 'nothing.ndjson')], says: `vibes: the file ${path.join(dir, 'nothing.ndjson')}: cannot read it (no such file or directory).` },
        { args: ['start', '--port', '0', '--import', path.join(dir, 'nothing.ndjson')], says: `vibes: --import ${path.join(dir, 'nothing.ndjson')}: cannot read it` },
      ];
      const results = await Promise.all(cases.map((c) => runVibes(['replay-server', ...c.args, '--database-url', databaseUrl])));
      cases.forEach((c, i) => {
        expect(results[i]!.stderr, c.args.join(' ')).toContain(c.says);
        expect(results[i]!.code, c.args.join(' ')).toBe(2);
      });
      expect(await readFile(kept, 'utf8')).toBe('the run recorded last week\n');
      // No partial file is left beside it either.
      expect((await readdir(dir)).sort()).toEqual(['folder', 'recorded.ndjson']);

      // A successful export through a symlink writes its target, keeping the link and the file's mode.
      const { chmod, lstat, stat, symlink } = await import('node:fs/promises');
      await chmod(kept, 0o600);
      const link = path.join(dir, 'latest.ndjson');
      await symlink(kept, link);
      const exported = await runVibes(['replay-server', 'export', '--out', link, '--database-url', databaseUrl]);
      expect(exported.code, exported.stderr).toBe(0);
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      expect((await stat(kept)).mode & 0o777).toBe(0o600);
      expect(await readFile(kept, 'utf8')).not.toContain('the run recorded last week');
      expect((await readdir(dir)).sort()).toEqual(['folder', 'latest.ndjson', 'recorded.ndjson']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an export the disk cannot take fails naming the file, not only the system call', async ({ databaseUrl, startHarness }) => {
    const { client } = await startHarness({ receiver: false });
    await client.inject(checkoutCompleted(`${uniqueId('full')}@example.com`).raw);
    const full = await runVibes(['replay-server', 'export', '--out', '/dev/full', '--database-url', databaseUrl]);
    expect(full.code).toBe(1);
    expect(full.stderr).toContain('vibes: --out /dev/full: could not write it (no space left on device).');
  });

  test('an --ephemeral store is a temporary embedded Postgres even when the environment names a database', async ({ databaseUrl, startHarness }) => {
    const { client } = await startHarness({ receiver: false });
    const recorded = await client.inject(checkoutCompleted(`${uniqueId('eph')}@example.com`).raw);
    const dir = await mkdtemp(path.join(tmpdir(), 'vibes-ephemeral-'));
    try {
      const file = path.join(dir, 'recorded.ndjson');
      expect((await runVibes(['replay-server', 'export', '--out', file, '--database-url', databaseUrl])).code).toBe(0);
      // As in a project whose .env.test names the app's test database.
      const env = { DATABASE_URL: databaseUrl, VIBES_DATABASE_URL: '' };
      const server = await startVibes(['replay-server', '--port', '0', '--ephemeral', '--import', file], { env, timeoutMs: 60_000 });
      try {
        expect(server.output()).toContain(`imported 1 event from ${file} (0 already stored)`);
        expect(server.output()).not.toContain(`database: ${databaseUrl}`);
        expect((await new ReplayClient(server.url).getEvent(recorded.id)).raw).toBe(recorded.raw);
      } finally {
        await server.stop();
      }

      const both = await runVibes(['replay-server', '--port', '0', '--ephemeral', '--database-url', databaseUrl]);
      expect(both.code).toBe(2);
      expect(both.stderr).toContain('--ephemeral asks for an embedded Postgres, and --database-url names a server: pass one of them.');
      const emptyExport = await runVibes(['replay-server', 'export', '--ephemeral'], { env });
      expect(emptyExport.code).not.toBe(0);
      expect(emptyExport.stderr).toContain("unknown option '--ephemeral'");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a recorded run imported at start replays offline', async ({ databaseUrl, secondDatabaseUrl, startHarness }) => {
    const { client } = await startHarness({ receiver: false });
    const recorded = await client.inject(checkoutCompleted(`${uniqueId('z')}@example.com`).raw);
    const dir = await mkdtemp(path.join(tmpdir(), 'vibes-recorded-'));
    const secret = randomSecret();
    const receiver = await startReceiver({ secret });
    try {
      const file = path.join(dir, 'recorded.ndjson');
      expect((await runVibes(['replay-server', 'export', '--out', file, '--database-url', databaseUrl])).code).toBe(0);
      const server = await startVibes(['replay-server', '--port', '0', '--database-url', secondDatabaseUrl, '--import', file, '--forward-to', receiver.url], {
        env: { STRIPE_WEBHOOK_SECRET: secret },
      });
      try {
        expect(server.output()).toContain(`imported 1 event from ${file}`);
        const { deliveries } = await new ReplayClient(server.url).replay(recorded.id, { times: 2, concurrency: 2 });
        expect(deliveries.map((d) => d.status)).toEqual([200, 200]);
        expect(receiver.accepted().map((r) => r.body.toString())).toEqual([recorded.raw, recorded.raw]);
      } finally {
        await server.stop();
      }
    } finally {
      await receiver.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
