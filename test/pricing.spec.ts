import fc from 'fast-check';
import { test, expect } from '@playwright/test';
import { InvalidInvoiceError, NegativeTaxRateError, invoiceTotal, type InvoiceLine, type InvoiceTotal } from '../examples/pricing/invoice.js';

// Property tests pin their seed (VIBES_SEED picks another); fast-check prints it, with the path
// and the shrunk counterexample, when a property fails.
const SEED = Number(process.env.VIBES_SEED ?? 20_251_122);
const RUNS = 500;

// Pricing breaks at small numbers (a tier at 10 units, one more seat): half the draws stay there.
const small = (max: number, min = 0) => fc.oneof(fc.integer({ min, max: min + 20 }), fc.integer({ min, max }));
const line: fc.Arbitrary<InvoiceLine> = fc.record({ unitAmount: small(1_000_000), quantity: small(10_000) });
const lines = fc.array(line, { maxLength: 20 });
const taxRate = fc.integer({ min: 0, max: 5_000 }); // up to 50%

type Total = (lines: readonly InvoiceLine[], taxRateBps?: number) => InvoiceTotal;

/** The properties, for any implementation: the example's, and a broken one they must catch. */
const properties = (total: Total) => ({
  monotonicInQuantity: fc.property(lines, fc.nat(), small(1_000, 1), taxRate, (ls, at, more, rate) => {
    fc.pre(ls.length > 0);
    const i = at % ls.length;
    const bigger = ls.map((l, j) => (j === i ? { ...l, quantity: l.quantity + more } : l));
    expect(total(bigger, rate).total).toBeGreaterThanOrEqual(total(ls, rate).total);
  }),
  zeroQuantityAddsNothing: fc.property(lines, fc.nat(), fc.integer({ min: 0, max: 1_000_000 }), taxRate, (ls, at, unitAmount, rate) => {
    const i = at % (ls.length + 1);
    const withZero = [...ls.slice(0, i), { unitAmount, quantity: 0 }, ...ls.slice(i)];
    expect(total(withZero, rate)).toEqual(total(ls, rate));
  }),
});

test.describe('pricing: properties of an invoice total (the pattern, on examples/pricing/invoice.ts)', () => {
  test('the total never drops when a quantity grows', () => {
    fc.assert(properties(invoiceTotal).monotonicInQuantity, { seed: SEED, numRuns: RUNS });
  });

  test('a line of quantity zero adds nothing, wherever it is', () => {
    fc.assert(properties(invoiceTotal).zeroQuantityAddsNothing, { seed: SEED, numRuns: RUNS });
  });

  test('a negative tax rate is refused with NegativeTaxRateError, for any invoice', () => {
    fc.assert(
      fc.property(lines, fc.integer({ max: -1 }), (ls, rate) => {
        const error = catchError(() => invoiceTotal(ls, rate));
        expect(error).toBeInstanceOf(NegativeTaxRateError);
        expect(error).toMatchObject({ name: 'NegativeTaxRateError', taxRateBps: rate });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test('the total is the subtotal plus its tax, rounded half up, and bad lines are refused', () => {
    fc.assert(
      fc.property(lines, taxRate, (ls, rate) => {
        const { subtotal, tax, total } = invoiceTotal(ls, rate);
        expect(subtotal).toBe(ls.reduce((sum, l) => sum + l.unitAmount * l.quantity, 0));
        expect(total).toBe(subtotal + tax);
        expect(Math.abs(tax * 10_000 - subtotal * rate)).toBeLessThanOrEqual(5_000);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(invoiceTotal([{ unitAmount: 999, quantity: 3 }], 825)).toEqual({ subtotal: 2997, tax: 247, total: 3244 });
    expect(() => invoiceTotal([{ unitAmount: 10, quantity: -1 }])).toThrow(new InvalidInvoiceError('line 1: quantity must be a whole number, 0 or more; got -1.'));
    expect(() => invoiceTotal([{ unitAmount: 1.5, quantity: 1 }])).toThrow(InvalidInvoiceError);
    expect(() => invoiceTotal([], 2.5)).toThrow(InvalidInvoiceError);
  });

  test('the properties catch a volume discount that makes the total drop at its threshold', () => {
    // 15% off a line from 10 units: 9 units cost more than 10. A classic pricing bug.
    const discounted: Total = (ls, rate = 0) =>
      invoiceTotal(ls.map((l) => (l.quantity >= 10 ? { ...l, unitAmount: Math.floor((l.unitAmount * 85) / 100) } : l)), rate);
    const result = fc.check(properties(discounted).monotonicInQuantity, { seed: SEED, numRuns: RUNS });
    expect(result.failed).toBe(true);
    const [ls, at, more] = result.counterexample!;
    const grown = ls[at % ls.length]!;
    // Shrunk to the threshold: a line just under 10 units that grows past it.
    expect(grown.quantity).toBeLessThan(10);
    expect(grown.quantity + more).toBeGreaterThanOrEqual(10);
    expect(fc.defaultReportMessage(result)).toMatch(new RegExp(`seed: ${SEED}, path: "[\\d:]+"`));
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
