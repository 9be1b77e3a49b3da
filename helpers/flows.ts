import { expect, test, type Dialog, type Locator, type Page, type Request, type Response } from '@playwright/test';
import type { TestCard } from './cards.js';
import type { FlowsConfig, TextMatch } from './flows-config.js';
import { authenticate, detectSurface, elementFrames, fillCheckout, fillElement, isCheckoutUrl, type PayOptions } from './payment-surfaces.js';
import { DEPLOYMENT_CHECK_ENV } from './deployment-check.js';

export { defaultFlowsConfig, resolveFlowsConfig, type FlowsConfig, type FlowsOptions } from './flows-config.js';
export type { PayOptions } from './payment-surfaces.js';

/** What a test user signs up and logs in with. */
export interface Credentials {
  email: string;
  password: string;
}

/**
 * A server error of the app's (not of Stripe's pages): most often its Stripe client missing the
 * emulator, or, against a deployment (`vibes predeploy`), the deployment's own Stripe settings.
 */
function serverErrorHint(): string {
  if (process.env[DEPLOYMENT_CHECK_ENV]) return " The deployment's log says why: its Stripe key, prices and network are its own.";
  return " The app's log says why (the run shows its stderr as [app], and its stdout with app: { stdout: 'pipe' }). With the emulator, the app's Stripe " +
    "client must follow STRIPE_EMULATOR_URL, and a server you started yourself does not know the run's emulator or webhook secret.";
}

/** How long an alert must stay, with the page at the form, to be the form's refusal. */
const ALERT_SETTLE_MS = 1000;
/** A click that sent nothing this long (no navigation, no POST) never submitted its form. */
const UNSENT_AFTER_MS = 300;
/** How often an emptied form is filled and submitted again. */
const MAX_REFILLS = 2;
/**
 * How long a step looks for a button or field before it says which ones the page has, unless the
 * project sets an actionTimeout: a page that loaded shows its controls within seconds, and a name
 * that does not match never does.
 */
const CONTROL_TIMEOUT_MS = 15_000;

type ButtonName = keyof FlowsConfig['buttons'];
type LabelName = keyof FlowsConfig['labels'];

/** The page each button is looked for on, when a path of the config names it. */
const BUTTON_PAGES: Partial<Record<ButtonName, keyof FlowsConfig['paths']>> = { signup: 'signup', login: 'login', upgrade: 'dashboard', deleteAccount: 'account' };

/**
 * The golden path, bound to the page: role- and label-based, so it reads like what a person
 * does and survives markup changes. Each step is a boxed step in the report.
 */
export class Flows {
  /** Who signed up or logged in last through these flows: the email Checkout gets if it asks. */
  private user?: Credentials;
  /** The page's last document, redirects included: its status tells an app's error page. */
  private document?: Response;
  /**
   * An error the app answered to a request the page sent during this step without loading a page
   * (a Next.js server action, a `fetch('/api/checkout', { method: 'POST' })`): the page may show
   * nothing of it, so without it a step would wait out the test's timeout. Every step counts a
   * 5xx; a step whose request must not be refused (upgrade, deletion) counts a 4xx too.
   */
  private failedRequest?: Response;
  private refusedFrom = 500;
  private readonly failedRequestWaiters = new Set<() => void>();
  /** Requests that could be the current form's submission: a navigation, or a fetch that is not a read. */
  private submissions = 0;

