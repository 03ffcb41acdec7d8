// The sign-up and log-in forms: fields checked as the person types (after the
// first attempt) and on submit, the server's refusals shown beside the field
// it names, and every value kept whatever happens.
import { post } from './api.js';
import { field, setError, formMessage, submitButton, authFailureText } from './forms.js';
import { signedIn, nextPath } from './account.js';
import { secondStep } from './twostep-login.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const PASSWORD_MIN = 10; // bytes, as the server counts (web/openapi.yaml)
export const PASSWORD_MAX = 256; // bytes
const NAME_MAX = 80;

// The message for one field's value, or '' when it is fine.
function check(t, name, value, { signup }) {
  if (!value) return t('auth.error.required');
  if (name === 'email' && !EMAIL.test(value)) return t('auth.error.emailInvalid');
  if (name === 'password' && signup) {
    const bytes = new TextEncoder().encode(value).length;
    if (bytes < PASSWORD_MIN) return t('auth.error.passwordShort', { min: PASSWORD_MIN });
    if (bytes > PASSWORD_MAX) return t('auth.error.passwordLong');
  }
  if (name === 'display_name' && [...value].length > NAME_MAX) return t('auth.error.nameTooLong', { max: NAME_MAX });
  return '';
}

const hintText = (t) => t('auth.passwordHint', { min: PASSWORD_MIN });

// What the server's refusal of a field means, in the person's language.
function serverFieldText(t, name, error) {
  if (name === 'email') return error.status === 409 ? t('auth.error.emailTaken') : t('auth.error.emailInvalid');
  if (name === 'password') return t('auth.error.passwordShort', { min: PASSWORD_MIN });
  if (name === 'display_name') return t('auth.error.nameTooLong', { max: NAME_MAX });
  return '';
}

// mountAuthForm(root, ctx, {signup}) builds the whole screen.
export function mountAuthForm(root, ctx, { signup }) {
  const { t } = ctx;
  const wrap = document.createElement('div');
  wrap.className = 'auth';
  const h1 = document.createElement('h1');
  h1.dataset.i18n = signup ? 'auth.signUp' : 'auth.logIn';
  const form = document.createElement('form');
  form.noValidate = true; // our own inline messages instead of the browser's bubbles
  form.setAttribute('aria-labelledby', 'auth-title');
  h1.id = 'auth-title';
  const fields = {};
  if (signup) {
    fields.display_name = field(form, { id: 'display_name', label: 'auth.displayName', type: 'text',
      autocomplete: 'name', required: true, maxlength: NAME_MAX, autocapitalize: 'words' });
  }
  fields.email = field(form, { id: 'email', label: 'auth.email', type: 'email', autocomplete: signup ? 'email' : 'username',
    inputmode: 'email', required: true, autocapitalize: 'off', spellcheck: 'false' });
  fields.password = field(form, { id: 'password', label: 'auth.password', type: 'password',
    autocomplete: signup ? 'new-password' : 'current-password', required: true,
    minlength: signup ? PASSWORD_MIN : undefined, hint: signup ? hintText(t) : undefined });
  const message = formMessage(form);
  const submit = submitButton(form, signup ? 'auth.signUp' : 'auth.logIn');
  const other = document.createElement('p');
  other.className = 'auth-switch';
  const ask = document.createElement('span');
  ask.dataset.i18n = signup ? 'auth.haveAccount' : 'auth.noAccount';
  const link = document.createElement('a');
  link.href = `${signup ? '/login' : '/signup'}${location.search}`;
  link.dataset.i18n = signup ? 'auth.logIn' : 'auth.signUp';
  other.append(ask, ' ', link);
  wrap.append(h1, form, other);
  if (!signup) {
    // "Forgot your password?" (screens/forgot.js).
    const forgot = document.createElement('a');
    forgot.href = '/forgot';
    forgot.dataset.i18n = 'mail.forgotLink';
    const p = document.createElement('p');
    p.className = 'auth-switch';
    p.append(forgot);
    wrap.insertBefore(p, other);
  }
  root.append(wrap);
  const hint = fields.password.hint;

  let tried = false;
  const validate = (name) => {
    const text = check(t, name, fields[name].input.value, { signup });
    setError(fields[name], text);
    return !text;
  };
  for (const name of Object.keys(fields)) {
    fields[name].input.addEventListener('input', () => { if (tried) validate(name); });
    fields[name].input.addEventListener('blur', () => { if (tried || fields[name].input.value) validate(name); });
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (submit.disabled) return;
    tried = true;
    message.show('');
    const bad = Object.keys(fields).filter((name) => !validate(name));
    if (bad.length) {
      fields[bad[0]].input.focus();
      return;
    }
    const body = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.input.value]));
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    const r = await post(signup ? '/api/v1/auth/signup' : '/api/v1/auth/login', body);
    submit.disabled = false;
    form.removeAttribute('aria-busy');
    if (r.ok && r.data.second_step === 'totp') {
      // Two-step sign-in: no session yet; the code step takes over.
      const parts = [form, other];
      parts.onBack = (expired) => {
        message.show(expired ? t('twostep.expired') : '');
        fields.password.input.focus();
      };
      secondStep(wrap, ctx, r.data.challenge, parts);
      return;
    }
    if (r.ok) {
      await signedIn(r.data);
      ctx.navigate(nextPath(), { replace: true });
      return;
    }
    const at = fields[r.error.field];
    if (at && r.error.status !== 429) {
      setError(at, serverFieldText(t, r.error.field, r.error));
      at.input.focus();
    } else if (!signup && r.error.status === 401) {
      setError(fields.password, t('auth.error.wrongCredentials'));
      fields.password.input.focus();
    } else {
      message.show(authFailureText(t, r.error));
    }
  });

  const relabel = () => {
    if (hint) hint.textContent = hintText(t);
    for (const name of Object.keys(fields)) if (!fields[name].message.hidden) validate(name);
  };
  addEventListener('pa:locale', relabel);
  return () => removeEventListener('pa:locale', relabel);
}
