import { test as base, expect, devices } from '@playwright/test';
import { chromiumLaunchOptions, type FlowsConfig } from '../helpers/index.js';
import { Flows, defaultFlowsConfig } from '../helpers/flows.js';
import { loopbackSite, type LoopbackSite } from './support/loopback-site.js';

/**
 * `flows.login`, `logout` and `deleteAccount` in Chromium against a small app on 127.0.0.1: each
 * step ends when the app has done it, and an app that answers with an error page ends the step at
 * once with the page's status and words, not after a wait for a button or a text.
 */
const page = (title: string, body: string) => `<!doctype html><title>${title}</title>${body}`;
const LOGIN_FORM = (action: string) => page('Log in', `<form method="post" action="${action}">
  <label for="email">Email</label><input id="email" name="email" type="email">
  <label for="password">Password</label><input id="password" name="password" type="password">
  <button>Log in</button>
</form>`);
const ACCOUNT = (prefix: string) => page('Account', `<p>Free plan</p>
<form method="post" action="${prefix}/logout"><button>Log out</button></form>
<form method="post" action="${prefix}/delete"><label><input type="checkbox" name="sure"> I understand</label><button>Delete account</button></form>`);
// A single-page app whose first document was a 404 (a deep link the server does not know) and whose
// router then moved on, client-side, to a page with a client-side logout.
const SPA = page('App', `<p id="view"></p><script>
  history.replaceState(null, '', '/app/account');
  document.getElementById('view').innerHTML = '<button>Log out</button>';
  document.querySelector('button').onclick = () => { document.getElementById('view').textContent = 'Bye'; };
</script>`);

// A form that refuses in place, as a server action does: 200, the same path, an alert under the form.
// Its live region is there from the start, empty, and so is a notice from before the submit.
const INLINE_SIGNUP = page('Sign up', `<p role="alert">Your session expired; sign up or log in.</p>
<form id="form">
  <label for="email">Email</label><input id="email" name="email" type="email">
  <label for="password">Password</label><input id="password" name="password" type="password">
  <button>Sign up</button>
  <p id="errors" role="alert"></p>
</form>
<script>
  document.getElementById('form').onsubmit = (event) => {
    event.preventDefault();
    setTimeout(() => { document.getElementById('errors').textContent = 'An account with this email already exists.'; }, 150);
  };
</script>`);

// A form whose app says welcome in a toast (role="alert", as react-toastify and MUI make them) and
// then routes client-side: a success, not a refusal.
const TOAST_SIGNUP = INLINE_SIGNUP.replace(
  "setTimeout(() => { document.getElementById('errors').textContent = 'An account with this email already exists.'; }, 150);",
  "document.getElementById('errors').textContent = 'Welcome! Your account is ready.'; setTimeout(() => { history.pushState(null, '', '/welcome'); document.body.textContent = 'Your dashboard'; }, 400);",
);

// A Next.js-style page: its button and form call server actions (fetch POSTs with a Next-Action
// header) and stay put; the app answers them with a 500, as when its Stripe client misses the emulator.
const ACTION_DASHBOARD = page('Dashboard', `<p>Free plan</p><button id="up">Upgrade</button><script>
  document.getElementById('up').onclick = () => fetch('/action/dashboard', { method: 'POST', headers: { 'Next-Action': '7f3a' }, body: '[]' });
</script>`);
const ACTION_SIGNUP = INLINE_SIGNUP.replace(
  "setTimeout(() => { document.getElementById('errors').textContent = 'An account with this email already exists.'; }, 150);",
  "fetch('/api/signup', { method: 'POST', body: new FormData(event.target) });",
);
const SILENT_SIGNUP = INLINE_SIGNUP.replace(
  "setTimeout(() => { document.getElementById('errors').textContent = 'An account with this email already exists.'; }, 150);",
  '',
);

// A dev server that reloads the page under a submission, as Vite does on a first visit while it
// optimizes dependencies: the form posts with fetch, and the page loads again, empty.
const RELOADING_SIGNUP = page('Sign up', `<form id="f">
  <label for="email">Email</label><input id="email" name="email" type="email">
  <label for="password">Password</label><input id="password" name="password" type="password">
  <button>Sign up</button>
</form>
<script>
  document.getElementById('f').addEventListener('submit', (event) => {
    event.preventDefault();
    fetch('/reloading/api', { method: 'POST', body: new FormData(event.target) });
    location.reload();
  });
</script>`);

