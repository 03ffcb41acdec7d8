// The signed-in parts of /settings that end access elsewhere: changing the
// password (every other session ends) and the chat devices, each removable
// (this browser's one marked; removing it signs chat here out and deletes the
// chat data this browser kept). Built by settings.js.
import { API, get, post, request } from '../api.js';
import { el } from '../compose-kit.js';
import { field, setError, formMessage, submitButton, authFailureText } from '../forms.js';
import { PASSWORD_MIN, PASSWORD_MAX } from '../auth-form.js';
import { deviceName } from '../account.js';
import { storedDevice, deleteStore } from '../chat/store.js';

const bytes = (s) => new TextEncoder().encode(s).length;
const MAX_DEVICES = 5; // PA_CHAT_MAX_DEVICES (chat/identity.js, not loaded here)

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
  // This browser's chat engine, only when it already is a chat device
  // (opening Settings must not register one); null otherwise.
  const runningEngine = async () => {
    if (!mine) return null;
    const { chatEngine } = await import('../chat/engine.js');
    return chatEngine(user).catch(() => null);
  };
  const link = linkForm(ctx, runningEngine, async () => { await load(); });
  section.append(link.element);
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

  let renaming = null; // the device whose name is being edited
  const render = () => {
    empty.hidden = !devices || devices.length > 0;
    link.element.hidden = !mine;
    list.replaceChildren(...(devices ?? []).map((d) => {
      const name = el('span', { id: `device-${d.id}`, className: 'device-name',
        textContent: d.name ? t('settings.chatDeviceNamed', { name: d.name, date: when(d.created_at) })
          : t('settings.chatDevice', { n: d.id.slice(2), date: when(d.created_at) }) });
      const row = el('li', {}, name);
      if (renaming === d.id) {
        row.append(renameForm(d));
        return row;
      }
      const describedBy = [name.id];
      if (d.id === mine) {
        row.append(el('span', { id: `device-${d.id}-this`, className: 'device-this', textContent: t('settings.thisDevice') }));
        describedBy.push(`device-${d.id}-this`);
      }
      const remove = el('button', { type: 'button', className: 'secondary', 'data-device': d.id,
        'aria-describedby': describedBy.join(' '), textContent: t('settings.removeDevice') });
      remove.addEventListener('click', () => dialog.open(d.id === mine, () => removeDevice(d.id)));
      const rename = el('button', { type: 'button', className: 'secondary', 'data-rename': d.id,
        'aria-describedby': describedBy.join(' '), textContent: t('settings.renameDevice') });
      rename.addEventListener('click', () => {
        renaming = d.id;
        render();
        list.querySelector(`#device-${d.id}-name`)?.focus();
      });
      row.append(rename, remove);
      return row;
    }));
  };

  // The inline "Device name" form of device d (1..40 characters; empty clears it).
  function renameForm(d) {
    const input = el('input', { id: `device-${d.id}-name`, type: 'text', maxLength: 40, value: d.name ?? '', autocomplete: 'off' });
    const label = el('label', { htmlFor: input.id, textContent: t('settings.deviceNameLabel') });
    const save = el('button', { type: 'submit', textContent: t('settings.saveName') });
    const cancel = el('button', { type: 'button', className: 'secondary', textContent: t('settings.cancel') });
    const form = el('form', { className: 'device-rename' }, label, input, save, cancel);
    const back = () => {
      renaming = null;
      render();
      list.querySelector(`[data-rename="${d.id}"]`)?.focus();
    };
    cancel.addEventListener('click', back);
    input.addEventListener('keydown', (e) => { if (e.key === 'Escape') back(); });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const { renameDevice } = await import('../chat/devices.js');
      try {
        d.name = await renameDevice(d.id, input.value.trim());
        say(() => t('settings.deviceRenamed'), null);
      } catch (err) {
        const reason = err.message;
        say(null, () => t('settings.linkFailed', { reason }));
      }
      back();
    });
    return form;
  }

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
    // Another device of mine goes out of my signed list first (devices.js),
    // when this browser runs chat and holds the account key.
    const engine = here ? null : await runningEngine();
    if (engine) {
      try {
        await (await import('../chat/devices.js')).removeDevice(engine, id);
      } catch (err) {
        const reason = err.message;
        say(null, () => t('settings.linkFailed', { reason }));
        return;
      }
    } else {
      const r = await request('DELETE', `/api/v1/chat/devices/${encodeURIComponent(id)}`);
      if (!r.ok && r.error.status !== 404) { // 404: already gone, as wanted
        const error = r.error;
        say(null, () => authFailureText(t, error));
        return;
      }
    }
    if (here) await deleteStore(user.id);
    const at = devices.findIndex((d) => d.id === id);
    say(() => t(here ? 'settings.thisDeviceRemoved' : 'settings.deviceRemoved'), null);
    await load();
    // Focus stays in the list: the next device's button, else the heading.
    const buttons = list.querySelectorAll('button[data-device]');
    (buttons[Math.min(at, buttons.length - 1)] ?? title).focus();
  }

  load();
  const relabel = () => {
    render();
    link.relabel();
    say(doneSay, failSay);
  };
  return { element: section, relabel, close: () => dialog.element.close?.() };
}

