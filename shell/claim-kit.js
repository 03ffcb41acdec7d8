// An order's side branches on its screen (screens/order.js; issue 20 §4,
// web/src/api/disputes.c): the refund request and its dispute, and the
// order's messages between its buyer and seller. What the viewer may do
// follows the server's claim (its state and can_dispute): the buyer asks for
// a refund of a shipped or delivered order, the seller accepts (after a
// confirmation: a full refund) or declines with a reason, the buyer opens a
// dispute when allowed (told from when, from dispute_possible_at), the
// seller answers it once. Every text a person wrote goes in through
// textContent only; errors are said beside their field.
import { get, post } from './api.js';
import { day } from './i18n.js';
import { el, failureText } from './compose-kit.js';
import { askFirst } from './shop-kit.js';

const CLAIM_TEXT_MAX = 1000; // PA_CLAIM_TEXT_MAX (web/src/market_order.h)
const MESSAGE_MAX = 2000; // PA_ORDER_MESSAGE_MAX
const MESSAGES_PAGE = 20; // messages asked per page (the API allows 1..50)
export const CLAIM_STATES = ['requested', 'declined', 'disputed', 'refunded', 'released'];
const claimStateName = (t, s) => t(CLAIM_STATES.includes(s) ? `shop.claim.state.${s}` : 'shop.state.unknown');

// A labelled textarea with its own message under it.
function field(t, id, key, max) {
  const input = el('textarea', { id, rows: 3, maxLength: max });
  const message = el('p', { id: `${id}-error`, className: 'kit-error' });
  input.setAttribute('aria-describedby', message.id);
  const say = (text) => {
    message.textContent = text ?? '';
    if (text) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  return { wrap: el('div', { className: 'kit-field' }, el('label', { htmlFor: id, textContent: t(key) }), input, message), input, say };
}

// The field's trimmed text; empty, '' with "required" said beside it and the
// focus there (each form here asks for one text).
function filled(t, f) {
  const v = f.input.value.trim();
  f.say(v ? '' : t('shop.required'));
  if (!v) f.input.focus();
  return v;
}

// A form of one text: required, posted as { [name]: text } to path; a refusal
// about that member is said beside it, any other in error.
function textForm(t, { id, title, label, send, name, path, doneKey, done, error }) {
  const f = field(t, id, label, CLAIM_TEXT_MAX);
  const button = el('button', { type: 'submit', className: 'kit-primary', textContent: t(send) });
  const form = el('form', { className: 'mkt-form shop-claim-form', noValidate: true, 'aria-labelledby': `${id}-title` },
    el('h3', { id: `${id}-title`, textContent: t(title) }), f.wrap, button);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = filled(t, f);
    if (!v) return;
    button.disabled = true;
    const a = await post(path, { [name]: v });
    button.disabled = false;
    if (await done(a, t(doneKey))) return;
    if (a.error.field === name && a.error.message) {
      f.say(a.error.message);
      f.input.focus();
    } else {
      error.textContent = failureText(t, a.error);
    }
  });
  return form;
}

// The claim's section: its state and texts to both sides, and what the viewer may do now.
// done(answer, words) redraws the order from an answer (false when it failed).
export function claimSection(t, o, buyer, done) {
  const c = o.claim;
  const open = o.state === 'shipped' || o.state === 'delivered';
  if (!c && !(buyer && open)) return null;
  const box = el('section', { className: 'shop-claim', 'aria-labelledby': 'shop-claim-title' },
    el('h2', { id: 'shop-claim-title', textContent: t('shop.claim.title') }));
  const error = el('p', { className: 'kit-error', role: 'alert' });
  const base = `/api/v1/orders/${o.id}`;
  if (!c) {
    box.append(textForm(t, { id: 'shop-claim-ask', title: 'shop.claim.askTitle', label: 'shop.claim.reasonField', send: 'shop.claim.askSend',
      name: 'reason', path: `${base}/refund-request`, doneKey: 'shop.claim.askDone', done, error }), error);
    return box;
  }
  const facts = el('dl', { className: 'mkt-facts shop-claim-facts' });
  const fact = (key, value) => facts.append(el('dt', { textContent: t(key) }), el('dd', { textContent: value }));
  fact('shop.claim.stateLabel', claimStateName(t, c.state));
  fact('shop.claim.reason', c.reason);
  if (c.decline_reason) fact('shop.claim.declineReason', c.decline_reason);
  if (c.dispute_text) fact('shop.claim.disputeText', c.dispute_text);
  if (c.seller_answer) fact('shop.claim.sellerAnswer', c.seller_answer);
  if (c.decision) fact('shop.claim.decision', t(c.decision === 'refund' ? 'shop.claim.decisionRefund' : 'shop.claim.decisionRelease'));
  if (c.decision_note) fact('shop.claim.decisionNote', c.decision_note);
  box.dataset.claim = c.state;
  box.append(facts);

  if (!buyer && c.state === 'requested') box.append(acceptControl(t, base, done, error),
    textForm(t, { id: 'shop-claim-decline', title: 'shop.claim.declineTitle', label: 'shop.claim.declineField', send: 'shop.claim.declineSend',
      name: 'reason', path: `${base}/refund-request/decline`, doneKey: 'shop.claim.declineDone', done, error }));
  if (buyer && c.can_dispute) {
    box.append(textForm(t, { id: 'shop-claim-dispute', title: 'shop.claim.disputeTitle', label: 'shop.claim.disputeField', send: 'shop.claim.disputeSend',
      name: 'text', path: `${base}/dispute`, doneKey: 'shop.claim.disputeDone', done, error }));
  } else if (buyer && c.state === 'requested' && c.dispute_possible_at && open) {
    box.append(el('p', { className: 'shop-claim-when', textContent: t('shop.claim.disputeFrom', { date: day(c.dispute_possible_at) }) }));
  }
  if (!buyer && c.state === 'disputed' && !c.seller_answer) {
    box.append(textForm(t, { id: 'shop-claim-answer', title: 'shop.claim.answerTitle', label: 'shop.claim.answerField', send: 'shop.claim.answerSend',
      name: 'text', path: `${base}/dispute/answer`, doneKey: 'shop.claim.answerDone', done, error }));
  }
  box.append(error);
  return box;
}

