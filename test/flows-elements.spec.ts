import { createServer } from 'node:http';
import { text } from 'node:stream/consumers';
import { test as base, expect, devices } from '@playwright/test';
import { listen, type Listening } from '../core/index.js';
import { chromiumLaunchOptions, cards } from '../helpers/index.js';
import { Flows, defaultFlowsConfig } from '../helpers/flows.js';

/**
 * `flows.pay` on an app's own page with Stripe's embedded Elements. Stripe.js cannot load on an
 * offline machine, so the shop below renders the frames as Stripe.js does: the Payment Element's
 * card form in an iframe titled "Secure payment input frame", mounted late, after two accessory
 * frames with the same title that hold no form, one hidden and one a visible pixel (Stripe mounts
 * such frames before or after the form); the Card Element as one "Secure card payment input frame" with Stripe's field names.
 * The app's Pay button sends what the frames hold to the shop's server, which declines
 * 4000 0000 0000 0002 with Stripe's message.
 */
interface Shop {
  url: string;
  /** Every payment the shop's server received, in order. */
  payments: Array<Record<string, string>>;
}

const test = base.extend<{ shop: Shop }>({
  shop: async ({}, use) => {
    const payments: Shop['payments'] = [];
    const site: Listening = await listen(
      createServer(async (req, res) => {
        if (req.method === 'POST') {
          const payment = JSON.parse(await text(req)) as Record<string, string>;
          payments.push(payment);
          const declined = payment.number?.replace(/\s/g, '') === '4000000000000002';
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ declined }));
        }
        const pages: Record<string, () => string> = {
          '/': signUpPage, '/welcome': welcomePage, '/card-element': cardElementPage, '/upgrade-in-place': upgradeInPlacePage,
          // A page whose Stripe.js never loaded (offline, or the emulator, which serves no Stripe.js): no frame ever mounts.
          '/no-stripe-js': () => '<!doctype html><title>Billing</title><div id="payment-element"></div><button>Pay</button>',
        };
        const page = pages[new URL(req.url ?? '/', site.url).pathname] ?? paymentElementPage;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page());
      }),
    );
    await use({ url: site.url, payments });
    await site.close();
  },
});

// The framework project has no browser of its own: this spec brings Chromium (Playwright's or the system's).
test.use({ ...devices['Desktop Chrome'], launchOptions: chromiumLaunchOptions() });

test('pays in the Payment Element frame that holds the card form, not in an accessory frame of the same title', async ({ page, shop }) => {
  await page.goto(`${shop.url}/payment-element`);
  await new Flows(page, defaultFlowsConfig).pay(cards.visa, { postalCode: '94107' });
  await expect.poll(() => shop.payments).toEqual([{ number: cards.visa.number, expiry: cards.visa.expiry, cvc: cards.visa.cvc, postal: '94107' }]);
});

test('a declined card in the Payment Element waits for the decline message', async ({ page, shop }) => {
  await page.goto(`${shop.url}/payment-element`);
  await new Flows(page, defaultFlowsConfig).pay(cards.declined);
  await expect(page.getByRole('alert')).toHaveText('Your card was declined.');
  expect(shop.payments.map((p) => p.number)).toEqual([cards.declined.number]);
});

test('upgrade waits for the Payment Element mounted in place, where the URL does not change', async ({ page, shop }) => {
  await page.goto(`${shop.url}/upgrade-in-place`);
  const flows = new Flows(page, defaultFlowsConfig);
  await flows.upgrade();
  await flows.pay(cards.visa);
  await expect.poll(() => shop.payments.map((p) => p.number)).toEqual([cards.visa.number]);
  expect(new URL(page.url()).pathname).toBe('/upgrade-in-place');
});

test('sign-up at "/" is done once the page leaves "/"', async ({ page, shop }) => {
  const flows = new Flows(page, { ...defaultFlowsConfig, paths: { ...defaultFlowsConfig.paths, signup: `${shop.url}/` } });
  await flows.signup({ email: 'vibes+root@example.com', password: 'pw-root' });
  await expect(page.getByRole('heading')).toHaveText('Welcome');
});

test('pays in the Card Element by its field names', async ({ page, shop }) => {
  await page.goto(`${shop.url}/card-element`);
  await new Flows(page, defaultFlowsConfig).pay(cards.mastercard);
  await expect.poll(() => shop.payments).toEqual([{ number: cards.mastercard.number, expiry: cards.mastercard.expiry, cvc: cards.mastercard.cvc, postal: '10001' }]);
});

