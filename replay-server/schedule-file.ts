import { readFile } from 'node:fs/promises';
import { isRecord } from '../core/index.js';
import { CUT_OFF_ERROR } from './deliver.js';
import type { Schedule, ScheduledDelivery } from './schedule.js';
import { isSignatureMode, SIGNATURE_MODES, type SignatureMode } from './types.js';

/**
 * A delivery schedule as NDJSON, one object per line, each with a `kind`:
 * - `header` (first line): where it came from: the fuzzer's `seed` and `path`, the test, what failed;
 * - `event`: an event the steps refer to by `index`, with its id and, when known, its exact bytes
 *   (`raw`), so the file replays on a replay server that never stored it;
 * - `step`: one delivery: its `group` (steps of one group start together, groups run in order),
 *   the `event` index, the signature mode and whether it is cut off; `status`/`error` record what
 *   the app answered when the schedule was written (informational).
 */
export const SCHEDULE_FILE_FORMAT = 'vibes-schedule';
export const SCHEDULE_FILE_VERSION = 1;

export interface ScheduleFileHeader {
  kind: 'header';
  format: typeof SCHEDULE_FILE_FORMAT;
  version: typeof SCHEDULE_FILE_VERSION;
  /** fast-check's seed and path of the counterexample. */
  seed?: number;
  path?: string;
  /** The property or test that produced it. */
  title?: string;
  /** What the invariant said, for a reader of the file. */
  failure?: string;
  /**
   * The fuzzer's same-second ties, in the order setup built its events: `sameSecond[i]`, the
   * event built after the i-th shared its `created`. A fresh subject's setup rebuilds them.
   */
  sameSecond?: boolean[];
}

export interface ScheduleFileEvent {
  kind: 'event';
  index: number;
  id: string;
  type?: string;
  created?: number;
  /** The exact bytes of the event, as UTF-8. */
  raw?: string;
}

export interface ScheduleFileStep {
  kind: 'step';
  group: number;
  /** The `index` of an event line. */
  event: number;
  signature: SignatureMode;
  cutOff: boolean;
  status?: number | null;
  error?: string | null;
}

export interface ScheduleFile {
  header: ScheduleFileHeader;
  events: ScheduleFileEvent[];
  steps: ScheduleFileStep[];
}

export class ScheduleFileError extends Error {
  override name = 'ScheduleFileError';
}

export function formatScheduleFile(file: ScheduleFile): string {
  const lines = [file.header, ...file.events, ...file.steps].map((line) => JSON.stringify(line));
  return `${lines.join('\n')}\n`;
}

/**
 * Reads and parses the schedule file at `file`. Every problem, an unreadable file included, is a
 * ScheduleFileError whose message names the file: each caller only picks its own error type.
 */
export async function readScheduleFile(file: string): Promise<ScheduleFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ScheduleFileError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return parseScheduleFile(text);
  } catch (error) {
    if (error instanceof ScheduleFileError) throw new ScheduleFileError(`${file} is not a schedule file: ${error.message}`);
    throw error;
  }
}

/** Reads and checks a schedule file; a problem is named with its line number. */
export function parseScheduleFile(text: string): ScheduleFile {
  let header: ScheduleFileHeader | undefined;
  const events: ScheduleFileEvent[] = [];
  const steps: ScheduleFileStep[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const fail = (message: string) => new ScheduleFileError(`line ${i + 1}: ${message}`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw fail('not valid JSON; a schedule file has one JSON object per line.');
    }
    if (!isRecord(value)) throw fail('expected a JSON object with a "kind" (header, event or step).');
    if (header === undefined) {
      if (value.kind !== 'header' || value.format !== SCHEDULE_FILE_FORMAT) throw fail(`the first line must be the header {"kind": "header", "format": "${SCHEDULE_FILE_FORMAT}", "version": 1, …}.`);
      if (value.version !== SCHEDULE_FILE_VERSION) throw fail(`version ${JSON.stringify(value.version)} is not supported; this vibes reads version ${SCHEDULE_FILE_VERSION}.`);
      header = parseHeader(value, fail);
    } else if (value.kind === 'event') {
      events.push(parseEvent(value, fail));
    } else if (value.kind === 'step') {
      steps.push(parseStep(value, fail));
    } else {
      throw fail(`unknown kind ${JSON.stringify(value.kind)}; lines after the header are "event" or "step".`);
    }
  }
  if (!header) throw new ScheduleFileError('the file is empty; expected a header line, event lines and step lines.');
  checkReferences(events, steps);
  return { header, events, steps };
}

function parseHeader(value: Record<string, unknown>, fail: (message: string) => Error): ScheduleFileHeader {
  const { seed, path, title, failure, sameSecond } = value;
  if (seed !== undefined && !Number.isInteger(seed)) throw fail('seed must be a whole number.');
  if (sameSecond !== undefined && !(Array.isArray(sameSecond) && sameSecond.every((tie) => typeof tie === 'boolean'))) {
    throw fail('sameSecond must be an array of true and false, one for each event after the first.');
  }
  for (const [name, field] of Object.entries({ path, title, failure })) {
    if (field !== undefined && typeof field !== 'string') throw fail(`${name} must be a string.`);
  }
  return {
    kind: 'header',
    format: SCHEDULE_FILE_FORMAT,
    version: SCHEDULE_FILE_VERSION,
    ...(seed !== undefined ? { seed: seed as number } : {}),
    ...(path !== undefined ? { path: path as string } : {}),
    ...(title !== undefined ? { title: title as string } : {}),
    ...(failure !== undefined ? { failure: failure as string } : {}),
    ...(sameSecond !== undefined ? { sameSecond: sameSecond as boolean[] } : {}),
  };
}

