import { createHash } from 'node:crypto';

/** Defaults for every fuzz call of a project: `use: { fuzzConfig: { … } }` in the Playwright config. */
export interface FuzzConfig {
  /** The seed of every property that pins none itself (default: derived from the property's name). */
  seed?: number;
  /** Runs per property (default 25). */
  numRuns?: number;
  /** A schedule file to run once instead of generating schedules (see `replaySchedule`). */
  replaySchedule?: string;
}

/** How a property names itself and chooses its runs, in `webhooks.fuzz` and `fuzzHandler`. */
export interface RunChoices {
  /** Runs (default 25, or `fuzzConfig.numRuns`; VIBES_FUZZ_RUNS overrides). */
  numRuns?: number;
  /** Pinned seed (VIBES_SEED overrides; default derived from the property's name). */
  seed?: number;
  /** fast-check's path of a counterexample, to replay it with its seed (VIBES_FUZZ_PATH). */
  path?: string;
  /** How the property is named in reports (and what its default seed is derived from); default the test's title. */
  name?: string;
}

export interface RunSettings {
  seed: number;
  /** Where the seed came from, for the report. */
  seedSource: string;
  path: string | undefined;
  numRuns: number;
  replaySchedule: string | undefined;
}

export const DEFAULT_NUM_RUNS = 25;

/**
 * The variables that override what a test or config says, so that a failure reproduces from
 * one command line and CI can widen the search without editing tests.
 */
export const FUZZ_ENV = {
  seed: 'VIBES_SEED',
  path: 'VIBES_FUZZ_PATH',
  numRuns: 'VIBES_FUZZ_RUNS',
  replaySchedule: 'VIBES_FUZZ_REPLAY',
} as const;

/**
 * Seeds are pinned: the environment, else the property's own option, else the config, else a
 * number derived from the property's name, so that every run on every machine draws the same
 * schedules until someone asks for others.
 */
export function resolveSettings(
  options: { seed?: number; path?: string; numRuns?: number; replaySchedule?: string },
  config: FuzzConfig,
  env: NodeJS.ProcessEnv,
  name: string,
): RunSettings {
  const fromEnv = (key: keyof typeof FUZZ_ENV) => {
    const value = env[FUZZ_ENV[key]]?.trim();
    return value === '' ? undefined : value;
  };
  const envSeed = fromEnv('seed');
  let seed: number;
  let seedSource: string;
  if (envSeed !== undefined) {
    seed = parseSeed(envSeed, FUZZ_ENV.seed);
    seedSource = FUZZ_ENV.seed;
  } else if (options.seed !== undefined) {
    seed = parseSeed(options.seed, 'the seed option');
    seedSource = 'the seed option';
  } else if (config.seed !== undefined) {
    seed = parseSeed(config.seed, 'fuzzConfig.seed');
    seedSource = 'fuzzConfig.seed';
  } else {
    seed = seedFromName(name);
    seedSource = 'derived from the name';
  }
  const envRuns = fromEnv('numRuns');
  const numRuns = envRuns !== undefined ? parseRuns(envRuns, FUZZ_ENV.numRuns) : parseRuns(options.numRuns ?? config.numRuns ?? DEFAULT_NUM_RUNS, 'numRuns');
  const path = fromEnv('path') ?? options.path;
  if (path !== undefined && !/^\d+(:\d+)*$/.test(path)) throw new RangeError(`the fuzz path must look like "3:0:1" (fast-check's path, printed with a counterexample); got ${JSON.stringify(path)}.`);
  return { seed, seedSource, path, numRuns, replaySchedule: fromEnv('replaySchedule') ?? options.replaySchedule ?? config.replaySchedule };
}

function parseSeed(value: string | number, where: string): number {
  const seed = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`${where} must be a whole number (fast-check's seed); got ${JSON.stringify(value)}.`);
  // fast-check works with 32-bit seeds; larger ones are reduced the same way every time.
  return seed | 0;
}

function parseRuns(value: string | number, where: string): number {
  const runs = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100_000) throw new RangeError(`${where} must be a whole number from 1 to 100000; got ${JSON.stringify(value)}.`);
  return runs;
}

export function seedFromName(name: string): number {
  return createHash('sha256').update(name).digest().readInt32BE(0);
}
