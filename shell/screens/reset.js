// /reset#token=… — the link of a reset e-mail: choose a new password. The
// token is read from the fragment (or ?token=) once and taken out of the
// address bar and history at once, so it is not left behind in the browser.
// Saving ends every session of the account and signs this browser in.
import { post } from '../api.js';
import { el } from '../compose-kit.js';
import { field, setError, formMessage, submitButton, authFailureText } from '../forms.js';
import { PASSWORD_MIN, PASSWORD_MAX } from '../auth-form.js';
import { signedIn } from '../account.js';

/** The token of a mail link (fragment or query), removed from the URL and history. */
export function takeToken() {
  const from = new URLSearchParams(location.hash.slice(1)).get('token') ?? new URLSearchParams(location.search).get('token');
  if (location.hash || location.search) history.replaceState(history.state, '', location.pathname);
  return from ?? '';
}

const bytes = (s) => new TextEncoder().encode(s).length;

export function mount(root, params, ctx) {
  const { t } = ctx;
  const token = takeToken();
  const wrap = el('div', { className: 'auth' }, el('h1', { id: 'reset-title', 'data-i18n': 'mail.resetTitle' }));
  root.append(wrap);
  const invalid = () => {
    wrap.append(el('p', { role: 'alert', 'data-i18n': 'mail.resetInvalid' }),
      el('p', {}, el('a', { href: '/forgot', 'data-i18n': 'mail.resetAgain' })));
    ctx.localize(wrap);
  };
  if (!token) {
    invalid();
    return undefined;
  }
  const form = el('form', { noValidate: true, 'aria-labelledby': 'reset-title' });
  const password = field(form, { id: 'reset-password', label: 'mail.resetPassword', type: 'password',
    autocomplete: 'new-password', required: true, minlength: PASSWORD_MIN, hint: t('auth.passwordHint', { min: PASSWORD_MIN }) });
  const failure = formMessage(form);
  const submit = submitButton(form, 'mail.resetSave');
  wrap.append(form);
  ctx.localize(wrap);
  password.input.focus();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (submit.disabled) return;
    failure.show('');
    const v = password.input.value;
    const bad = !v ? t('auth.error.required') : bytes(v) < PASSWORD_MIN ? t('auth.error.passwordShort', { min: PASSWORD_MIN })
      : bytes(v) > PASSWORD_MAX ? t('auth.error.passwordLong') : '';
    setError(password, bad);
    if (bad) {
      password.input.focus();
      return;
    }
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    const r = await post('/api/v1/auth/reset/confirm', { token, password: v });
    submit.disabled = false;
    form.removeAttribute('aria-busy');
    if (r.ok) {
      await signedIn(r.data);
      ctx.navigate('/', { replace: true });
      return;
    }
    if (r.error.code === 'invalid_token') {
      form.remove();
      invalid();
    } else if (r.error.field === 'password' && r.error.status === 400) {
      setError(password, t('auth.error.passwordShort', { min: PASSWORD_MIN }));
      password.input.focus();
    } else {
      failure.show(authFailureText(t, r.error));
    }
  });
  return undefined;
}
