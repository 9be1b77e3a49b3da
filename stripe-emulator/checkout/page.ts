import { html, raw, type SafeHtml } from '../../core/index.js';
import { formatAmount } from './amount.js';

export interface PageLine {
  name: string;
  quantity: number;
  amount: number;
  /** "per month", "every 3 months", or null for a one-time price. */
  interval: string | null;
}

export interface CheckoutPageModel {
  sessionId: string;
  businessName: string;
  mode: 'payment' | 'subscription';
  currency: string;
  total: number;
  lines: PageLine[];
  cancelUrl: string | null;
  submitLabel: string;
  /** Set when the session fixes the email (customer_email or customer): shown, not editable. */
  lockedEmail: string | null;
  values: Record<string, string>;
  fieldErrors: Record<string, string>;
  /** A payment error (decline, failed authentication) shown under the card fields. */
  alert: string | null;
  /** Present while a 3-D Secure challenge is pending. */
  challengeSrc: string | null;
}

const COUNTRIES: [code: string, name: string][] = [
  ['US', 'United States'],
  ['CA', 'Canada'],
  ['GB', 'United Kingdom'],
  ['AU', 'Australia'],
  ['DE', 'Germany'],
  ['FR', 'France'],
  ['IE', 'Ireland'],
  ['NL', 'Netherlands'],
  ['ES', 'Spain'],
  ['IT', 'Italy'],
  ['SE', 'Sweden'],
  ['JP', 'Japan'],
  ['BR', 'Brazil'],
  ['IN', 'India'],
  ['PE', 'Peru'],
];

