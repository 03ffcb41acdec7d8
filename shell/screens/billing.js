// /billing — the signed-in person's subscription: tier, plan, provider,
// status, the next charge (date and amount in the locale's formats), the
// "ends on" notice after a cancel, the receipts, and Cancel (behind a
// confirmation dialog) or Resume. Free people get a link to /plans.
import { failureMessage, post } from '../api.js';
import { el } from '../compose-kit.js';
import { day } from '../i18n.js';
import { getBilling, price, providerName } from '../billing-kit.js';

const PLAN_KEYS = { plus_monthly: 'billing.planMonthly', plus_yearly: 'billing.planYearly', plus_year_pass: 'billing.planPass',
  free: 'billing.tierFree' };
const STATUS_KEYS = {
  pending: 'billing.statusPending', active: 'billing.statusActive', past_due: 'billing.statusPastDue',
  cancelled: 'billing.statusCancelled', expired: 'billing.statusExpired',
};
const NOTICE_KEYS = { renewal_failed: 'billing.noticeRenewalFailed', downgraded: 'billing.noticeDowngraded' };
const KIND_KEYS = { charge: 'billing.kindCharge', refund: 'billing.kindRefund', chargeback: 'billing.kindChargeback' };

const known = (t, keys, value) => (keys[value] ? t(keys[value]) : value);

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const page = el('div', { className: 'settings billing' }, el('h1', { 'data-i18n': 'billing.title' }));
  const body = el('div', { className: 'billing-body' });
  const said = el('p', { className: 'done', role: 'status' });
  const problem = el('p', { className: 'form-message', role: 'alert', hidden: true });
  const dialog = cancelDialog(ctx, async () => {
    const r = await post('/api/v1/billing/cancel', {});
    if (!r.ok) return t(...failureMessage(r.error));
    said.textContent = t('billing.cancelDone');
    await load();
    return '';
  });
  page.append(body, said, problem, dialog.element);
  root.append(page);
  let data = null;

  function render() {
    body.replaceChildren();
    if (!data) return;
    const sub = data.subscription;
    const plus = data.tier === 'plus';
    const facts = el('dl', { className: 'billing-facts' });
    const fact = (key, value, name) => {
      const dd = el('dd', { textContent: value });
      dd.dataset.fact = name;
      facts.append(el('div', { className: 'billing-row' }, el('dt', { textContent: t(key) }), dd));
    };
    fact('billing.tier', plus ? t('billing.tierPlus') : t('billing.tierFree'), 'tier');
    if (sub) {
      fact('billing.plan', known(t, PLAN_KEYS, sub.plan), 'plan');
      fact('billing.provider', providerName(sub.provider), 'provider');
      fact('billing.status', known(t, STATUS_KEYS, sub.status), 'status');
      if (sub.next_charge && !sub.cancel_at_period_end) {
        fact('billing.nextCharge', t('billing.nextChargeValue', { price: price(sub.next_charge), date: day(sub.next_charge.at) }), 'next-charge');
      }
    }
    body.append(facts);
    for (const n of data.notices ?? []) {
      if (NOTICE_KEYS[n.kind]) body.append(el('p', { className: 'billing-notice', textContent: t(NOTICE_KEYS[n.kind], { date: day(n.at) }) }));
    }
    if (sub && sub.cancel_at_period_end && sub.current_period_end) {
      body.append(el('p', { className: 'billing-ends', textContent: t('billing.endsOn', { date: day(sub.current_period_end) }) }));
    }
    const buttons = el('div', { className: 'row' });
    if (sub && (sub.status === 'active' || sub.status === 'past_due') && !sub.cancel_at_period_end) {
      const cancel = el('button', { type: 'button', className: 'danger', textContent: t('billing.cancel') });
      cancel.addEventListener('click', () => dialog.open(cancel, sub.current_period_end));
      buttons.append(cancel);
    } else if (sub && sub.cancel_at_period_end && plus) { // cancelled, the paid time not over yet
      const resume = el('button', { type: 'button', className: 'primary', textContent: t('billing.resume') });
      resume.addEventListener('click', async () => {
        resume.disabled = true;
        const r = await post('/api/v1/billing/resume', {});
        resume.disabled = false;
        if (!r.ok) {
          fail(t(...failureMessage(r.error)));
          return;
        }
        said.textContent = t('billing.resumeDone');
        await load();
        body.querySelector('button')?.focus();
      });
      buttons.append(resume);
    }
    if (!plus) buttons.append(el('a', { href: '/plans', className: 'primary', textContent: t('billing.seePlans') }));
    body.append(buttons);

    const receipts = el('section', { 'aria-labelledby': 'billing-receipts-title' },
      el('h2', { id: 'billing-receipts-title', textContent: t('billing.receipts') }));
    if (!data.receipts?.length) {
      receipts.append(el('p', { textContent: t('billing.noReceipts') }));
    } else {
      const table = el('table', { className: 'billing-receipts' },
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col', textContent: t('billing.receiptDate') }),
          el('th', { scope: 'col', textContent: t('billing.receiptKind') }),
          el('th', { scope: 'col', textContent: t('billing.receiptAmount') }))));
      const rows = el('tbody');
      for (const rc of data.receipts) {
        const tr = el('tr', {}, el('td', { textContent: day(rc.at) }), el('td', { textContent: known(t, KIND_KEYS, rc.kind) }),
          el('td', { textContent: price(rc) }));
        tr.dataset.kind = rc.kind;
        rows.append(tr);
      }
      table.append(rows);
      receipts.append(table);
    }
    body.append(receipts);
  }
  function fail(text) {
    problem.textContent = text;
    problem.hidden = !text;
  }

  async function load() {
    const r = await getBilling();
    if (!r.ok) {
      fail(t(...failureMessage(r.error)));
      return;
    }
    fail('');
    data = r.data;
    render();
  }

  addEventListener('pa:locale', render);
  await load();
  return () => {
    removeEventListener('pa:locale', render);
    dialog.element.close?.();
  };
}

