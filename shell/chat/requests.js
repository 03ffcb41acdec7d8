// Message requests (issue 22, item 6; web/README.md "Chat"): a message from
// someone the person neither follows nor accepted arrives with
// "request": true, and its conversation waits under "Requests" apart from
// the others. There the person accepts (POST /chat/requests/{u}/accept),
// blocks (PUT /users/{u}/block: declining is blocking, and the relay then
// refuses whatever they send) or reports. A report carries the messages the
// person ticks, decrypted on this device, each with its relay id, sender,
// time and text (POST /reports, kind "message", `messages`). Nothing here
// tells the sender: no read marks go out while a conversation is a request
// (engine.markRead).
import { post, request } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { REASONS } from '../report.js';

// PA_MOD_BODY_MESSAGES_MAX and PA_MOD_BODY_MESSAGES_CHARS (web/src/api/mod_body.h).
export const REPORT_MESSAGES_MAX = 10;
export const REPORT_CHARS_MAX = 8000;
const TEXT_MAX = 500; // the reporter's note (PA_MOD_BODY_TEXT_MAX)

// Accepting: the server first (so the next message is no request), then
// this device's copy of the conversation moves to the conversations.
export async function acceptRequest(engine, peer) {
  const r = await post(`/api/v1/chat/requests/${encodeURIComponent(peer)}/accept`, {});
  if (!r.ok) return r;
  await engine.updateConversation(peer, { request: false, accepted: true });
  engine.emit('change', { peer });
  return r;
}

// Blocking: the server refuses anything they send from now on; this
// device forgets the conversation (messages and all).
export async function blockRequest(engine, peer) {
  const r = await request('PUT', `/api/v1/users/${encodeURIComponent(peer)}/block`);
  if (!r.ok) return r;
  await engine.run(async () => {
    const msgs = await engine.store.all('messages', peer);
    await engine.store.batch([['del', 'convs', peer], ...msgs.map((m) => ['del', 'messages', m.key])]);
  });
  engine.emit('change', { peer });
  return r;
}

// The relay's time format ("2026-12-07T00:00:00Z", no fraction).
const isoSecond = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// The body of a report of the selected received messages (each {rid, at, text}).
export function reportBody(peer, selected, reason, note) {
  const messages = selected.map((m) => ({ id: `cm_${m.rid}`, from: peer, at: isoSecond(m.at), text: m.text }));
  const body = { kind: 'message', id: messages[0].id, reason, from: peer, messages };
  if (note) body.text = note;
  return body;
}

let serial = 0;

// The bar a request conversation shows above the composer: Accept,
// Block, Report. messages() gives the conversation's messages now; done(what)
// is called after an accept ('accepted') or a block ('blocked').
export function requestBar(t, { engine, peer, name, messages, done }) {
  const n = ++serial;
  const status = el('p', { className: 'chat-note', role: 'status' });
  const accept = el('button', { type: 'button', className: 'chat-button', textContent: t('chat.requests.accept') });
  const block = el('button', { type: 'button', className: 'chat-button chat-block', textContent: t('chat.requests.block') });
  const report = el('button', { type: 'button', className: 'chat-button', textContent: t('chat.requests.report'),
    'aria-haspopup': 'dialog' });
  const title = el('h2', { id: `chat-request-${n}`, className: 'chat-request-title' });
  const bar = el('section', { className: 'chat-request', 'aria-labelledby': `chat-request-${n}` },
    title, el('p', { className: 'chat-note', textContent: t('chat.requests.explain') }),
    el('div', { className: 'row' }, accept, block, report), status);
  // The name arrives after the bar (the screen looks it up): said again on each paint.
  bar.rename = () => { title.textContent = t('chat.requests.title', { name: name() }); };
  bar.rename();
  const act = async (button, run, what) => {
    button.disabled = true;
    const r = await run(engine, peer).catch((err) => ({ ok: false, error: { message: err.message } }));
    button.disabled = false;
    if (!r.ok) {
      status.textContent = failureText(t, r.error);
      return;
    }
    done(what);
  };
  accept.addEventListener('click', () => act(accept, acceptRequest, 'accepted'));
  block.addEventListener('click', () => act(block, blockRequest, 'blocked'));
  let dialog = null;
  report.addEventListener('click', async () => {
    dialog?.remove();
    dialog = reportDialog(t, peer, (await messages()).filter((m) => m.dir === 'in' && m.rid && !m.failed && m.text), report);
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('input').focus();
  });
  return bar;
}

// A modal dialog: the received messages as checkboxes (none ticked), the
// reasons, a note; sends the ticked ones. Focus returns to the button.
function reportDialog(t, peer, received, button) {
  const n = ++serial;
  const titleId = `chat-report-title-${n}`;
  const d = el('dialog', { className: 'confirm-dialog report-dialog chat-report-dialog', 'aria-labelledby': titleId,
    'aria-describedby': `chat-report-shared-${n}` });
  const boxes = received.map((m, i) => {
    const id = `chat-report-msg-${n}-${i}`;
    return el('div', { className: 'chat-report-pick' },
      el('input', { type: 'checkbox', id, value: String(i) }),
      el('label', { htmlFor: id, textContent: m.text }));
  });
  const radios = REASONS.map((r, i) => el('label', { className: 'report-reason' },
    el('input', { type: 'radio', name: `chat-report-reason-${n}`, value: r, checked: i === 0 }), ` ${t(`report.reason.${r}`)}`));
  const noteId = `chat-report-note-${n}`;
  const note = el('textarea', { id: noteId, maxLength: TEXT_MAX, rows: 2 });
  const status = el('p', { className: 'form-message', role: 'status' });
  const send = el('button', { type: 'submit', className: 'social-button social-primary', textContent: t('report.send') });
  const cancel = el('button', { type: 'button', className: 'social-link-button', textContent: t('report.cancel') });
  const form = el('form', { method: 'dialog', noValidate: true },
    el('h2', { id: titleId, textContent: t('report.title.message') }),
    el('p', { id: `chat-report-shared-${n}`, className: 'report-shared', textContent: t('chat.requests.reportShared', { max: REPORT_MESSAGES_MAX }) }),
    el('fieldset', {}, el('legend', { textContent: t('chat.requests.pick') }), ...boxes),
    el('fieldset', {}, el('legend', { textContent: t('report.why') }), ...radios),
    el('label', { htmlFor: noteId, textContent: t('report.note') }), note,
    status, el('div', { className: 'row' }, send, cancel));
  d.append(form);
  cancel.addEventListener('click', () => d.close());
  d.addEventListener('close', () => { if (button.isConnected) button.focus(); d.remove(); });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const picked = boxes.filter((b) => b.querySelector('input').checked).map((b) => received[Number(b.querySelector('input').value)]);
    const chars = picked.reduce((sum, m) => sum + [...m.text].length, 0);
    if (!picked.length || picked.length > REPORT_MESSAGES_MAX || chars > REPORT_CHARS_MAX) {
      status.textContent = picked.length ? t('chat.requests.tooMany', { max: REPORT_MESSAGES_MAX }) : t('chat.requests.pickOne');
      return;
    }
    send.disabled = true;
    const reason = form.querySelector('input[type=radio]:checked').value;
    const r = await post('/api/v1/reports', reportBody(peer, picked, reason, note.value.trim()));
    send.disabled = false;
    if (r.ok || r.error?.code === 'already_reported') {
      status.textContent = t(r.ok ? 'report.sent' : 'report.already');
      send.hidden = true;
      cancel.textContent = t('report.close');
      cancel.focus();
      return;
    }
    status.textContent = failureText(t, r.error);
  });
  return d;
}
