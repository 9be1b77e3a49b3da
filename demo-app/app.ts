import express, { type NextFunction, type Request, type Response } from 'express';
import type Stripe from 'stripe';
import type pg from 'pg';
import type { BugSwitches } from './bugs.js';
import { createProCheckout, createStripeCustomer, deleteStripeCustomer, type ProPrice } from './billing.js';
import { csrfTokenFor, hasValidCsrfToken } from './csrf.js';
import { clearCookie } from './cookies.js';
import {
  accountDeletedPage,
  confirmingPaymentPage,
  dashboardPage,
  errorPage,
  landingPage,
  loginPage,
  signupPage,
  SUCCESS_REFRESHES,
} from './pages.js';
import { hashPassword, verifyAgainstNothing, verifyPassword } from './passwords.js';
import { endSession, findSession, SESSION_COOKIE, startSession, type Session } from './sessions.js';
import { createUser, deleteUser, findUserByEmail, findUserById, hasActiveEntitlement, markUpgradeRequested, storeStripeCustomer, type User } from './users.js';
import { stripeWebhookHandler } from './webhook.js';

export interface DemoAppContext {
  pool: pg.Pool;
  stripe: Stripe;
  proPrice: ProPrice;
  webhookSecret: string;
  bugs: BugSwitches;
  /** Where the browser reaches the app; known only once it listens, hence a function. */
  publicUrl(): string;
  /** The test run that started the app, for `metadata.vibes_run`. */
  runId?: string;
}

interface Locals {
  session?: Session;
}

const NOTICES: Record<string, string> = {
  'logged-out': 'You have been logged out.',
};
const CHECKOUT_NOTICES: Record<string, string> = {
  cancelled: 'Checkout was cancelled. You have not been charged.',
};

function one(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The text for a query value: own keys only, so `?notice=constructor` finds nothing, not Object's. */
function lookUp(texts: Record<string, string>, key: string | undefined): string | undefined {
  return key !== undefined && Object.hasOwn(texts, key) ? texts[key] : undefined;
}

function field(req: Request, name: string): string {
  const body = req.body as Record<string, unknown> | undefined;
  return one(body?.[name]) ?? '';
}

function validateCredentials(email: string, password: string): string | undefined {
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) return 'Enter a valid email address, such as you@example.com.';
  if (password.length < 8) return 'Choose a password of at least 8 characters.';
  if (password.length > 1024) return 'Choose a password of at most 1024 characters.';
  return undefined;
}

