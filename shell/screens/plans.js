// /plans — PetAmigos Plus: the plans for the person's country (monthly or
// yearly), every provider's offer with its price in the locale's currency
// format, what Plus gives, and one "Continue with …" button per provider.
// The button creates a checkout (POST /api/v1/billing/checkout) and goes to
// the provider's approval page; when the provider could not be reached the
// screen says so and offers Retry (the same checkout, the same idempotency key).
import { getSession, failureMessage } from '../api.js';
import { el } from '../compose-kit.js';
import {
  COUNTRIES, countryName, getBilling, getPlans, preferredCountry, price, providerName, rememberCountry,
  retryCheckout, startCheckout, unreachableCheckout,
} from '../billing-kit.js';

const INTERVAL_KEY = 'petamigos.billingInterval';

// month, year, or once (a year paid once: plus_year_pass).
const INTERVALS = [['month', 'billing.monthly'], ['year', 'billing.yearly'], ['once', 'billing.once']];
const PRICE_KEYS = { month: 'billing.pricePerMonth', year: 'billing.pricePerYear', once: 'billing.pricePass' };

function savedInterval() {
  try {
    const saved = localStorage.getItem(INTERVAL_KEY);
    return INTERVALS.some(([v]) => v === saved) ? saved : 'year';
  } catch {
    return 'year';
  }
}

// The lines of "what Plus gives" from the API's entitlements (only those
// it names, each worded from the catalog).
export function perks(t, ent) {
  const items = [];
  if (ent.ads === false) items.push(t('billing.perkNoAds'));
  if (ent.badge === true) items.push(t('billing.perkBadge'));
  if (Number.isInteger(ent.photos_per_post)) items.push(t('billing.perkPhotos', { max: ent.photos_per_post }));
  if (Number.isInteger(ent.reel_seconds)) items.push(t('billing.perkReels', { minutes: Math.floor(ent.reel_seconds / 60) }));
  if (ent.priority_support === true) items.push(t('billing.perkSupport'));
  return items;
}

