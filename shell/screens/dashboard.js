// /market/dashboard: a seller's own figures (issue 20 §5; GET
// /api/v1/market/dashboard and /api/v1/market/payouts, web/src/payouts.h).
// Per currency: the balance in its four parts (pending, available, on its
// way, paid out) with the payout minimum said in a sentence; the sales of
// the last twelve months as bars with their data table (chart-kit.js: the
// table is the truth, the drawing aria-hidden); the orders by state; and the
// payouts, a page at a time, each with its state in words and, when PayPal
// could not pay it, what to do with a link to the seller profile
// (screens/seller-profile.js). Someone who does not sell yet is told how to
// start (/sell). Every figure is the server's, in integer minor units
// through market-kit.js's price(); the receiver's e-mail is text.
import { get } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { barChart, dataTable } from '../chart-kit.js';
import { currencyName, monthName, price } from '../market-kit.js';
import { ORDER_STATES, stateName } from '../shop-kit.js';

const PAYOUTS_PAGE = 20;
// PayPal's reasons for a payout it could not pay (its item errors) that we
// have words for; any other is named by its code in a general sentence.
const PAYOUT_ERRORS = {
  RECEIVER_UNREGISTERED: 'dash.error.unregistered',
  RECEIVER_ACCOUNT_LOCKED: 'dash.error.locked',
};

// A payout's state in words, and what went wrong when it did.
function payoutWords(t, p) {
  const words = [t(`dash.state.${p.state}`)];
  if (p.state === 'returned') {
    const key = PAYOUT_ERRORS[p.error];
    if (key) words.push(t(key));
    else if (p.error) words.push(t('dash.error.other', { reason: p.error }));
  }
  return words;
}

function balances(t, list) {
  const section = el('section', { className: 'dash-section', 'aria-labelledby': 'dash-h-balances' },
    el('h2', { id: 'dash-h-balances', textContent: t('dash.balances') }));
  if (!list.length) section.append(el('p', { className: 'kit-help', textContent: t('dash.salesEmpty') }));
  for (const b of list) {
    const rows = [['dash.pending', b.pending_minor], ['dash.available', b.available_minor], ['dash.inFlight', b.in_flight_minor],
      ['dash.paidOut', b.paid_out_minor]].map(([key, minor]) => [t(key), price(minor, b.currency)]);
    const box = el('div', { className: 'dash-balance' },
      dataTable(t('dash.balanceCaption', { name: currencyName(b.currency) }), [t('dash.col.what'), t('dash.col.amount')], rows, 'health-table dash-balance-table'),
      el('p', { className: 'kit-help dash-minimum', textContent: b.payout_minimum_minor
        ? t('dash.minimum', { price: price(b.payout_minimum_minor, b.currency) }) : t('dash.noMinimum', { name: currencyName(b.currency) }) }));
    box.dataset.currency = b.currency;
    section.append(box);
  }
  return section;
}

function sales(t, since, list) {
  const section = el('section', { className: 'dash-section', 'aria-labelledby': 'dash-h-sales' },
    el('h2', { id: 'dash-h-sales', textContent: t('dash.sales') }));
  const currencies = [...new Set(list.map((s) => s.currency))].sort();
  if (!currencies.length) section.append(el('p', { className: 'kit-help', textContent: t('dash.salesEmpty') }));
  for (const currency of currencies) {
    const months = list.filter((s) => s.currency === currency && s.month >= since).sort((a, b) => a.month.localeCompare(b.month));
    const figure = el('figure', { className: 'health-chart dash-chart' },
      barChart(months.map((m) => m.total_minor), { svgClass: 'health-svg dash-svg', barClass: 'health-bar' }),
      dataTable(t('dash.salesCaption', { name: currencyName(currency) }), [t('dash.col.month'), t('dash.col.orders'), t('dash.col.total'), t('dash.col.net')],
        months.map((m) => [monthName(m.month), String(m.orders), price(m.total_minor, currency), price(m.net_minor, currency)]),
        'health-table dash-sales-table'));
    figure.dataset.currency = currency;
    section.append(figure);
  }
  return section;
}

function orders(t, counts) {
  const states = [...ORDER_STATES, ...Object.keys(counts).filter((s) => !ORDER_STATES.includes(s))];
  return el('section', { className: 'dash-section', 'aria-labelledby': 'dash-h-orders' },
    el('h2', { id: 'dash-h-orders', textContent: t('dash.orders') }),
    el('ul', { className: 'dash-orders' }, ...states.map((s) => {
      const li = el('li', { textContent: t('dash.stateCount', { state: stateName(t, s), count: counts[s] ?? 0 }) });
      li.dataset.state = s;
      return li;
    })),
    el('p', {}, el('a', { href: '/market/orders', textContent: t('shop.sales') })));
}

export async function mount(root, _params, ctx) {
  const { t } = ctx;
  root.append(el('h1', { textContent: t('dash.title') }),
    el('p', { className: 'mkt-actions' },
      el('a', { href: '/market/mine', className: 'kit-secondary', textContent: t('market.mine') }),
      el('a', { href: '/market/orders', className: 'kit-secondary', textContent: t('shop.sales') })));
  const status = el('p', { className: 'mkt-status', role: 'status' });
  root.append(status);
  const r = await get('/api/v1/market/dashboard');
  if (!r.ok) {
    if (r.error.code === 'not_a_seller') {
      status.textContent = t('dash.notSeller');
      root.append(el('p', {}, el('a', { href: '/sell', className: 'kit-button', textContent: t('dash.becomeSeller') })));
    } else {
      status.textContent = failureText(t, r.error);
    }
    return;
  }
  const d = r.data;
  root.append(balances(t, d.balances), sales(t, d.since, d.sales), orders(t, d.orders));

  const section = el('section', { className: 'dash-section', 'aria-labelledby': 'dash-h-payouts' },
    el('h2', { id: 'dash-h-payouts', textContent: t('dash.payouts') }));
  const payoutStatus = el('p', { className: 'kit-help', role: 'status' });
  const list = el('ul', { className: 'dash-payouts', 'aria-labelledby': 'dash-h-payouts' });
  const more = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.more'), hidden: true });
  section.append(payoutStatus, list, more);
  root.append(section);
  let cursor = null;
  async function page() {
    more.disabled = true;
    const p = await get(`/api/v1/market/payouts?limit=${PAYOUTS_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    more.disabled = false;
    if (!p.ok) {
      payoutStatus.textContent = failureText(t, p.error);
      return;
    }
    for (const o of p.data.payouts) {
      const item = el('li', { className: 'dash-payout', tabIndex: -1 },
        el('p', { textContent: t('dash.payoutLine', { price: price(o.amount_minor, o.currency), email: o.receiver, date: Date.parse(o.created_at) }) }),
        ...payoutWords(t, o).map((s, i) => el('p', { className: i ? 'kit-error' : 'mkt-card-status', textContent: s })),
        // The advice says to check the payout e-mail: the way to do it (saving it again releases the held payouts).
        o.state === 'returned' ? el('p', {}, el('a', { href: '/market/seller', textContent: t('dash.editProfile') })) : null);
      item.dataset.state = o.state;
      item.dataset.id = o.id;
      list.append(item);
    }
    cursor = p.data.next_cursor;
    more.hidden = !cursor;
    payoutStatus.textContent = list.children.length ? '' : t('dash.payoutsEmpty');
  }
  more.addEventListener('click', async () => {
    const before = list.children.length;
    await page();
    list.children[before]?.focus();
  });
  await page();
}
