// The person's support conversation after the hand-off (issue 23, contract
// §7): its state in words, the messages (the person's, the assistant's
// transcript, the team's replies with the agent's name — internal notes never
// reach this side: the server does not send them), new ones arriving live over
// the page's support socket and announced in a live region, a composer, and
// once the team resolved it "rate this help": 1–5 as radio buttons, an
// optional comment, then thanks. Mounted by the support widget
// (shell/support/widget.js) inside its dialog: mount(container, ctx,
// {conversation}) → cleanup. Every text from the server is shown as text.
import { get, post } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { t as translate } from '../i18n.js';
import { listen } from './socket.js';

export const BODY_MAX = 4000; // characters of a message (support_messages.body ≤ 4000, contract §6)
export const COMMENT_MAX = 1000; // characters of a rating's comment
const STATES = ['open', 'pending', 'snoozed', 'resolved'];
let serial = 0; // ids unique on the page, for labels

// The stylesheet of the support screens, loaded with the first of them (not at start).
export function supportCss() {
  if (document.getElementById('support-css')) return;
  document.head.append(el('link', { id: 'support-css', rel: 'stylesheet', href: '/support/support.css' }));
}

export const stateText = (t, state) => t(STATES.includes(state) ? `support.desk.state.${state}` : 'support.desk.state.open');

export const when = (t, iso) => el('time', { dateTime: iso, textContent: t('time.dateAndTime', { when: Date.parse(iso) }) });

// Who wrote a message, as the person reads it.
function author(t, m) {
  if (m.author === 'person') return t('support.desk.you');
  if (m.author === 'assistant') return t('support.desk.assistant');
  if (m.author === 'agent') return m.agent_name ? t('support.desk.agentNamed', { name: m.agent_name }) : t('support.desk.team');
  return t('support.desk.system');
}

function messageItem(t, m) {
  return el('li', { className: `support-msg support-msg-${m.author}`, 'data-id': m.id },
    el('p', { className: 'support-msg-head' }, el('strong', { textContent: author(t, m) }), ' · ', when(t, m.created_at)),
    el('p', { className: 'support-msg-body', textContent: m.body }));
}

