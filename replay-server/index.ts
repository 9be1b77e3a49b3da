export {
  startReplayServer,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_FORWARD_TIMEOUT_MS,
  type ReplayServer,
  type ReplayServerOptions,
} from './server.js';
export { ReplayClient, ReplayServerError } from './client.js';
export { exportEvents, importEvents, type ExportedEvent } from './ndjson.js';
export { migrateReplaySchema } from './schema.js';
export { STRIPE_TOLERANCE_SECONDS } from './signing.js';
export type { Injection } from './inject.js';
export {
  SIGNATURE_MODES,
  type Delivery,
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