// "Link a device": the code the new device shows, typed here; this device
// approves it (chat/devices.js approveLink) and says "Linked.".
function linkForm(ctx, runningEngine, linked) {
  const { t } = ctx;
  const title = el('h3', { id: 'link-device-title', 'data-i18n': 'settings.linkDevice' });
  const help = el('p', { id: 'link-device-help', className: 'field-hint', 'data-i18n': 'settings.linkDeviceHelp' });
  const input = el('input', { id: 'link-code', type: 'text', autocomplete: 'off', spellcheck: false,
    autocapitalize: 'characters', maxLength: 84, 'aria-describedby': 'link-device-help' });
  const label = el('label', { htmlFor: 'link-code', 'data-i18n': 'settings.linkCodeLabel' });
  const button = el('button', { type: 'submit', 'data-i18n': 'settings.linkButton' });
  const status = el('p', { className: 'done', role: 'status' });
  const failure = el('p', { className: 'form-message', role: 'alert', hidden: true });
  const form = el('form', { className: 'link-device', 'aria-labelledby': 'link-device-title' },
    title, help, label, input, button, status, failure);
  let said = null;
  const show = (ok, text) => {
    said = [ok, text];
    status.textContent = ok ? text() : '';
    failure.textContent = ok ? '' : text();
    failure.hidden = ok;
  };
  const relabel = () => {
    for (const n of form.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
    if (said) show(...said);
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    show(true, () => '');
    try {
      const engine = await runningEngine();
      if (!engine) throw Object.assign(new Error('chat is not open on this device'), { kind: 'server' });
      const { approveLink } = await import('../chat/devices.js');
      await approveLink(engine, input.value);
      input.value = '';
      show(true, () => t('settings.linked'));
      await linked();
    } catch (err) {
      const reason = err.message;
      show(false, () => err.kind === 'code' || err.kind === 'mismatch' ? t('settings.linkBadCode')
        : err.kind === 'expired' ? t('settings.linkExpired')
          : err.kind === 'full' ? t('settings.linkFull', { max: MAX_DEVICES }) : t('settings.linkFailed', { reason }));
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  relabel();
  return { element: form, relabel };
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

// ---- two-step sign-in (TOTP)

// The state (GET /auth/totp), then one of: off → "Turn on" → password →
// the setup's QR code (the server's matrix of the otpauth:// URI, drawn as an
// SVG), the key as text to type or paste and the link to open on a phone that
// has an authenticator app → a code → the recovery codes, shown once,
// with an "I saved them" step; on → "Turn off" → password and a code (or a
// recovery code).
export function twostepSection(ctx) {
  const { t } = ctx;
  const title = el('h2', { id: 'settings-twostep', tabIndex: -1, 'data-i18n': 'twostep.title' });
  const section = el('section', { 'aria-labelledby': 'settings-twostep' }, title,
    el('p', { className: 'field-hint', 'data-i18n': 'twostep.help' }));
  const state = el('p', { id: 'twostep-state' });
  const body = el('div', { className: 'twostep-body' });
  const done = el('p', { className: 'done', role: 'status' });
  section.append(state, body, done);
  let info = null, stateSay = null, doneSay = null, relabelStep = null;

  const sayState = () => {
    stateSay = !info ? null
      : info.enabled ? () => `${t('twostep.on')} ${t('twostep.recoveryLeft', { count: info.recovery_codes_left })}`
        : () => t('twostep.off');
    state.textContent = stateSay ? stateSay() : '';
  };
  const sayDone = (say) => {
    doneSay = say;
    done.textContent = say ? say() : '';
  };

  const load = async () => {
    const r = await get('/api/v1/auth/totp');
    if (!r.ok) {
      const error = r.error;
      stateSay = () => authFailureText(t, error);
      state.textContent = stateSay();
      return;
    }
    info = r.data;
    sayState();
    idle();
  };

  // The resting view: one button, "Turn on" or "Turn off".
  function idle() {
    relabelStep = null;
    const b = el('button', { type: 'button', className: 'secondary', id: 'twostep-start',
      'aria-describedby': 'twostep-state', 'data-i18n': info.enabled ? 'twostep.turnOff' : 'twostep.turnOn' });
    b.addEventListener('click', () => (info.enabled ? askOff() : askPassword()));
    body.replaceChildren(b);
    ctx.localize(body);
  }

  function cancelButton() {
    const c = el('button', { type: 'button', className: 'secondary', 'data-i18n': 'settings.cancel' });
    c.addEventListener('click', () => {
      idle();
      body.querySelector('button')?.focus();
    });
    return c;
  }

  function askPassword() {
    sayDone(null);
    const form = el('form', { noValidate: true, 'aria-labelledby': 'settings-twostep' });
    const pw = field(form, { id: 'twostep-password', label: 'twostep.confirmPassword', type: 'password',
      autocomplete: 'current-password', required: true });
    const failure = formMessage(form);
    const submit = submitButton(form, 'twostep.continue');
    form.append(cancelButton());
    body.replaceChildren(form);
    ctx.localize(body);
    pw.input.focus();
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (submit.disabled) return;
      if (!pw.input.value) {
        setError(pw, t('auth.error.required'));
        pw.input.focus();
        return;
      }
      submit.disabled = true;
      const r = await post('/api/v1/auth/totp/setup', { password: pw.input.value });
      submit.disabled = false;
      if (r.ok) {
        showKey(r.data);
        return;
      }
      if (r.error.status === 403) {
        setError(pw, t('settings.error.wrongPassword'));
        pw.input.focus();
      } else {
        failure.show(authFailureText(t, r.error));
      }
    });
  }

  // The QR code of the setup URI as an inline SVG: the server's matrix
  // (otpauth_qr: rows of '1' dark, '0' light) as one path, one run of dark
  // modules a subpath, inside a 4-module light quiet zone; dark on light in
  // either theme, since that is what phone cameras read.
  function qrImage(qr) {
    const NS = 'http://www.w3.org/2000/svg';
    const QUIET = 4;
    const side = qr.size + 2 * QUIET;
    const svg = document.createElementNS(NS, 'svg');
    for (const [k, v] of Object.entries({ viewBox: `0 0 ${side} ${side}`, width: side * 4, height: side * 4,
      role: 'img', 'aria-label': t('twostep.qr'), class: 'twostep-qr', 'shape-rendering': 'crispEdges' })) {
      svg.setAttribute(k, String(v));
    }
    const bg = document.createElementNS(NS, 'rect');
    for (const [k, v] of Object.entries({ width: side, height: side, fill: '#fff' })) bg.setAttribute(k, String(v));
    let d = '';
    qr.rows.forEach((row, y) => {
      for (const run of row.matchAll(/1+/g)) d += `M${run.index + QUIET} ${y + QUIET}h${run[0].length}v1h-${run[0].length}z`;
    });
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', d);
    path.setAttribute('fill', '#000');
    svg.append(bg, path);
    return svg;
  }

  function showKey(setup) {
    const grouped = setup.secret.match(/.{1,4}/g).join(' ');
    const form = el('form', { noValidate: true, 'aria-labelledby': 'settings-twostep' });
    const help = el('p', { id: 'twostep-key-help', 'data-i18n': 'twostep.scanHelp' });
    const keyLabel = el('p', { className: 'twostep-key-label', 'data-i18n': 'twostep.key' });
    const key = el('p', { className: 'twostep-key', id: 'twostep-key', textContent: grouped });
    const link = el('a', { href: setup.otpauth_uri, className: 'twostep-link', 'data-i18n': 'twostep.link' });
    const code = field(form, { id: 'twostep-setup-code', label: 'twostep.code', type: 'text', inputmode: 'numeric',
      autocomplete: 'one-time-code', required: true, maxlength: 16, spellcheck: 'false' });
    const failure = formMessage(form);
    const submit = submitButton(form, 'twostep.enable');
    form.append(cancelButton());
    body.replaceChildren(help, qrImage(setup.otpauth_qr), keyLabel, key, el('p', {}, link), form);
    ctx.localize(body);
    code.input.focus();
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (submit.disabled) return;
      if (!code.input.value.trim()) {
        setError(code, t('auth.error.required'));
        code.input.focus();
        return;
      }
      submit.disabled = true;
      const r = await post('/api/v1/auth/totp/enable', { code: code.input.value.trim() });
      submit.disabled = false;
      if (r.ok) {
        showCodes(r.data.recovery_codes);
        return;
      }
      if (r.error.status === 403) {
        setError(code, t('twostep.error.code'));
        code.input.select();
        code.input.focus();
      } else {
        failure.show(authFailureText(t, r.error));
      }
    });
  }

  function showCodes(codes) {
    info = { enabled: true, recovery_codes_left: codes.length };
    sayState();
    const heading = el('h3', { id: 'twostep-codes-title', tabIndex: -1, 'data-i18n': 'twostep.codesTitle' });
    const list = el('ul', { className: 'twostep-codes', 'aria-labelledby': 'twostep-codes-title' },
      ...codes.map((c) => el('li', { textContent: c })));
    const check = el('input', { type: 'checkbox', id: 'twostep-saved' });
    const saved = el('div', { className: 'field check' }, check,
      el('label', { htmlFor: 'twostep-saved', 'data-i18n': 'twostep.saved' }));
    const finish = el('button', { type: 'button', className: 'primary', disabled: true, 'data-i18n': 'twostep.done' });
    check.addEventListener('change', () => { finish.disabled = !check.checked; });
    finish.addEventListener('click', () => {
      idle();
      sayDone(() => t('twostep.turnedOn'));
      body.querySelector('button')?.focus();
    });
    body.replaceChildren(heading, el('p', { 'data-i18n': 'twostep.codesHelp' }), list, saved, finish);
    ctx.localize(body);
    heading.focus();
  }

  function askOff() {
    sayDone(null);
    const form = el('form', { noValidate: true, 'aria-labelledby': 'settings-twostep' });
    const pw = field(form, { id: 'twostep-off-password', label: 'twostep.confirmPassword', type: 'password',
      autocomplete: 'current-password', required: true });
    const code = field(form, { id: 'twostep-off-code', label: 'twostep.codeOrRecovery', type: 'text',
      autocomplete: 'one-time-code', required: true, maxlength: 32, spellcheck: 'false' });
    const failure = formMessage(form);
    const submit = submitButton(form, 'twostep.turnOff');
    submit.className = 'danger';
    form.append(cancelButton());
    body.replaceChildren(form);
    ctx.localize(body);
    pw.input.focus();
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (submit.disabled) return;
      const missing = [pw, code].find((f) => !f.input.value.trim());
      setError(pw, pw.input.value ? '' : t('auth.error.required'));
      setError(code, code.input.value.trim() ? '' : t('auth.error.required'));
      if (missing) {
        missing.input.focus();
        return;
      }
      const typed = code.input.value.trim();
      // Six digits (spaces or dashes between) are an app's code; anything else a recovery code.
      const isCode = /^\d(?:[ -]?\d){5}$/.test(typed);
      submit.disabled = true;
      const r = await post('/api/v1/auth/totp/disable',
        isCode ? { password: pw.input.value, code: typed } : { password: pw.input.value, recovery_code: typed });
      submit.disabled = false;
      if (r.ok) {
        info = { enabled: false, recovery_codes_left: 0 };
        sayState();
        idle();
        sayDone(() => t('twostep.turnedOff'));
        body.querySelector('button')?.focus();
        return;
      }
      if (r.error.status === 403 && r.error.field === 'password') {
        setError(pw, t('settings.error.wrongPassword'));
        pw.input.focus();
      } else if (r.error.status === 403) {
        setError(code, t('twostep.error.code'));
        code.input.focus();
      } else {
        failure.show(authFailureText(t, r.error));
      }
    });
  }

  load();
  const relabel = () => {
    sayState();
    if (doneSay) done.textContent = doneSay();
    relabelStep?.();
  };
  return { element: section, relabel };
}

