// The approval pages a payer's browser is sent to (PayPal's checkoutnow,
// Mercado Pago's checkout): plain accessible HTML, no script, a form per
// decision that posts back here; the post does what /__sim/approve does and
// answers 303 to the merchant's return (or cancel) URL.
import { toDecimal } from './book.mjs';
import * as paypal from './paypal.mjs';
import * as mercadopago from './mercadopago.mjs';

const MERCHANT = 'PetAmigos';

// path → the provider, its display name and the query parameters naming what is approved.
export const PAGES = {
  '/paypal/checkoutnow': { provider: paypal, name: 'PayPal', params: ['ba_token', 'token'] },
  '/mercadopago/checkout': { provider: mercadopago, name: 'Mercado Pago', params: ['preapproval_id', 'pref_id'] },
};

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head>
<body><main>
${body}
</main></body>
</html>
`;
}

function period(months) {
  if (months === 0) return '';
  if (months === 1) return ' per month';
  if (months === 12) return ' per year';
  return ` every ${months} months`;
}

/** Which parameter/value names the approvable thing in the query or form. */
function target(spec, fields) {
  for (const p of spec.params) if (fields.get(p)) return { param: p, id: fields.get(p) };
  return null;
}

function notFound(spec) {
  return { status: 404, type: 'text/html', body: page(`${spec.name}: not found`, '<h1>Nothing to approve here</h1><p>The link is wrong or has expired.</p>') };
}

/** GET: the page for the subscription, order, preapproval or preference the query names. */
export function renderPage(spec, query) {
  const t = target(spec, query);
  const shown = t && spec.provider.describe(t.id);
  if (!shown) return notFound(spec);
  const price = `${toDecimal(shown.minor, shown.currency)} ${shown.currency}${period(shown.months)}`;
  const body = `<h1>${escape(spec.name)} (simulated checkout)</h1>
<dl>
<dt>Merchant</dt><dd>${escape(MERCHANT)}</dd>
<dt>Item</dt><dd>${escape(shown.item)}</dd>
<dt>Price</dt><dd>${escape(price)}</dd>
</dl>
<form method="post">
<fieldset>
<legend>Pay ${escape(MERCHANT)} ${escape(price)}?</legend>
<input type="hidden" name="${escape(t.param)}" value="${escape(t.id)}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</fieldset>
</form>`;
  return { status: 200, type: 'text/html', body: page(`${spec.name}: pay ${MERCHANT}`, body) };
}

/** POST (the form): approve or cancel, then 303 to where the merchant asked. */
export function submitPage(spec, form) {
  const t = target(spec, form);
  const decision = form.get('decision');
  if (!t || !['approve', 'cancel'].includes(decision)) return notFound(spec);
  const out = spec.provider.approve(t.id, decision);
  if (out.error) return { status: out.status, type: 'text/html', body: page(`${spec.name}: cannot continue`, `<h1>Cannot continue</h1><p>${escape(out.error)}</p>`) };
  return { status: 303, headers: { location: out.redirect }, body: '' };
}
