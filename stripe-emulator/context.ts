import type { Clock } from './clock.js';
import type { EventBus } from './events.js';
import type { Store } from './store.js';

export interface EmulatorConfig {
  /** Base URL of hosted pages (`<publicUrl>/c/pay/<session id>`). */
  publicUrl: string;
  /** Shown on the hosted checkout page, as Stripe shows the account's business name. */
  businessName: string;
}

/** What every resource module works with. */
export interface Emulator {
  store: Store;
  clock: Clock;
  events: EventBus;
  config: EmulatorConfig;
}