const PAYMENT_FORM = `<!doctype html><html lang="en"><body>
<label for="number">Card number</label><input id="number" name="number" placeholder="1234 1234 1234 1234">
<label for="expiry">Expiration date</label><input id="expiry" name="expiry" placeholder="MM / YY">
<label for="cvc">Security code</label><input id="cvc" name="cvc" placeholder="CVC">
<label for="postal">ZIP code</label><input id="postal" name="postalCode" placeholder="12345">
</body></html>`;

const CARD_FORM = `<!doctype html><html lang="en"><body>
<input name="cardnumber" placeholder="Card number" aria-label="Credit or debit card number">
<input name="exp-date" placeholder="MM / YY" aria-label="Credit or debit card expiration date">
<input name="cvc" placeholder="CVC" aria-label="Credit or debit card CVC/CVV">
<input name="postal" placeholder="ZIP" aria-label="ZIP">
</body></html>`;

/** The app's page: its Pay button reads the frame's fields (the frames are same-origin here) and posts them. */
function shopPage(title: string, mount: string, fields: Record<string, string>): string {
  return `<!doctype html><html lang="en"><title>${title}</title><body><h1>Upgrade to Pro</h1>
<div id="element"></div>
<button id="pay" type="button">Pay $20.00</button>
<script>
const frame = (srcdoc, title, style) => {
  const iframe = document.createElement('iframe');
  iframe.title = title;
  iframe.srcdoc = srcdoc;
  if (style) { iframe.setAttribute('aria-hidden', 'true'); iframe.style.cssText = style; }
  document.getElementById('element').append(iframe);
  return iframe;
};
${mount}
document.getElementById('pay').addEventListener('click', async () => {
  const form = [...document.querySelectorAll('iframe')].map((f) => f.contentDocument).find((d) => d && d.querySelector('input'));
  const value = (name) => form.querySelector('[name="' + name + '"]').value;
  const payment = ${JSON.stringify(fields)};
  for (const key of Object.keys(payment)) payment[key] = value(payment[key]);
  const answer = await (await fetch('/pay', { method: 'POST', body: JSON.stringify(payment) })).json();
  if (answer.declined) {
    const alert = document.createElement('div');
    alert.setAttribute('role', 'alert');
    alert.textContent = 'Your card was declined.';
    document.body.append(alert);
  }
});
</script></body></html>`;
}

function paymentElementPage(): string {
  // Two accessory frames first (one hidden, one a visible pixel), the form 200 ms later.
  const mount = `
frame('<!doctype html><p></p>', 'Secure payment input frame', 'display:none');
frame('<!doctype html><p></p>', 'Secure payment input frame', 'width:1px;height:1px;border:0');
setTimeout(() => frame(${JSON.stringify(PAYMENT_FORM)}, 'Secure payment input frame'), 200);`;
  return shopPage('Payment Element', mount, { number: 'number', expiry: 'expiry', cvc: 'cvc', postal: 'postalCode' });
}

/** The Payment Element is mounted on this page when Upgrade is clicked: no navigation at all. */
function upgradeInPlacePage(): string {
  const mount = `
const upgrade = document.createElement('button');
upgrade.type = 'button';
upgrade.textContent = 'Upgrade';
document.body.prepend(upgrade);
upgrade.addEventListener('click', () => setTimeout(() => frame(${JSON.stringify(PAYMENT_FORM)}, 'Secure payment input frame'), 200));`;
  return shopPage('Upgrade in place', mount, { number: 'number', expiry: 'expiry', cvc: 'cvc', postal: 'postalCode' });
}

function signUpPage(): string {
  return `<!doctype html><html lang="en"><title>Shop</title><body><form action="/welcome">
<label>Email <input name="email" type="email"></label><label>Password <input name="password" type="password"></label>
<button>Sign up</button></form></body></html>`;
}

function welcomePage(): string {
  return '<!doctype html><html lang="en"><title>Welcome</title><body><h1>Welcome</h1></body></html>';
}

function cardElementPage(): string {
  const mount = `frame(${JSON.stringify(CARD_FORM)}, 'Secure card payment input frame');`;
  return shopPage('Card Element', mount, { number: 'cardnumber', expiry: 'exp-date', cvc: 'cvc', postal: 'postal' });
}

test('a page where no Stripe form ever shows (Stripe.js did not load) is said within 15 s, not waited on until the test times out', async ({ page, shop }) => {
  test.setTimeout(60_000);
  await page.goto(`${shop.url}/no-stripe-js`);
  await expect(new Flows(page, defaultFlowsConfig).pay(cards.visa)).rejects.toThrow(
    'No Stripe payment form on /no-stripe-js within 15 s: the page is not Stripe Checkout, and shows no Payment Element or Card Element frame. Did Stripe.js load from js.stripe.com?',
  );
});
