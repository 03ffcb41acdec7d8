// The sign-in's second step (two-step sign-in on): the password was right and
// the server answered a challenge instead of a session. Asks for the 6-digit
// code from the authenticator app, or (a link-like toggle) a recovery code;
// POST /auth/login/totp makes the session. The password form stays in the
// page, hidden, so "Start over" (or an expired challenge) returns to it with
// what was typed.
import { post } from './api.js';
import { field, setError, formMessage, submitButton, authFailureText } from './forms.js';
import { signedIn, nextPath } from './account.js';

export function secondStep(wrap, ctx, challenge, passwordParts) {
  const { t } = ctx;
  for (const part of passwordParts) part.hidden = true;
  const step = document.createElement('div');
  step.className = 'twostep-login';
  const h = document.createElement('h2');
  h.id = 'twostep-title';
  h.tabIndex = -1;
  h.dataset.i18n = 'twostep.loginTitle';
  const help = document.createElement('p');
  help.id = 'twostep-help';
  const form = document.createElement('form');
  form.noValidate = true;
  form.setAttribute('aria-labelledby', 'twostep-title');
  const code = field(form, { id: 'twostep-code', label: 'twostep.code', type: 'text', inputmode: 'numeric',
    autocomplete: 'one-time-code', required: true, maxlength: 16, spellcheck: 'false' });
  const recovery = field(form, { id: 'twostep-recovery', label: 'twostep.recoveryCode', type: 'text',
    autocomplete: 'off', required: true, maxlength: 32, autocapitalize: 'characters', spellcheck: 'false' });
  recovery.input.closest('.field').hidden = true;
  const message = formMessage(form);
  const submit = submitButton(form, 'twostep.verify');
  const toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.className = 'secondary';
  const back = document.createElement('button');
  back.type = 'button';
  back.className = 'secondary';
  back.dataset.i18n = 'twostep.startOver';
  step.append(h, help, form, toggle, back);
  wrap.append(step);
  let useRecovery = false;
  const relabel = () => {
    help.textContent = t(useRecovery ? 'twostep.recoveryHelp' : 'twostep.loginHelp');
    toggle.textContent = t(useRecovery ? 'twostep.useApp' : 'twostep.useRecovery');
  };
  const active = () => (useRecovery ? recovery : code);
  toggle.addEventListener('click', () => {
    useRecovery = !useRecovery;
    code.input.closest('.field').hidden = useRecovery;
    recovery.input.closest('.field').hidden = !useRecovery;
    setError(code, '');
    setError(recovery, '');
    message.show('');
    relabel();
    active().input.focus();
  });
  const leave = (expired) => {
    step.remove();
    removeEventListener('pa:locale', relabel);
    for (const part of passwordParts) part.hidden = false;
    passwordParts.onBack?.(expired);
  };
  back.addEventListener('click', () => leave(false));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (submit.disabled) return;
    const f = active();
    const value = f.input.value.trim();
    message.show('');
    if (!value) {
      setError(f, t('auth.error.required'));
      f.input.focus();
      return;
    }
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    const r = await post('/api/v1/auth/login/totp', useRecovery
      ? { challenge, recovery_code: value } : { challenge, code: value });
    submit.disabled = false;
    form.removeAttribute('aria-busy');
    if (r.ok) {
      await signedIn(r.data);
      ctx.navigate(nextPath(), { replace: true });
      return;
    }
    if (r.error.status === 401 && r.error.field === 'challenge') {
      leave(true);
      return;
    }
    if (r.error.status === 403) {
      setError(f, t(useRecovery ? 'twostep.error.recovery' : 'twostep.error.code'));
      f.input.select();
      f.input.focus();
      return;
    }
    message.show(authFailureText(t, r.error));
  });
  addEventListener('pa:locale', relabel);
  relabel();
  ctx.localize(step);
  code.input.focus();
}
