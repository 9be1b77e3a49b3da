/** A card as a person types it into Checkout. */
export interface TestCard {
  name: string;
  number: string;
  /** MM / YY, always in the future. */
  expiry: string;
  cvc: string;
  /** What the card does, from Stripe's testing docs. */
  outcome: 'succeeds' | 'declined' | 'requires-authentication';
  /** The message Checkout shows when it is declined. */
  declineMessage?: RegExp;
}

const expiry = (() => {
  const year = (new Date().getUTCFullYear() + 5) % 100;
  return `12 / ${String(year).padStart(2, '0')}`;
})();

const card = (name: string, number: string, outcome: TestCard['outcome'], declineMessage?: RegExp): TestCard =>
  Object.freeze({ name, number, expiry, cvc: name === 'amex' ? '1234' : '123', outcome, declineMessage });

/** Stripe's documented test cards by name (https://docs.stripe.com/testing). */
export const cards = Object.freeze({
  visa: card('visa', '4242 4242 4242 4242', 'succeeds'),
  mastercard: card('mastercard', '5555 5555 5555 4444', 'succeeds'),
  declined: card('declined', '4000 0000 0000 0002', 'declined', /card (was|has been) declined/i),
  insufficientFunds: card('insufficientFunds', '4000 0000 0000 9995', 'declined', /insufficient funds/i),
  expired: card('expired', '4000 0000 0000 0069', 'declined', /card (has )?expired/i),
  incorrectCvc: card('incorrectCvc', '4000 0000 0000 0127', 'declined', /security code is incorrect/i),
  threeDSecure: card('threeDSecure', '4000 0025 0000 3155', 'requires-authentication'),
});

export type Cards = typeof cards;
