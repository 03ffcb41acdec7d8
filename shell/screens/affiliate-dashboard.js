// /affiliate/dashboard: an affiliate's own figures (issue 21, affiliate
// program §5), loaded on demand like every screen and linked from the
// Affiliate screen (/affiliate, where one joins and copies their link).
// From GET /api/v1/affiliate (who they are, their payout e-mail), GET
// /api/v1/affiliate/stats (clicks and sign-ups by month, refused sign-ups)
// and GET /api/v1/affiliate/earnings (tier, conversions and commissions by
// month, balances, the commission ledger, payouts): clicks, sign-ups and
// conversions by month as grouped bars and earnings by month per currency
// as bars, each beside its data table (chart-kit.js: the table is the truth,
// the drawing aria-hidden); the tier with the count to the next one; the
// four balances; the commissions with their state in words and, while held,
// their release date; the payouts; the PayPal e-mail payouts go to (PUT
// /api/v1/affiliate/payout, the server's refusal said at the field); and the
// commissions as CSV (GET /api/v1/affiliate/earnings.csv, a plain download
// with the session cookie). Someone who has not joined is sent to join.
// Every figure is the server's, in integer minor units through
// market-kit.js's price(); user text (the e-mail) only as text.
import { get, put } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { dataTable, barChart, groupedBars } from '../chart-kit.js';
import { currencyName, monthName, price } from '../market-kit.js';
import { focusError, row, say } from '../seller-form.js';

// The tiers' rates, lowest first (issue 21 §3): the server says the rate and
// where the next tier starts (next_at, null at the top); this only names the
// next tier's rate.
const TIER_RATES_BP = [2500, 3000, 3500];
// A basis-point rate as the fraction {progress, number, percent} formats. The
// messages reuse the catalogs' argument names (progress, price, total):
// tests/wasm/i18n.test.mjs renders every message with one set of arguments,
// at the core's limit of 64 names.
const rateOf = (bp) => bp / 10000;
const CSV_PATH = '/api/v1/affiliate/earnings.csv';
const EMAIL_MAX = 254; // an e-mail address's longest form (RFC 5321's path limit)

const section = (id, title, ...children) => el('section', { className: 'dash-section', 'aria-labelledby': id },
  el('h2', { id, textContent: title }), ...children);

function tier(t, tr) {
  const here = TIER_RATES_BP.indexOf(tr.rate_bp);
  const nextBp = here >= 0 ? TIER_RATES_BP[here + 1] : undefined;
  const parts = [el('p', { className: 'aff-rate', textContent: t('affdash.rateNow', { progress: rateOf(tr.rate_bp) }) }),
    el('p', { className: 'aff-active', textContent: t('affdash.active', { count: tr.active_subscribers }) })];
  if (tr.next_at && nextBp) {
    const bar = el('progress', { id: 'aff-tier-progress', max: tr.next_at, value: Math.min(tr.active_subscribers, tr.next_at) });
    parts.push(el('div', { className: 'kit-progress' }, el('label', { htmlFor: 'aff-tier-progress', className: 'aff-next',
      textContent: t('affdash.toNext', { count: Math.max(0, tr.next_at - tr.active_subscribers), progress: rateOf(nextBp) }) }), bar));
  } else {
    parts.push(el('p', { className: 'kit-help aff-next', textContent: t('affdash.topTier') }));
  }
  return section('aff-h-tier', t('affdash.tier'), ...parts, el('p', { className: 'kit-help', textContent: t('affdash.tierHelp') }));
}

