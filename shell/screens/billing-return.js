// /billing/return?checkout=co_5 — where the provider's approval page sends
// the person back. The subscription becomes active when the provider's
// webhook has been applied, so this screen asks the server
// (GET /api/v1/billing/checkouts/{co}) with a growing interval until the
// checkout is settled, and for a bounded total: then it says the payment is
// still being confirmed and where to look later. Every change of state is
// announced (one aria-live region).
import { failureMessage } from '../api.js';
import { el } from '../compose-kit.js';
import { abandonCheckout, getCheckout, providerName, retryCheckout } from '../billing-kit.js';

// The polling: the first ask at once, then waits growing by half each time
// up to POLL_MAX_MS, for at most POLL_TOTAL_MS in all (the webhook normally
// lands within seconds; past that, a notification and Billing tell the end).
const POLL_FIRST_MS = 400;
const POLL_MAX_MS = 5000;
const POLL_TOTAL_MS = 90000;

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const query = new URLSearchParams(location.search);
  const co = query.get('checkout') ?? '';
  // A pass paid through Mercado Pago comes back naming its payment.
  const payment = /^[0-9]{1,30}$/.test(query.get('payment_id') ?? '') ? query.get('payment_id') : '';
  // Cancelled on the approval page: PayPal comes back to our cancel_url
  // (result=cancel), Mercado Pago to the same back_url with status=cancelled.
  // The subscription stays unapproved there, so the server is told
  // (POST …/abandon, which asks the provider first: approved in another tab
  // means not cancelled, and then the polling below says so).
  const cancelledThere = query.get('result') === 'cancel' || query.get('status') === 'cancelled';

  const live = el('div', { className: 'billing-state', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const actions = el('div', { className: 'row billing-actions' });
  const heading = el('h1', { 'data-i18n': 'billing.returnTitle' });
  root.append(el('div', { className: 'settings billing' }, heading, live, actions));

  let timer = 0;
  let stopped = false;
  let state = '';
  let provider = '';
  let said = {}; // the last state's extra words, for a locale switch

  const link = (href, key, cls = 'secondary') => el('a', { href, className: cls, 'data-i18n': key });

  // Shows one state: its words (announced) and what can be done next.
  function show(next, extra = said) {
    state = next;
    said = extra;
    root.firstChild.dataset.state = next;
    const name = providerName(provider);
    const words = {
      pending: t('billing.statePending'),
      active: t('billing.stateActive'),
      cancelled: t('billing.stateCancelled', { provider: name }),
      declined: t('billing.stateDeclined', { provider: name }),
      unreachable: t('billing.unreachable', { provider: name }),
      slow: t('billing.stateSlow'),
      missing: t('billing.stateMissing'),
      failed: extra.text ?? '',
    }[next];
    live.replaceChildren(el('p', { className: next === 'active' ? 'billing-welcome' : '', textContent: words }));
    actions.replaceChildren();
    if (next === 'active') {
      heading.dataset.i18n = 'billing.welcomeTitle';
      heading.textContent = t('billing.welcomeTitle');
      actions.append(link('/', 'billing.toFeed', 'primary'), link('/billing', 'billing.manage'));
    } else if (next === 'unreachable') {
      const retry = el('button', { type: 'button', className: 'primary', 'data-i18n': 'billing.retry' });
      retry.addEventListener('click', async () => {
        retry.disabled = true;
        const r = await retryCheckout(co);
        retry.disabled = false;
        if (r.ok && r.data.checkout?.approve_url) {
          location.assign(r.data.checkout.approve_url);
          return;
        }
        if (!r.ok && r.error.code !== 'provider_unreachable') {
          show('failed', { text: t(...failureMessage(r.error)) });
          return;
        }
        show('unreachable', {});
        actions.querySelector('button')?.focus();
      });
      actions.append(retry, link('/plans', 'billing.backToPlans'));
    } else if (next === 'cancelled' || next === 'declined' || next === 'missing' || next === 'failed') {
      actions.append(link('/plans', 'billing.backToPlans', 'primary'), link('/billing', 'billing.manage'));
    } else if (next === 'slow') {
      actions.append(link('/billing', 'billing.manage', 'primary'), link('/', 'billing.toFeed'));
    }
    ctx.localize(actions);
  }

  if (!/^co_[0-9]+$/.test(co)) {
    show('missing', {});
    return undefined;
  }
  show('pending', {});

  let abandonTried = false;
  const started = Date.now();
  let wait = POLL_FIRST_MS;
  async function poll() {
    if (stopped) return;
    const r = await getCheckout(co, payment);
    if (stopped) return;
    if (r.ok) {
      const c = r.data.checkout;
      provider = c.provider ?? provider;
      if ((c.status === 'pending' || c.status === 'unreachable') && cancelledThere && !abandonTried) {
        abandonTried = true;
        const a = await abandonCheckout(co);
        if (stopped) return;
        if (a.ok && a.data.checkout.status === 'cancelled') {
          provider = a.data.checkout.provider ?? provider;
          show('cancelled', {});
          return;
        }
      }
      if (c.status !== 'pending') {
        if (c.status !== state) show(c.status in { active: 1, cancelled: 1, declined: 1, unreachable: 1 } ? c.status : 'failed',
          { text: t('feed.error.status', { status: c.status }) });
        return;
      }
      if (state !== 'pending') show('pending', {});
    } else if (r.error.kind === 'auth' || r.error.status === 404) {
      show('failed', { text: r.error.status === 404 ? t('billing.stateMissing') : t('billing.signInToSubscribe') });
      return;
    }
    // Pending (or the server did not answer this time): ask again later.
    if (Date.now() - started >= POLL_TOTAL_MS) {
      show('slow', {});
      return;
    }
    timer = setTimeout(poll, wait);
    wait = Math.min(POLL_MAX_MS, Math.round(wait * 1.5));
  }
  const relabel = () => { if (state) show(state); };
  addEventListener('pa:locale', relabel);
  await poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
    removeEventListener('pa:locale', relabel);
  };
}
