/** What a card does when charged, per Stripe's documented test cards. */
export type CardBehaviour =
  | { kind: 'succeeds' }
  /** `attaches`: the card saves without a charge (a trial's set-up), and only its charges decline. */
  | { kind: 'declines'; decline: Decline; attaches?: true }
  /** Asks for 3-D Secure first; after a completed challenge it then does `after`. */
  | { kind: 'requires_authentication'; after: { kind: 'succeeds' } | { kind: 'declines'; decline: Decline } };

export interface Decline {
  code: string;
  decline_code?: string;
  /** The sentence Stripe shows the customer (Checkout) and puts in `last_payment_error.message`. */
  message: string;
  /** Charge `outcome` fields. */
  outcomeType: 'issuer_declined' | 'blocked' | 'invalid';
  sellerMessage: string;
  networkStatus: 'declined_by_network' | 'not_sent_to_network';
}

const declined = (decline_code: string, message = 'Your card has been declined.'): Decline => ({
  code: 'card_declined',
  decline_code,
  message,
  outcomeType: 'issuer_declined',
  sellerMessage: 'The bank did not return any further details with this decline.',
  networkStatus: 'declined_by_network',
});

export const DECLINES = {
  generic: declined('generic_decline'),
  insufficientFunds: { ...declined('insufficient_funds', 'Your card has insufficient funds.'), sellerMessage: 'The bank returned the decline code `insufficient_funds`.' },
  lostCard: declined('lost_card'),
  stolenCard: declined('stolen_card'),
  expiredCard: {
    code: 'expired_card',
    decline_code: 'expired_card',
    message: 'Your card has expired.',
    outcomeType: 'issuer_declined',
    sellerMessage: 'The bank returned the decline code `expired_card`.',
    networkStatus: 'declined_by_network',
  },
  incorrectCvc: {
    code: 'incorrect_cvc',
    decline_code: 'incorrect_cvc',
    message: "Your card's security code is incorrect.",
    outcomeType: 'issuer_declined',
    sellerMessage: 'The bank returned the decline code `incorrect_cvc`.',
    networkStatus: 'declined_by_network',
  },
  processingError: {
    code: 'processing_error',
    decline_code: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a little bit.',
    outcomeType: 'issuer_declined',
    sellerMessage: 'The bank returned the decline code `processing_error`.',
    networkStatus: 'declined_by_network',
  },
  liveCardInTestMode: {
    ...declined('test_mode_live_card', 'Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.'),
    outcomeType: 'invalid',
    networkStatus: 'not_sent_to_network',
  },
  authenticationFailed: {
    code: 'payment_intent_authentication_failure',
    message: 'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
    outcomeType: 'blocked',
    sellerMessage: 'The customer failed 3D Secure authentication.',
    networkStatus: 'not_sent_to_network',
  },
} satisfies Record<string, Decline>;

export interface TestCard {
  brand: 'visa' | 'mastercard' | 'amex' | 'discover';
  funding: 'credit' | 'debit';
  behaviour: CardBehaviour;
}

const ok: CardBehaviour = { kind: 'succeeds' };
const decline = (d: Decline): CardBehaviour => ({ kind: 'declines', decline: d });

/** Stripe's documented test card numbers (https://docs.stripe.com/testing). */
export const TEST_CARDS: Record<string, TestCard> = {
  '4242424242424242': { brand: 'visa', funding: 'credit', behaviour: ok },
  '4000056655665556': { brand: 'visa', funding: 'debit', behaviour: ok },
  '5555555555554444': { brand: 'mastercard', funding: 'credit', behaviour: ok },
  '2223003122003222': { brand: 'mastercard', funding: 'credit', behaviour: ok },
  '5200828282828210': { brand: 'mastercard', funding: 'debit', behaviour: ok },
  '378282246310005': { brand: 'amex', funding: 'credit', behaviour: ok },
  '371449635398431': { brand: 'amex', funding: 'credit', behaviour: ok },
  '6011111111111117': { brand: 'discover', funding: 'credit', behaviour: ok },
  '4000000000000002': { brand: 'visa', funding: 'credit', behaviour: decline(DECLINES.generic) },
  '4000000000009995': { brand: 'visa', funding: 'credit', behaviour: decline(DECLINES.insufficientFunds) },
  '4000000000009987': { brand: 'visa', funding: 'credit', behaviour: decline(DECLINES.lostCard) },
  '4000000000009979': { brand: 'visa', funding: 'credit', behaviour: decline(DECLINES.stolenCard) },
  '4000000000000069': { brand: 'visa', funding: 'credit', behaviour: decline(DECLINES.expiredCard) },
  '4000000000000127': { brand: 'visa', funding: 'credit', behaviour: decline(DECLINES.incorrectCvc) },
  '4000000000000119': { brand: 'visa', funding: 'credit', behaviour: decline(DECLINES.processingError) },
  // Attaching succeeds, charging fails: a decline on Checkout's first payment, but a trial's
  // Checkout saves it, and the invoice at the trial's end is declined.
  '4000000000000341': { brand: 'visa', funding: 'credit', behaviour: { kind: 'declines', decline: DECLINES.generic, attaches: true } },
  '4000002500003155': { brand: 'visa', funding: 'credit', behaviour: { kind: 'requires_authentication', after: ok } },
  '4000002760003184': { brand: 'visa', funding: 'credit', behaviour: { kind: 'requires_authentication', after: ok } },
  '4000003800000446': { brand: 'visa', funding: 'credit', behaviour: { kind: 'requires_authentication', after: ok } },
  '4000008260003178': { brand: 'visa', funding: 'credit', behaviour: { kind: 'requires_authentication', after: { kind: 'declines', decline: DECLINES.insufficientFunds } } },
};

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function brandOf(digits: string): TestCard['brand'] {
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^(5[1-5]|2[2-7])/.test(digits)) return 'mastercard';
  if (/^6(011|5)/.test(digits)) return 'discover';
  return 'visa';
}

/** A card number a real test-mode account accepts for validation but not as a test card. */
export function cardFor(digits: string): TestCard {
  return TEST_CARDS[digits] ?? { brand: brandOf(digits), funding: 'credit', behaviour: decline(DECLINES.liveCardInTestMode) };
}
