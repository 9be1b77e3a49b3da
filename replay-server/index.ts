export {
  startReplayServer,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_REPLAY_URL,
  DEFAULT_FORWARD_TIMEOUT_MS,
  type ReplayServer,
  type ReplayServerOptions,
} from './server.js';
export { ReplayClient, ReplayServerError } from './client.js';
export { exportEvents, exportFiltersProblem, importEvents, type ExportedEvent } from './ndjson.js';
export { signingProblem } from './signing.js';
export { tokenProblem } from './auth.js';
export type { Injection } from './inject.js';
export { CUT_OFF_ERROR } from './deliver.js';
export { DEFAULT_RUN_LIMIT_MS, type StopCause, type Stopped } from './run-limit.js';
export { MAX_GROUP_SIZE, type Schedule, type ScheduleStep, type ScheduleResult, type ScheduledDelivery } from './schedule.js';
export {
  SCHEDULE_FILE_FORMAT,
  SCHEDULE_FILE_VERSION,
  ScheduleFileError,
  formatScheduleFile,
  formatScheduleTable,
  groupSteps,
  parseScheduleFile,
  readScheduleFile,
  scheduleFromFile,
  type ScheduleFile,
  type ScheduleFileEvent,
  type ScheduleFileHeader,
  type ScheduleFileStep,
  type ScheduleTableRow,
} from './schedule-file.js';
export type { StreamMessage } from './events-stream.js';
export {
  type Delivery,
  type DeliveryOutcomeFilter,
  type DeliveryKind,
  type ErrorBody,
  type EventDetail,
  type EventFilters,
  type EventList,
  type EventSource,
  type EventSummary,
  type Health,
  type ImportResult,
  type ReplayOptions,
  type ReplayResult,
  type SignatureMode,
  type SignatureVerdict,
} from './types.js';
