// /chat/:id/verify — the safety number (core/src/chat/chat.md, "Account
// identity and device list"): 60 digits in 12 groups over both people's
// account keys, so it names the person, not one device, and both see the same
// digits. Compared in person or on a call, then marked verified. A
// verification is kept with the account key it was made for, so a changed key
// reads as changed rather than verified; verifying also acknowledges a
// pending change notice (chat/identity.js).
import { el } from '../compose-kit.js';
import { openChat } from './chat.js';

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const me = (await ctx.session()).user;
  const peer = params.id;
  const engine = await openChat(root, me, ctx);
  if (!engine) return;
  const conv = await engine.conversation(peer);
  const name = conv.name || peer;
  const back = el('a', { href: `/chat/${encodeURIComponent(peer)}`, className: 'chat-back', textContent: t('chat.backTo', { name }) });
  root.append(el('header', { className: 'chat-head' }, back, el('h1', { textContent: t('chat.safetyTitle') })));
  let s = await engine.safety(peer);
  if (!s.number) {
    root.append(el('p', { className: 'chat-note', textContent: t('chat.safetyNoKey', { name }) }));
    return;
  }
  const digits = el('p', { className: 'chat-safety', id: 'chat-safety-number' },
    ...s.number.split(' ').map((g) => el('span', { textContent: g })));
  const state = el('p', { className: 'chat-note', role: 'status' });
  const when = el('p', { className: 'chat-note' });
  const button = el('button', { type: 'button', className: 'chat-button' });
  const paint = () => {
    state.textContent = s.verified ? t('chat.verifiedNote', { name })
      : s.changed ? t('chat.changedNote', { name })
        : s.notice?.kind === 'identity' ? t('chat.identityChanged', { name })
          : s.notice ? t('chat.devicesChanged', { name }) : '';
    state.className = s.verified ? 'chat-note chat-ok' : 'chat-note';
    // When the change was seen (a notice not yet acknowledged).
    when.textContent = s.notice?.at ? t('chat.changedAt', {
      when: new Date(s.notice.at).toLocaleString(document.documentElement.lang, { dateStyle: 'medium', timeStyle: 'short' }),
    }) : '';
    button.textContent = t(s.verified ? 'chat.clearVerified' : 'chat.markVerified');
  };
  button.addEventListener('click', async () => {
    await engine.setVerified(peer, !s.verified);
    s = await engine.safety(peer);
    paint();
  });
  root.append(el('p', { className: 'chat-intro', textContent: t('chat.safetyHelp', { name }) }), digits,
    el('div', { className: 'chat-actions' }, state, when, button));
  paint();
}
