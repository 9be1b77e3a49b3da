import { expect, type FrameLocator, type Locator, type Page } from '@playwright/test';
import type { TestCard } from './cards.js';
import type { TextMatch } from './flows-config.js';

// Stripe.js titles every Payment Element frame "Secure payment input frame" and the Card Element's
// "Secure card payment input frame", so the first selector matches both kinds.
const PAYMENT_INPUT_FRAME = 'iframe[title*="payment input frame" i]';
const CARD_ELEMENT_FRAME = 'iframe[title*="card payment input frame" i]';

export type PaymentSurface = 'checkout' | 'payment-element' | 'card-element';

export interface PayOptions {
  /**
   * The email hosted Checkout asks for when the session fixes none (no `customer_email`, no
   * `customer`); default: the user these flows signed up or logged in as.
   */
  email?: string;
  /** For 3-D Secure cards: pass or fail the authentication step (default: complete). */
  authentication?: 'complete' | 'fail';
  cardholderName?: string;
  postalCode?: string;
}

/** Hosted Checkout: Stripe's own, or the emulator's (its pages are /c/pay/cs_…). */
export function isCheckoutUrl(url: URL): boolean {
  return url.hostname === 'checkout.stripe.com' || /^\/c\/pay\/cs_/.test(url.pathname);
}

/** Which Stripe surface the page shows: hosted Checkout, or an Element on the app's page. */
export async function detectSurface(page: Page, timeoutMs: number): Promise<PaymentSurface> {
  if (isCheckoutUrl(new URL(page.url()))) return 'checkout';
  // Checkout may still be on its way (a redirect after the upgrade); Elements mount once Stripe.js has loaded.
  const found = await Promise.any([
    page.waitForURL((url) => isCheckoutUrl(url), { timeout: timeoutMs }).then(() => 'checkout' as const),
    elementFrames(page).first().waitFor({ timeout: timeoutMs }).then(() => 'element' as const),
  ]).catch(() => undefined);
  if (found === 'checkout') return 'checkout';
  if (found === undefined) {
    if (page.isClosed()) throw new Error('The page closed before it showed a Stripe payment form.');
    throw new Error(
      `No Stripe payment form on ${new URL(page.url()).pathname} within ${timeoutMs / 1000} s: the page is not Stripe Checkout, and shows no Payment Element ` +
        'or Card Element frame. Did Stripe.js load from js.stripe.com? The Stripe emulator serves hosted Checkout only: an app that mounts Elements needs ' +
        'Stripe test mode. Or does the app send the browser to Checkout some other way than the upgrade button (flows: { buttons: { upgrade } })?',
    );
  }
  return (await page.locator(`${CARD_ELEMENT_FRAME}:visible`).count()) > 0 ? 'card-element' : 'payment-element';
}

/** The visible frames of Stripe's Payment Element or Card Element (:visible, because Stripe.js also mounts hidden ones with these titles). */
export function elementFrames(page: Page): Locator {
  return page.locator(`${PAYMENT_INPUT_FRAME}:visible`).or(page.locator(`${CARD_ELEMENT_FRAME}:visible`));
}

/** Fills hosted Checkout and submits it; `knownEmail` is the user the flows signed up or logged in as. */
export async function fillCheckout(page: Page, card: TestCard, options: PayOptions, knownEmail: string | undefined): Promise<void> {
  // Newer Checkout pages fold the card form behind a "Card" accordion item.
  const cardAccordion = page.getByTestId('card-accordion-item-button');
  if (await cardAccordion.isVisible()) await cardAccordion.click();
  await field(page, '#cardNumber', 'Card number', '1234 1234 1234 1234').fill(card.number);
  await field(page, '#cardExpiry', 'Expiration', 'MM / YY').fill(card.expiry);
  await field(page, '#cardCvc', 'CVC', 'CVC').fill(card.cvc);
  await fillCheckoutEmail(page, options.email ?? knownEmail);
  const name = page.locator('#billingName');
  if (await name.isVisible()) await name.fill(options.cardholderName ?? 'Vibes Test');
  const postal = page.locator('#billingPostalCode');
  if (await postal.isVisible()) await postal.fill(options.postalCode ?? '10001');
  await page
    .getByTestId('hosted-payment-submit-button')
    .or(page.getByRole('button', { name: /^(pay|subscribe|start trial)/i }))
    .first()
    .click();
}