export async function mount(container, ctx = {}, { conversation } = {}) {
  const t = ctx.t ?? translate;
  const id = typeof conversation === 'string' ? conversation : conversation?.id;
  const n = ++serial;
  supportCss();
  const stateLine = el('p', { className: 'support-state' });
  const list = el('ol', { className: 'support-messages', 'aria-label': t('support.desk.conversationTitle') });
  const live = el('p', { className: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const status = el('p', { className: 'form-message', role: 'alert' });
  const box = el('textarea', { id: `support-reply-${n}`, rows: 3, maxLength: BODY_MAX, required: true });
  const send = el('button', { type: 'submit', className: 'primary', textContent: t('support.desk.send') });
  const composer = el('form', { className: 'support-composer', noValidate: true },
    el('label', { htmlFor: box.id, textContent: t('support.desk.yourMessage') }), box, el('div', { className: 'row' }, send));
  const rating = el('div', { className: 'support-rating' });
  // No heading of its own: the widget's section around it has one.
  const root = el('div', { className: 'support-desk-conv' }, stateLine, list, live, status, rating, composer);
  container.append(root);

  let current = null; // the conversation as last read
  const seen = new Set();

  const showState = () => {
    stateLine.textContent = t('support.desk.stateLine', { state: stateText(t, current.state) });
    rating.replaceChildren();
    if (current.can_rate) rating.append(rateForm());
    else if (current.rating) rating.append(el('p', { textContent: t('support.desk.rated', { rating: current.rating }) }));
  };

  const add = (m, announce) => {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    list.append(messageItem(t, m));
    if (announce && m.author !== 'person') live.textContent = t('support.desk.newReply', { who: author(t, m) });
  };

  const load = async () => {
    const r = await get(`/api/v1/support/conversations/${encodeURIComponent(id)}`);
    if (!r.ok) {
      status.textContent = failureText(t, r.error);
      return;
    }
    current = r.data;
    for (const m of current.messages) add(m, false);
    showState();
  };

  // 1–5 as a radio group with an optional comment; once sent, thanks.
  function rateForm() {
    const legend = el('legend', { textContent: t('support.desk.rateTitle') });
    const radios = [1, 2, 3, 4, 5].map((v) => {
      const input = el('input', { type: 'radio', name: `support-rate-${n}`, id: `support-rate-${n}-${v}`, value: String(v) });
      return el('span', { className: 'support-rate-choice' }, input,
        el('label', { htmlFor: input.id, textContent: t(`support.desk.rate.${v}`) }));
    });
    const comment = el('textarea', { id: `support-rate-comment-${n}`, rows: 2, maxLength: COMMENT_MAX });
    const said = el('p', { className: 'form-message', role: 'alert' });
    const submit = el('button', { type: 'submit', className: 'primary', textContent: t('support.desk.rateSend') });
    const form = el('form', { className: 'support-rate', noValidate: true },
      el('fieldset', {}, legend, el('div', { className: 'support-rate-choices' }, ...radios)),
      el('label', { htmlFor: comment.id, textContent: t('support.desk.rateComment') }), comment, said,
      el('div', { className: 'row' }, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const chosen = form.querySelector('input[type=radio]:checked');
      if (!chosen) {
        said.textContent = t('support.desk.rateMissing');
        form.querySelector('input[type=radio]').focus();
        return;
      }
      submit.disabled = true;
      const body = { rating: Number(chosen.value) };
      if (comment.value.trim()) body.comment = comment.value.trim();
      const r = await post(`/api/v1/support/conversations/${encodeURIComponent(id)}/rating`, body);
      submit.disabled = false;
      if (!r.ok && r.error.code !== 'already_rated') {
        said.textContent = failureText(t, r.error);
        return;
      }
      current = { ...current, can_rate: false, rating: body.rating };
      const thanks = el('p', { className: 'support-thanks', tabIndex: -1, textContent: t('support.desk.rateThanks') });
      rating.replaceChildren(thanks);
      thanks.focus();
    });
    return form;
  }

  composer.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = box.value.trim();
    status.textContent = '';
    if (!body) {
      status.textContent = t('support.desk.emptyMessage');
      box.focus();
      return;
    }
    send.disabled = true;
    const r = await post(`/api/v1/support/conversations/${encodeURIComponent(id)}/messages`, { body });
    send.disabled = false;
    if (!r.ok) {
      status.textContent = failureText(t, r.error);
      return;
    }
    if (box.value.trim() === body) box.value = ''; // not what was typed meanwhile
    // The answer is the message (or the conversation holding it); the frame may come first.
    const m = r.data?.message ?? (r.data?.id?.startsWith('sm_') ? r.data : null);
    if (m) add(m, false);
    else await load();
    if (current?.state !== 'open' && current) {
      current = { ...current, state: 'open', can_rate: false };
      showState();
    }
  });

  // A host that replaces the conversation without calling the cleanup (the widget drawing it
  // again) leaves it detached: it lets go of the socket at the next frame or reconnection.
  let stop = () => {}; // listen may call onOpen before it returns
  stop = listen({
    onFrame(f) {
      if (!root.isConnected) {
        stop();
        return;
      }
      if (f.conversation !== id || !current) return;
      if (f.type === 'support.message' && f.message && f.message.author !== 'note') add(f.message, true);
      else if (f.type === 'support.state') {
        current = { ...current, state: f.state, can_rate: !!f.can_rate };
        showState();
        live.textContent = t('support.desk.stateLine', { state: stateText(t, f.state) });
      }
    },
    // Read again after a reconnection: frames sent meanwhile are not replayed.
    onOpen() {
      if (!root.isConnected) stop();
      else if (current) load();
    },
  });
  await load();
  return () => stop();
}
