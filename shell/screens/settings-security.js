// The signed-in parts of /settings that end access elsewhere: changing the
// password (every other session ends) and the chat devices, each removable
// (this browser's one marked; removing it signs chat here out and deletes the
// chat data this browser kept). Built by settings.js.
import { get, post, request } from '../api.js';
import { el } from '../compose-kit.js';
import { field, setError, formMessage, submitButton, authFailureText } from '../forms.js';
import { PASSWORD_MIN, PASSWORD_MAX } from '../auth-form.js';
import { storedDevice, deleteStore } from '../chat/store.js';

const bytes = (s) => new TextEncoder().encode(s).length;

// A field's message kept as a function, so a language change re-says it.
function messages(t) {
  const shown = new Map();
  return {
    show(f, say) {
      if (say) shown.set(f, say);
      else shown.delete(f);
      setError(f, say ? say() : '');
    },
    relabel() {
      for (const [f, say] of shown) setError(f, say());
    },
  };
}

// ---- the password

export function passwordSection(ctx, user) {
  const { t } = ctx;
  const section = el('section', { 'aria-labelledby': 'settings-password' },
    el('h2', { id: 'settings-password', 'data-i18n': 'settings.changePassword' }));
  const form = el('form', { noValidate: true, 'aria-labelledby': 'settings-password' });
  // Whose password this is, for password managers (never shown).
  form.append(el('input', { type: 'email', name: 'username', autocomplete: 'username', value: user.email,
    hidden: true, readOnly: true, tabIndex: -1 }));
  const current = field(form, { id: 'password-current', label: 'settings.currentPassword', type: 'password',
    autocomplete: 'current-password', required: true });
  const hintText = () => t('auth.passwordHint', { min: PASSWORD_MIN });
  const next = field(form, { id: 'password-new', label: 'settings.newPassword', type: 'password',
    autocomplete: 'new-password', required: true, minlength: PASSWORD_MIN, hint: hintText() });
  const failure = formMessage(form);
  const submit = submitButton(form, 'settings.changePassword');
  submit.className = 'secondary';
  const done = el('p', { className: 'done', role: 'status' });
  section.append(form, done);
  const said = messages(t);
  let failed = null; // the form-level failure, re-said on a language change

  const checkNew = (v) => {
    if (!v) return () => t('auth.error.required');
    if (bytes(v) < PASSWORD_MIN) return () => t('auth.error.passwordShort', { min: PASSWORD_MIN });
    if (bytes(v) > PASSWORD_MAX) return () => t('auth.error.passwordLong');
    return null;
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (submit.disabled) return;
    done.textContent = '';
    failure.show('');
    failed = null;
    const badCurrent = current.input.value ? null : () => t('auth.error.required');
    const badNew = checkNew(next.input.value);
    said.show(current, badCurrent);
    said.show(next, badNew);
    if (badCurrent || badNew) {
      (badCurrent ? current : next).input.focus();
      return;
    }
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    const r = await post('/api/v1/auth/password', { current_password: current.input.value, new_password: next.input.value });
    submit.disabled = false;
    form.removeAttribute('aria-busy');
    if (r.ok) {
      current.input.value = '';
      next.input.value = '';
      done.textContent = t('settings.passwordChanged');
      return;
    }
    if (r.error.field === 'current_password' && r.error.status !== 429) {
      said.show(current, () => t('settings.error.wrongPassword'));
      current.input.focus();
    } else if (r.error.field === 'new_password') {
      said.show(next, checkNew(next.input.value) ?? (() => t('auth.error.passwordShort', { min: PASSWORD_MIN })));
      next.input.focus();
    } else {
      const error = r.error;
      failed = () => authFailureText(t, error);
      failure.show(failed());
    }
  });
  const relabel = () => {
    next.hint.textContent = hintText();
    said.relabel();
    if (failed) failure.show(failed());
    if (done.textContent) done.textContent = t('settings.passwordChanged');
  };
  return { element: section, relabel };
}

// ---- chat devices