// ---- where you're signed in

// GET /auth/sessions: one row per session (device, network, dates), this one
// marked; every other one has "Sign out", which ends it at once.
export function sessionsSection(ctx) {
  const { t } = ctx;
  const title = el('h2', { id: 'settings-sessions', tabIndex: -1, 'data-i18n': 'sessions.title' });
  const section = el('section', { 'aria-labelledby': 'settings-sessions' }, title,
    el('p', { className: 'field-hint', 'data-i18n': 'sessions.help' }));
  const list = el('ul', { className: 'sessions', 'aria-labelledby': 'settings-sessions' });
  const done = el('p', { className: 'done', role: 'status' });
  const failure = el('p', { className: 'form-message', role: 'alert', hidden: true });
  section.append(list, done, failure);
  let sessions = [], doneSay = null, failSay = null;

  const when = (iso) => new Intl.DateTimeFormat(document.documentElement.lang || undefined,
    { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  const device = (s) => deviceName(t, s);
  const say = (status, fail) => {
    doneSay = status;
    failSay = fail;
    done.textContent = status ? status() : '';
    failure.textContent = fail ? fail() : '';
    failure.hidden = !fail;
  };

  const render = () => {
    list.replaceChildren(...sessions.map((s) => {
      const name = el('span', { id: `session-${s.id}`, className: 'device-name', textContent: device(s) });
      const meta = el('span', { id: `session-${s.id}-meta`, className: 'field-hint session-meta',
        textContent: t('sessions.meta', { network: s.network || '—', created: when(s.created_at), seen: when(s.last_seen_at) }) });
      const row = el('li', {}, name);
      if (s.current) row.append(el('span', { className: 'session-this', textContent: t('sessions.thisDevice') }));
      row.append(meta);
      if (!s.current) {
        const out = el('button', { type: 'button', className: 'secondary', 'data-session': s.id,
          'aria-describedby': `${name.id} ${meta.id}`, textContent: t('sessions.signOut') });
        out.addEventListener('click', () => end(s.id));
        row.append(out);
      }
      return row;
    }));
  };

  const load = async () => {
    const r = await get('/api/v1/auth/sessions');
    if (!r.ok) {
      const error = r.error;
      say(null, () => authFailureText(t, error));
      return;
    }
    sessions = r.data.sessions;
    render();
  };

  async function end(id) {
    const at = sessions.findIndex((s) => s.id === id);
    const r = await request('DELETE', `/api/v1/auth/sessions/${encodeURIComponent(id)}`);
    if (!r.ok && r.error.status !== 404) { // 404: already gone, as wanted
      const error = r.error;
      say(null, () => authFailureText(t, error));
      return;
    }
    say(() => t('sessions.signedOut'), null);
    await load();
    const buttons = list.querySelectorAll('button');
    (buttons[Math.min(at, buttons.length - 1)] ?? title).focus();
  }

  load();
  return { element: section, relabel: () => { render(); say(doneSay, failSay); } };
}

// ---- download my data

// Two downloads the browser saves (same-origin links with the session
// cookie): the JSON of everything kept about the person, and a tar of their
// photos and videos.
export function exportSection() {
  const section = el('section', { 'aria-labelledby': 'settings-export' },
    el('h2', { id: 'settings-export', 'data-i18n': 'export.title' }),
    el('p', { className: 'field-hint', id: 'export-help', 'data-i18n': 'export.help' }),
    el('p', {}, el('a', { href: `${API}/api/v1/me/export`, download: 'petamigos-data.json', className: 'export-json',
      'aria-describedby': 'export-help', 'data-i18n': 'export.json' })),
    el('p', {}, el('a', { href: `${API}/api/v1/me/export/media`, download: 'petamigos-media.tar', className: 'export-media',
      'data-i18n': 'export.media' })));
  return { element: section, relabel: () => {} };
}