/** Countries whose address form asks for a postal code, as Checkout does. */
export const POSTAL_CODE_COUNTRIES = new Set(['US', 'CA', 'GB', 'AU']);

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:14px/1.4 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Ubuntu,sans-serif;color:#1a1a1a;background:#fff}
.App-Container{display:flex;flex-wrap:wrap;justify-content:center;gap:64px;max-width:920px;margin:0 auto;padding:48px 24px}
.App-Overview,.App-Payment{flex:1 1 360px;max-width:400px}
.Header{display:flex;align-items:center;gap:12px;margin-bottom:32px}
.Header-backLink{display:inline-flex;align-items:center;gap:8px;color:#1a1a1a;text-decoration:none;font-weight:500}
.Header-backArrow{font-size:18px;color:#697386}.Header-businessName{font-weight:500}
.TestModeBadge{background:#ffde92;color:#a04100;border-radius:4px;padding:1px 6px;font-size:11px;font-weight:700;text-transform:uppercase}
.ProductSummary-name{color:#697386;font-size:16px;font-weight:500}
.ProductSummary-amount{display:flex;align-items:baseline;gap:6px;margin:4px 0 24px}
.ProductSummary-totalAmount{font-size:36px;font-weight:600}.ProductSummary-interval{color:#697386}
.OrderDetails{list-style:none;padding:0;margin:0}.LineItem,.OrderDetails-total{display:flex;justify-content:space-between;padding:8px 0}
.OrderDetails-total{border-top:1px solid #e6e6e6;font-weight:600}.LineItem-quantity{color:#697386;font-size:12px}
h2{font-size:16px;font-weight:500;margin:24px 0 12px}
.FormField{margin-bottom:16px}label,.FieldLabel{display:block;color:#4f566b;font-size:13px;margin-bottom:4px}
input,select{width:100%;font:inherit;padding:8px 12px;border:1px solid #e0e0e0;border-radius:6px;background:#fff;color:inherit}
input[readonly]{background:#f7f7f7;color:#4f566b}
.CardGroup input{border-radius:0}.CardGroup input#cardNumber{border-radius:6px 6px 0 0}
.CardRow{display:flex}.CardRow input{flex:1}.CardRow input#cardExpiry{border-radius:0 0 0 6px;border-top:0}.CardRow input#cardCvc{border-radius:0 0 6px 0;border-top:0;border-left:0}
.AddressGroup select{border-radius:6px 6px 0 0}.AddressGroup input{border-radius:0 0 6px 6px;border-top:0}
[aria-invalid=true]{border-color:#df1b41;color:#df1b41}
.FieldError{color:#df1b41;font-size:13px;margin-top:4px}
.VisuallyHidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.SubmitButton{width:100%;margin-top:12px;padding:12px;border:0;border-radius:6px;background:#0074d4;color:#fff;font:inherit;font-size:16px;font-weight:600;cursor:pointer}
.SubmitButton[disabled]{opacity:.7;cursor:default}
.Footer{margin-top:24px;color:#697386;font-size:12px;text-align:center}
.ThreeDSModal{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center}
.ThreeDSModal iframe{width:420px;max-width:95vw;height:460px;border:0;border-radius:8px;background:#fff}
`;

// Formats what a person types the way Checkout does and shows "Processing…" while submitting.
const SCRIPT = `
(function(){
  var form=document.getElementById('payment-form');if(!form)return;
  var number=document.getElementById('cardNumber'),expiry=document.getElementById('cardExpiry'),cvc=document.getElementById('cardCvc');
  function digits(v){return v.replace(/\\D/g,'')}
  number.addEventListener('input',function(){var d=digits(number.value).slice(0,19);var amex=/^3[47]/.test(d);var g=amex?[4,6,5]:[4,4,4,4,3];var out=[],i=0;for(var k=0;k<g.length&&i<d.length;k++){out.push(d.slice(i,i+g[k]));i+=g[k]}number.value=out.join(' ')});
  expiry.addEventListener('input',function(e){var d=digits(expiry.value).slice(0,4);if(d.length===1&&d>'1')d='0'+d;expiry.value=d.length>2||(d.length===2&&e.inputType!=='deleteContentBackward')?d.slice(0,2)+' / '+d.slice(2):d});
  cvc.addEventListener('input',function(){cvc.value=digits(cvc.value).slice(0,4)});
  form.addEventListener('submit',function(){var b=form.querySelector('.SubmitButton');b.setAttribute('disabled','');b.setAttribute('aria-busy','true');var c=b.querySelector('.SubmitButton-Text--current'),p=b.querySelector('.SubmitButton-Text--processing');c.hidden=true;c.setAttribute('aria-hidden','true');p.hidden=false;p.removeAttribute('aria-hidden')});
})();
`;

function field(id: string, model: CheckoutPageModel): { value: string; invalid: 'true' | null; describedBy: string | null } {
  const error = model.fieldErrors[id];
  return { value: model.values[id] ?? '', invalid: error ? 'true' : null, describedBy: error ? `${id}-error` : null };
}

function fieldError(id: string, model: CheckoutPageModel): SafeHtml | string {
  const error = model.fieldErrors[id];
  return error ? html`<div id="${id}-error" class="FieldError" role="alert">${error}</div>` : '';
}

function attr(name: string, value: string | null): SafeHtml | string {
  return value === null ? '' : html` ${raw(name)}="${value}"`;
}

export function renderCheckoutPage(model: CheckoutPageModel): string {
  const single = model.lines.length === 1 ? model.lines[0]! : null;
  const heading = model.mode === 'subscription' ? `Subscribe to ${single?.name ?? model.businessName}` : single ? single.name : `Pay ${model.businessName}`;
  const interval = model.mode === 'subscription' ? (model.lines.find((l) => l.interval)?.interval ?? null) : null;
  const email = field('email', model);
  const number = field('cardNumber', model);
  const expiry = field('cardExpiry', model);
  const cvc = field('cardCvc', model);
  const name = field('billingName', model);
  const postal = field('billingPostalCode', model);
  const country = model.values.billingCountry ?? 'US';
  const cardError = model.fieldErrors.cardNumber ?? model.fieldErrors.cardExpiry ?? model.fieldErrors.cardCvc ?? model.alert;
  const cardErrorId = model.fieldErrors.cardNumber ? 'cardNumber-error' : model.fieldErrors.cardExpiry ? 'cardExpiry-error' : model.fieldErrors.cardCvc ? 'cardCvc-error' : 'cardErrors';
  const businessHeader = model.cancelUrl
    ? html`<a class="Header-backLink" href="${model.cancelUrl}" aria-label="Back" data-testid="business-link"><span class="Header-backArrow" aria-hidden="true">←</span><span class="Header-businessName">${model.businessName}</span></a>`
    : html`<div class="Header-business"><span class="Header-businessName">${model.businessName}</span></div>`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${model.businessName}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<div class="App-Container">
<div class="App-Overview">
<header class="Header">${businessHeader}<span class="TestModeBadge">Test mode</span></header>
<section class="OrderSummary" aria-label="Order summary">
<div class="ProductSummary">
<span class="ProductSummary-name" id="ProductSummary-name">${heading}</span>
<div class="ProductSummary-amount"><span class="ProductSummary-totalAmount" id="ProductSummary-totalAmount">${formatAmount(model.total, model.currency)}</span>${interval ? html`<span class="ProductSummary-interval">${interval}</span>` : ''}</div>
</div>
<ul class="OrderDetails">
${model.lines.map((line) => html`<li class="LineItem"><span><span class="LineItem-productName">${line.name}</span>${line.quantity > 1 ? html` <span class="LineItem-quantity">Qty ${line.quantity}</span>` : ''}</span><span class="LineItem-amount">${formatAmount(line.amount, model.currency)}</span></li>`)}
<li class="OrderDetails-total"><span>Total due today</span><span id="OrderDetails-totalAmount">${formatAmount(model.total, model.currency)}</span></li>
</ul>
</section>
</div>
<main class="App-Payment">
<form id="payment-form" class="PaymentForm" method="post" action="/c/pay/${model.sessionId}" novalidate>
<h2>Contact information</h2>
<div class="FormField">
<label for="email">Email</label>
${
  model.lockedEmail !== null
    ? html`<input id="email" name="email" type="email" autocomplete="email" value="${model.lockedEmail}" readonly aria-readonly="true">`
    : html`<input id="email" name="email" type="email" autocomplete="email" placeholder="email@example.com" value="${email.value}"${attr('aria-invalid', email.invalid)}${attr('aria-describedby', email.describedBy)}>`
}
${fieldError('email', model)}
</div>
<h2>Payment method</h2>
<div class="FormField CardGroup">
<label id="cardNumber-label" for="cardNumber">Card information</label>
<label class="VisuallyHidden" for="cardNumber">Card number</label>
<input id="cardNumber" name="cardNumber" type="text" inputmode="numeric" autocomplete="cc-number" autocorrect="off" spellcheck="false" placeholder="1234 1234 1234 1234" value="${number.value}"${attr('aria-invalid', number.invalid ?? (model.alert ? 'true' : null))}${attr('aria-describedby', cardError ? cardErrorId : null)}>
<div class="CardRow">
<input id="cardExpiry" name="cardExpiry" type="text" inputmode="numeric" autocomplete="cc-exp" autocorrect="off" spellcheck="false" placeholder="MM / YY" aria-label="Expiration" value="${expiry.value}"${attr('aria-invalid', expiry.invalid)}>
<input id="cardCvc" name="cardCvc" type="text" inputmode="numeric" autocomplete="cc-csc" autocorrect="off" spellcheck="false" placeholder="CVC" aria-label="CVC" value="${cvc.value}"${attr('aria-invalid', cvc.invalid)}>
</div>
${cardError ? html`<div id="${cardErrorId}" class="FieldError" role="alert">${cardError}</div>` : ''}
</div>
<div class="FormField">
<label for="billingName">Cardholder name</label>
<input id="billingName" name="billingName" type="text" autocomplete="cc-name" placeholder="Full name on card" value="${name.value}"${attr('aria-invalid', name.invalid)}${attr('aria-describedby', name.describedBy)}>
${fieldError('billingName', model)}
</div>
<div class="FormField AddressGroup">
<label for="billingCountry">Country or region</label>
<select id="billingCountry" name="billingCountry" autocomplete="billing country">
${COUNTRIES.map(([code, label]) => html`<option value="${code}"${code === country ? html` selected` : ''}>${label}</option>`)}
</select>
<input id="billingPostalCode" name="billingPostalCode" type="text" autocomplete="billing postal-code" placeholder="ZIP" aria-label="ZIP" value="${postal.value}"${attr('aria-invalid', postal.invalid)}${attr('aria-describedby', postal.describedBy)}>
${fieldError('billingPostalCode', model)}
</div>
<button class="SubmitButton SubmitButton--complete" type="submit" data-testid="hosted-payment-submit-button"><span class="SubmitButton-Text SubmitButton-Text--current">${model.submitLabel}</span><span class="SubmitButton-Text SubmitButton-Text--processing" aria-hidden="true" hidden>Processing...</span></button>
</form>
<p class="Footer">Powered by the Stripe emulator of playwright-vibes · Test mode</p>
</main>
</div>
${
  model.challengeSrc
    ? html`<div class="ThreeDSModal" role="dialog" aria-modal="true" aria-label="3D Secure authentication"><iframe name="__privateStripeFrame3ds" title="3D Secure authentication" src="${model.challengeSrc}"></iframe></div>`
    : ''
}
<script>${raw(SCRIPT)}</script>
</body>
</html>`;
  return page.value;
}

/** The frame Checkout opens for 3-D Secure: it holds the issuer's challenge frame. */
export function renderChallengeFrame(challengeSrc: string): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>3D Secure authentication</title>
<style>body{margin:0}iframe{width:100%;height:100vh;border:0}</style></head>
<body><iframe id="challengeFrame" name="stripe-challenge-frame" title="3D Secure challenge" src="${challengeSrc}"></iframe></body></html>`.value;
}

/** Stripe's 3-D Secure 2 test page: Complete or Fail, nothing else. */
export function renderChallengePage(model: { action: string; amount: string; businessName: string }): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>3D Secure 2 Test Page</title>
<style>body{font:14px/1.4 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1a1a1a}
.Buttons{display:flex;gap:12px;margin-top:24px}button{flex:1;padding:10px;border-radius:6px;border:1px solid #c0c8d2;font:inherit;font-weight:600;cursor:pointer;background:#fff}
#test-source-authorize-3ds{background:#0074d4;color:#fff;border-color:#0074d4}</style></head>
<body>
<h1>3D Secure 2 Test Page</h1>
<p>This is a test page for 3D Secure authentication of a ${model.amount} payment to ${model.businessName}. In live mode the customer's bank would show its own page here.</p>
<form method="post" action="${model.action}" target="_top">
<div class="Buttons">
<button type="submit" name="outcome" value="fail" id="test-source-fail-3ds">Fail</button>
<button type="submit" name="outcome" value="complete" id="test-source-authorize-3ds">Complete</button>
</div>
</form>
</body></html>`.value;
}

/** A message page that sends the browser on to `href` by script (a link for a browser without it). */
export function renderLeavingPage(title: string, message: string, href: string): string {
  // JSON inside a script element: `<` escaped, so no URL can close the element.
  const target = JSON.stringify(href).replace(/</g, '\\u003c');
  return renderMessagePage(title, message, { href, label: 'Continue' }).replace('</body>', `<script>location.replace(${target})</script></body>`);
}

/** A page in Checkout's style for a session that cannot be paid (expired, complete, unknown). */
export function renderMessagePage(title: string, message: string, link?: { href: string; label: string }): string {
  return renderPlainPage(title, html`<h1>${title}</h1><p>${message}</p>${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ''}`);
}

/** A page in Checkout's style around `body` (the customer portal's too). */
export function renderPlainPage(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>${raw(STYLE)}</style></head>
<body><div class="App-Container"><main class="App-Payment">${body}</main></div></body></html>`.value;
}
