// /forgot — "Forgot your password?": asks for the account's e-mail address
// and sends a reset link (POST /api/v1/auth/reset). The answer is the same
// whether an account has the address or not, and so is what we show.
import { post } from '../api.js';
import { el } from '../compose-kit.js';
import { field, setError, formMessage, submitButton, authFailureText } from '../forms.js';

export function mount(root, params, ctx) {
  const { t } = ctx;
  const wrap = el('div', { className: 'auth' }, el('h1', { id: 'forgot-title', 'data-i18n': 'mail.forgotTitle' }),
    el('p', { 'data-i18n': 'mail.forgotIntro' }));
  const form = el('form', { noValidate: true, 'aria-labelledby': 'forgot-title' });
  const email = field(form, { id: 'forgot-email', label: 'mail.forgotEmail', type: 'email', autocomplete: 'username',
    inputmode: 'email', required: true, autocapitalize: 'off', spellcheck: 'false' });
  const failure = formMessage(form);
  const submit = submitButton(form, 'mail.forgotSend');
  const sent = el('p', { className: 'done', role: 'status' });
  wrap.append(form, sent, el('p', { className: 'auth-switch' }, el('a', { href: '/login', 'data-i18n': 'auth.logIn' })));
  root.append(wrap);
  ctx.localize(wrap);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (submit.disabled) return;
    failure.show('');
    sent.textContent = '';
    const value = email.input.value.trim();
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
      setError(email, t('auth.error.emailInvalid'));
      email.input.focus();
      return;
    }
    setError(email, '');
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    const r = await post('/api/v1/auth/reset', { email: value });
    submit.disabled = false;
    form.removeAttribute('aria-busy');
    if (r.ok) sent.textContent = t('mail.forgotSent', { email: value });
    else if (r.error.field === 'email' && r.error.status === 400) setError(email, t('auth.error.emailInvalid'));
    else failure.show(authFailureText(t, r.error));
  });
  return undefined;
}