/** Checkout shows the email a session fixes read-only; one it leaves open must be filled. */
async function fillCheckoutEmail(page: Page, email: string | undefined): Promise<void> {
  const input = page.locator('#email');
  if (!(await input.isVisible()) || !(await input.isEditable()) || (await input.inputValue()) !== '') return;
  if (!email) {
    throw new Error(
      'Checkout asks for an email and flows.pay knows none: sign up or log in through flows first, pass flows.pay(card, { email }), ' +
        "or have the app create the Checkout Session with the user's customer_email.",
    );
  }
  await input.fill(email);
}

/** Fills the Payment Element or the Card Element, then clicks the app's own pay button. */
export async function fillElement(page: Page, surface: Exclude<PaymentSurface, 'checkout'>, card: TestCard, options: PayOptions, payButton: TextMatch): Promise<void> {
  if (surface === 'card-element') {
    const frame = page.frameLocator(CARD_ELEMENT_FRAME).first();
    await frame.locator('input[name="cardnumber"]').fill(card.number);
    await frame.locator('input[name="exp-date"]').fill(card.expiry);
    await frame.locator('input[name="cvc"]').fill(card.cvc);
    const postal = frame.locator('input[name="postal"]');
    if (await postal.isVisible()) await postal.fill(options.postalCode ?? '10001');
  } else {
    const frame = await paymentElementForm(page);
    await cardNumberField(frame).fill(card.number);
    await elementField(frame, 'Expiration date', 'MM / YY').fill(card.expiry);
    await elementField(frame, 'Security code', 'CVC').fill(card.cvc);
    const postal = frame.getByLabel(/zip|postal/i);
    if (await postal.isVisible()) await postal.fill(options.postalCode ?? '10001');
  }
  await page.getByRole('button', { name: payButton }).click();
}

/**
 * The Payment Element's frame that holds the card form. Stripe.js mounts more than one frame
 * titled "Secure payment input frame" (accessory frames, before or after the form, some
 * visible), so the first by title may hold no field at all.
 */
async function paymentElementForm(page: Page): Promise<FrameLocator> {
  const frames = page.locator(`${PAYMENT_INPUT_FRAME}:not([title*="card payment" i])`);
  let form: FrameLocator | undefined;
  await expect(async () => {
    const count = await frames.count();
    for (let i = 0; i < count && !form; i++) {
      const frame = frames.nth(i).contentFrame();
      if ((await cardNumberField(frame).count()) > 0) form = frame;
    }
    expect(form, 'a "Secure payment input frame" that holds a card number field').toBeDefined();
  }).toPass();
  return form!;
}

/** Stripe's test 3-D Secure page: "Complete" or "Fail", inside nested frames on real Stripe. */
export async function authenticate(page: Page, outcome: 'complete' | 'fail'): Promise<void> {
  // Exact names: an app's own "Complete order" button is not Stripe's.
  const name = outcome === 'complete' ? /^complete( authentication)?$/i : /^fail( authentication)?$/i;
  // The challenge sits in frames inside Stripe's frames (two deep on real Stripe), and Stripe
  // mounts other frames first: every frame is searched, the page's own last.
  let button: Locator | undefined;
  await expect(async () => {
    const frames = [...page.frames().filter((frame) => frame !== page.mainFrame()), page.mainFrame()];
    button = undefined;
    for (const frame of frames) {
      const candidate = frame.getByRole('button', { name }).first();
      if (await candidate.isVisible().catch(() => false)) {
        button = candidate;
        break;
      }
    }
    expect(button, `Stripe's 3-D Secure page, with its "${outcome === 'complete' ? 'Complete' : 'Fail'}" button`).toBeDefined();
  }).toPass();
  await button!.click();
}

function field(page: Page, id: string, label: string, placeholder: string): Locator {
  return page.locator(id).or(page.getByPlaceholder(placeholder, { exact: true })).or(page.getByLabel(label, { exact: true })).first();
}

function elementField(frame: FrameLocator, label: string, placeholder: string): Locator {
  return frame.getByLabel(label).or(frame.getByPlaceholder(placeholder, { exact: true })).first();
}

function cardNumberField(frame: FrameLocator): Locator {
  return elementField(frame, 'Card number', '1234 1234 1234 1234');
}
