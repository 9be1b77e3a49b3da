import { CSRF_FIELD } from './csrf.js';
import { html, SafeHtml } from '../core/index.js';

const STYLE = `
  body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
  label { display: block; margin-top: 0.75rem; }
  input[type=email], input[type=password] { width: 100%; padding: 0.4rem; box-sizing: border-box; }
  .check label { display: inline; }
  button { margin-top: 0.75rem; padding: 0.4rem 1rem; }
  [role=alert] { color: #a00; }
  .plan { font-size: 1.4rem; font-weight: bold; }
  section { margin-top: 2rem; border-top: 1px solid #ccc; }
`;

interface PageOptions {
  title: string;
  body: SafeHtml;
  head?: SafeHtml;
}

export function layout({ title, body, head }: PageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Vibes Demo</title>
<style>${new SafeHtml(STYLE)}</style>
${head}
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.value;
}

function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

function alert(message: string | undefined): SafeHtml {
  return message ? html`<p role="alert">${message}</p>` : html``;
}

function notice(message: string | undefined): SafeHtml {
  return message ? html`<p role="status">${message}</p>` : html``;
}

export function landingPage({ message }: { message?: string } = {}): string {
  return layout({
    title: 'Welcome',
    body: html`<h1>Vibes Demo</h1>
${notice(message)}
<p>A small SaaS with a Free and a Pro plan, paid through Stripe.</p>
<nav aria-label="Account">
<ul>
<li><a href="/signup">Sign up</a></li>
<li><a href="/login">Log in</a></li>
</ul>
</nav>`,
  });
}

interface CredentialsForm {
  csrfToken: string;
  email?: string;
  error?: string;
  message?: string;
}

/** Sign up and log in are the same form but for where it goes and how the browser fills it. */
function credentialsPage(
  { csrfToken, email = '', error, message }: CredentialsForm,
  { title, action, newPassword, footer }: { title: string; action: string; newPassword: boolean; footer: SafeHtml },
): string {
  const password = newPassword
    ? html`<input id="password" name="password" type="password" autocomplete="new-password" required minlength="8">`
    : html`<input id="password" name="password" type="password" autocomplete="current-password" required>`;
  return layout({
    title,
    body: html`<h1>${title}</h1>
${notice(message)}
${alert(error)}
<form method="post" action="${action}">
${csrfField(csrfToken)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" required value="${email}">
<label for="password">Password</label>
${password}
<button type="submit">${title}</button>
</form>
${footer}`,
  });
}

export function signupPage(form: CredentialsForm): string {
  return credentialsPage(form, {
    title: 'Sign up',
    action: '/signup',
    newPassword: true,
    footer: html`<p>Already have an account? <a href="/login">Log in</a></p>`,
  });
}

export function loginPage(form: CredentialsForm): string {
  return credentialsPage(form, {
    title: 'Log in',
    action: '/login',
    newPassword: false,
    footer: html`<p>New here? <a href="/signup">Sign up</a></p>`,
  });
}

interface DashboardView {
  csrfToken: string;
  email: string;
  pro: boolean;
  message?: string;
  error?: string;
}

export function dashboardPage({ csrfToken, email, pro, message, error }: DashboardView): string {
  const upgrade = pro
    ? html``
    : html`<form method="post" action="/billing/upgrade">
${csrfField(csrfToken)}
<button type="submit">Upgrade to Pro</button>
</form>`;
  return layout({
    title: 'Dashboard',
    body: html`<h1>Dashboard</h1>
${notice(message)}
${alert(error)}
<p>Signed in as <strong>${email}</strong></p>
<p class="plan" id="plan">${pro ? 'Pro plan' : 'Free plan'}</p>
${upgrade}
<form method="post" action="/logout">
${csrfField(csrfToken)}
<button type="submit">Log out</button>
</form>
<section aria-labelledby="delete-heading">
<h2 id="delete-heading">Delete account</h2>
<p>This removes your account and your billing record at Stripe. It cannot be undone.</p>
<form method="post" action="/account/delete">
${csrfField(csrfToken)}
<p class="check">
<input id="confirm-delete" name="confirm" type="checkbox" value="yes" required>
<label for="confirm-delete">I understand that this permanently deletes my account</label>
</p>
<button type="submit">Delete account</button>
</form>
</section>`,
  });
}

/**
 * How the success page waits for the webhook: every 100 ms for the first 2 s, when it nearly
 * always lands, then every 500 ms up to a minute. A steady 500 ms made every paid sign-up wait
 * about half a second after its webhook had been handled.
 */
export const SUCCESS_POLLS = { fast: 20, fastMs: 100, slowMs: 500, total: 136 };
/** Without JavaScript the page reloads itself instead, fewer times and more slowly. */
export const SUCCESS_REFRESHES = 30;

export function confirmingPaymentPage({ refreshUrl }: { refreshUrl: string | undefined }): string {
  const refresh = refreshUrl ? html`<noscript><meta http-equiv="refresh" content="2;url=${refreshUrl}"></noscript>` : html``;
  const script = new SafeHtml(`<script>
(() => {
  let polls = 0;
  const giveUp = () => {
    document.getElementById('waiting').textContent =
      'Stripe has not confirmed the payment yet. Reload this page in a moment, or go to your dashboard.';
  };
  const poll = async () => {
    try {
      const res = await fetch('/billing/status', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      const status = res.ok ? await res.json() : null;
      if (status && status.plan === 'pro') return location.replace('/dashboard?checkout=success');
    } catch {}
    if (++polls >= ${SUCCESS_POLLS.total}) return giveUp();
    setTimeout(poll, polls < ${SUCCESS_POLLS.fast} ? ${SUCCESS_POLLS.fastMs} : ${SUCCESS_POLLS.slowMs});
  };
  poll();
})();
</script>`);
  return layout({
    title: 'Confirming your payment',
    head: refresh,
    body: html`<h1>Confirming your payment…</h1>
<p id="waiting" role="status" aria-live="polite">Waiting for Stripe to confirm the payment. This page updates by itself.</p>
<p><a href="/dashboard">Go to dashboard</a></p>
${script}`,
  });
}

export function accountDeletedPage(): string {
  return layout({
    title: 'Account deleted',
    body: html`<h1>Your account has been deleted</h1>
<p role="status">Your account and your billing record are gone. Thank you for trying Vibes Demo.</p>
<p><a href="/">Back to the home page</a></p>`,
  });
}

export function errorPage({ title, message }: { title: string; message: string }): string {
  return layout({
    title,
    body: html`<h1>${title}</h1>
<p role="alert">${message}</p>
<p><a href="/">Back to the home page</a></p>`,
  });
}
