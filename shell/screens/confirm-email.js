// /confirm-email#token=… — the link sent to a new e-mail address: posts the
// token (taken out of the URL and history first) and says which address the
// account has now, or that the link no longer works.
import { post, getSession } from '../api.js';
import { el } from '../compose-kit.js';
import { authFailureText } from '../forms.js';
import { takeToken } from './reset.js';

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const token = takeToken();
  const status = el('p', { role: 'status', 'data-i18n': 'mail.confirmWorking' });
  const wrap = el('div', { className: 'auth' }, el('h1', { 'data-i18n': 'mail.confirmTitle' }), status);
  root.append(wrap);
  ctx.localize(wrap);
  const r = token ? await post('/api/v1/auth/email/confirm', { token }) : { ok: false, error: { code: 'invalid_token' } };
  status.removeAttribute('data-i18n');
  if (r.ok) {
    status.textContent = t('mail.confirmDone', { email: r.data.email });
    await getSession(true);
  } else if (r.error.code === 'invalid_token') {
    status.textContent = t('mail.resetInvalid');
  } else {
    status.textContent = authFailureText(t, r.error);
  }
  return undefined;
}