function parseEvent(value: Record<string, unknown>, fail: (message: string) => Error): ScheduleFileEvent {
  const { index, id, type, created, raw } = value;
  if (!isIndex(index)) throw fail('an event line needs "index", a whole number from 0.');
  if (typeof id !== 'string' || !/^evt_\w+$/.test(id)) throw fail('an event line needs "id", the event id ("evt_…").');
  if (type !== undefined && typeof type !== 'string') throw fail('"type" must be a string.');
  if (created !== undefined && !Number.isInteger(created)) throw fail('"created" must be unix seconds.');
  if (raw !== undefined) {
    if (typeof raw !== 'string') throw fail('"raw" must be the event\'s JSON text.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw fail('"raw" is not valid JSON.');
    }
    if (!isRecord(parsed) || parsed.id !== id) throw fail(`"raw" must be the event ${id} itself (its "id" differs).`);
  }
  return {
    kind: 'event',
    index,
    id,
    ...(type !== undefined ? { type: type as string } : {}),
    ...(created !== undefined ? { created: created as number } : {}),
    ...(raw !== undefined ? { raw: raw as string } : {}),
  };
}

function parseStep(value: Record<string, unknown>, fail: (message: string) => Error): ScheduleFileStep {
  const { group, event, signature = 'fresh', cutOff = false, status, error } = value;
  if (!isIndex(group)) throw fail('a step needs "group", a whole number from 0 (steps of one group start together).');
  if (!isIndex(event)) throw fail('a step needs "event", the index of an event line.');
  if (!isSignatureMode(signature)) {
    throw fail(`"signature" must be one of ${SIGNATURE_MODES.join(', ')}.`);
  }
  if (typeof cutOff !== 'boolean') throw fail('"cutOff" must be true or false.');
  return {
    kind: 'step',
    group,
    event,
    signature: signature as SignatureMode,
    cutOff,
    ...(status !== undefined ? { status: Number.isInteger(status) ? (status as number) : null } : {}),
    ...(error !== undefined ? { error: typeof error === 'string' ? error : null } : {}),
  };
}

function checkReferences(events: ScheduleFileEvent[], steps: ScheduleFileStep[]): void {
  const indexes = new Set<number>();
  for (const event of events) {
    if (indexes.has(event.index)) throw new ScheduleFileError(`event index ${event.index} appears twice.`);
    indexes.add(event.index);
  }
  if (steps.length === 0) throw new ScheduleFileError('the file has no step lines: nothing to deliver.');
  let group = 0;
  for (const step of steps) {
    if (step.group !== group && step.group !== group + 1) {
      throw new ScheduleFileError(`steps must come in group order 0, 1, 2, … without gaps; found group ${step.group} after group ${group}.`);
    }
    group = step.group;
    if (events.length > 0 && !indexes.has(step.event)) throw new ScheduleFileError(`a step in group ${step.group} refers to event ${step.event}, which has no event line.`);
  }
  if (steps[0]!.group !== 0) throw new ScheduleFileError('the first step must be in group 0.');
}

function isIndex(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

/** The steps as groups of event indexes, in order. */
export function groupSteps(steps: readonly ScheduleFileStep[]): ScheduleFileStep[][] {
  const groups: ScheduleFileStep[][] = [];
  for (const step of steps) (groups[step.group] ??= []).push(step);
  return groups;
}

/** The schedule to POST, with each event index turned into an event id by `idOf`. */
export function scheduleFromFile(file: Pick<ScheduleFile, 'steps'>, idOf: (index: number) => string, target?: string): Schedule {
  const groups = groupSteps(file.steps).map((group) => group.map((step) => ({ event: idOf(step.event), signature: step.signature, cutOff: step.cutOff })));
  return { groups, ...(target ? { target } : {}) };
}

export interface ScheduleTableRow {
  group: number;
  /** The event's index in the schedule, its type and id. */
  index: number;
  type: string | undefined;
  id: string;
  signature: SignatureMode;
  cutOff: boolean;
  /** What happened, if the schedule ran. */
  delivery?: Pick<ScheduledDelivery, 'status' | 'error' | 'latency_ms'>;
}

/** A schedule as a text table: one line per delivery, groups numbered from 1. */
export function formatScheduleTable(rows: readonly ScheduleTableRow[], { indent = '  ' }: { indent?: string } = {}): string {
  const cells = rows.map((row) => [
    String(row.group + 1),
    `#${row.index} ${row.type ?? '(type unknown)'}`,
    row.signature,
    row.cutOff ? 'cut off' : '',
    row.delivery ? describeOutcome(row.delivery) : '',
  ]);
  const head = ['group', 'event', 'signature', 'cut off', 'the app answered'];
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c]!.length)));
  const line = (r: string[]) => `${indent}${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`.trimEnd();
  const ids = [...new Map(rows.map((row) => [row.index, row])).values()].sort((a, b) => a.index - b.index);
  return [line(head), ...cells.map(line), `${indent}events: ${ids.map((row) => `#${row.index} ${row.id}`).join(', ')}`].join('\n');
}

function describeOutcome({ status, error, latency_ms }: Pick<ScheduledDelivery, 'status' | 'error' | 'latency_ms'>): string {
  if (status === null) return error === CUT_OFF_ERROR ? '(not read: cut off)' : `nothing: ${error ?? 'no answer'}`;
  return latency_ms === null ? String(status) : `${status} in ${Math.round(latency_ms)} ms`;
}
