// /ads/topups/return?topup=top_N — where the provider's approval page sends
// the advertiser back. Reading the top-up (GET /api/v1/ads/topups/{top})
// captures it at the provider once and credits the balance once (the
// provider's webhook may do it first), so this screen reads it with a
// growing interval, for a bounded total, until it is paid or failed, as
// billing-return.js and order-return.js do (Mercado Pago's payment_id passed
// on as ?payment=); every state is announced in one
// live region, and the way on is the account (/ads) or the campaigns.
import { get } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { price } from '../ads-kit.js';

// The first ask at once, then waits growing by half each time up to
// POLL_MAX_MS, for at most POLL_TOTAL_MS in all (then /ads tells the end).
const POLL_FIRST_MS = 400;
const POLL_MAX_MS = 5000;
const POLL_TOTAL_MS = 60000;

export async function mount(root, _params, ctx) {
  const { t } = ctx;
  const query = new URLSearchParams(location.search);
  const id = query.get('topup') ?? '';
  // Mercado Pago comes back naming its payment: the server asks for that one.
  const payment = /^[0-9]{1,40}$/.test(query.get('payment_id') ?? '') ? `?payment=${query.get('payment_id')}` : '';
  const live = el('div', { className: 'shop-return adv-return', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const next = el('p', { className: 'mkt-actions' });
  root.append(el('h1', { textContent: t('adv.returnTitle') }), live, next);
  const say = (state, text) => {
    live.dataset.state = state;
    live.replaceChildren(el('p', { textContent: text }));
  };
  const ways = (...links) => next.replaceChildren(...links.map(([href, key], i) =>
    el('a', { href, className: i ? 'kit-secondary' : 'kit-button', textContent: t(key) })));
  if (!/^top_[1-9][0-9]{0,17}$/.test(id)) {
    say('missing', t('adv.topupMissing'));
    ways(['/ads', 'adv.accountTitle']);
    return undefined;
  }
  say('pending', t('adv.topupPending'));
  let stopped = false;
  let timer = 0;
  const started = Date.now();
  let wait = POLL_FIRST_MS;
  async function poll() {
    if (stopped) return;
    const r = await get(`/api/v1/ads/topups/${encodeURIComponent(id)}${payment}`);
    if (stopped) return;
    if (r.ok) {
      const tp = r.data.topup;
      if (tp.state === 'paid') {
        say('paid', t('adv.topupPaid', { price: price(tp.amount_minor, tp.currency) }));
        ways(['/ads/campaigns', 'adv.campaignsTitle'], ['/ads', 'adv.accountTitle']);
        return;
      }
      if (tp.state === 'failed') {
        say('failed', t('adv.topupFailed'));
        ways(['/ads', 'adv.accountTitle']);
        return;
      }
    } else if (r.error.status === 404 || r.error.kind === 'auth') {
      say('missing', r.error.status === 404 ? t('adv.topupMissing') : failureText(t, r.error));
      ways(['/ads', 'adv.accountTitle']);
      return;
    }
    // Pending (or no answer this time): ask again later, within the bound.
    if (Date.now() - started >= POLL_TOTAL_MS) {
      say('slow', t('adv.topupSlow'));
      ways(['/ads', 'adv.accountTitle']);
      return;
    }
    timer = setTimeout(poll, wait);
    wait = Math.min(POLL_MAX_MS, Math.round(wait * 1.5));
  }
  await poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
