// /support/:id — the person's support conversation on a screen of its own,
// where a support_reply notice (the Notifications list, a push) leads: the
// same module the support widget shows after a hand-off
// (support/conversation.js), live over the page's support socket. Another
// person's conversation is the server's 404, said in words.
import { el } from '../compose-kit.js';
import { mount as conversation } from '../support/conversation.js';

const ID = /^sc_[1-9][0-9]{0,17}$/;

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const body = el('div');
  root.append(el('div', { className: 'settings' }, el('h1', { textContent: t('support.desk.conversationTitle') }), body));
  if (!ID.test(params.id)) {
    body.append(el('p', {}, el('a', { href: '/', textContent: t('app.backHome') })));
    return undefined;
  }
  return conversation(body, ctx, { conversation: params.id });
}