// A form its scripts take over only later (a Vue or React page before hydration): without them,
// the browser sends it as a GET to its own path, the password in the address.
const UNHYDRATED_SIGNUP = page('Sign up', `<form>
  <label for="email">Email</label><input id="email" name="email" type="email">
  <label for="password">Password</label><input id="password" name="password" type="password">
  <button>Sign up</button>
</form>`);

// A form rendered again by its scripts after the flow filled it (hydration writing value=""): the
// email is emptied the first time it loses focus, or every time. Its fields are required.
const REQUIRED_LOGIN = LOGIN_FORM('/session').replace('type="email">', 'type="email" required>').replace('type="password">', 'type="password" required>');
const hydrating = (always: boolean) => `${REQUIRED_LOGIN}<script>
  const email = document.getElementById('email');
  let cleared = false;
  email.addEventListener('blur', () => { if (${always} || !cleared) { cleared = true; email.value = ''; } });
</script>`;
// A password rule the test user's password does not meet: the browser itself refuses the submit.
const LONG_PASSWORD_LOGIN = REQUIRED_LOGIN.replace('type="password" required>', 'type="password" required minlength="64">');

// A single-page app's dashboard and account page: their buttons call the API with fetch and show
// its refusal in an alert, or say something else than the deleted message.
const clientSide = (button: string, script: string) => page('App', `<p>Free plan</p><button id="act">${button}</button><p id="said" role="alert"></p><script>
  const said = (text) => { document.getElementById('said').textContent = text; };
  document.getElementById('act').onclick = async () => { ${script} };
</script>`);
const FETCH_DASHBOARD = clientSide('Upgrade', "const r = await fetch('/api/checkout', { method: 'POST' }); if (!r.ok) said('Bad Request');");
const COMING_SOON = clientSide('Upgrade', "said('Coming soon');");
const FETCH_ACCOUNT = clientSide('Delete account', "const r = await fetch('/api/account', { method: 'DELETE' }); said(r.ok ? 'Your account has been deleted.' : 'Forbidden');");
const GOODBYE_ACCOUNT = clientSide('Delete account', "said('Goodbye! We are sad to see you go.');");

// Sign-up forms that ask for the password twice, as Django's UserCreationForm and Devise label it,
// and as many others do; they refuse in place when the two differ.
const twicePasswordSignup = (first: string, second: string) => page('Sign up', `<form id="form">
  <label for="email">Email:</label><input id="email" name="email" type="email" required>
  <label for="password1">${first}</label><input id="password1" name="password1" type="password" required>
  <label for="password2">${second}</label><input id="password2" name="password2" type="password" required>
  <button>Sign up</button>
  <p id="errors" role="alert"></p>
</form>
<script>
  document.getElementById('form').onsubmit = (event) => {
    event.preventDefault();
    const [one, two] = ['password1', 'password2'].map((id) => document.getElementById(id).value);
    if (one !== two) document.getElementById('errors').textContent = 'The two password fields didn’t match.';
    else location.href = '/welcome';
  };
</script>`);

const DJANGO_SIGNUP = (errors: string) => page('Sign up', `<form method="post">${errors}
  <label for="email">Email:</label><input id="email" name="email" type="email" value="${errors ? 'vibes+steps@example.com' : ''}">
  <label for="password">Password:</label><input id="password" name="password" type="password">
  <button>Sign up</button>
</form>`);