// Accept, then "Yes, refund in full" or "Not now" (focus moves between them).
function acceptControl(t, base, done, error) {
  return askFirst(t, {
    keys: ['shop.claim.accept', 'shop.claim.acceptYes', 'shop.claim.acceptKeep'],
    question: el('p', { textContent: t('shop.claim.acceptQuestion') }),
    path: `${base}/refund-request/accept`, doneKey: 'shop.claim.acceptDone', done, error });
}

// Who wrote a message, as the viewer reads it.
const authorName = (t, m, role) => t(m.role === role ? 'shop.msg.you' : m.role === 'buyer' ? 'shop.msg.buyer' : 'shop.msg.seller');

// What the server says about who reads these messages, in the catalog's words.
function privacyText(t, a) {
  const parts = [];
  if (a.end_to_end_encrypted === false) parts.push(t('shop.msg.notE2E'));
  if (a.visible_to === 'buyer, seller and moderators') parts.push(t('shop.msg.visible'));
  return parts.join(' ');
}

// The order's messages: the thread (newest first, paged), a form, and who can read them.
export function messagesSection(t, o) {
  const role = o.role;
  const privacy = el('p', { className: 'shop-msg-privacy' });
  const list = el('ol', { className: 'shop-msg-list', 'aria-labelledby': 'shop-msg-title' });
  const empty = el('p', { hidden: true, textContent: t('shop.msg.empty') });
  const more = el('button', { type: 'button', className: 'kit-secondary', hidden: true, textContent: t('shop.msg.older') });
  const status = el('p', { role: 'status', className: 'shop-msg-status' });
  const f = field(t, 'shop-msg-text', 'shop.msg.field', MESSAGE_MAX);
  const send = el('button', { type: 'submit', className: 'kit-primary', textContent: t('shop.msg.send') });
  const form = el('form', { className: 'mkt-form shop-msg-form', noValidate: true, 'aria-label': t('shop.msg.formLabel') }, f.wrap, send);
  const box = el('section', { className: 'shop-messages', 'aria-labelledby': 'shop-msg-title' },
    el('h2', { id: 'shop-msg-title', textContent: t('shop.msg.title') }), privacy, form, status, list, empty, more);
  let cursor = null;
  const item = (m) => el('li', { className: `shop-msg shop-msg-${m.role}` },
    el('p', { className: 'shop-msg-meta' }, el('strong', { textContent: authorName(t, m, role) }), ' · ',
      el('time', { dateTime: m.created_at, textContent: t('time.dateAndTime', { when: Date.parse(m.created_at) }) })),
    el('p', { className: 'shop-msg-text', textContent: m.text }));
  const blocked = (error) => (error.code === 'blocked' ? t('shop.msg.blocked') : failureText(t, error));

  async function load() {
    more.disabled = true;
    const a = await get(`/api/v1/orders/${o.id}/messages?limit=${MESSAGES_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    more.disabled = false;
    if (!a.ok) {
      status.textContent = blocked(a.error);
      return;
    }
    privacy.textContent = privacyText(t, a.data);
    list.append(...a.data.messages.map(item));
    cursor = a.data.next_cursor;
    more.hidden = !cursor;
    empty.hidden = list.children.length > 0;
  }
  more.addEventListener('click', load);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = filled(t, f);
    if (!v) return;
    send.disabled = true;
    const a = await post(`/api/v1/orders/${o.id}/messages`, { text: v });
    send.disabled = false;
    if (!a.ok) {
      if (a.error.field === 'text' && a.error.message) f.say(a.error.message);
      else f.say(blocked(a.error));
      f.input.focus();
      return;
    }
    privacy.textContent = privacyText(t, a.data);
    list.prepend(item(a.data.message));
    empty.hidden = true;
    f.input.value = '';
    status.textContent = t('shop.msg.sent');
  });
  load();
  return box;
}
