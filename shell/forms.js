// Form fields with inline, localized validation messages: a <label>, the
// control, and a message element the control names with aria-describedby
// (and aria-invalid while the message shows). Screens build their forms from
// these so password managers, autofill and screen readers see real fields.
import { failureMessage } from './api.js';

// field(form, {id, label, hint, type, autocomplete, inputmode, required, ...})
// → {input, message, hint}; label is a catalog key, hint (optional) localized
// text; the other attributes land on the <input>.
export function field(form, { id, label, hint, ...attrs }) {
  const row = document.createElement('div');
  row.className = 'field';
  const lab = document.createElement('label');
  lab.htmlFor = id;
  lab.dataset.i18n = label;
  const input = document.createElement('input');
  input.id = id;
  input.name = id;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === true) input.setAttribute(k, '');
    else if (v !== false && v !== undefined) input.setAttribute(k, String(v));
  }
  const message = document.createElement('p');
  message.id = `${id}-message`;
  message.className = 'field-message';
  message.hidden = true;
  const described = [message.id];
  row.append(lab, input);
  if (hint) {
    const h = document.createElement('p');
    h.id = `${id}-hint`;
    h.className = 'field-hint';
    h.textContent = hint; // already localized: hints may have arguments
    row.append(h);
    described.unshift(h.id);
  }
  input.setAttribute('aria-describedby', described.join(' '));
  row.append(message);
  form.append(row);
  return { input, message, hint: row.querySelector('.field-hint') };
}

// Shows text under the field (or clears it when text is empty).
export function setError(f, text) {
  f.message.textContent = text ?? '';
  f.message.hidden = !text;
  if (text) f.input.setAttribute('aria-invalid', 'true');
  else f.input.removeAttribute('aria-invalid');
}

// A form-level message (role=alert so it is announced when it appears).
export function formMessage(form) {
  const p = document.createElement('p');
  p.className = 'form-message';
  p.setAttribute('role', 'alert');
  p.hidden = true;
  form.append(p);
  return {
    el: p,
    show(text) {
      p.textContent = text ?? '';
      p.hidden = !text;
    },
  };
}

// A submit button whose label is a catalog key.
export function submitButton(form, key) {
  const b = document.createElement('button');
  b.type = 'submit';
  b.className = 'primary';
  b.dataset.i18n = key;
  form.append(b);
  return b;
}

// The message for a failed request that is not about one field, localized.
export function authFailureText(t, error) {
  if (error.status === 429) return t('auth.error.rateLimited', { seconds: error.retryAfter || 60 });
  return t(...failureMessage(error));
}