export function createDemoApp(ctx: DemoAppContext): express.Express {
  const { pool, stripe, proPrice, bugs } = ctx;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((_req, res, next) => {
    res.set({ 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'same-origin', 'Cache-Control': 'no-store' });
    next();
  });

  // Before any body parser: the signature is over the raw bytes.
  app.post('/api/stripe/webhook', express.raw({ type: () => true, limit: '1mb' }), stripeWebhookHandler(ctx));

  app.get('/healthz', async (_req, res) => {
    try {
      await pool.query('select 1');
      res.json({ ok: true });
    } catch {
      res.status(503).json({ ok: false, error: 'database unreachable' });
    }
  });

  app.use(express.urlencoded({ extended: false, limit: '20kb' }));

  app.use(async (req: Request, res: Response<unknown, Locals>, next: NextFunction) => {
    res.locals.session = await findSession(pool, req);
    next();
  });

  // Every form post carries a token; a missing or wrong one changes nothing.
  app.use((req: Request, res: Response<unknown, Locals>, next: NextFunction) => {
    if (req.method !== 'POST' || bugs.has('no-csrf') || hasValidCsrfToken(req, res.locals.session)) return next();
    res.status(403).type('html').send(
      errorPage({
        title: 'Form expired',
        message: 'This form was missing its security token or came from another site, so nothing was changed. Go back, reload the page and try again.',
      }),
    );
  });

  /** The signed-in user, or a redirect to the login page (undefined: the response is sent). */
  async function requireUser(res: Response<unknown, Locals>): Promise<{ user: User; session: Session } | undefined> {
    const session = res.locals.session;
    const user = session && (await findUserById(pool, session.userId));
    if (!session || !user) {
      res.redirect(303, '/login');
      return undefined;
    }
    return { user, session };
  }

  async function isPro(user: User): Promise<boolean> {
    if (bugs.has('optimistic-ui') && user.upgradeRequestedAt) return true;
    return hasActiveEntitlement(pool, user.id);
  }

  async function sendDashboard(req: Request, res: Response<unknown, Locals>, signedIn: { user: User; session: Session }, extra: { status?: number; message?: string; error?: string } = {}): Promise<void> {
    const { user, session } = signedIn;
    const pro = await isPro(user);
    const checkout = one(req.query.checkout);
    let message = extra.message ?? lookUp(CHECKOUT_NOTICES, checkout);
    if (!message && checkout === 'success' && pro) message = 'Payment confirmed. Welcome to Pro!';
    res.status(extra.status ?? 200).type('html').send(
      dashboardPage({ csrfToken: csrfTokenFor(req, res, session), email: user.email, pro, message, error: extra.error }),
    );
  }

  app.get('/', (req, res) => {
    res.type('html').send(landingPage({ message: lookUp(NOTICES, one(req.query.notice)) }));
  });

  app.get('/signup', (req: Request, res: Response<unknown, Locals>) => {
    if (res.locals.session) return res.redirect(303, '/dashboard');
    res.type('html').send(signupPage({ csrfToken: csrfTokenFor(req, res, undefined) }));
  });

  app.post('/signup', async (req: Request, res: Response<unknown, Locals>) => {
    const email = field(req, 'email').trim();
    const password = field(req, 'password');
    const form = (status: number, error: string) =>
      res.status(status).type('html').send(signupPage({ csrfToken: csrfTokenFor(req, res, undefined), email, error }));
    const invalid = validateCredentials(email, password);
    if (invalid) return form(400, invalid);
    const user = await createUser(pool, email, await hashPassword(password));
    if (user === 'duplicate') return form(409, 'An account with this email already exists. Log in instead, or sign up with another email.');
    await replaceSession(res, user.id);
    res.redirect(303, '/dashboard');
  });

  app.get('/login', (req: Request, res: Response<unknown, Locals>) => {
    if (res.locals.session) return res.redirect(303, '/dashboard');
    res.type('html').send(loginPage({ csrfToken: csrfTokenFor(req, res, undefined), message: lookUp(NOTICES, one(req.query.notice)) }));
  });

  app.post('/login', async (req: Request, res: Response<unknown, Locals>) => {
    const email = field(req, 'email').trim();
    const password = field(req, 'password');
    const user = email ? await findUserByEmail(pool, email) : undefined;
    const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstNothing(password);
    if (!user || !ok) {
      res.status(401).type('html').send(loginPage({ csrfToken: csrfTokenFor(req, res, undefined), email, error: 'Email or password is incorrect.' }));
      return;
    }
    await replaceSession(res, user.id);
    res.redirect(303, '/dashboard');
  });

  async function replaceSession(res: Response<unknown, Locals>, userId: string): Promise<void> {
    const previous = res.locals.session;
    if (previous) await pool.query('delete from demo.sessions where id = $1', [previous.id]);
    await startSession(pool, res, userId);
  }

  app.post('/logout', async (_req: Request, res: Response<unknown, Locals>) => {
    await endSession(pool, res, res.locals.session);
    res.redirect(303, '/?notice=logged-out');
  });

  app.get('/dashboard', async (req: Request, res: Response<unknown, Locals>) => {
    const signedIn = await requireUser(res);
    if (signedIn) await sendDashboard(req, res, signedIn);
  });

  app.post('/billing/upgrade', async (req: Request, res: Response<unknown, Locals>) => {
    const signedIn = await requireUser(res);
    if (!signedIn) return;
    if (await hasActiveEntitlement(pool, signedIn.user.id)) return res.redirect(303, '/dashboard');
    const { user } = signedIn;
    let checkoutUrl: string;
    try {
      // Stored before Checkout can use it: a customer the account does not know of would outlive it.
      const customerId = user.stripeCustomerId ?? (await storeStripeCustomer(pool, user.id, await createStripeCustomer(stripe, user, ctx.runId)));
      checkoutUrl = await createProCheckout(stripe, await proPrice.id(), user, customerId, ctx.publicUrl(), ctx.runId);
    } catch (error) {
      console.error(`demo-app: creating a Checkout Session failed: ${(error as Error).message}`);
      return sendDashboard(req, res, signedIn, { status: 502, error: 'We could not start checkout with Stripe. Nothing was charged; please try again.' });
    }
    await markUpgradeRequested(pool, signedIn.user.id);
    res.redirect(303, checkoutUrl);
  });

  app.get('/billing/success', async (req: Request, res: Response<unknown, Locals>) => {
    const signedIn = await requireUser(res);
    if (!signedIn) return;
    if (await isPro(signedIn.user)) return res.redirect(303, '/dashboard?checkout=success');
    // Without JavaScript the page reloads itself, counting attempts so that it stops eventually.
    const attempt = Number(one(req.query.attempt) ?? '0');
    let refreshUrl: string | undefined;
    if (Number.isInteger(attempt) && attempt >= 0 && attempt < SUCCESS_REFRESHES) {
      const params = new URLSearchParams({ session_id: one(req.query.session_id) ?? '', attempt: String(attempt + 1) });
      refreshUrl = `/billing/success?${params}`;
    }
    res.type('html').send(confirmingPaymentPage({ refreshUrl }));
  });

  app.get('/billing/status', async (_req: Request, res: Response<unknown, Locals>) => {
    const session = res.locals.session;
    const user = session && (await findUserById(pool, session.userId));
    if (!user) return res.status(401).json({ error: 'not signed in' });
    res.json({ plan: (await isPro(user)) ? 'pro' : 'free' });
  });

  app.post('/account/delete', async (req: Request, res: Response<unknown, Locals>) => {
    const signedIn = await requireUser(res);
    if (!signedIn) return;
    if (field(req, 'confirm') !== 'yes') {
      return sendDashboard(req, res, signedIn, { status: 400, error: 'Tick the box to confirm that you want to delete your account. Nothing was deleted.' });
    }
    const { user } = signedIn;
    if (user.stripeCustomerId && !bugs.has('keep-customer')) {
      try {
        await deleteStripeCustomer(stripe, user.stripeCustomerId);
      } catch (error) {
        console.error(`demo-app: deleting a Stripe customer failed: ${(error as Error).message}`);
        return sendDashboard(req, res, signedIn, { status: 502, error: 'We could not delete your billing record at Stripe, so nothing was deleted. Please try again.' });
      }
    }
    await deleteUser(pool, user.id);
    clearCookie(res, SESSION_COOKIE);
    res.redirect(303, '/account/deleted');
  });

  app.get('/account/deleted', (_req, res) => {
    res.type('html').send(accountDeletedPage());
  });

  app.use((_req: Request, res: Response) => {
    res.status(404).type('html').send(errorPage({ title: 'Page not found', message: 'There is no page at this address.' }));
  });

  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    // Body-parser errors (too large, malformed) are the client's; everything else is ours.
    if (error.status && error.status >= 400 && error.status < 500) {
      res.status(error.status).type('html').send(errorPage({ title: 'Bad request', message: error.message }));
      return;
    }
    console.error(`demo-app: ${error.message}`);
    res.status(500).type('html').send(errorPage({ title: 'Something went wrong', message: 'The request failed on our side. Please try again.' }));
  });

  return app;
}