  constructor(
    private readonly page: Page,
    readonly config: FlowsConfig,
  ) {
    page.on('request', (request) => {
      if (request.method() !== 'GET' || (request.isNavigationRequest() && request.frame() === page.mainFrame())) this.submissions++;
    });
    page.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) this.document = response;
      else if (isFailedAppRequest(page, response, this.refusedFrom) && !this.failedRequest) {
        this.failedRequest = response;
        for (const settle of this.failedRequestWaiters) settle();
      }
    });
  }

  /**
   * A boxed step, with the failed requests of earlier steps forgotten. `refusedFrom` is the
   * status from which an answer to one of its requests ends it.
   */
  private step<T>(title: string, body: () => Promise<T>, { refusedFrom = 500 } = {}): Promise<T> {
    this.failedRequest = undefined;
    this.refusedFrom = refusedFrom;
    // An earlier step's waits ended with it; what they still hold need not be kept.
    this.failedRequestWaiters.clear();
    return test.step(title, body, { box: true });
  }

  /** Settles once the app has refused one of this step's requests (at once if it has). */
  private failedRequestSeen(): Promise<void> {
    if (this.failedRequest) return Promise.resolve();
    return new Promise((resolve) => {
      const settle = () => {
        this.failedRequestWaiters.delete(settle);
        resolve();
      };
      this.failedRequestWaiters.add(settle);
    });
  }

  signup(user: Credentials): Promise<void> {
    return this.step(`sign up as ${user.email}`, () => this.submitCredentials('sign-up', this.config.paths.signup, 'signup', user));
  }

  login(user: Credentials): Promise<void> {
    return this.step(`log in as ${user.email}`, () => this.submitCredentials('log-in', this.config.paths.login, 'login', user));
  }

  /** Sign-up and log-in forms are the same gesture: e-mail, password, a button, and away. */
  private async submitCredentials(form: string, path: string, button: ButtonName, user: Credentials): Promise<void> {
    const { page } = this;
    this.user = user;
    await this.visit(path);
    await this.failOnErrorPage();
    // The form's own path, after any redirect: leaving it is the sign of success. (A prefix test
    // would never end for a form at "/", nor let /signup go on to /signup/verify.)
    const formPath = new URL(page.url()).pathname;
    const passwords = await this.passwordFields(form === 'sign-up');
    const fields = [await this.field('email'), ...passwords];
    const values = [user.email, ...passwords.map(() => user.password)];
    const fill = async () => {
      for (const [i, field] of fields.entries()) await field.fill(values[i]!);
    };
    await fill();
    const alertsBefore = (await this.formState()).alerts;
    const submit = await this.button(button);
    let refills = 0;
    let clickedAt = 0;
    let submissionsBefore = 0;
    // A new document at the form's path after the click: the form came back, not an answer to it.
    let formReloaded = false;
    const onLoad = () => void (formReloaded ||= clickedAt > 0 && new URL(page.url()).pathname === formPath);
    page.on('load', onLoad);
    // The browser sending the form itself, as a GET with the fields in the address: no script had it yet.
    let sentAsGet = false;
    const onRequest = (request: Request) => {
      if (request.method() !== 'GET' || !request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
      const url = new URL(request.url());
      sentAsGet ||= url.pathname === formPath && [...url.searchParams.values()].includes(user.password);
    };
    page.on('request', onRequest);
    const click = async () => {
      submissionsBefore = this.submissions;
      clickedAt = Date.now();
      await submit.click();
    };
    await click();
    const clicked = `The ${form} form at ${formPath} was filled and its button clicked`;
    const reloadedEmpty = async () => {
      // Every field empty again: the page was reloaded. A form rendered again with its refusal keeps the email (Django blanks only passwords).
      if (!formReloaded || !(await fieldStates(fields).catch(() => [])).every((state, i) => state.value !== values[i])) return '';
      return ' After the click the page loaded the form again, and what was typed is gone: a dev server that reloads the page loses the submission ' +
        '(Vite does on a first visit, while it optimizes dependencies: run again, or against a production build), and a server that renders the form ' +
        'again without a word refuses it without saying why.';
    };
    // A click that sent nothing (no navigation, no POST) was refused by the browser itself.
    await this.leaveForm(form, formPath, alertsBefore, reloadedEmpty, async () => {
      if (sentAsGet) {
        return `${clicked}, and the browser sent it itself, as GET ${formPath}?…&password=… (the password in the address, and in server logs): ` +
          "the page's scripts had not taken the form yet (it was not hydrated). Disable the button until the page is ready (after onMounted or " +
          'useEffect has run), or give the form method="post" and an action that works without scripts.';
      }
      if (this.submissions > submissionsBefore || Date.now() - clickedAt < UNSENT_AFTER_MS) return undefined;
      const states = await fieldStates(fields);
      const emptied = states.filter((state, i) => state.value !== values[i]).map((state) => state.label);
      // A page that renders its form again once its scripts load (React, Svelte or Vue writing
      // value="") empties what was filled before, and the browser refuses an empty required
      // field. Filled again and clicked again, as a person would.
      if (emptied.length > 0 && refills < MAX_REFILLS) {
        refills++;
        await fill();
        await click();
        return undefined;
      }
      if (emptied.length > 0) {
        return `${clicked}, and nothing was sent: ${emptied.join(' and ')} ${emptied.length > 1 ? 'were' : 'was'} empty again, ${refills + 1} times. ` +
          'A page that renders its form again once its scripts load (value="" in React, Svelte or Vue) clears what was typed before, and the browser ' +
          'will not submit an empty required field. Keep what was typed (no value="" before hydration), or disable the button until the page is ready.';
      }
      const invalid = states.filter((state) => state.problem).map((state) => `${state.label}: "${state.problem}"`);
      if (invalid.length === 0) return undefined;
      return `${clicked}, and the browser would not submit it: ${invalid.join('; ')}. ` +
        "The test user's email is set by test.use({ userOptions: { emailPrefix, emailDomain } }); its password has 20 characters of every class.";
    }).finally(() => {
      page.off('load', onLoad);
      page.off('request', onRequest);
    });
  }

  /**
   * Done when the page leaves the form's path. What would never leave it ends the wait, said with
   * the app's words: an error page, an alert the form shows in place (a server action answering
   * 200 with "An account with this email already exists") that is still there, at the form, a
   * second later (a success toast shown just before the app navigates is not a refusal), or the
   * reason `unsent` gives for a submission the browser never sent. Waited out, it says what
   * `whyStill` knows (the form loaded again, empty), else where to look.
   */
  private async leaveForm(
    form: string, formPath: string, alertsBefore: string[], whyStill: () => Promise<string>, unsent: () => Promise<string | undefined>,
  ): Promise<void> {
    const page = this.page;
    let refusal: string | undefined;
    let notSent: string | undefined;
    let seen: { text: string; since: number } | undefined;
    const timeout = controlTimeout();
    const waited = expect(async () => {
      if (this.onErrorPage()) return;
      // Path and alerts read together, in the document the page shows now (none while it navigates).
      const state = await this.formState().catch(() => undefined);
      expect(state, 'the page is navigating').toBeDefined();
      if (state!.path !== formPath) return;
      const text = state!.alerts.find((alert) => !alertsBefore.includes(alert));
      if (text === undefined && (notSent = await unsent())) return;
      // An alert that went away and came back has not stayed: its second is counted afresh.
      if (text === undefined) seen = undefined;
      expect(text, `the ${form} form at ${formPath} was submitted, and the page neither left it nor showed an error`).toBeDefined();
      const current = seen !== undefined && seen.text === text ? seen : { text: text!, since: Date.now() };
      seen = current;
      expect(Date.now() - current.since, `the alert "${text}" stays while the page stays`).toBeGreaterThanOrEqual(ALERT_SETTLE_MS);
      refusal = text;
    }).toPass({ intervals: [50, 100, 250], timeout });
    await waited.catch(async () => {
      await this.failOnErrorPage();
      if (this.page.isClosed()) return;
      throw new Error(
        `The ${form} form at ${formPath} was submitted, and within ${timeout / 1000} s the page neither left it nor showed an error or an alert.` +
          ((await whyStill()) || " The app's log may say why; a form that leaves by another way than a new path needs its own step."),
      );
    });
    await this.failOnErrorPage();
    if (notSent !== undefined) throw new Error(notSent);
    if (refusal !== undefined) throw new Error(`The ${form} form at ${formPath} was refused: the page stayed there and says "${refusal}".`);
    await page.waitForLoadState();
  }

  /**
   * The page's path and the visible texts of its alerts, from one document. Empty live regions say
   * nothing, and an alert that repeats the page's title is a router announcing a new page.
   */
  private formState(): Promise<{ path: string; alerts: string[] }> {
    return this.page.evaluate(() => {
      // ARIA alerts, and the error lists server-rendered forms show without one: Django's errorlist,
      // Bootstrap's invalid-feedback and alert-danger, Rails' error_explanation.
      const texts = Array.from(document.querySelectorAll<HTMLElement>('[role="alert"], .errorlist, .invalid-feedback, .alert-danger, .alert-error, #error_explanation'))
        .filter((element) => element.getClientRects().length > 0)
        .map((element) => element.innerText.replace(/\s+/g, ' ').trim())
        .filter((text) => text !== '' && text !== document.title.trim());
      return { path: location.pathname, alerts: texts };
    });
  }

  logout(): Promise<void> {
    return this.step('log out', async () => {
      await (await this.button('logout')).click();
      // An error page has no logout button either: gone is not yet logged out.
      await this.untilErrorPageOr(this.page.getByRole('button', { name: this.config.buttons.logout }).waitFor({ state: 'detached' }));
    });
  }

  /**
   * Clicks "Upgrade" and waits for the payment surface: another page (Stripe Checkout, the app's
   * payment page) or Stripe's Elements mounted in place on this one.
   */
  upgrade(): Promise<void> {
    return this.step('upgrade', async () => {
      const { page, config } = this;
      if (!(await page.getByRole('button', { name: config.buttons.upgrade }).isVisible())) {
        await this.visit(config.paths.dashboard);
        await this.failOnErrorPage();
      }
      const before = page.url();
      const alertsBefore = (await this.formState()).alerts;
      const refused = this.failedRequestSeen();
      await (await this.button('upgrade')).click();
      const timeout = controlTimeout();
      // An error page at the same URL (a form that posts to itself) ends the wait too.
      const navigated = page.waitForURL((url) => url.toString() !== before || this.onErrorPage(), { waitUntil: 'commit', timeout });
      const mounted = elementFrames(page).first().waitFor({ timeout });
      // The loser never settles before the test ends; its rejection then is nobody's error.
      navigated.catch(() => {});
      mounted.catch(() => {});
      try {
        await Promise.race([Promise.any([navigated, mounted]), refused]);
      } catch {
        await this.failOnErrorPage();
        if (page.isClosed()) return;
        throw new Error(
          `The ${asWritten(config.buttons.upgrade)} button on ${new URL(before).pathname} was clicked, and within ${timeout / 1000} s the page neither went to another page ` +
            `(Stripe Checkout, a payment page) nor showed Stripe's payment form.${await this.newAlerts(alertsBefore)} The app's log may say why.`,
        );
      }
      await page.waitForLoadState('domcontentloaded');
      await this.failOnErrorPage();
    }, { refusedFrom: 400 });
  }

  /**
   * Pays with a test card on whatever Stripe surface the page shows: hosted Checkout (real or
   * the emulator's), the Payment Element, or the Card Element. A card that succeeds waits for
   * the redirect back to the app; a declined one waits for the decline message.
   */
  pay(card: TestCard, options: PayOptions = {}): Promise<void> {
    return this.step(`pay with ${card.name} (${card.number})`, async () => {
      // Only a server error: a payment page may well be served with a 4xx (a 402 holding the form).
      await this.failOnErrorPage({ serverErrorsOnly: true });
      const surface = await detectSurface(this.page, controlTimeout());
      const startedOn = this.page.url();
      if (surface === 'checkout') await fillCheckout(this.page, card, options, this.user?.email);
      else await fillElement(this.page, surface, card, options, this.config.buttons.pay);
      if (card.outcome === 'requires-authentication') await authenticate(this.page, options.authentication ?? 'complete');
      if (card.outcome === 'declined' || options.authentication === 'fail') {
        await this.page.getByRole('alert').filter({ hasText: card.declineMessage ?? /declined|failed|unable/i }).first().waitFor();
      } else if (surface === 'checkout') {
        await this.page.waitForURL((url) => url.toString() !== startedOn && !isCheckoutUrl(url));
      }
    });
  }

  /**
   * Goes to an app page. The page may still be navigating by itself (a success page that refreshes
   * until the plan shows, a client-side redirect), which interrupts a goto: then it goes again.
   */
  private async visit(path: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.page.goto(path);
        return;
      } catch (error) {
        if (attempt >= 3 || !/is interrupted by another navigation/.test((error as Error).message)) throw error;
        await this.page.waitForLoadState().catch(() => {});
      }
    }
  }

  deleteAccount(): Promise<void> {
    return this.step('delete the account', async () => {
      const { page, config } = this;
      await this.visit(config.paths.account);
      await this.failOnErrorPage();
      const confirm = page.getByRole('checkbox', { name: /confirm|understand|sure/i });
      if (await confirm.isVisible()) await confirm.check();
      // A confirm() before the deletion ("Really delete your account?") is accepted, as the person
      // would; Playwright would dismiss it, and the deletion would never be asked for.
      const acceptConfirm = (dialog: Dialog) => void (dialog.type() === 'confirm' ? dialog.accept() : dialog.dismiss()).catch(() => {});
      page.on('dialog', acceptConfirm);
      const alertsBefore = (await this.formState()).alerts;
      const timeout = controlTimeout();
      try {
        await (await this.button('deleteAccount')).click();
        await this.untilErrorPageOr(page.getByText(config.deletedMessage).first().waitFor({ timeout }));
      } catch (error) {
        if (!(error instanceof Error) || error.name !== 'TimeoutError' || page.isClosed()) throw error;
        throw new Error(
          `The ${asWritten(config.buttons.deleteAccount)} button on ${new URL(page.url()).pathname} was clicked, and within ${timeout / 1000} s the page did not say ` +
            `${asWritten(config.deletedMessage)}.${await this.newAlerts(alertsBefore)} If your app says it in other words, set flows: { deletedMessage: … } in defineVibesConfig.`,
        );
      } finally {
        page.off('dialog', acceptConfirm);
      }
    }, { refusedFrom: 400 });
  }

  /** The alerts the page shows now that it did not before, as a sentence; empty when none. */
  private async newAlerts(before: string[]): Promise<string> {
    const state = await this.formState().catch(() => undefined);
    const alerts = state?.alerts.filter((alert) => !before.includes(alert)) ?? [];
    return alerts.length ? ` It shows ${quoteList(alerts)}.` : '';
  }

  /** The button the config names, once the page shows it; else an error listing the page's buttons. */
  private button(name: ButtonName): Promise<Locator> {
    const locator = this.page.getByRole('button', { name: this.config.buttons[name] });
    const page = BUTTON_PAGES[name];
    const option = `buttons: { ${name}: … } }${page ? `, or flows: { paths: { ${page}: … } } if it is on another page,` : ''}`;
    return this.shown(locator, `button named ${String(this.config.buttons[name])}`, option, async () =>
      `Buttons there: ${quoteList(await this.page.getByRole('button').allInnerTexts())}.`);
  }

  /** The field the config names by its label, once the page shows it; else an error listing the page's labels. */
  private field(name: LabelName): Promise<Locator> {
    const locator = this.page.getByLabel(this.config.labels[name]);
    return this.shown(locator, `field labelled ${String(this.config.labels[name])}`, `labels: { ${name}: … } }`, async () =>
      `Labels there: ${quoteList(await this.page.locator('label').allInnerTexts())}.`);
  }

  /**
   * The password field, and on a sign-up form those that ask for it again: Django's and Devise's
   * "Password confirmation" starts like "Password", and "Confirm password" does not. Each field
   * counts once, by its label; a form without a confirmation gets the password field alone.
   */
  private async passwordFields(signup: boolean): Promise<Locator[]> {
    const { password, passwordConfirmation } = this.config.labels;
    const shown = await this.field('password');
    const candidates = (signup ? shown.or(this.page.getByLabel(passwordConfirmation)) : shown).filter({ visible: true });
    const labels = await candidates.evaluateAll((elements) => elements.map((element) => {
      const input = element as HTMLInputElement;
      return input.labels?.[0]?.innerText.trim() || input.getAttribute('aria-label') || '';
    }));
    const again = labels.flatMap((label, i) => (textMatches(label, passwordConfirmation) ? [i] : []));
    const first = labels.findIndex((label, i) => !again.includes(i) && textMatches(label, password));
    // A label the page computes some other way (aria-labelledby): the first match, as before.
    if (first === -1) return [shown.first()];
    return [candidates.nth(first), ...(signup ? again.map((i) => candidates.nth(i)) : [])];
  }

  /**
   * Waits up to CONTROL_TIMEOUT_MS for a control the step needs. Not there: an error page says so
   * with its status; else the error says what the page has instead and which option names it.
   */
  private async shown(locator: Locator, what: string, option: string, instead: () => Promise<string>): Promise<Locator> {
    const timeout = controlTimeout();
    try {
      await locator.first().waitFor({ state: 'visible', timeout });
      return locator;
    } catch (error) {
      await this.failOnErrorPage();
      if (this.page.isClosed()) throw error;
      const there = await instead().catch(() => '');
      throw new Error(`No ${what} on ${new URL(this.page.url()).pathname} within ${timeout / 1000} s. ${there} ` +
        `If yours is called differently, set flows: { ${option} in defineVibesConfig (or test.use({ flowsConfig })).`);
    }
  }

  /**
   * Waits for what a step's click leads to, unless the app answers it with an error page first:
   * that is said at once, instead of a wait for a text that never comes.
   */
  private async untilErrorPageOr(outcome: Promise<unknown>): Promise<void> {
    // Settles only on an error page: its timeout is not the step's message, the outcome's is.
    const errorPage = this.page.waitForURL(() => this.onErrorPage(), { waitUntil: 'commit' }).catch(() => new Promise<never>(() => {}));
    outcome.catch(() => {});
    await Promise.race([outcome, errorPage, this.failedRequestSeen()]);
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
    return this.errorDocument() !== undefined || this.failedRequest !== undefined;
  }

  /**
   * An error page where the flow expected the app or Stripe: said at once, with the page's own
   * words, instead of a wait for a field or a Stripe frame that never comes.
   */
  private async failOnErrorPage({ serverErrorsOnly = false } = {}): Promise<void> {
    const document = this.errorDocument(serverErrorsOnly ? 500 : 400);
    if (!document) {
      if (this.failedRequest) throw new Error(await failedRequestMessage(this.failedRequest));
      return;
    }
    const text = (await this.page.locator('body').innerText({ timeout: 1_000 }).catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
    const url = new URL(document.url());
    const hint = document.status() >= 500 && !isCheckoutUrl(url) ? serverErrorHint() : '';
    throw new Error(`${url.origin} answered ${document.status()} for ${document.request().method()} ${url.pathname}${text ? `: "${text}"` : ''}.${hint}`);
  }
}

