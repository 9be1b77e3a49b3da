import { fileURLToPath } from 'node:url';
import { test, expect } from '@playwright/test';
import { runVibes } from './support/cli.js';

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

  test('a mistyped command is refused with the nearest name', async () => {
    const { code, stderr } = await runVibes(['replay-servr']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'replay-servr'");
    expect(stderr).toContain('Did you mean replay-server?');
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
