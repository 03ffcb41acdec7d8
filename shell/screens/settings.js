// /settings — language, theme and feed mode (for everyone, kept on this
// device), and for a signed-in person the account: log out, sign out
// everywhere, delete the account behind a confirmation dialog; then the
// privacy (settings-privacy.js), push notifications on this device
// (settings-push.js), the password, two-step sign-in, the sessions, the chat
// devices and the data download (settings-security.js).
import { get, request, getSession } from '../api.js';
import { mountLanguagePicker } from '../i18n.js';
import { el } from '../compose-kit.js';
import { field, setError, authFailureText } from '../forms.js';
import { themeChoice, setTheme, logOut, accountGone } from '../account.js';
import { passwordSection, devicesSection, twostepSection, sessionsSection, exportSection } from './settings-security.js';
import { privacySection } from './settings-privacy.js';
import { pushSection } from './settings-push.js';

const FEED_MODE_KEY = 'petamigos.feedMode';

function feedMode() {
  try {
    return localStorage.getItem(FEED_MODE_KEY) === 'following' ? 'following' : 'foryou';
  } catch {
    return 'foryou';
  }
}

// A radio group: a <fieldset> with a <legend> and one labelled radio per choice.
function radios(name, legendKey, choices, current, onChange) {
  const set = el('fieldset', {}, el('legend', { 'data-i18n': legendKey }));
  for (const [value, key] of choices) {
    const id = `${name}-${value}`;
    const input = el('input', { type: 'radio', name, id, value, checked: value === current });
    input.addEventListener('change', () => { if (input.checked) onChange(value); });
    set.append(el('label', { className: 'choice', htmlFor: id }, input, el('span', { 'data-i18n': key })));
  }
  return set;
}

// A short confirmation that is announced (role=status) and replaced by the next.
function statusLine() {
  return el('p', { className: 'done', role: 'status' });
}

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const page = el('div', { className: 'settings' }, el('h1', { 'data-i18n': 'settings.title' }));

  // ---- preferences: everyone
  const prefs = el('section', { 'aria-labelledby': 'settings-prefs' },
    el('h2', { id: 'settings-prefs', 'data-i18n': 'settings.preferences' }));
  const language = el('div', { className: 'field' });
  mountLanguagePicker(language);
  const themes = radios('theme', 'settings.theme',
    [['system', 'settings.themeSystem'], ['light', 'settings.themeLight'], ['dark', 'settings.themeDark']],
    themeChoice(), setTheme);
  const modes = radios('feed-mode', 'rank.feedLabel', [['foryou', 'rank.forYou'], ['following', 'rank.following']],
    feedMode(), (mode) => {
      try {
        localStorage.setItem(FEED_MODE_KEY, mode);
      } catch {
        // not remembered; the feed still switches
      }
      dispatchEvent(new CustomEvent('pa:feed-mode', { detail: { mode } }));
    });
  const tasteDone = statusLine();
  const reset = el('button', { type: 'button', className: 'secondary', 'data-i18n': 'settings.resetTaste' });
  reset.addEventListener('click', () => {
    dispatchEvent(new CustomEvent('pa:taste-reset'));
    tasteDone.textContent = t('settings.tasteReset');
  });
  prefs.append(language, themes, modes, el('div', { className: 'row' }, reset), tasteDone);
  page.append(prefs);

  // ---- the account: signed-in people only
  const account = el('section', { 'aria-labelledby': 'settings-account' },
    el('h2', { id: 'settings-account', 'data-i18n': 'settings.account' }));
  page.append(account);
  root.append(page);

  const { user } = await getSession();
  if (!user) {
    account.append(el('p', { 'data-i18n': 'settings.signInForAccount' }),
      el('p', { className: 'row' },
        el('a', { href: '/login?next=/settings', className: 'primary', 'data-i18n': 'auth.logIn' }),
        el('a', { href: '/signup?next=/settings', className: 'secondary', 'data-i18n': 'auth.signUp' })));
    return undefined;
  }
  const who = el('p');
  const accountStatus = el('p', { className: 'form-message', role: 'alert', hidden: true });
  const fail = (error) => {
    accountStatus.textContent = authFailureText(t, error);
    accountStatus.hidden = false;
  };
  const logout = el('button', { type: 'button', className: 'secondary', 'data-i18n': 'auth.logOut' });
  logout.addEventListener('click', async () => {
    const r = await logOut();
    if (r.ok) ctx.navigate('/');
    else fail(r.error);
  });
  const everywhere = el('button', { type: 'button', className: 'secondary', 'data-i18n': 'settings.signOutEverywhere',
    'aria-describedby': 'everywhere-help' });
  everywhere.addEventListener('click', async () => {
    const r = await logOut({ everywhere: true });
    if (r.ok) ctx.navigate('/login');
    else fail(r.error);
  });
  const remove = el('button', { type: 'button', className: 'danger', 'data-i18n': 'settings.deleteAccount' });
  const dialog = deleteDialog(ctx, user);
  remove.addEventListener('click', () => dialog.open());
  account.append(who,
    el('p', {}, el('a', { href: '/settings/profile', className: 'settings-profile', 'data-i18n': 'profile.edit' })),
    el('p', {}, el('a', { href: '/billing', className: 'settings-billing', 'data-i18n': 'billing.settingsLink' })),
    el('p', {}, el('a', { href: '/affiliate', className: 'settings-affiliate', 'data-i18n': 'affiliate.settingsLink' })),
    el('p', {}, el('a', { href: '/ads', className: 'settings-ads', 'data-i18n': 'adv.settingsLink' })),
    el('div', { className: 'row' }, logout, everywhere),
    el('p', { id: 'everywhere-help', className: 'field-hint', 'data-i18n': 'settings.signOutEverywhereHelp' }),
    el('div', { className: 'row' }, remove),
    accountStatus, dialog.element);
  const password = passwordSection(ctx, user);
  const devices = devicesSection(ctx, user);
  const privacy = privacySection(ctx, user);
  const push = pushSection(ctx);
  const twostep = twostepSection(ctx);
  const sessions = sessionsSection(ctx);
  const data = exportSection();
  page.append(privacy.element, push.element, password.element, twostep.element, sessions.element, devices.element, data.element);
  ctx.localize(privacy.element);
  const relabel = () => {
    who.textContent = t('auth.signedInAs', { name: user.name, email: user.email });
    password.relabel();
    twostep.relabel();
    sessions.relabel();
    devices.relabel();
    push.relabel();
  };
  relabel();
  addEventListener('pa:locale', relabel);
  if (location.hash === '#settings-devices') devices.element.scrollIntoView();
  if (location.hash === '#settings-privacy') privacy.element.scrollIntoView();
  return () => {
    removeEventListener('pa:locale', relabel);
    dialog.element.close?.();
    devices.close();
  };
}

