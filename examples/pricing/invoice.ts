/**
 * The kind of pricing code a SaaS ships and gets wrong at the edges: an invoice total. Amounts
 * are whole numbers of the smallest currency unit (cents), as Stripe counts them; the tax rate
 * is in basis points (1% = 100), applied to the subtotal and rounded half up, once per invoice.
 *
 * test/pricing.spec.ts states its properties with fast-check: the total never drops when a
 * quantity grows, a line of quantity zero adds nothing, and a negative tax rate is refused with
 * a typed error. That is the pattern: name what must hold for every input, not three examples.
 */
export interface InvoiceLine {
  /** Price of one unit, in cents (0 or more). */
  unitAmount: number;
  /** Units (0 or more). */
  quantity: number;
}

export interface InvoiceTotal {
  subtotal: number;
  tax: number;
  total: number;
}

/** A tax rate below zero: a credit disguised as tax, refused rather than computed. */
export class NegativeTaxRateError extends RangeError {
  override name = 'NegativeTaxRateError';
  constructor(readonly taxRateBps: number) {
    super(`the tax rate must be 0 or more basis points; got ${taxRateBps}.`);
  }
}

/** A line or rate that is not a whole, non-negative number of cents, units or basis points. */
export class InvalidInvoiceError extends TypeError {
  override name = 'InvalidInvoiceError';
}

export function invoiceTotal(lines: readonly InvoiceLine[], taxRateBps = 0): InvoiceTotal {
  if (!Number.isSafeInteger(taxRateBps)) throw new InvalidInvoiceError(`the tax rate must be a whole number of basis points; got ${taxRateBps}.`);
  if (taxRateBps < 0) throw new NegativeTaxRateError(taxRateBps);
  // BigInt: a large invoice times a rate in basis points outgrows a double's exact integers.
  let subtotal = 0n;
  for (const [i, line] of lines.entries()) {
    for (const field of ['unitAmount', 'quantity'] as const) {
      const value = line[field];
      if (!Number.isSafeInteger(value) || value < 0) throw new InvalidInvoiceError(`line ${i + 1}: ${field} must be a whole number, 0 or more; got ${value}.`);
    }
    subtotal += BigInt(line.unitAmount) * BigInt(line.quantity);
  }
  const tax = (subtotal * BigInt(taxRateBps) + 5_000n) / 10_000n;
  const total = subtotal + tax;
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidInvoiceError('the invoice total is beyond what can be charged.');
  return { subtotal: Number(subtotal), tax: Number(tax), total: Number(total) };
}
