import { fileURLToPath } from 'node:url';
import { hostname } from 'node:os';
import { test, expect } from '@playwright/test';
import { runVibes } from './support/cli.js';
import { tempProject } from './support/temp-project.js';

const COMMANDS = ['replay-server', 'stripe-emulator', 'demo-app', 'postgres', 'sweep', 'doctor', 'init', 'predeploy', 'flake'];
const reportPlaywrightLoad = fileURLToPath(new URL('./support/report-playwright-load.cjs', import.meta.url));

test.describe('vibes', () => {
  test('the help lists every command', async () => {
    const { code, stdout } = await runVibes(['--help']);
    expect(code).toBe(0);
    for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  test('help <command> and <command> --help describe that command', async () => {
    const viaHelp = await runVibes(['help', 'sweep']);
    const viaFlag = await runVibes(['sweep', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('Usage: vibes sweep');
    expect(viaFlag.stdout).toBe(viaHelp.stdout);
  });

  test("a subcommand's bad flag exits 2, as every usage error does, with the command's help", async () => {
    for (const args of [['init', '--bogus'], ['sweep', '--rate', 'fast'], ['doctor', '--bogus']]) {
      const { code, stderr } = await runVibes(args);
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(stderr, args.join(' ')).toMatch(/error: /);
      expect(stderr, args.join(' ')).toContain(`Usage: vibes ${args[0]}`);
    }
  });

  test('values that would be read wrong are refused, naming the flag: bare durations, non-http URLs, timers Node cannot keep, a prefix Stripe cannot search', async () => {
    const cases: { args: string[]; says: string }[] = [
      // Seconds or milliseconds? A sweep that guessed milliseconds would remove a running run's data.
      { args: ['sweep', '--dry-run', '--older-than', '3600'], says: "option '--older-than <duration>' argument '3600' is invalid. expected a duration with its unit, such as 90s, 30m, 1h or 2d" },
      { args: ['sweep', '--dry-run', '--older-than', '99999999999d'], says: 'expected a duration of at most 3650d' },
      { args: ['sweep', '--dry-run', '--email-prefix', 'ab'], says: "option '--email-prefix <prefix>' argument 'ab' is invalid. expected 3 characters or more" },
      // Two ledgers named: the sweep would take one, silently, and remove what it holds.
      { args: ['sweep', '--dry-run', '--data-dir', '/tmp/elsewhere', '--database-url', 'postgres://postgres@127.0.0.1:5432/test'], says: "--data-dir names an embedded Postgres, but --database-url names the ledger's database already: pass one of them." },
      { args: ['predeploy', '--base-url', 'http://127.0.0.1:9', '--warmup-timeout', '120'], says: '--warmup-timeout: expected a duration with its unit' },
      { args: ['replay-server', '--port', '0', '--forward-to', 'ftp://files.example/hook'], says: "option '--forward-to <url>' argument 'ftp://files.example/hook' is invalid. expected an absolute http(s) URL" },
      { args: ['replay-server', '--port', '0', '--forward-timeout', '3000000000'], says: "option '--forward-timeout <ms>' argument '3000000000' is invalid. expected milliseconds from 1 to 2147483647" },
      { args: ['stripe-emulator', '--port', '0', '--delivery-timeout', '3000000000'], says: 'expected milliseconds from 1 to 2147483647' },
      // Number('') is 0: any free port, not the one meant.
      { args: ['replay-server', '--port', ''], says: "option '--port <port>' argument '' is invalid. expected a port number from 0 to 65535." },
      { args: ['replay-server', '--port', '0', '--forward-timeout', '1e3'], says: "option '--forward-timeout <ms>' argument '1e3' is invalid." },
      { args: ['stripe-emulator', '--port', '0', '--retry-schedule', '500,,1000'], says: 'expected comma-separated millisecond delays' },
      { args: ['stripe-emulator', '--port', '0', '--retry-schedule', '500,3000000000'], says: 'expected comma-separated millisecond delays from 0 to 2147483647' },
    ];
    // Side by side: each is a process of its own, refused before it does anything.
    const results = await Promise.all(cases.map((c) => runVibes(c.args)));
    cases.forEach((c, i) => {
      expect({ args: c.args, code: results[i]!.code }).toEqual({ args: c.args, code: 2 });
      expect(results[i]!.stderr, c.args.join(' ')).toContain(c.says);
    });
  });

  test('a mistyped command is refused with the nearest name', async () => {
    const { code, stderr } = await runVibes(['replay-servr']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'replay-servr'");
    expect(stderr).toContain('Did you mean replay-server?');
  });

  test("a mistyped subcommand is refused by its own name, not passed to the default one as an argument", async () => {
    const replay = await runVibes(['replay-server', 'stat', '--port', '0']);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toContain("unknown command 'stat' for 'vibes replay-server': its commands are start, export, import, replay-schedule");
    expect(replay.stdout).not.toContain('listening on');
    const postgres = await runVibes(['postgres', 'strat']);
    expect(postgres.code).toBe(2);
    expect(postgres.stderr).toContain("unknown command 'strat' for 'vibes postgres': its commands are start, url, stop");
  });

  test('the servers Playwright starts on every run do not load Playwright', async () => {
    for (const command of ['replay-server', 'stripe-emulator', 'demo-app']) {
      const { code, stderr } = await runVibes([command, '--help'], { env: { NODE_OPTIONS: `--require ${reportPlaywrightLoad}` } });
      expect(code, stderr).toBe(0);
      expect(stderr, `vibes ${command}`).toContain('playwright loaded: false');
    }
    // The check itself can fail: a command that needs Playwright's modules shows them.
    const doctor = await runVibes(['doctor', '--help'], { env: { NODE_OPTIONS: `--require ${reportPlaywrightLoad}` } });
    expect(doctor.stderr).toContain('playwright loaded: true');
  });
});

test.describe('server commands and the safety guard', () => {
  const PRODUCTION = 'postgres://app@db.prod.example.com:5432/app';
  const servers = [
    ['replay-server', '--port', '0'],
    ['demo-app', '--port', '0', '--stripe-emulator-url', 'http://127.0.0.1:9', '--webhook-secret', `whsec_${'x'.repeat(32)}`],
  ];

  test('refuse a production database, from --database-url or the environment, before connecting to it', async () => {
    for (const command of servers) {
      const flagged = await runVibes([...command, '--database-url', PRODUCTION], { env: { VIBES_DATABASE_URL: '', DATABASE_URL: '' } });
      expect(flagged.code, `vibes ${command[0]}: ${flagged.stderr}`).toBe(1);
      expect(flagged.stderr).toContain('playwright-vibes refused to run: the target does not look like a test target. Nothing was written or deleted.');
      expect(flagged.stderr).toContain('✗ test database: --database-url — it points at database "app" on db.prod.example.com');
      expect(flagged.stderr).toContain('where it came from: the command line');
      const fromEnv = await runVibes(command, { env: { VIBES_DATABASE_URL: '', DATABASE_URL: PRODUCTION } });
      expect(fromEnv.code, `vibes ${command[0]}: ${fromEnv.stderr}`).toBe(1);
      expect(fromEnv.stderr).toMatch(/✗ test database: DATABASE_URL — it points at database "app" on db\.prod\.example\.com/);
    }
    // vibes sweep names its flag, and where it came from, too.
    const sweep = await runVibes(['sweep', '--database-url', PRODUCTION], { env: { VIBES_DATABASE_URL: '', DATABASE_URL: '' } });
    expect(sweep.code).toBe(1);
    expect(sweep.stderr).toContain('✗ test database: --database-url — it points at database "app" on db.prod.example.com');
    expect(sweep.stderr).toContain('where it came from: the command line');
  });

  test('take the allowances the guard takes: a host allowed by exact name goes on to connect', async () => {
    // This machine's own name resolves without DNS; port 1 answers nothing, so the command fails at connecting.
    const allowed = await runVibes(['replay-server', '--port', '0', '--database-url', `postgres://app@${hostname()}:1/app`], {
      env: { VIBES_DATABASE_URL: '', DATABASE_URL: '', VIBES_ALLOW_DATABASE_HOSTS: hostname() },
    });
    expect(allowed.code).toBe(1);
    expect(allowed.stderr).not.toContain('refused to run');
    expect(allowed.stderr).toContain(`vibes: cannot connect to Postgres at postgres://app@${hostname()}:1/app`);
  });

  test('read .env.test as a run does: its secret and its database, named as their source', async () => {
    const project = await tempProject({ '.env.test': 'STRIPE_WEBHOOK_SECRET=not-a-secret\n' });
    try {
      // Unset, not empty: a variable the shell sets, even to nothing, wins over the files.
      const secret = await runVibes(['replay-server', '--port', '0'], { cwd: project.dir, env: { STRIPE_WEBHOOK_SECRET: undefined } });
      expect(secret.code).toBe(2);
      expect(secret.stderr).toContain('the webhook secret must look like whsec_');
      await project.write('.env.test', `DATABASE_URL=${PRODUCTION}\n`);
      for (const command of servers) {
        const database = await runVibes(command, { cwd: project.dir, env: { VIBES_DATABASE_URL: undefined, DATABASE_URL: undefined } });
        expect(database.code, `vibes ${command[0]}: ${database.stderr}`).toBe(1);
        expect(database.stderr).toContain('where it came from: the file .env.test');
      }
    } finally {
      await project.remove();
    }
  });
});
