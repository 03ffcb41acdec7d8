// "Link this device": shown by the chat screen on a device whose account
// already has devices (engine.needsLink). It asks the server for a link,
// shows the link code (the id and a secret the server never sees) to type
// on an existing device (Settings → Devices → "Link a device"), waits for
// the approval, then opens chat. chat/devices.js does the work.
import { el } from '../compose-kit.js';

// Fills root; done() runs once this device is linked. Returns a cleanup.
export function linkScreen(root, engine, { t }, done) {
  const abort = new AbortController();
  const title = el('h1', { id: 'chat-link-title', tabIndex: -1, textContent: t('chat.linkTitle') });
  const intro = el('p', { className: 'chat-intro', textContent: t('chat.linkIntro') });
  const code = el('p', { className: 'link-code', id: 'chat-link-code', 'aria-live': 'polite' });
  const status = el('p', { className: 'chat-note', role: 'status', textContent: t('chat.linkPreparing') });
  const again = el('button', { type: 'button', className: 'chat-button', hidden: true, textContent: t('chat.linkAgain') });
  root.replaceChildren(el('section', { 'aria-labelledby': 'chat-link-title' }, title, intro, code, status, again));
  title.focus();

  const start = async () => {
    again.hidden = true;
    code.textContent = '';
    status.textContent = t('chat.linkPreparing');
    const { beginLink, waitForLink } = await import('../chat/devices.js');
    try {
      const link = await beginLink(engine);
      code.textContent = link.code;
      status.textContent = t('chat.linkWaiting');
      await waitForLink(engine, link, abort.signal);
      status.textContent = t('chat.linkDone');
      done();
    } catch (err) {
      if (abort.signal.aborted) return;
      console.info('chat: linking stopped:', err.kind ?? err.message);
      code.textContent = '';
      status.textContent = err.kind === 'expired' ? t('chat.linkExpired') : t('chat.linkFailed');
      again.hidden = false;
      again.focus();
    }
  };
  again.addEventListener('click', () => { start(); });
  start();
  return () => abort.abort();
}