function answer(method: string, path: string): { status: number; body: string } {
  const post = method === 'POST';
  if (path === '/login') return { status: 200, body: LOGIN_FORM('/session') };
  if (path === '/session' && post) return { status: 200, body: page('Dashboard', '<p>Welcome back</p>') };
  if (path === '/login-refused') return { status: post ? 401 : 200, body: post ? page('Log in', '<p>Email or password is incorrect.</p>') : LOGIN_FORM('/login-refused') };
  if (path === '/ok/account' || path === '/broken/account') return { status: 200, body: ACCOUNT(path.replace('/account', '')) };
  if (path === '/ok/logout' && post) return { status: 200, body: page('Home', '<p>See you soon</p>') };
  if (path === '/ok/delete' && post) return { status: 200, body: page('Home', '<p>Your account has been deleted.</p>') };
  if (path === '/broken/logout' && post) return { status: 500, body: page('Error', '<h1>Error</h1><p>The session store is down.</p>') };
  if (path === '/broken/delete' && post) return { status: 500, body: page('Error', '<h1>Error</h1><p>Could not delete the customer.</p>') };
  if (path === '/app/deep-link') return { status: 404, body: SPA };
  // The deletion behind a confirm(), as a form's onsubmit often asks it.
  if (path === '/confirm/account') return { status: 200, body: page('Account', `<form method="post" action="/ok/delete" onsubmit="return confirm('Really delete your account?')"><button>Delete account</button></form>`) };
  if (path === '/subscribe') return { status: 200, body: page('Dashboard', '<p>Free plan</p><form method="post" action="/checkout"><button>Subscribe</button></form><button>Log out</button>') };
  if (path === '/signup-inline') return { status: 200, body: INLINE_SIGNUP };
  if (path === '/action/dashboard') return post ? { status: 500, body: '0:{"error":"An error occurred in the Server Components render."}' } : { status: 200, body: ACTION_DASHBOARD };
  if (path === '/action/signup') return { status: 200, body: ACTION_SIGNUP };
  if (path === '/api/signup' && post) return { status: 503, body: 'database unavailable' };
  if (path === '/silent/signup') return { status: 200, body: SILENT_SIGNUP };
  if (path === '/reloading/signup') return { status: 200, body: RELOADING_SIGNUP };
  if (path === '/unhydrated/signup') return { status: 200, body: UNHYDRATED_SIGNUP };
  if (path === '/reloading/api' && post) return { status: 204, body: '' };
  if (path === '/signup-toast') return { status: 200, body: TOAST_SIGNUP };
  if (path === '/django/signup') return { status: 200, body: twicePasswordSignup('Password:', 'Password confirmation:') };
  if (path === '/confirm/signup') return { status: 200, body: twicePasswordSignup('Password', 'Confirm password') };
  if (path === '/welcome') return { status: 200, body: page('Welcome', '<p>Your dashboard</p>') };
  // Django renders a refused form again (200, the same path) with an errorlist and no role="alert", the password blanked.
  if (path === '/refusing/signup') return { status: 200, body: DJANGO_SIGNUP(post ? '<ul class="errorlist"><li>Please sign up with your work email.</li></ul>' : '') };
  if (path === '/hydrating/login') return { status: 200, body: hydrating(false) };
  if (path === '/never-hydrated/login') return { status: 200, body: hydrating(true) };
  if (path === '/long-password/login') return { status: 200, body: LONG_PASSWORD_LOGIN };
  if (path === '/spa/dashboard') return { status: 200, body: FETCH_DASHBOARD };
  if (path === '/api/checkout' && post) return { status: 400, body: '{"message":"STRIPE_PRICE_ID is not configured"}' };
  if (path === '/soon/dashboard') return { status: 200, body: COMING_SOON };
  if (path === '/spa/account') return { status: 200, body: FETCH_ACCOUNT };
  if (path === '/api/account' && method === 'DELETE') return { status: 403, body: 'Forbidden: re-authenticate first' };
  if (path === '/goodbye/account') return { status: 200, body: GOODBYE_ACCOUNT };
  if (path === '/login-noticed') return { status: 200, body: LOGIN_FORM('/session').replace('<form', '<p role="alert">Your session expired; log in again.</p><form') };
  return { status: 404, body: page('Not found', '<p>No such page</p>') };
}

const test = base.extend<{ app: LoopbackSite }>({
  app: async ({}, use) => {
    const app = await loopbackSite((req) => answer(req.method ?? 'GET', new URL(req.url ?? '/', 'http://app').pathname));
    await use(app);
    await app.close();
  },
  // The flows' paths go to this app, not to the demo app the repository's config points at.
  baseURL: async ({ app }, use) => {
    await use(app.url);
  },
});

// The framework project has no browser of its own: this spec brings Chromium (Playwright's or the system's).
test.use({ ...devices['Desktop Chrome'], launchOptions: chromiumLaunchOptions() });

const flowsWith = (pageUnderTest: import('@playwright/test').Page, paths: Partial<FlowsConfig['paths']>) =>
  new Flows(pageUnderTest, { ...defaultFlowsConfig, paths: { ...defaultFlowsConfig.paths, ...paths } });
const user = { email: 'vibes+steps@example.com', password: 'pw-long-enough' };

test('login posts the form and is done when the page leaves it', async ({ page, app }) => {
  await flowsWith(page, {}).login(user);
  await expect(page.getByText('Welcome back')).toBeVisible();
  const posted = app.requests.find((r) => r.path === '/session');
  expect(posted, 'the form was posted').toBeDefined();
});

test('a refused login (401 at the form) is said with the page, not waited on', async ({ page }) => {
  await expect(flowsWith(page, { login: '/login-refused' }).login(user)).rejects.toThrow(/answered 401 for POST \/login-refused: "Email or password is incorrect\."/);
});