/** A request of the page's that the app refused, with the start of its answer: what the app's log would say. */
async function failedRequestMessage(response: Response): Promise<string> {
  const url = new URL(response.url());
  const what = response.request().headers()['next-action'] ? 'a server action' : 'a request';
  const body = (await response.text().catch(() => '')).replace(/\s+/g, ' ').trim();
  const said = body ? `: "${body.length > 200 ? `${body.slice(0, 200)}…` : body}"` : '';
  const hint = response.status() >= 500 ? serverErrorHint() : '';
  return `${url.origin} answered ${response.status()} to ${what} the page sent (${response.request().method()} ${url.pathname})${said}, and the page stayed as it was.${hint}`;
}

/** Each field's label, value, and the browser's reason not to submit it (`Please lengthen this text…`), if any. */
function fieldStates(fields: Locator[]): Promise<{ label: string; value: string; problem: string }[]> {
  return Promise.all(fields.map((field) => field.first().evaluate((el) => {
    const input = el as HTMLInputElement;
    return { label: input.labels?.[0]?.innerText.trim() || input.name || 'a field', value: input.value, problem: input.validationMessage };
  }, undefined, { timeout: 1_000 })));
}

/** Whether a label reads as Playwright's getByLabel would match it: a string as a case-insensitive part, a RegExp as itself. */
function textMatches(text: string, match: TextMatch): boolean {
  return typeof match === 'string' ? text.toLowerCase().includes(match.toLowerCase()) : new RegExp(match.source, match.flags.replace('g', '')).test(text);
}

/** A button name or message as the config gives it: a string quoted, a regex as written. */
function asWritten(name: string | RegExp): string {
  return typeof name === 'string' ? `"${name}"` : String(name);
}

/** The project's actionTimeout when it sets one, else CONTROL_TIMEOUT_MS. */
function controlTimeout(): number {
  try {
    return test.info().project.use.actionTimeout || CONTROL_TIMEOUT_MS;
  } catch {
    return CONTROL_TIMEOUT_MS; // outside a test
  }
}

function quoteList(texts: string[]): string {
  const shown = [...new Set(texts.map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean))].slice(0, 12);
  return shown.length ? shown.map((t) => `"${t}"`).join(', ') : 'none';
}

function withoutHash(url: string): string {
  return url.replace(/#.*$/, '');
}

/**
 * A request the page sent to the app's own origin, not to load a page and not to read (a server
 * action, a form posted by `fetch`), that the app answered with `from` or more.
 */
function isFailedAppRequest(page: Page, response: Response, from: number): boolean {
  const request = response.request();
  if (response.status() < from || request.method() === 'GET' || !['fetch', 'xhr'].includes(request.resourceType())) return false;
  try {
    return new URL(response.url()).origin === new URL(page.url()).origin;
  } catch {
    return false;
  }
}
