import type { Emulator } from '../context.js';
import type { EventRequest, StripeObject } from '../types.js';

/**
 * Applies an update as Stripe does: the fields change, and if anything really changed an
 * `<resource>.updated` event carries the old values in `previous_attributes`.
 */
export function applyUpdate(emu: Emulator, object: StripeObject, changes: Record<string, unknown>, eventType: string, request?: EventRequest): void {
  const previous: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (JSON.stringify(object[key]) !== JSON.stringify(value)) previous[key] = structuredClone(object[key]);
    object[key] = value;
  }
  if (Object.keys(previous).length > 0) {
    emu.events.emit(eventType, object, { ...(request ? { request } : {}), previousAttributes: previous });
  }
}