// Clicks and sign-ups (stats) and conversions (earnings, summed over
// currencies) per month, every month either side names, oldest first.
function activity(t, stats, earnings) {
  const by = new Map();
  const at = (m) => by.get(m) ?? by.set(m, { clicks: 0, signups: 0, conversions: 0 }).get(m);
  for (const m of stats.months) Object.assign(at(m.month), { clicks: m.clicks, signups: m.signups });
  for (const m of earnings.months) at(m.month).conversions += m.conversions;
  const months = [...by.keys()].sort();
  const s = section('aff-h-activity', t('affdash.activity'));
  if (!months.length) s.append(el('p', { className: 'kit-help', textContent: t('affdash.activityEmpty') }));
  else {
    const rows = months.map((m) => by.get(m));
    s.append(el('figure', { className: 'health-chart aff-activity-chart' },
      groupedBars([rows.map((r) => r.clicks), rows.map((r) => r.signups), rows.map((r) => r.conversions)],
        { svgClass: 'health-svg', barClass: 'health-bar' }),
      dataTable(t('affdash.activityCaption'), [t('dash.col.month'), t('affdash.col.clicks'), t('affdash.col.signups'), t('affdash.col.conversions')],
        months.map((m, i) => [monthName(m), String(rows[i].clicks), String(rows[i].signups), String(rows[i].conversions)]),
        'health-table aff-activity-table')));
  }
  // Sign-ups through the link that were not attributed, and why (the server's reasons).
  const refused = stats.refused.filter((r) => r.n > 0);
  if (refused.length) {
    s.append(el('p', { className: 'kit-help', textContent: t('affdash.refused') }),
      el('ul', { className: 'aff-refused' }, ...refused.map((r) => {
        const li = el('li', { textContent: t('affdash.refusedLine', { reason: reasonName(t, r.reason), count: r.n }) });
        li.dataset.reason = r.reason;
        return li;
      })));
  }
  return s;
}

// The refusals the server records (aff-join's reasons); any other is named by its code.
const REASONS = ['self_referral', 'velocity', 'expired', 'same_payment_account'];
const reasonName = (t, r) => (REASONS.includes(r) ? t(`affdash.reason.${r}`) : t('affdash.reason.other', { reason: r }));

function earningsByMonth(t, months) {
  const s = section('aff-h-earnings', t('affdash.earnings'));
  const currencies = [...new Set(months.map((m) => m.currency))].sort();
  if (!currencies.length) s.append(el('p', { className: 'kit-help', textContent: t('affdash.earningsEmpty') }));
  for (const currency of currencies) {
    const list = months.filter((m) => m.currency === currency).sort((a, b) => a.month.localeCompare(b.month));
    const figure = el('figure', { className: 'health-chart aff-earnings-chart' },
      barChart(list.map((m) => Math.max(0, m.commission_minor)), { svgClass: 'health-svg', barClass: 'health-bar' }),
      dataTable(t('affdash.earningsCaption', { name: currencyName(currency) }),
        [t('dash.col.month'), t('affdash.col.conversions'), t('affdash.col.base'), t('affdash.col.rate'), t('affdash.col.commission')],
        list.map((m) => [monthName(m.month), String(m.conversions), price(m.base_minor, currency),
          t(m.final ? 'affdash.rate' : 'affdash.rateSoFar', { progress: rateOf(m.rate_bp) }), price(m.commission_minor, currency)]),
        'health-table aff-earnings-table'));
    figure.dataset.currency = currency;
    s.append(figure);
  }
  return s;
}

function balances(t, list) {
  const s = section('aff-h-balances', t('dash.balances'));
  if (!list.length) s.append(el('p', { className: 'kit-help', textContent: t('affdash.earningsEmpty') }));
  for (const b of list) {
    const rows = [['affdash.pending', b.pending_minor], ['affdash.approved', b.approved_minor], ['affdash.paid', b.paid_minor],
      ['affdash.carried', b.carried_minor]].map(([key, minor]) => [t(key), price(minor, b.currency)]);
    const box = el('div', { className: 'dash-balance aff-balance' },
      dataTable(t('dash.balanceCaption', { name: currencyName(b.currency) }), [t('dash.col.what'), t('dash.col.amount')], rows, 'health-table'),
      // The payout minimum is the server's (an added field beside the contract's four balances).
      b.payout_minimum_minor ? el('p', { className: 'kit-help aff-minimum', textContent: t('affdash.minimum', { price: price(b.payout_minimum_minor, b.currency) }) }) : null);
    box.dataset.currency = b.currency;
    s.append(box);
  }
  return s;
}

// A commission in words: how much of what, and its state (with the release date while held).
// A reversed one nets to nothing (the server nets an accrual's reversals
// into its figures), so it names only what it was and when.
function commissions(t, list) {
  const s = section('aff-h-commissions', t('affdash.commissions'));
  if (!list.length) {
    s.append(el('p', { className: 'kit-help', textContent: t('affdash.earningsEmpty') }));
    return s;
  }
  s.append(el('ul', { className: 'dash-payouts aff-commissions', 'aria-labelledby': 'aff-h-commissions' }, ...list.map((c) => {
    const state = c.state === 'pending'
      ? t('affdash.com.pending', { date: Date.parse(c.release_at) }) : t(`affdash.com.${c.state}`);
    const what = `affdash.com.${c.source === 'marketplace' ? 'marketplace' : 'subscription'}${c.state === 'reversed' ? 'On' : ''}`;
    const li = el('li', { className: 'dash-payout aff-commission' },
      el('p', { textContent: t(what, { price: price(c.commission_minor, c.currency), total: price(c.base_minor, c.currency), date: Date.parse(c.at) }) }),
      el('p', { className: c.state === 'reversed' ? 'kit-error aff-state' : 'mkt-card-status aff-state', textContent: state }));
    li.dataset.id = c.id;
    li.dataset.state = c.state;
    return li;
  })));
  return s;
}