export function devicesSection(ctx, user) {
  const { t } = ctx;
  const title = el('h2', { id: 'settings-devices', tabIndex: -1, 'data-i18n': 'settings.chatDevices' });
  const section = el('section', { 'aria-labelledby': 'settings-devices' }, title,
    el('p', { id: 'devices-help', className: 'field-hint', 'data-i18n': 'settings.chatDevicesHelp' }));
  const list = el('ul', { className: 'devices', 'aria-labelledby': 'settings-devices' });
  const empty = el('p', { 'data-i18n': 'settings.chatDevicesEmpty', hidden: true });
  const done = el('p', { className: 'done', role: 'status' });
  const failure = el('p', { className: 'form-message', role: 'alert', hidden: true });
  section.append(list, empty, done, failure);
  const dialog = removeDialog(ctx);
  section.append(dialog.element);
  let devices = null, mine = null, doneSay = null, failSay = null; // devices: null until loaded

  const when = (iso) => new Intl.DateTimeFormat(document.documentElement.lang || undefined,
    { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  const say = (status, fail) => {
    doneSay = status;
    failSay = fail;
    done.textContent = status ? status() : '';
    failure.textContent = fail ? fail() : '';
    failure.hidden = !fail;
  };

  const render = () => {
    empty.hidden = !devices || devices.length > 0;
    list.replaceChildren(...(devices ?? []).map((d) => {
      const name = el('span', { id: `device-${d.id}`, className: 'device-name',
        textContent: t('settings.chatDevice', { n: d.id.slice(2), date: when(d.created_at) }) });
      const row = el('li', {}, name);
      const describedBy = [name.id];
      if (d.id === mine) {
        row.append(el('span', { id: `device-${d.id}-this`, className: 'device-this', textContent: t('settings.thisDevice') }));
        describedBy.push(`device-${d.id}-this`);
      }
      const remove = el('button', { type: 'button', className: 'secondary', 'data-device': d.id,
        'aria-describedby': describedBy.join(' '), textContent: t('settings.removeDevice') });
      remove.addEventListener('click', () => dialog.open(d.id === mine, () => removeDevice(d.id)));
      row.append(remove);
      return row;
    }));
  };

  const load = async () => {
    const [r, here] = await Promise.all([get('/api/v1/chat/devices'), storedDevice(user.id)]);
    mine = here;
    if (!r.ok) {
      const error = r.error;
      say(null, () => authFailureText(t, error));
      return;
    }
    devices = r.data.devices;
    render();
  };

  async function removeDevice(id) {
    const here = id === mine;
    // This browser's engine would register a new device the moment its own
    // went away: it stops first (in every tab).
    if (here) await (await import('../chat/engine.js')).stopChat(user.id);
    const r = await request('DELETE', `/api/v1/chat/devices/${encodeURIComponent(id)}`);
    if (!r.ok && r.error.status !== 404) { // 404: already gone, as wanted
      const error = r.error;
      say(null, () => authFailureText(t, error));
      return;
    }
    if (here) await deleteStore(user.id);
    const at = devices.findIndex((d) => d.id === id);
    say(() => t(here ? 'settings.thisDeviceRemoved' : 'settings.deviceRemoved'), null);
    await load();
    // Focus stays in the list: the next device's button, else the heading.
    const buttons = list.querySelectorAll('button');
    (buttons[Math.min(at, buttons.length - 1)] ?? title).focus();
  }

  load();
  const relabel = () => {
    render();
    say(doneSay, failSay);
  };
  return { element: section, relabel, close: () => dialog.element.close?.() };
}

// "Remove this device?" as a modal <dialog>, Cancel focused first; the text
// says what goes, for this browser's device or another one.
function removeDialog(ctx) {
  const { t } = ctx;
  const dialog = el('dialog', { className: 'confirm-dialog', 'aria-labelledby': 'remove-device-title',
    'aria-describedby': 'remove-device-text' });
  const text = el('p', { id: 'remove-device-text' });
  const form = el('form', { method: 'dialog' });
  const cancel = el('button', { type: 'button', className: 'secondary', 'data-i18n': 'settings.cancel' });
  const confirm = el('button', { type: 'submit', className: 'danger', 'data-i18n': 'settings.removeDevice' });
  form.append(el('div', { className: 'row' }, cancel, confirm));
  dialog.append(el('h2', { id: 'remove-device-title', 'data-i18n': 'settings.removeDeviceTitle' }), text, form);
  cancel.addEventListener('click', () => dialog.close());
  let action = null;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    dialog.close(); // first: closing moves focus back, and the action places it after
    action?.();
  });
  return {
    element: dialog,
    open(here, then) {
      action = then;
      text.textContent = t(here ? 'settings.removeThisDeviceText' : 'settings.removeDeviceText');
      ctx.localize(dialog);
      dialog.showModal();
      cancel.focus();
    },
  };
}
