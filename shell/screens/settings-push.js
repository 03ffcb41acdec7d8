// "Notifications on this device" in /settings: a switch that asks the
// browser's permission, subscribes this browser with the server's VAPID key
// (pushManager.subscribe, userVisibleOnly) and hands the subscription to the
// server (POST /api/v1/push/subscriptions), or unsubscribes both. The
// service worker (sw.js) shows what arrives, even with the app closed.
// Signing out ends the subscription on the server. Built by settings.js.
import { ApiError, SW_URL, get, post, request } from '../api.js';
import { el } from '../compose-kit.js';
import { currentLocale } from '../i18n.js';
import { authFailureText } from '../forms.js';

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

// The applicationServerKey as bytes, from the server's base64url.
function keyBytes(b64url) {
  const s = atob(b64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64url.length % 4)) % 4));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

async function registration() {
  return (await navigator.serviceWorker.getRegistration()) ?? navigator.serviceWorker.register(SW_URL);
}

export function pushSection(ctx) {
  const { t } = ctx;
  const section = el('section', { 'aria-labelledby': 'settings-push' },
    el('h2', { id: 'settings-push', 'data-i18n': 'push.settingsTitle' }));
  const input = el('input', { type: 'checkbox', id: 'push-switch', role: 'switch', 'aria-describedby': 'push-help' });
  const label = el('label', { className: 'choice', htmlFor: 'push-switch' }, input,
    el('span', { 'data-i18n': 'push.settingsTitle' }));
  const help = el('p', { id: 'push-help', className: 'field-hint', 'data-i18n': 'push.settingsHelp' });
  const status = el('p', { className: 'done', role: 'status' });
  const failure = el('p', { className: 'form-message', role: 'alert', hidden: true });
  section.append(label, help, status, failure);
  let said = null, failed = null; // kept as functions, re-said on a language change

  const say = (s, f) => {
    said = s;
    failed = f;
    status.textContent = s ? s() : '';
    failure.textContent = f ? f() : '';
    failure.hidden = !f;
  };
  const showState = (on) => {
    input.checked = on;
    say(() => t(on ? 'push.on' : 'push.off'), null);
  };

  const turnOn = async () => {
    if ((await Notification.requestPermission()) !== 'granted') {
      input.checked = false;
      say(null, () => t('push.denied'));
      return;
    }
    let sub = null;
    try {
      const key = await get('/api/v1/push/key');
      if (!key.ok) throw key.error;
      const reg = await registration();
      sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key.data.key) });
      const r = await post('/api/v1/push/subscriptions', { ...sub.toJSON(), locale: currentLocale() });
      if (!r.ok) throw r.error;
      showState(true);
    } catch (error) {
      await sub?.unsubscribe().catch(() => {});
      input.checked = false;
      const reason = error instanceof ApiError ? authFailureText(t, error) : String(error?.message ?? error);
      say(null, () => t('push.failed', { reason }));
    }
  };
  const turnOff = async () => {
    const r = await request('DELETE', '/api/v1/push/subscriptions');
    const reg = await navigator.serviceWorker.getRegistration();
    await (await reg?.pushManager.getSubscription())?.unsubscribe().catch(() => {});
    if (r.ok) showState(false);
    else {
      input.checked = true;
      const error = r.error;
      say(null, () => authFailureText(t, error));
    }
  };

  if (!supported()) {
    input.disabled = true;
    say(null, () => t('push.unsupported'));
  } else {
    (async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      const sub = await reg?.pushManager.getSubscription();
      showState(!!sub && Notification.permission === 'granted');
    })().catch(() => showState(false));
    input.addEventListener('change', async () => {
      input.disabled = true;
      section.setAttribute('aria-busy', 'true');
      try {
        if (input.checked) await turnOn();
        else await turnOff();
      } finally {
        input.disabled = false;
        section.removeAttribute('aria-busy');
      }
    });
  }
  const relabel = () => {
    if (said) status.textContent = said();
    if (failed) failure.textContent = failed();
  };
  return { element: section, relabel };
}
