import { cardFor, luhnValid } from '../cards.js';
import type { CardDetails } from '../resources/payment-methods.js';
import { POSTAL_CODE_COUNTRIES } from './page.js';

export const FORM_FIELDS = ['email', 'cardNumber', 'cardExpiry', 'cardCvc', 'billingName', 'billingCountry', 'billingPostalCode'] as const;

export type FormValues = Record<string, string>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The submitted fields as text, whatever the body held. */
export function formValues(body: unknown, lockedEmail: string | null): FormValues {
  const source = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const values: FormValues = {};
  for (const name of FORM_FIELDS) {
    const value = source[name];
    values[name] = typeof value === 'string' ? value.trim() : '';
  }
  if (lockedEmail !== null) values.email = lockedEmail;
  return values;
}

/**
 * Checks the form the way Checkout's own fields do before anything is charged, with the messages
 * Checkout shows; an empty result means `details` is ready to charge.
 */
export function validateForm(values: FormValues, now = new Date()): { fieldErrors: Record<string, string>; details?: CardDetails } {
  const errors: Record<string, string> = {};
  const email = values.email ?? '';
  if (email === '') errors.email = 'Your email is incomplete.';
  else if (!EMAIL.test(email)) errors.email = 'Your email address is invalid.';

  const number = (values.cardNumber ?? '').replace(/[\s-]/g, '');
  const card = cardFor(number);
  const expectedLength = card.brand === 'amex' ? 15 : 16;
  if (!/^\d*$/.test(number)) errors.cardNumber = 'Your card number is invalid.';
  else if (number.length < expectedLength) errors.cardNumber = 'Your card number is incomplete.';
  else if (number.length > 19 || !luhnValid(number)) errors.cardNumber = 'Your card number is invalid.';

  const expiryDigits = (values.cardExpiry ?? '').replace(/\D/g, '');
  const month = Number(expiryDigits.slice(0, 2));
  const yearDigits = expiryDigits.slice(2);
  const year = yearDigits.length === 2 ? 2000 + Number(yearDigits) : Number(yearDigits);
  const thisYear = now.getUTCFullYear();
  const thisMonth = now.getUTCMonth() + 1;
  if (expiryDigits.length < 4 || (yearDigits.length !== 2 && yearDigits.length !== 4)) errors.cardExpiry = "Your card's expiration date is incomplete.";
  else if (month < 1 || month > 12) errors.cardExpiry = "Your card's expiration date is invalid.";
  else if (year < thisYear) errors.cardExpiry = "Your card's expiration year is in the past.";
  else if (year === thisYear && month < thisMonth) errors.cardExpiry = "Your card's expiration date is in the past.";
  else if (year > thisYear + 50) errors.cardExpiry = "Your card's expiration year is invalid.";

  const cvc = values.cardCvc ?? '';
  const cvcLength = card.brand === 'amex' ? 4 : 3;
  if (!/^\d+$/.test(cvc) || cvc.length < cvcLength) errors.cardCvc = "Your card's security code is incomplete.";
  else if (cvc.length > cvcLength) errors.cardCvc = "Your card's security code is invalid.";

  const name = values.billingName ?? '';
  if (name === '') errors.billingName = 'Your name is incomplete.';

  const country = values.billingCountry || 'US';
  const postal = values.billingPostalCode ?? '';
  if (POSTAL_CODE_COUNTRIES.has(country)) {
    if (postal === '') errors.billingPostalCode = 'Your ZIP is incomplete.';
    else if (country === 'US' && !/^\d{5}(-\d{4})?$/.test(postal)) errors.billingPostalCode = 'Your ZIP is invalid.';
  }

  if (Object.keys(errors).length > 0) return { fieldErrors: errors };
  return {
    fieldErrors: {},
    details: { number, expMonth: month, expYear: year, card, name, email, country, postalCode: postal || null },
  };
}
