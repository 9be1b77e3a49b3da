import { expect, test, type Locator, type Page, type FrameLocator, type Response } from '@playwright/test';
import type { TestCard } from './cards.js';

type TextMatch = string | RegExp;

// Stripe.js titles every Payment Element frame "Secure payment input frame" and the Card Element's
// "Secure card payment input frame", so the first selector matches both kinds.
const PAYMENT_INPUT_FRAME = 'iframe[title*="payment input frame" i]';
const CARD_ELEMENT_FRAME = 'iframe[title*="card payment input frame" i]';
/** How long an alert must stay, with the page at the form, to be the form's refusal. */
const ALERT_SETTLE_MS = 1000;

/** Where the golden path lives in the app, and what its controls are called. */
export interface FlowsConfig {
  paths: { signup: string; login: string; dashboard: string; account: string };
  labels: { email: TextMatch; password: TextMatch };
  buttons: {
    signup: TextMatch;
    login: TextMatch;
    logout: TextMatch;
    upgrade: TextMatch;
    deleteAccount: TextMatch;
    /** The app's own pay button, for the Payment Element and the Card Element on the app's page. */
    pay: TextMatch;
  };
  /** Text the app shows once the account is gone. */
  deletedMessage: TextMatch;
}

export const defaultFlowsConfig: FlowsConfig = {
  paths: { signup: '/signup', login: '/login', dashboard: '/dashboard', account: '/dashboard' },
  labels: { email: /^email/i, password: /^password/i },
  buttons: {
    signup: /sign up|create account|register/i,
    login: /log in|sign in/i,
    logout: /log out|sign out/i,
    upgrade: /upgrade/i,
    deleteAccount: /delete (my )?account/i,
    pay: /^(pay|subscribe|submit|confirm)/i,
  },
  deletedMessage: /account (has been )?deleted/i,
};

/** What a config or `test.use` sets of the flows: any path, label or button alone; the rest keep their defaults. */
export interface FlowsOptions {
  paths?: Partial<FlowsConfig['paths']>;
  labels?: Partial<FlowsConfig['labels']>;
  buttons?: Partial<FlowsConfig['buttons']>;
  deletedMessage?: TextMatch;
}

export function resolveFlowsConfig(partial: FlowsOptions | undefined): FlowsConfig {
  const d = defaultFlowsConfig;
  return {
    paths: { ...d.paths, ...partial?.paths },
    labels: { ...d.labels, ...partial?.labels },
    buttons: { ...d.buttons, ...partial?.buttons },
    deletedMessage: partial?.deletedMessage ?? d.deletedMessage,
  };
}

export interface Credentials {
  email: string;
  password: string;
}

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

/**
 * The golden path, bound to the page: role- and label-based, so it reads like what a person
 * does and survives markup changes. Each step is a boxed step in the report.
 */
export class Flows {
  /** Who signed up or logged in last through these flows: the email Checkout gets if it asks. */
  private user?: Credentials;
  /** The page's last document, redirects included: its status tells an app's error page. */
  private document?: Response;

