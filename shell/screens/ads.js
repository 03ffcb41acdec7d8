// /ads — the advertiser's account (issue 21, self-serve ads; GET/PUT
// /api/v1/ads/account, GET/POST /api/v1/ads/topups): someone who does not
// advertise yet names their account and picks its currency; an advertiser
// reads the balance left to spend and what was spent, tops up with an amount
// and a provider (the browser then goes to the provider's approval page,
// which sends the person back to /ads/topups/return, screens/
// ads-topup-return.js), and lists the top-ups newest first with their
// state in words. Each refusal shows beside its field (the server names it
// in error.field). The name is the advertiser's: textContent only.
import { get, post, put } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { focusError, options, row, say } from '../seller-form.js';
import { decimalToMinor } from '../market-kit.js';
import { ACCOUNT, CURRENCIES, PROVIDERS, adsNav, price, providerName, topupStateName } from '../ads-kit.js';
import { dataTable } from '../chart-kit.js';

const NAME_MAX = 80; // the account name's length the form allows (the server has the last word)

export async function mount(root, _params, ctx) {
  const { t } = ctx;
  root.append(el('h1', { textContent: t('adv.accountTitle') }), adsNav(t, '/ads'));
  const status = el('p', { className: 'mkt-status', role: 'status' });
  root.append(status);
  const r = await get(ACCOUNT);
  if (!r.ok) {
    status.textContent = failureText(t, r.error);
    return;
  }
  const slot = el('div');
  root.append(slot);
  if (r.data.advertiser) showAccount(r.data.advertiser);
  else {
    status.textContent = t('adv.notAdvertiser');
    slot.append(accountForm(null));
  }

  // Create (current null) or rename: a name and the currency.
  function accountForm(current) {
    const form = el('form', { className: 'mkt-form', noValidate: true, 'aria-labelledby': 'adv-account-form-title' });
    const name = row('adv-name', t('adv.name'), el('input', { type: 'text', maxLength: NAME_MAX, autocomplete: 'organization',
      required: true, value: current?.name ?? '' }), { help: t('adv.nameHelp') });
    const currency = row('adv-currency', t('adv.currency'), options(el('select', {}), CURRENCIES.map((c) => [c, c]),
      current?.currency ?? 'USD'), { help: t('adv.currencyHelp') });
    const error = el('p', { className: 'kit-error', role: 'alert' });
    const save = el('button', { type: 'submit', className: 'kit-primary', textContent: t(current ? 'market.save' : 'adv.create') });
    form.append(el('h2', { id: 'adv-account-form-title', textContent: t(current ? 'adv.editAccount' : 'adv.createTitle') }),
      name.wrap, currency.wrap, error, el('div', { className: 'kit-actions' }, save));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.textContent = '';
      for (const f of [name, currency]) say(f, '');
      if (!name.input.value.trim()) return focusError(name, t('auth.error.required'));
      save.disabled = true;
      const a = await put(ACCOUNT, { name: name.input.value.trim(), currency: currency.input.value });
      save.disabled = false;
      if (!a.ok) {
        if (a.error.code === 'currency_locked') return focusError(currency, t('adv.currencyLocked'));
        const f = { name, currency }[a.error.field];
        if (f && a.error.message) return focusError(f, a.error.message);
        error.textContent = failureText(t, a.error);
        return;
      }
      status.textContent = t('adv.saved');
      showAccount(a.data.advertiser);
    });
    return form;
  }

  function showAccount(ad) {
    const facts = dataTable(t('adv.balanceCaption', { name: ad.name }), [t('adv.balanceTitle'), t('dash.col.amount')],
      [[t('adv.balance'), price(ad.balance_minor, ad.currency)], [t('adv.spent'), price(ad.spent_minor, ad.currency)]],
      'health-table adv-balance');
    const rename = el('details', { className: 'adv-rename' }, el('summary', { textContent: t('adv.editAccount') }), accountForm(ad));
    slot.replaceChildren(
      el('section', { className: 'dash-section', 'aria-labelledby': 'adv-h-balance' },
        el('h2', { id: 'adv-h-balance', textContent: t('adv.balanceTitle') }), facts, rename),
      topupForm(ad), topupList(ad));
  }

  // An amount in the account's currency and a provider → the provider's approval page.
  function topupForm(ad) {
    const form = el('form', { className: 'mkt-form', noValidate: true, 'aria-labelledby': 'adv-h-topup' });
    const amount = row('adv-topup-amount', t('adv.amount', { currency: ad.currency }), el('input', { type: 'text', inputMode: 'decimal',
      autocomplete: 'off', required: true }), { help: t('adv.amountHelp') });
    const provider = row('adv-topup-provider', t('adv.provider'), options(el('select', {}),
      Object.keys(PROVIDERS).map((p) => [p, providerName(p)]), 'paypal'));
    const error = el('p', { className: 'kit-error', role: 'alert' });
    const go = el('button', { type: 'submit', className: 'kit-primary', textContent: t('adv.topUp') });
    form.append(el('h2', { id: 'adv-h-topup', textContent: t('adv.topupTitle') }), amount.wrap, provider.wrap, error,
      el('div', { className: 'kit-actions' }, go));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.textContent = '';
      for (const f of [amount, provider]) say(f, '');
      const minor = decimalToMinor(amount.input.value, ad.currency);
      if (!amount.input.value.trim()) return focusError(amount, t('auth.error.required'));
      if (!minor) return focusError(amount, t('adv.error.amount'));
      go.disabled = true;
      const r = await post('/api/v1/ads/topups', { amount_minor: minor, provider: provider.input.value });
      go.disabled = false;
      if (!r.ok) {
        const f = { amount_minor: amount, provider }[r.error.field];
        if (f && r.error.message) return focusError(f, r.error.message);
        error.textContent = failureText(t, r.error);
        return;
      }
      location.assign(r.data.topup.approve_url);
    });
    return form;
  }

  function topupList(ad) {
    const section = el('section', { className: 'dash-section', 'aria-labelledby': 'adv-h-topups' },
      el('h2', { id: 'adv-h-topups', textContent: t('adv.topups') }));
    const said = el('p', { className: 'kit-help', role: 'status' });
    const list = el('ul', { className: 'dash-payouts adv-topups', 'aria-labelledby': 'adv-h-topups' });
    section.append(said, list);
    get('/api/v1/ads/topups').then((r) => {
      if (!r.ok) {
        said.textContent = failureText(t, r.error);
        return;
      }
      for (const tp of r.data.topups) {
        const item = el('li', { className: 'dash-payout' },
          el('p', { textContent: t('adv.topupLine', { price: price(tp.amount_minor, tp.currency ?? ad.currency),
            provider: providerName(tp.provider) }) }),
          tp.created_at ? el('p', { className: 'kit-help' }, el('time', { dateTime: tp.created_at,
            textContent: t('time.dateAndTime', { when: Date.parse(tp.created_at) }) })) : null,
          el('p', { className: 'mkt-card-status', textContent: topupStateName(t, tp.state) }),
          tp.state === 'pending' ? el('p', {}, el('a', { href: `/ads/topups/return?topup=${encodeURIComponent(tp.id)}`,
            textContent: t('adv.topupCheck') })) : null);
        item.dataset.state = tp.state;
        item.dataset.id = tp.id;
        list.append(item);
      }
      said.textContent = r.data.topups.length ? '' : t('adv.topupsEmpty');
    });
    return section;
  }
}