test('a form that refuses in place (200, an alert under it) is said with the alert, not waited on until the timeout', async ({ page }) => {
  await expect(flowsWith(page, { signup: '/signup-inline' }).signup(user)).rejects.toThrow(
    'The sign-up form at /signup-inline was refused: the page stayed there and says "An account with this email already exists."',
  );
});

test('a success toast (an alert) shown just before the app routes on is not taken for a refusal', async ({ page }) => {
  await flowsWith(page, { signup: '/signup-toast' }).signup(user);
  await expect(page).toHaveURL(/\/welcome$/);
});

test('a sign-up form that asks for the password twice gets it twice ("Password confirmation", "Confirm password")', async ({ page }) => {
  for (const signup of ['/django/signup', '/confirm/signup']) {
    await flowsWith(page, { signup }).signup(user);
    await expect(page, signup).toHaveURL(/\/welcome$/);
  }
});

test("a form rendered again with its errors in a list, not an alert (Django's errorlist), is said with them", async ({ page }) => {
  await expect(flowsWith(page, { signup: '/refusing/signup' }).signup(user)).rejects.toThrow(
    'The sign-up form at /refusing/signup was refused: the page stayed there and says "Please sign up with your work email."',
  );
});

test('an alert the page showed before the submit is not taken for a refusal', async ({ page }) => {
  await flowsWith(page, { login: '/login-noticed' }).login(user);
  await expect(page.getByText('Welcome back')).toBeVisible();
});

test('logout and deleteAccount end when the app has done them', async ({ page, app }) => {
  const flows = flowsWith(page, { account: '/ok/account' });
  await page.goto('/ok/account');
  await flows.logout();
  await expect(page.getByText('See you soon')).toBeVisible();
  await flows.deleteAccount();
  await expect(page.getByText('Your account has been deleted.')).toBeVisible();
  expect(app.requests.filter((r) => r.status === 200).map((r) => r.path)).toEqual(['/ok/account', '/ok/logout', '/ok/account', '/ok/delete']);
});

test('a logout the app answers with an error page fails with its words: the button being gone is not enough', async ({ page }) => {
  const flows = flowsWith(page, { account: '/broken/account' });
  await page.goto('/broken/account');
  await expect(flows.logout()).rejects.toThrow(/answered 500 for POST \/broken\/logout: "Error The session store is down\."/);
});

test('a deletion the app answers with an error page fails with its words, not after a wait for the deleted message', async ({ page }) => {
  // Waiting for the deleted message would last the test's whole timeout, and fail it with another message.
  await expect(flowsWith(page, { account: '/broken/account' }).deleteAccount()).rejects.toThrow(/answered 500 for POST \/broken\/delete: "Error Could not delete the customer\."/);
});

test("an error document the page has moved on from (a single-page app's client-side route) does not fail a step", async ({ page }) => {
  await page.goto('/app/deep-link');
  await expect(page).toHaveURL(/\/app\/account$/);
  await flowsWith(page, {}).logout();
  await expect(page.getByText('Bye')).toBeVisible();
});

test("a deletion behind the browser's confirm() is confirmed, as the person would", async ({ page, app }) => {
  await flowsWith(page, { account: '/confirm/account' }).deleteAccount();
  await expect(page.getByText('Your account has been deleted.')).toBeVisible();
  expect(app.requests.map((r) => r.path)).toContain('/ok/delete');
});

test('a button named otherwise than the flows expect is said within 15 s, with the buttons the page has and the option to set', async ({ page }) => {
  test.setTimeout(60_000);
  await expect(flowsWith(page, { dashboard: '/subscribe' }).upgrade()).rejects.toThrow(
    'No button named /upgrade/i on /subscribe within 15 s. Buttons there: "Subscribe", "Log out". If yours is called differently, set flows: { buttons: { upgrade: … } }, or flows: { paths: { dashboard: … } } if it is on another page, in defineVibesConfig (or test.use({ flowsConfig })).',
  );
});

test("a server action or fetch the app answers with a 500 ends the step at once, though the page shows nothing of it", async ({ page }) => {
  // Without it, the upgrade waits for a navigation until the test's timeout.
  await page.goto('/action/dashboard');
  await expect(flowsWith(page, { dashboard: '/action/dashboard' }).upgrade()).rejects.toThrow(
    /answered 500 to a server action the page sent \(POST \/action\/dashboard\): "0:\{"error":"An error occurred in the Server Components render\."\}", and the page stayed as it was\. The app's log says why \(the run shows its stderr as \[app\], and its stdout with app: \{ stdout: 'pipe' \}\)\. With the emulator, the app's Stripe client must follow STRIPE_EMULATOR_URL/,
  );
  await expect(flowsWith(page, { signup: '/action/signup' }).signup(user)).rejects.toThrow(/answered 503 to a request the page sent \(POST \/api\/signup\): "database unavailable"/);
});

