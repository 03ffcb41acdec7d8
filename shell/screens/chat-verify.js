// /chat/:id/verify — the safety number (core/src/chat/chat.md): 60 digits in 12
// groups that both people see alike; compared in person or on a call, then
// marked verified. A verification is kept with the number it was made for,
// so a changed key shows as changed rather than verified.
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
  const number = engine.safetyNumber(peer);
  if (!number) {
    root.append(el('p', { className: 'chat-note', textContent: t('chat.safetyNone') }));
    return;
  }
  const digits = el('p', { className: 'chat-safety', id: 'chat-safety-number' },
    ...number.split(' ').map((g) => el('span', { textContent: g })));
  const state = el('p', { className: 'chat-note', role: 'status' });
  const button = el('button', { type: 'button', className: 'chat-button' });
  const paint = (verified) => {
    const changed = !!verified && verified !== number;
    state.textContent = verified === number ? t('chat.verifiedNote', { name }) : changed ? t('chat.changedNote', { name }) : '';
    state.className = verified === number ? 'chat-note chat-ok' : 'chat-note';
    button.textContent = t(verified === number ? 'chat.clearVerified' : 'chat.markVerified');
    button.onclick = async () => {
      const next = verified === number ? '' : number;
      await engine.updateConversation(peer, { verified: next });
      paint(next);
    };
  };
  root.append(el('p', { className: 'chat-intro', textContent: t('chat.safetyHelp', { name }) }), digits,
    el('div', { className: 'chat-actions' }, state, button));
  paint(conv.verified || '');
}
