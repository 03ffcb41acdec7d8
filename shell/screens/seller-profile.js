// /market/seller: an existing seller changes their seller name and payout
// account (issue 20 §1, §5) with the same form as the first setup
// (seller-form.js, PUT /api/v1/me/seller), prefilled from GET
// /api/v1/me/seller. Reached from My listings and from the dashboard's
// advice on a payout PayPal returned: the payout worker holds a seller's
// payouts after a return until they save their payout account again, so
// saving here (even the same e-mail) is what releases them. After saving,
// a confirmation in words takes the focus; a Mercado Pago account not
// connected yet gets its connect step. Someone who does not sell is sent
// to /sell.
import { get } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { connectStep, sellerForm } from '../seller-form.js';

export async function mount(root, _params, ctx) {
  const { t } = ctx;
  const heading = el('h1', { id: 'mkt-seller-title', tabIndex: -1, textContent: t('market.profileTitle') });
  root.append(heading, el('p', { className: 'mkt-actions' },
    el('a', { href: '/market/mine', className: 'kit-secondary', textContent: t('market.mine') }),
    el('a', { href: '/market/dashboard', className: 'kit-secondary', textContent: t('dash.title') })));
  const r = await get('/api/v1/me/seller');
  if (!r.ok) {
    if (r.error.status === 404) {
      root.append(el('p', { className: 'mkt-status', textContent: t('dash.notSeller') }),
        el('p', {}, el('a', { href: '/sell', className: 'kit-button', textContent: t('dash.becomeSeller') })));
    } else {
      root.append(el('p', { className: 'mkt-status', role: 'alert', textContent: failureText(t, r.error) }));
    }
    return;
  }
  // The confirmation (and, for Mercado Pago, the connect step) above the form, which stays for another change.
  const done = el('div', { className: 'mkt-profile-saved', tabIndex: -1, role: 'status' });
  const connect = el('div');
  const showConnect = (seller) => {
    if (seller.payout.provider !== 'mercadopago') connect.replaceChildren();
    else connect.replaceChildren(seller.payout.connected ? el('p', { className: 'kit-help', textContent: t('market.mpConnected') }) : connectStep(t));
  };
  showConnect(r.data);
  root.append(done, connect, sellerForm(t, {
    current: r.data,
    onSaved(seller) {
      done.replaceChildren(el('p', { textContent: t('market.profileSaved') }));
      if (seller.payout.provider === 'paypal') done.append(el('p', { textContent: t('market.payoutTo', { email: seller.payout.email }) }));
      showConnect(seller);
      done.focus();
    },
  }));
}