test('an upgrade or a deletion whose API call the app refuses with a 4xx ends at once, with its answer', async ({ page }) => {
  // The most common failure of a checkout call (an unknown price is Stripe's 400, passed on): it used to wait out the test.
  await page.goto('/spa/dashboard');
  await expect(flowsWith(page, { dashboard: '/spa/dashboard' }).upgrade()).rejects.toThrow(
    /^http:\/\/127\.0\.0\.1:\d+ answered 400 to a request the page sent \(POST \/api\/checkout\): "\{"message":"STRIPE_PRICE_ID is not configured"\}", and the page stayed as it was\.$/,
  );
  await expect(flowsWith(page, { account: '/spa/account' }).deleteAccount()).rejects.toThrow(
    /answered 403 to a request the page sent \(DELETE \/api\/account\): "Forbidden: re-authenticate first", and the page stayed as it was\./,
  );
});

test('an upgrade that leads nowhere, and a deletion that says something else, are said within 15 s with what the page shows', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto('/soon/dashboard');
  await expect(flowsWith(page, { dashboard: '/soon/dashboard' }).upgrade()).rejects.toThrow(
    'The /upgrade/i button on /soon/dashboard was clicked, and within 15 s the page neither went to another page (Stripe Checkout, a payment page) nor showed Stripe\'s payment form. It shows "Coming soon". The app\'s log may say why.',
  );
  await expect(flowsWith(page, { account: '/goodbye/account' }).deleteAccount()).rejects.toThrow(
    'The /delete (my )?account/i button on /goodbye/account was clicked, and within 15 s the page did not say /account (has been )?deleted/i. It shows "Goodbye! We are sad to see you go.". If your app says it in other words, set flows: { deletedMessage: … } in defineVibesConfig.',
  );
});

test('a form its scripts emptied after the fill is filled and sent again; one that stays empty, or that the browser refuses, is said at once', async ({ page, app }) => {
  await flowsWith(page, { login: '/hydrating/login' }).login(user);
  await expect(page.getByText('Welcome back')).toBeVisible();
  expect(app.requests.filter((r) => r.path === '/session'), 'one submission, the one after the refill').toHaveLength(1);

  // Said as the reason, not after the 15 s a form gets to leave its page with "neither left it".
  await expect(flowsWith(page, { login: '/never-hydrated/login' }).login(user)).rejects.toThrow(
    'The log-in form at /never-hydrated/login was filled and its button clicked, and nothing was sent: Email was empty again, 3 times.',
  );
  await expect(flowsWith(page, { signup: '/unhydrated/signup' }).signup(user)).rejects.toThrow(
    'The sign-up form at /unhydrated/signup was filled and its button clicked, and the browser sent it itself, as GET /unhydrated/signup?…&password=… (the password in the address, and in server logs)',
  );
  await expect(flowsWith(page, { login: '/long-password/login' }).login(user)).rejects.toThrow(
    /The log-in form at \/long-password\/login was filled and its button clicked, and the browser would not submit it: Password: "Please lengthen this text to 64 characters or more/,
  );
});

test('a form whose submit leads nowhere is said within 15 s, in words, not as a timeout', async ({ page }) => {
  test.setTimeout(60_000);
  const silent = await flowsWith(page, { signup: '/silent/signup' }).signup(user).catch((error: Error) => error);
  expect(silent?.message).toContain('The sign-up form at /silent/signup was submitted, and within 15 s the page neither left it nor showed an error or an alert.');
  expect(silent?.message).toContain("The app's log may say why");
});

test('a form whose page loaded itself again under the submission (a dev server reloading) says so after its 15 s', async ({ page }) => {
  test.setTimeout(60_000);
  const reloaded = await flowsWith(page, { signup: '/reloading/signup' }).signup(user).catch((error: Error) => error);
  expect(reloaded?.message).toContain('The sign-up form at /reloading/signup was submitted, and within 15 s the page neither left it nor showed an error or an alert. ' +
    'After the click the page loaded the form again, and what was typed is gone: a dev server that reloads the page loses the submission (Vite does on a first visit');
});
