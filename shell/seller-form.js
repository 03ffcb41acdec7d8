// The seller form (issue 20 §1, §5): a seller name and a payout account
// (PayPal with its e-mail, or Mercado Pago), saved with PUT
// /api/v1/me/seller. One form for becoming a seller (/sell) and for
// changing the profile later (/market/seller, screens/seller-profile.js),
// so both say the same field errors: the required ones before sending,
// then the server's own message next to the field it names. A Mercado Pago
// account is connected through its OAuth afterwards: connectStep() is that
// step (POST /api/v1/me/seller/mercadopago/connect, then the browser goes
// to the provider's page). The field helpers are shared with the listing form.
import { post, put } from './api.js';
import { el, failureText } from './compose-kit.js';

/** A field: a label, the control, an optional help line and the message the control is described by. */
export function row(id, labelText, control, { help } = {}) {
  control.id = id;
  const message = el('p', { id: `${id}-error`, className: 'kit-error' });
  const helpEl = help ? el('p', { id: `${id}-help`, className: 'kit-help', textContent: help }) : null;
  control.setAttribute('aria-describedby', [helpEl && helpEl.id, message.id].filter(Boolean).join(' '));
  const wrap = el('div', { className: 'kit-field' }, el('label', { htmlFor: id, textContent: labelText }), control, helpEl, message);
  return { wrap, input: control, message };
}

/** Says text under a field (marking it invalid), or clears it. */
export function say(f, text) {
  f.message.textContent = text ?? '';
  if (text) f.input.setAttribute('aria-invalid', 'true');
  else f.input.removeAttribute('aria-invalid');
}

export function options(select, pairs, value) {
  for (const [v, label] of pairs) select.append(el('option', { value: v, textContent: label }));
  if (value !== undefined) select.value = value;
  return select;
}

export function focusError(f, text) {
  say(f, text);
  f.input.focus();
}

/**
 * The form. Without `current` it is the first setup (its own heading, "Start
 * selling"); with the seller's profile (GET /api/v1/me/seller) it is
 * prefilled and labelled by the screen's heading, id `mkt-seller-title`.
 * onSaved(seller) runs with the server's answer after a save.
 */
export function sellerForm(t, { current = null, onSaved }) {
  const form = el('form', { className: 'mkt-form', noValidate: true, 'aria-labelledby': 'mkt-seller-title' });
  const name = row('seller-name', t('market.sellerName'), el('input', { type: 'text', maxLength: 60, autocomplete: 'organization', required: true,
    value: current?.name ?? '' }), { help: t('market.sellerNameHelp') });
  const provider = row('seller-provider', t('market.payout'), options(el('select', {}),
    [['paypal', 'PayPal'], ['mercadopago', 'Mercado Pago']], current?.payout.provider ?? 'paypal'));
  const email = row('seller-email', t('market.payoutEmail'), el('input', { type: 'email', maxLength: 254, autocomplete: 'email',
    value: current?.payout.email ?? '' }));
  const showEmail = () => { email.wrap.hidden = provider.input.value !== 'paypal'; };
  provider.input.addEventListener('change', showEmail);
  showEmail();
  const error = el('p', { className: 'kit-error', role: 'alert' });
  const save = el('button', { type: 'submit', className: 'kit-primary', textContent: t(current ? 'market.save' : 'market.becomeSeller') });
  form.append(current ? null : el('h2', { id: 'mkt-seller-title', textContent: t('market.becomeSellerTitle') }),
    el('p', { textContent: t('market.becomeSellerIntro') }), name.wrap, provider.wrap, email.wrap, error,
    el('div', { className: 'kit-actions' }, save));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    for (const f of [name, provider, email]) say(f, '');
    if (!name.input.value.trim()) return focusError(name, t('auth.error.required'));
    if (provider.input.value === 'paypal' && !email.input.value.trim()) return focusError(email, t('auth.error.required'));
    save.disabled = true;
    const payout = provider.input.value === 'paypal' ? { provider: 'paypal', email: email.input.value.trim() } : { provider: 'mercadopago' };
    const r = await put('/api/v1/me/seller', { name: name.input.value.trim(), payout });
    save.disabled = false;
    if (!r.ok) {
      const f = { name, 'payout.email': email, 'payout.provider': provider, payout: provider }[r.error.field];
      if (f && r.error.message) return focusError(f, r.error.message);
      error.textContent = failureText(t, r.error);
      return;
    }
    onSaved(r.data);
  });
  return form;
}

/** For a Mercado Pago seller not connected yet: what to do and the button that goes to the provider. */
export function connectStep(t) {
  const error = el('p', { className: 'kit-error', role: 'alert' });
  const go = el('button', { type: 'button', className: 'kit-primary', textContent: t('market.mpConnect') });
  go.addEventListener('click', async () => {
    error.textContent = '';
    go.disabled = true;
    const r = await post('/api/v1/me/seller/mercadopago/connect', {});
    go.disabled = false;
    if (!r.ok) {
      error.textContent = failureText(t, r.error);
      return;
    }
    location.assign(r.data.url);
  });
  return el('div', { className: 'mkt-connect' }, el('p', { textContent: t('market.mpConnectIntro') }), error,
    el('div', { className: 'kit-actions' }, go));
}
