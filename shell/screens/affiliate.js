// /affiliate — the affiliate program (issue 21): join as a person, a vet, a
// shelter or a pet shop (POST /api/v1/affiliate), then the referral code and
// link with a Copy button, and an embed snippet for a post or listing whose
// links carry the code (GET /api/v1/oembed?ref=). Reached from Settings;
// loaded only when visited. Sign-up needs nothing here: the link's cookie
// does it on the server. A member's figures are the dashboard's
// (/affiliate/dashboard, screens/affiliate-dashboard.js), linked from here.
import { get, post } from '../api.js';
import { el, failureText } from '../compose-kit.js';

const KINDS = [['person', 'affiliate.kindPerson'], ['vet', 'affiliate.kindVet'],
  ['shelter', 'affiliate.kindShelter'], ['shop', 'affiliate.kindShop']];

// A read-only text with its label, a Copy button and a status line that says
// (to screen readers too) whether the copy worked. multiline: a <textarea>.
function copyBox(t, { id, label, value, copy, copied, multiline = false }) {
  const box = multiline
    ? el('textarea', { id, readOnly: true, rows: 6, className: 'aff-snippet', spellcheck: false })
    : el('input', { id, type: 'text', readOnly: true, className: 'aff-link', spellcheck: false });
  box.value = value;
  const status = el('p', { id: `${id}-status`, className: 'aff-status', role: 'status' });
  const button = el('button', { type: 'button', className: 'secondary', id: `${id}-copy`, textContent: t(copy) });
  button.addEventListener('click', async () => {
    status.textContent = '';
    try {
      await navigator.clipboard.writeText(box.value);
      status.textContent = t(copied);
    } catch {
      // No clipboard (permissions, an old browser): the text selected for the person to copy.
      box.focus();
      box.select();
      status.textContent = t('affiliate.copyFailed');
    }
  });
  return el('div', { className: 'aff-copy' }, el('label', { htmlFor: id, textContent: t(label) }), box,
    el('div', { className: 'row' }, button), status);
}

function joinForm(t, onJoined) {
  const form = el('form', { className: 'aff-join', noValidate: true });
  const set = el('fieldset', {}, el('legend', { textContent: t('affiliate.kindLegend') }));
  for (const [value, key] of KINDS) {
    const id = `aff-kind-${value}`;
    set.append(el('label', { className: 'choice', htmlFor: id },
      el('input', { type: 'radio', name: 'kind', id, value, checked: value === 'person' }),
      el('span', { textContent: t(key) })));
  }
  const message = el('p', { className: 'form-message', role: 'alert', hidden: true });
  const submit = el('button', { type: 'submit', className: 'primary', textContent: t('affiliate.join') });
  form.append(set, message, el('div', { className: 'row' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    const kind = form.querySelector('input[name="kind"]:checked')?.value ?? 'person';
    const r = await post('/api/v1/affiliate', { kind });
    submit.disabled = false;
    if (!r.ok) {
      message.textContent = failureText(t, r.error);
      message.hidden = false;
      return;
    }
    onJoined(r.data.affiliate);
  });
  return form;
}

function embedSection(t, affiliate) {
  const section = el('section', { 'aria-labelledby': 'aff-embed-title' },
    el('h2', { id: 'aff-embed-title', textContent: t('affiliate.embedTitle') }),
    el('p', { id: 'aff-embed-help', textContent: t('affiliate.embedHelp') }));
  const form = el('form', { className: 'aff-embed', noValidate: true });
  const input = el('input', { id: 'aff-embed-url', type: 'url', inputMode: 'url', autocomplete: 'off',
    'aria-describedby': 'aff-embed-help aff-embed-error', required: true });
  const error = el('p', { id: 'aff-embed-error', className: 'field-error', hidden: true });
  const submit = el('button', { type: 'submit', className: 'secondary', textContent: t('affiliate.embedGet') });
  const result = el('div');
  form.append(el('label', { htmlFor: 'aff-embed-url', textContent: t('affiliate.embedUrl') }), input, error,
    el('div', { className: 'row' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    result.replaceChildren();
    const url = input.value.trim();
    const r = url ? await get(`/api/v1/oembed?${new URLSearchParams({ url, ref: affiliate.code, format: 'json' })}`) : null;
    if (!r?.ok) {
      error.textContent = !r || r.error.status === 400 || r.error.status === 404 ? t('affiliate.embedNotFound') : failureText(t, r.error);
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    result.append(copyBox(t, { id: 'aff-snippet', label: 'affiliate.embedSnippet', value: r.data.html,
      copy: 'affiliate.copyEmbed', copied: 'affiliate.embedCopied', multiline: true }));
    result.querySelector('textarea').focus();
  });
  section.append(form, result);
  return section;
}

export async function mount(root, _params, ctx) {
  const { t } = ctx;
  const heading = el('h1', { id: 'aff-title', tabIndex: -1, textContent: t('affiliate.title') });
  const body = el('div', { className: 'affiliate' });
  root.append(heading, el('p', { textContent: t('affiliate.intro') }), body);
  const show = (affiliate, justJoined) => {
    const code = el('p', { className: 'aff-code' }, el('span', { textContent: t('affiliate.codeLabel') }), ' ',
      el('code', { textContent: affiliate.code }));
    body.replaceChildren(
      justJoined ? el('p', { className: 'done', role: 'status', textContent: t('affiliate.welcome') }) : '',
      // The figures: clicks, sign-ups, earnings, payouts (screens/affiliate-dashboard.js).
      el('p', { className: 'mkt-actions' }, el('a', { href: '/affiliate/dashboard', className: 'kit-secondary', textContent: t('affdash.title') })),
      code,
      copyBox(t, { id: 'aff-link', label: 'affiliate.linkLabel', value: affiliate.link, copy: 'affiliate.copy',
        copied: 'affiliate.copied' }),
      embedSection(t, affiliate));
    if (justJoined) body.querySelector('#aff-link-copy').focus();
  };
  const r = await get('/api/v1/affiliate');
  if (!r.ok) {
    body.append(el('p', { role: 'alert', textContent: failureText(t, r.error) }));
    return;
  }
  if (r.data.affiliate) show(r.data.affiliate, false);
  else body.append(joinForm(t, (a) => show(a, true)));
}