export async function mount(root, params, ctx) {
  const { t } = ctx;
  let country = preferredCountry();
  let interval = savedInterval();
  let plans = null; // the last GET /billing/plans answer
  let busy = false;

  const status = el('p', { className: 'billing-status', role: 'status' });
  const problem = el('div', { className: 'billing-problem', role: 'alert' });
  const select = el('select', { id: 'plans-country', autocomplete: 'country' });
  for (const cc of COUNTRIES) select.append(el('option', { value: cc, textContent: countryName(cc) }));
  select.value = country;
  const intervals = el('fieldset', { className: 'billing-intervals' }, el('legend', { 'data-i18n': 'billing.period' }));
  for (const [value, key] of INTERVALS) {
    const id = `plans-interval-${value}`;
    const input = el('input', { type: 'radio', name: 'plans-interval', id, value, checked: value === interval });
    input.addEventListener('change', () => {
      if (!input.checked) return;
      interval = value;
      try {
        localStorage.setItem(INTERVAL_KEY, value);
      } catch {
        // not remembered
      }
      render();
    });
    const choice = el('label', { className: 'choice', htmlFor: id }, input, el('span', { 'data-i18n': key }));
    choice.dataset.interval = value;
    intervals.append(choice);
  }
  const offers = el('ul', { className: 'billing-offers', 'aria-labelledby': 'plans-offers-title' });
  const perkList = el('ul', { className: 'billing-perks' });
  const signIn = el('p', { className: 'billing-signin', hidden: true },
    el('a', { href: '/login?next=/plans', className: 'primary', 'data-i18n': 'billing.signInToSubscribe' }), ' ',
    el('a', { href: '/signup?next=/plans', className: 'secondary', 'data-i18n': 'auth.signUp' }));
  const already = el('p', { className: 'billing-already', hidden: true },
    el('span', { 'data-i18n': 'billing.alreadyPlus' }), ' ',
    el('a', { href: '/billing', 'data-i18n': 'billing.manage' }));

  root.append(el('div', { className: 'settings billing' },
    el('h1', { 'data-i18n': 'billing.plansTitle' }),
    el('p', { 'data-i18n': 'billing.plansIntro' }),
    already,
    el('section', { 'aria-labelledby': 'plans-perks-title' },
      el('h2', { id: 'plans-perks-title', 'data-i18n': 'billing.perksTitle' }), perkList),
    el('section', { 'aria-labelledby': 'plans-offers-title' },
      el('h2', { id: 'plans-offers-title', 'data-i18n': 'billing.choosePlan' }),
      el('div', { className: 'field' }, el('label', { htmlFor: 'plans-country', 'data-i18n': 'billing.country' }), select),
      intervals, offers, signIn, status, problem)));

  const { user } = await getSession();
  signIn.hidden = !!user;
  if (user) {
    getBilling().then((r) => {
      already.hidden = !(r.ok && r.data.tier === 'plus');
    });
  }

  // Goes to the provider's approval page, or shows why not.
  async function go(attempt, provider) {
    if (busy) return;
    busy = true;
    problem.replaceChildren();
    status.textContent = t('billing.redirecting', { provider: providerName(provider) });
    for (const b of root.querySelectorAll('button')) b.disabled = true;
    const r = await attempt();
    busy = false;
    for (const b of root.querySelectorAll('button')) b.disabled = false;
    if (r.ok && r.data.checkout?.approve_url) {
      location.assign(r.data.checkout.approve_url);
      return;
    }
    status.textContent = '';
    const co = r.ok ? r.data.checkout : unreachableCheckout(r);
    if (r.ok || r.error.code === 'provider_unreachable') {
      // The provider did not answer: nothing was charged; the same checkout can be retried.
      const retry = el('button', { type: 'button', className: 'primary', 'data-i18n': 'billing.retry' });
      retry.addEventListener('click', () => go(co?.id ? () => retryCheckout(co.id) : attempt, provider));
      problem.append(el('p', { className: 'billing-unreachable', textContent: t('billing.unreachable', { provider: providerName(provider) }) }),
        el('p', { className: 'row' }, retry));
      ctx.localize(problem);
      retry.focus();
      return;
    }
    const text = r.error.kind === 'auth' ? t('billing.signInToSubscribe')
      : r.error.code === 'provider_refused' ? t('billing.stateDeclined', { provider: providerName(provider) })
        : t(...failureMessage(r.error));
    problem.append(el('p', { className: 'form-message', textContent: text }));
  }

  function render() {
    offers.replaceChildren();
    perkList.replaceChildren(...perks(t, plans?.entitlements?.plus ?? {}).map((s) => el('li', { textContent: s })));
    // Only the periods the country's catalog sells (a pass may not be offered).
    for (const choice of intervals.querySelectorAll('label[data-interval]')) {
      choice.hidden = !!plans && !plans.plans.some((p) => p.tier === 'plus' && p.interval === choice.dataset.interval);
    }
    if (plans && !plans.plans.some((p) => p.tier === 'plus' && p.interval === interval)) {
      interval = 'year'; // the remembered period is not sold here
      const yearly = intervals.querySelector('input[value="year"]');
      if (yearly) yearly.checked = true;
    }
    const plan = plans?.plans.find((p) => p.tier === 'plus' && p.interval === interval);
    if (!plan) return;
    for (const offer of plan.offers) {
      const amount = price(offer);
      const each = t(PRICE_KEYS[interval], { price: amount });
      const item = el('li', { className: 'billing-offer' },
        el('p', { className: 'billing-price', textContent: each }));
      item.dataset.provider = offer.provider;
      item.dataset.currency = offer.currency;
      if (user) {
        const b = el('button', { type: 'button', className: 'primary',
          textContent: t('billing.continueWith', { provider: providerName(offer.provider) }),
          'aria-describedby': `offer-${offer.provider}-price` });
        item.firstChild.id = `offer-${offer.provider}-price`;
        b.addEventListener('click', () => go(() => startCheckout(plan.id, offer.provider, plans.country), offer.provider));
        item.append(b);
      }
      offers.append(item);
    }
  }

  async function load() {
    status.textContent = t('billing.loading');
    problem.replaceChildren();
    const r = await getPlans(country);
    if (!r.ok) {
      status.textContent = '';
      const again = el('button', { type: 'button', className: 'secondary', 'data-i18n': 'feed.retry' });
      again.addEventListener('click', load);
      problem.append(el('p', { className: 'form-message', textContent: t(...failureMessage(r.error)) }), again);
      ctx.localize(problem);
      return;
    }
    plans = r.data;
    status.textContent = '';
    render();
  }

  select.addEventListener('change', () => {
    country = select.value;
    rememberCountry(country);
    load();
  });
  const relabel = () => {
    for (const o of select.options) o.textContent = countryName(o.value);
    render();
  };
  addEventListener('pa:locale', relabel);
  await load();
  return () => removeEventListener('pa:locale', relabel);
}
