import type { Emulator } from './context.js';

/** The test clock a customer was created on (`customers.create({ test_clock })`), or null. */
export function testClockOf(emu: Emulator, customerId: string | null | undefined): string | null {
  const clock = customerId ? emu.store.collections.customers.get(customerId)?.test_clock : null;
  return typeof clock === 'string' ? clock : null;
}

/**
 * Now, for the objects of this customer: its test clock's frozen time, or the emulator's clock.
 * Everything a customer on a test clock owns lives at that clock's time, as at Stripe.
 */
export function nowFor(emu: Emulator, customerId: string | null | undefined): number {
  return nowOn(emu, testClockOf(emu, customerId));
}

/** Now on a test clock (its frozen time), or on the emulator's clock without one. */
export function nowOn(emu: Emulator, clockId: string | null | undefined): number {
  const clock = clockId ? emu.store.collections.testClocks.get(clockId) : undefined;
  return clock ? Number(clock.frozen_time) : emu.clock.now();
}
