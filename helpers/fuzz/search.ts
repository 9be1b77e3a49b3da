import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import {
  SCHEDULE_FILE_FORMAT,
  SCHEDULE_FILE_VERSION,
  type ScheduleFile,
  type ScheduleTableRow,
} from '../../replay-server/index.js';
import type { DeliveryRecord, FuzzEvent } from './facts.js';
import type { DeliveryPlan } from './plan.js';
import type { RunSettings } from './settings.js';

/** One run of a property: its events, the plan it delivered, what happened, and the verdict. */
export interface Execution {
  events: readonly FuzzEvent[];
  /** The events' exact bytes, for the schedule file. */
  raw: readonly string[];
  plan: DeliveryPlan;
  deliveries: readonly DeliveryRecord[];
  /** Why the invariant failed; undefined when it held. */
  error?: unknown;
  /** More to show with a counterexample (e.g. fast-check's scheduler report). */
  details?: string;
  /** The same-second ties among the events setup built, when any: the schedule file keeps them. */
  sameSecond?: boolean[];
}

export interface Counterexample {
  /** The invariant's error and its message. */
  error: unknown;
  message: string;
  rows: ScheduleTableRow[];
  /** The shrunk schedule with its events: replay it with the `replaySchedule` option or `vibes replay-server replay-schedule`. */
  file: ScheduleFile;
  deliveries: number;
  groups: number;
  details: string | undefined;
}

export interface FuzzResult {
  name: string;
  passed: boolean;
  seed: number;
  seedSource: string;
  /** fast-check's path to the counterexample (with `seed`, it replays it). */
  path: string | undefined;
  /** Runs up to and including the first failure, or all runs when none failed. */
  numRuns: number;
  numShrinks: number;
  /** Every run, shrinking included. */
  executions: number;
  /** From the start until the first failing run ended. */
  firstFailureMs: number | undefined;
  durationMs: number;
  counterexample: Counterexample | undefined;
}

export interface SearchOptions<T> {
  /** Names a value: two values with one key are the same run. Default: its JSON. */
  key?: (value: T) => string;
  /**
   * Run each key once: shrinking visits many values that make the same schedule (a draw that
   * maps to an event already chosen), and each real run costs a subject and HTTP round trips.
   */
  memoize?: boolean;
}

/** A problem that is not a counterexample (the replay server is down, setup threw): the search stops. */
export class FuzzSetupError extends Error {
  override name = 'FuzzSetupError';
}

/** Every run passed, but only because the app took no genuine delivery: the property proved nothing. */
export class FuzzVacuousError extends Error {
  override name = 'FuzzVacuousError';
}

/**
 * Runs fast-check over `arbitrary`, executing each value, and describes the smallest failing
 * run. A failure outside the invariant (setup, storing events, the replay server) is not a
 * counterexample: later runs are skipped and it is thrown once fast-check has returned.
 */
export async function searchCounterexample<T>(
  name: string,
  arbitrary: fc.Arbitrary<T>,
  execute: (value: T) => Promise<Execution>,
  settings: Pick<RunSettings, 'seed' | 'seedSource' | 'path' | 'numRuns'>,
  { key = (value) => JSON.stringify(value), memoize = false }: SearchOptions<T> = {},
): Promise<FuzzResult> {
  const seen = new Map<string, Execution>();
  let fatal: unknown;
  let executions = 0;
  let firstFailureMs: number | undefined;
  const start = performance.now();
  const property = fc.asyncProperty(arbitrary, async (value) => {
    if (fatal !== undefined) return;
    let execution = memoize ? seen.get(key(value)) : undefined;
    if (!execution) {
      try {
        execution = await execute(value);
      } catch (error) {
        fatal = error;
        return;
      }
      executions++;
      // The key again: executing can make it more precise (a run's setup tells how many events there are).
      seen.set(key(value), execution);
    }
    if (execution.error === undefined) return;
    firstFailureMs ??= performance.now() - start;
    throw execution.error;
  });
  const details = await fc.check(property, { seed: settings.seed, numRuns: settings.numRuns, ...(settings.path ? { path: settings.path } : {}) });
  if (fatal !== undefined) throw fatal instanceof FuzzSetupError ? fatal : new FuzzSetupError(`${name}: the fuzz could not run: ${(fatal as Error)?.message ?? fatal}`, { cause: fatal });

  const result: FuzzResult = {
    name,
    passed: !details.failed,
    seed: settings.seed,
    seedSource: settings.seedSource,
    path: details.counterexamplePath ?? undefined,
    numRuns: details.numRuns,
    numShrinks: details.numShrinks,
    executions,
    firstFailureMs,
    durationMs: performance.now() - start,
    counterexample: undefined,
  };
  if (!details.failed) return result;
  const execution = details.counterexample ? seen.get(key(details.counterexample[0])) : undefined;
  if (!execution) throw new Error(`${name}: fast-check reported a failure that no run recorded: ${String(details.errorInstance)}`);
  result.counterexample = describeExecution(execution, result);
  return result;
}

/** A failed run as a counterexample: the table, and the schedule file that replays it. */
export function describeExecution(execution: Execution, result: Pick<FuzzResult, 'name' | 'seed' | 'path'>): Counterexample {
  const { events, raw, plan, deliveries, error } = execution;
  const message = error instanceof Error ? error.message : String(error);
  const steps = plan.flatMap((group, g) => group.map((delivery) => ({ group: g, ...delivery })));
  const rows: ScheduleTableRow[] = steps.map((step, i) => ({
    group: step.group,
    index: step.event,
    type: events[step.event]?.type,
    id: events[step.event]?.id ?? '?',
    signature: step.signature,
    cutOff: step.cutOff,
    ...(deliveries[i] ? { delivery: deliveries[i] } : {}),
  }));
  const file: ScheduleFile = {
    header: {
      kind: 'header',
      format: SCHEDULE_FILE_FORMAT,
      version: SCHEDULE_FILE_VERSION,
      seed: result.seed,
      ...(result.path ? { path: result.path } : {}),
      title: result.name,
      failure: message.split('\n')[0]!,
      ...(execution.sameSecond?.includes(true) ? { sameSecond: execution.sameSecond } : {}),
    },
    // Every event of the run, used or not: the replay's setup returns the same list, indexes stay put.
    events: events.map((e) => ({ kind: 'event', index: e.index, id: e.id, type: e.type, created: e.created, raw: raw[e.index]! })),
    steps: steps.map((step, i) => ({
      kind: 'step',
      group: step.group,
      event: step.event,
      signature: step.signature,
      cutOff: step.cutOff,
      ...(deliveries[i] ? { status: deliveries[i].status, error: deliveries[i].error } : {}),
    })),
  };
  return { error, message, rows, file, deliveries: steps.length, groups: plan.length, details: execution.details };
}