// The delete confirmation: a modal <dialog> saying what goes (the post count),
// asking for the password (the server checks it), with Cancel focused first.
function deleteDialog(ctx, user) {
  const { t } = ctx;
  const dialog = el('dialog', { className: 'confirm-dialog', 'aria-labelledby': 'delete-title',
    'aria-describedby': 'delete-text' });
  const text = el('p', { id: 'delete-text' });
  const form = el('form', { method: 'dialog', noValidate: true });
  const password = field(form, { id: 'delete-password', label: 'settings.deletePassword', type: 'password',
    autocomplete: 'current-password', required: true });
  const cancel = el('button', { type: 'button', className: 'secondary', 'data-i18n': 'settings.cancel' });
  const confirm = el('button', { type: 'submit', className: 'danger', 'data-i18n': 'settings.deleteForever' });
  form.append(el('div', { className: 'row' }, cancel, confirm));
  dialog.append(el('h2', { id: 'delete-title', 'data-i18n': 'settings.deleteAccount' }), text, form);
  cancel.addEventListener('click', () => dialog.close());
  let posts = 0;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!password.input.value) {
      setError(password, t('auth.error.required'));
      password.input.focus();
      return;
    }
    confirm.disabled = true;
    const r = await request('DELETE', '/api/v1/me', { password: password.input.value });
    confirm.disabled = false;
    if (r.ok) {
      dialog.close();
      await accountGone();
      ctx.navigate('/');
      return;
    }
    setError(password, r.error.status === 403 ? t('settings.error.wrongPassword') : authFailureText(t, r.error));
    password.input.focus();
  });
  const relabel = () => { text.textContent = t('settings.deleteConfirm', { count: posts }); };
  return {
    element: dialog,
    async open() {
      setError(password, '');
      relabel();
      ctx.localize(dialog);
      dialog.showModal();
      cancel.focus();
      const r = await get(`/api/v1/users/${encodeURIComponent(user.id)}`);
      if (r.ok) {
        posts = r.data.post_count;
        relabel();
      }
    },
  };
}
