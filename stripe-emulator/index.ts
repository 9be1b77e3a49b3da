// The Stripe emulator: an in-memory subset of Stripe's API, hosted Checkout and signed webhooks.
export { API_VERSION } from './events.js';
export { DEFAULT_RETRY_SCHEDULE } from './webhooks.js';
export type { DeliveryAttempt } from './webhooks.js';
export { startStripeEmulator, type RunningStripeEmulator, type StripeEmulatorOptions } from './server.js';
export { emulatorStripeConfig } from './client-config.js';
