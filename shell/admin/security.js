// The console's Security tab (GET /api/v1/admin/security): the suspicious
// patterns first, in words (a "Flagged" label, never color alone), then the
// events by hour and by country and the busiest addresses, as tables.
import { get } from '../api.js';
import { el } from '../compose-kit.js';
import { problem, personText } from './kit.js';

// The event kinds in the order of the tables' columns (sec.kind.*).
const KINDS = ['login_failed', 'limited', 'upload_refused', 'signin', 'new_device'];
// The periods offered, in hours (the API allows 1..168).
const PERIODS = [['hour', 1], ['day', 24], ['week', 168]];

const count = (t, n) => t('ops.count', { count: n });

// "Brazil (BR)" in the page's language; the code alone where the browser has no name.
function countryText(t, cc) {
  if (!cc) return t('sec.countryUnknown');
  try {
    const name = new Intl.DisplayNames([document.documentElement.lang || 'en'], { type: 'region' }).of(cc);
    return name && name !== cc ? `${name} (${cc})` : cc;
  } catch {
    return cc;
  }
}

// Rows of {key, kind, count} as a Map key → {kind: count}, in first-seen order.
function pivot(rows, keyOf) {
  const out = new Map();
  for (const r of rows) {
    const k = keyOf(r);
    if (!out.has(k)) out.set(k, {});
    out.get(k)[r.kind] = (out.get(k)[r.kind] ?? 0) + r.count;
  }
  return out;
}

// A table with a caption, a row header column and one column per kind.
function kindTable(t, caption, headKey, rows) {
  return el('table', { className: 'admin-table' },
    el('caption', { textContent: t(caption) }),
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col', textContent: t(headKey) }),
      ...KINDS.map((k) => el('th', { scope: 'col', textContent: t(`sec.kind.${k}`) })))),
    el('tbody', {}, ...rows.map(([label, counts]) => el('tr', {},
      el('th', { scope: 'row', textContent: label }),
      ...KINDS.map((k) => el('td', { textContent: count(t, counts[k] ?? 0) }))))));
}

// One suspicious pattern in words.
function suspiciousItem(t, s) {
  const flag = el('strong', { className: 'sec-flag', textContent: t('sec.flagged') });
  if (s.pattern === 'one_address_many_accounts') {
    return el('li', { className: 'sec-suspicious' }, flag, ' ',
      el('span', { textContent: t('sec.patternSpray', { name: `${s.address}, ${countryText(t, s.country)}` }) }), ' ',
      el('span', { textContent: t('sec.accountsTried', { count: s.accounts }) }), ' ',
      el('span', { textContent: t('sec.failures', { count: s.login_failed }) }));
  }
  return el('li', { className: 'sec-suspicious' }, flag, ' ',
    el('span', { textContent: t('sec.patternTarget', { name: personText(t, s.person) }) }), ' ',
    el('span', { textContent: t('sec.addressesUsed', { count: s.addresses }) }), ' ',
    el('span', { textContent: t('sec.failures', { count: s.login_failed }) }));
}

function render(t, out, data) {
  const flagged = new Set(data.suspicious.filter((s) => s.address).map((s) => s.address));
  const hours = [...pivot(data.by_hour, (r) => r.hour)].map(([h, c]) =>
    [t('time.dateAndTime', { when: h * 1000 }), c]);
  const countries = [...pivot(data.by_country, (r) => r.country)].map(([cc, c]) => [countryText(t, cc), c]);
  const list = data.suspicious.length
    ? el('ul', { className: 'sec-suspicious-list' }, ...data.suspicious.map((s) => suspiciousItem(t, s)))
    : el('p', { textContent: t('sec.noSuspicious') });
  const top = el('table', { className: 'admin-table' },
    el('caption', { textContent: t('sec.topCaption') }),
    el('thead', {}, el('tr', {},
      ...['sec.colAddress', 'sec.colCountry'].map((k) => el('th', { scope: 'col', textContent: t(k) })),
      ...KINDS.map((k) => el('th', { scope: 'col', textContent: t(`sec.kind.${k}`) })),
      el('th', { scope: 'col', textContent: t('sec.colAccounts') }))),
    el('tbody', {}, ...data.top_addresses.map((a) => el('tr', { className: flagged.has(a.address) ? 'sec-flagged' : undefined },
      el('th', { scope: 'row' }, a.address, ...(flagged.has(a.address) ? [' ', el('strong', { className: 'sec-flag', textContent: t('sec.flagged') })] : [])),
      el('td', { textContent: countryText(t, a.country) }),
      ...KINDS.map((k) => el('td', { textContent: count(t, a[k]) })),
      el('td', { textContent: count(t, a.accounts) })))));
  const empty = !data.by_hour.length;
  out.replaceChildren(
    el('h2', { textContent: t('sec.suspiciousTitle') }), list,
    ...(empty ? [el('p', { textContent: t('sec.empty') })]
      : [kindTable(t, 'sec.byHourCaption', 'sec.colHour', hours),
        kindTable(t, 'sec.byCountryCaption', 'sec.colCountry', countries), top]));
}

// The Security tab: a period to look back over, then the view.
export function mount(t, panel) {
  const id = 'sec-period';
  const period = el('select', { id, className: 'admin-select' },
    ...PERIODS.map(([name, h]) => el('option', { value: String(h), selected: h === 24, textContent: t(`sec.period.${name}`) })));
  const status = el('p', { role: 'status', className: 'admin-status' });
  const out = el('div', { className: 'sec-view' });
  panel.append(el('div', { className: 'admin-form' },
    el('label', { htmlFor: id, textContent: t('sec.period') }), period), status, out);
  const load = async () => {
    status.textContent = t('sec.loading');
    const r = await get(`/api/v1/admin/security?hours=${period.value}`);
    if (!r.ok) {
      status.textContent = problem(t, r.error);
      return;
    }
    status.textContent = '';
    render(t, out, r.data);
  };
  period.addEventListener('change', load);
  return load;
}