// The cancel confirmation: a modal <dialog> (focus moves into it, Escape
// closes it, focus goes back to the button that opened it) saying until when
// Plus stays, with "Keep Plus" focused first.
function cancelDialog(ctx, confirmCancel) {
  const { t } = ctx;
  const dialog = el('dialog', { className: 'confirm-dialog', 'aria-labelledby': 'billing-cancel-title',
    'aria-describedby': 'billing-cancel-text' });
  const text = el('p', { id: 'billing-cancel-text' });
  const message = el('p', { className: 'form-message', role: 'alert', hidden: true });
  const keep = el('button', { type: 'button', className: 'secondary', 'data-i18n': 'billing.keep' });
  const confirm = el('button', { type: 'button', className: 'danger', 'data-i18n': 'billing.cancelConfirm' });
  dialog.append(el('h2', { id: 'billing-cancel-title', 'data-i18n': 'billing.cancelTitle' }), text, message,
    el('div', { className: 'row' }, keep, confirm));
  let opener = null;
  keep.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    if (opener?.isConnected) opener.focus();
    else dialog.ownerDocument.querySelector('.billing h1')?.focus();
  });
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    const failed = await confirmCancel();
    confirm.disabled = false;
    if (failed) {
      message.textContent = failed;
      message.hidden = false;
      return;
    }
    // The Cancel button is gone (replaced by Resume): focus goes to Resume.
    opener = dialog.ownerDocument.querySelector('.billing-body button') ?? opener;
    dialog.close();
  });
  return {
    element: dialog,
    open(from, end) {
      opener = from;
      message.hidden = true;
      text.textContent = end ? t('billing.cancelText', { date: day(end) }) : t('billing.cancelTextNoDate');
      ctx.localize(dialog);
      dialog.showModal();
      keep.focus();
    },
  };
}