function payouts(t, list) {
  const s = section('aff-h-payouts', t('dash.payouts'));
  if (!list.length) {
    s.append(el('p', { className: 'kit-help', textContent: t('dash.payoutsEmpty') }));
    return s;
  }
  s.append(el('ul', { className: 'dash-payouts aff-payouts', 'aria-labelledby': 'aff-h-payouts' }, ...list.map((p) => {
    const li = el('li', { className: 'dash-payout aff-payout' },
      el('p', { textContent: t('affdash.payoutLine', { price: price(p.amount_minor, p.currency), date: Date.parse(p.at) }) }),
      el('p', { className: p.state === 'returned' ? 'kit-error' : 'mkt-card-status', textContent: t(`affdash.po.${p.state}`) }));
    li.dataset.id = p.id;
    li.dataset.state = p.state;
    return li;
  })));
  return s;
}

// The PayPal e-mail payouts go to: required here, every other check the
// server's, its message said beside the field it names.
function payoutForm(t, current) {
  const form = el('form', { className: 'mkt-form aff-payout-form', noValidate: true, 'aria-labelledby': 'aff-h-payout-email' });
  const email = row('aff-paypal-email', t('affdash.paypalEmail'), el('input', { type: 'email', maxLength: EMAIL_MAX, autocomplete: 'email',
    value: current ?? '' }), { help: t('affdash.paypalEmailHelp') });
  const error = el('p', { className: 'kit-error', role: 'alert' });
  const done = el('p', { className: 'kit-help aff-payout-saved', role: 'status' });
  const save = el('button', { type: 'submit', className: 'kit-primary', textContent: t('market.save') });
  form.append(el('h2', { id: 'aff-h-payout-email', textContent: t('affdash.payoutEmail') }), email.wrap, error, done,
    el('div', { className: 'kit-actions' }, save));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    done.textContent = '';
    say(email, '');
    const value = email.input.value.trim();
    if (!value) return focusError(email, t('auth.error.required'));
    save.disabled = true;
    const r = await put('/api/v1/affiliate/payout', { paypal_email: value });
    save.disabled = false;
    if (!r.ok) {
      if (r.error.field === 'paypal_email' && r.error.message) return focusError(email, r.error.message);
      error.textContent = failureText(t, r.error);
      return;
    }
    done.textContent = t('affdash.payoutSaved', { email: value });
  });
  return form;
}

export async function mount(root, _params, ctx) {
  const { t } = ctx;
  root.append(el('h1', { textContent: t('affdash.title') }),
    el('p', { className: 'mkt-actions' }, el('a', { href: '/affiliate', className: 'kit-secondary', textContent: t('affdash.back') })));
  const status = el('p', { className: 'mkt-status', role: 'status' });
  root.append(status);
  const me = await get('/api/v1/affiliate');
  if (!me.ok) {
    status.textContent = failureText(t, me.error);
    return;
  }
  if (!me.data.affiliate) {
    status.textContent = t('affdash.notJoined');
    root.append(el('p', {}, el('a', { href: '/affiliate', className: 'kit-button', textContent: t('affdash.join') })));
    return;
  }
  const [stats, earnings] = await Promise.all([get('/api/v1/affiliate/stats'), get('/api/v1/affiliate/earnings')]);
  const failed = [stats, earnings].find((r) => !r.ok);
  if (failed) {
    status.textContent = failureText(t, failed.error);
    return;
  }
  const d = earnings.data;
  root.append(tier(t, d.tier), activity(t, stats.data, d), earningsByMonth(t, d.months), balances(t, d.balances),
    commissions(t, d.commissions),
    el('p', {}, el('a', { href: CSV_PATH, download: 'petamigos-commissions.csv', className: 'kit-secondary aff-csv',
      textContent: t('affdash.csv') })),
    payouts(t, d.payouts), payoutForm(t, me.data.affiliate.payout_email));
}
