import { plural, randomEventId } from '../../core/index.js';
import {
  ReplayClient,
  ReplayServerError,
  ScheduleFileError,
  formatScheduleTable,
  readScheduleFile,
  scheduleFromFile,
  signingProblem,
  type ScheduleFile,
  type ScheduleFileEvent,
} from '../../replay-server/index.js';
import { UsageError } from '../usage-error.js';

export interface ReplayScheduleFlags {
  url: string;
  token?: string;
  target?: string;
  freshIds?: boolean;
}

/**
 * `vibes replay-server replay-schedule <file>`: runs a schedule file (a fuzzer's counterexample)
 * on a running replay server, exactly: the same events, signatures, cut-offs and grouping. The
 * events the file carries are stored first (as not yet delivered), unless already stored.
 */
export async function replaySchedule(file: string, flags: ReplayScheduleFlags): Promise<void> {
  const schedule = await scheduleFile(file);
  const client = new ReplayClient(flags.url, { token: flags.token });
  await checkServerCanRun(client, schedule, flags);
  const ids = new Map<number, string>();
  for (const event of schedule.events) ids.set(event.index, await storeEvent(client, event, flags.freshIds ?? false));

  const { header } = schedule;
  if (header.title) console.log(`schedule of: ${header.title}`);
  if (header.seed !== undefined) console.log(`seed ${header.seed}${header.path ? `, path ${header.path}` : ''}`);
  if (flags.freshIds) console.log(`stored under fresh ids: ${[...ids].map(([i, id]) => `#${i} ${id}`).join(', ')}`);

  const result = await client.runSchedule(scheduleFromFile(schedule, (index) => ids.get(index)!, flags.target));
  const types = new Map(schedule.events.map((event) => [event.index, event.type]));
  const rows = schedule.steps.map((step, i) => ({
    group: step.group,
    index: step.event,
    type: types.get(step.event),
    id: ids.get(step.event)!,
    signature: step.signature,
    cutOff: step.cutOff,
    delivery: result.deliveries[i],
  }));
  console.log(formatScheduleTable(rows));
  console.log(`${plural(result.deliveries.length, 'delivery', 'deliveries')} in ${plural(schedule.steps.at(-1)!.group + 1, 'group')} (batch ${result.batch}); see them with GET /api/events/<id>.`);
  if (result.stopped) throw new Error(`the replay server stopped the schedule: ${result.stopped.reason}; ${result.stopped.not_sent} steps were not sent.`);
}

/**
 * What the server would refuse the schedule for (no target, no secret for its signatures), asked
 * before the file's events are stored: a refused schedule leaves nothing behind.
 */
async function checkServerCanRun(client: ReplayClient, schedule: ScheduleFile, flags: ReplayScheduleFlags): Promise<void> {
  const health = await client.health();
  if (!flags.target && !health.forward_to) {
    throw new UsageError(`the replay server at ${flags.url} forwards nowhere (no --forward-to): pass --target <url>, the endpoint to deliver to.`);
  }
  if (health.signing) return;
  for (const mode of new Set(schedule.steps.map((step) => step.signature))) {
    const problem = signingProblem(mode, undefined);
    if (problem) throw new UsageError(`the replay server at ${flags.url} cannot run this schedule: ${problem}`);
  }
}

async function scheduleFile(file: string): Promise<ScheduleFile> {
  try {
    const schedule = await readScheduleFile(file);
    if (schedule.events.length === 0) throw new ScheduleFileError(`${file} has no event lines: name each event with {"kind": "event", "index": 0, "id": "evt_…"}.`);
    return schedule;
  } catch (error) {
    throw error instanceof ScheduleFileError ? new UsageError(error.message) : error;
  }
}

/** The id to deliver the event under: stored from the file's bytes when the server lacks it. */
async function storeEvent(client: ReplayClient, event: ScheduleFileEvent, freshIds: boolean): Promise<string> {
  if (event.raw === undefined) {
    if (freshIds) throw new UsageError(`--fresh-ids needs the events' bytes, but event #${event.index} (${event.id}) has no "raw" in the file.`);
    await client.getEvent(event.id);
    return event.id;
  }
  if (freshIds) {
    const id = randomEventId();
    await client.inject(JSON.stringify({ ...JSON.parse(event.raw), id }, null, 2), { deliver: false });
    return id;
  }
  try {
    await client.inject(event.raw, { deliver: false });
  } catch (error) {
    if (!(error instanceof ReplayServerError && error.code === 'event_exists')) throw error;
    const stored = await client.getEvent(event.id);
    if (stored.raw !== event.raw) {
      throw new UsageError(`the replay server already stores another event with the id ${event.id}; replay under new ids with --fresh-ids.`);
    }
    if (stored.delivery_count > 0) {
      console.log(`note: ${event.id} was delivered before, so the app may take these deliveries for retries; --fresh-ids makes them first deliveries.`);
    }
  }
  return event.id;
}