  constructor(
    private readonly page: Page,
    readonly config: FlowsConfig,
  ) {
    page.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) this.document = response;
    });
  }

  signup(user: Credentials): Promise<void> {
    return step(`sign up as ${user.email}`, () => this.submitCredentials('sign-up', this.config.paths.signup, this.config.buttons.signup, user));
  }

  login(user: Credentials): Promise<void> {
    return step(`log in as ${user.email}`, () => this.submitCredentials('log-in', this.config.paths.login, this.config.buttons.login, user));
  }

  /** Sign-up and log-in forms are the same gesture: e-mail, password, a button, and away. */
  private async submitCredentials(form: string, path: string, button: TextMatch, user: Credentials): Promise<void> {
    const { page, config } = this;
    this.user = user;
    await page.goto(path);
    await this.failOnErrorPage();
    // The form's own path, after any redirect: leaving it is the sign of success. (A prefix test
    // would never end for a form at "/", nor let /signup go on to /signup/verify.)
    const formPath = new URL(page.url()).pathname;
    await page.getByLabel(config.labels.email).fill(user.email);
    await page.getByLabel(config.labels.password).fill(user.password);
    const alertsBefore = (await this.formState()).alerts;
    await page.getByRole('button', { name: button }).click();
    await this.leaveForm(form, formPath, alertsBefore);
  }

  /**
   * Done when the page leaves the form's path. What would never leave it ends the wait, said with
   * the app's words: an error page, or an alert the form shows in place (a server action answering
   * 200 with "An account with this email already exists") that is still there, at the form, a
   * second later: a success toast shown just before the app navigates is not a refusal.
   */
  private async leaveForm(form: string, formPath: string, alertsBefore: string[]): Promise<void> {
    const page = this.page;
    let refusal: string | undefined;
    let seen: { text: string; since: number } | undefined;
    await expect(async () => {
      if (this.onErrorPage()) return;
      // Path and alerts read together, in the document the page shows now (none while it navigates).
      const state = await this.formState().catch(() => undefined);
      expect(state, 'the page is navigating').toBeDefined();
      if (state!.path !== formPath) return;
      const text = state!.alerts.find((alert) => !alertsBefore.includes(alert));
      // An alert that went away and came back has not stayed: its second is counted afresh.
      if (text === undefined) seen = undefined;
      expect(text, `the ${form} form at ${formPath} was submitted, and the page neither left it nor showed an error`).toBeDefined();
      const current = seen !== undefined && seen.text === text ? seen : { text: text!, since: Date.now() };
      seen = current;
      expect(Date.now() - current.since, `the alert "${text}" stays while the page stays`).toBeGreaterThanOrEqual(ALERT_SETTLE_MS);
      refusal = text;
    }).toPass({ intervals: [50, 100, 250] });
    await this.failOnErrorPage();
    if (refusal !== undefined) throw new Error(`The ${form} form at ${formPath} was refused: the page stayed there and says "${refusal}".`);
    await page.waitForLoadState();
  }

  /**
   * The page's path and the visible texts of its alerts, from one document. Empty live regions say
   * nothing, and an alert that repeats the page's title is a router announcing a new page.
   */
  private formState(): Promise<{ path: string; alerts: string[] }> {
    return this.page.evaluate(() => {
      const texts = Array.from(document.querySelectorAll<HTMLElement>('[role="alert"]'))
        .filter((element) => element.getClientRects().length > 0)
        .map((element) => element.innerText.replace(/\s+/g, ' ').trim())
        .filter((text) => text !== '' && text !== document.title.trim());
      return { path: location.pathname, alerts: texts };
    });
  }

  logout(): Promise<void> {
    return step('log out', async () => {
      await this.page.getByRole('button', { name: this.config.buttons.logout }).click();
      // An error page has no logout button either: gone is not yet logged out.
      await this.untilErrorPageOr(this.page.getByRole('button', { name: this.config.buttons.logout }).waitFor({ state: 'detached' }));
    });
  }

  /**
   * Clicks "Upgrade" and waits for the payment surface: another page (Stripe Checkout, the app's
   * payment page) or Stripe's Elements mounted in place on this one.
   */
  upgrade(): Promise<void> {
    return step('upgrade', async () => {
      const { page, config } = this;
      if (!(await page.getByRole('button', { name: config.buttons.upgrade }).isVisible())) {
        await page.goto(config.paths.dashboard);
        await this.failOnErrorPage();
      }
      const before = page.url();
      await page.getByRole('button', { name: config.buttons.upgrade }).click();
      // An error page at the same URL (a form that posts to itself) ends the wait too.
      const navigated = page.waitForURL((url) => url.toString() !== before || this.onErrorPage());
      const mounted = this.elementFrames().first().waitFor();
      // The loser never settles before the test ends; its rejection then is nobody's error.
      navigated.catch(() => {});
      mounted.catch(() => {});
      // Neither: the navigation's timeout is the clearer message.
      await Promise.any([navigated, mounted]).catch(() => navigated);
      await page.waitForLoadState('domcontentloaded');
      await this.failOnErrorPage();
    });
  }

  /**
   * Pays with a test card on whatever Stripe surface the page shows: hosted Checkout (real or
   * the emulator's), the Payment Element, or the Card Element. A card that succeeds waits for
   * the redirect back to the app; a declined one waits for the decline message.
   */
  pay(card: TestCard, options: PayOptions = {}): Promise<void> {
    return step(`pay with ${card.name} (${card.number})`, async () => {
      // Only a server error: a payment page may well be served with a 4xx (a 402 holding the form).
      await this.failOnErrorPage({ serverErrorsOnly: true });
      const surface = await this.detectSurface();
      const startedOn = this.page.url();
      if (surface === 'checkout') await this.fillCheckout(card, options);
      else await this.fillElement(surface, card, options);
      if (card.outcome === 'requires-authentication') await this.authenticate(options.authentication ?? 'complete');
      if (card.outcome === 'declined' || options.authentication === 'fail') {
        await this.page.getByRole('alert').filter({ hasText: card.declineMessage ?? /declined|failed|unable/i }).first().waitFor();
      } else if (surface === 'checkout') {
        await this.page.waitForURL((url) => url.toString() !== startedOn && !isCheckoutUrl(url));
      }
    });
  }

  deleteAccount(): Promise<void> {
    return step('delete the account', async () => {
      const { page, config } = this;
      await page.goto(config.paths.account);
      await this.failOnErrorPage();
      const confirm = page.getByRole('checkbox', { name: /confirm|understand|sure/i });
      if (await confirm.isVisible()) await confirm.check();
      await page.getByRole('button', { name: config.buttons.deleteAccount }).click();
      await this.untilErrorPageOr(page.getByText(config.deletedMessage).first().waitFor());
    });
  }

  /**
   * Waits for what a step's click leads to, unless the app answers it with an error page first:
   * that is said at once, instead of a wait for a text that never comes.
   */
  private async untilErrorPageOr(outcome: Promise<unknown>): Promise<void> {
    // Settles only on an error page: its timeout is not the step's message, the outcome's is.
    const errorPage = this.page.waitForURL(() => this.onErrorPage(), { waitUntil: 'commit' }).catch(() => new Promise<never>(() => {}));
    outcome.catch(() => {});
    await Promise.race([outcome, errorPage]);
    await this.failOnErrorPage();
  }

  /**
   * The error document (status 400 or more) the page shows now, if it shows one: the last
   * document loaded counts only while the page is still at its URL (not after a client-side
   * route change, about:blank or setContent).
   */
  private errorDocument(minStatus = 400): Response | undefined {
    const document = this.document;
    if (!document || document.status() < minStatus) return undefined;
    return withoutHash(document.url()) === withoutHash(this.page.url()) ? document : undefined;
  }

  private onErrorPage(): boolean {
    return this.errorDocument() !== undefined;
  }

  /**
   * An error page where the flow expected the app or Stripe: said at once, with the page's own
   * words, instead of a wait for a field or a Stripe frame that never comes.
   */
  private async failOnErrorPage({ serverErrorsOnly = false } = {}): Promise<void> {
    const document = this.errorDocument(serverErrorsOnly ? 500 : 400);
    if (!document) return;
    const text = (await this.page.locator('body').innerText({ timeout: 1_000 }).catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
    const url = new URL(document.url());
    // A server error of the app's (not of Stripe's pages) is most often its Stripe client missing the emulator.
    const hint = document.status() >= 500 && !isCheckoutUrl(url)
      ? " The app's log says why. With the emulator, the app's Stripe client must follow STRIPE_EMULATOR_URL, and a server you " +
        "started yourself does not know the run's emulator or webhook secret."
      : '';
    throw new Error(`${url.origin} answered ${document.status()} for ${document.request().method()} ${url.pathname}${text ? `: "${text}"` : ''}.${hint}`);
  }

  private async detectSurface(): Promise<'checkout' | 'payment-element' | 'card-element'> {
    const page = this.page;
    if (isCheckoutUrl(new URL(page.url()))) return 'checkout';
    await this.elementFrames().first().waitFor();
    return (await page.locator(`${CARD_ELEMENT_FRAME}:visible`).count()) > 0 ? 'card-element' : 'payment-element';
  }

  /** The visible frames of Stripe's Payment Element or Card Element (:visible, because Stripe.js also mounts hidden ones with these titles). */
  private elementFrames() {
    return this.page.locator(`${PAYMENT_INPUT_FRAME}:visible`).or(this.page.locator(`${CARD_ELEMENT_FRAME}:visible`));
  }

  private async fillCheckout(card: TestCard, options: PayOptions): Promise<void> {
    const page = this.page;
    // Newer Checkout pages fold the card form behind a "Card" accordion item.
    const cardAccordion = page.getByTestId('card-accordion-item-button');
    if (await cardAccordion.isVisible()) await cardAccordion.click();
    await field(page, '#cardNumber', 'Card number', '1234 1234 1234 1234').fill(card.number);
    await field(page, '#cardExpiry', 'Expiration', 'MM / YY').fill(card.expiry);
    await field(page, '#cardCvc', 'CVC', 'CVC').fill(card.cvc);
    await this.fillCheckoutEmail(options.email ?? this.user?.email);
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
  private async fillCheckoutEmail(email: string | undefined): Promise<void> {
    const input = this.page.locator('#email');
    if (!(await input.isVisible()) || !(await input.isEditable()) || (await input.inputValue()) !== '') return;
    if (!email) {
      throw new Error(
        'Checkout asks for an email and flows.pay knows none: sign up or log in through flows first, pass flows.pay(card, { email }), ' +
          "or have the app create the Checkout Session with the user's customer_email.",
      );
    }
    await input.fill(email);
  }

  private async fillElement(surface: 'payment-element' | 'card-element', card: TestCard, options: PayOptions): Promise<void> {
    const page = this.page;
    if (surface === 'card-element') {
      const frame = page.frameLocator(CARD_ELEMENT_FRAME).first();
      await frame.locator('input[name="cardnumber"]').fill(card.number);
      await frame.locator('input[name="exp-date"]').fill(card.expiry);
      await frame.locator('input[name="cvc"]').fill(card.cvc);
      const postal = frame.locator('input[name="postal"]');
      if (await postal.isVisible()) await postal.fill(options.postalCode ?? '10001');
    } else {
      const frame = await this.paymentElementForm();
      await cardNumberField(frame).fill(card.number);
      await elementField(frame, 'Expiration date', 'MM / YY').fill(card.expiry);
      await elementField(frame, 'Security code', 'CVC').fill(card.cvc);
      const postal = frame.getByLabel(/zip|postal/i);
      if (await postal.isVisible()) await postal.fill(options.postalCode ?? '10001');
    }
    await page.getByRole('button', { name: this.config.buttons.pay }).click();
  }

  /**
   * The Payment Element's frame that holds the card form. Stripe.js mounts more than one frame
   * titled "Secure payment input frame" (accessory frames, before or after the form, some
   * visible), so the first by title may hold no field at all.
   */
  private async paymentElementForm(): Promise<FrameLocator> {
    const frames = this.page.locator(`${PAYMENT_INPUT_FRAME}:not([title*="card payment" i])`);
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
  private async authenticate(outcome: 'complete' | 'fail'): Promise<void> {
    // Exact names: an app's own "Complete order" button is not Stripe's.
    const name = outcome === 'complete' ? /^complete( authentication)?$/i : /^fail( authentication)?$/i;
    const page = this.page;
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
}

function withoutHash(url: string): string {
  return url.replace(/#.*$/, '');
}

function isCheckoutUrl(url: URL): boolean {
  return url.hostname === 'checkout.stripe.com' || /^\/c\/pay\/cs_/.test(url.pathname);
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

function step<T>(title: string, body: () => Promise<T>): Promise<T> {
  return test.step(title, body, { box: true });
}
