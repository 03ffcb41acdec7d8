// "Report": a button that opens a modal dialog (focus moves into it, Escape
// closes it, focus goes back to the button) with the reasons as a radio
// group and an optional note, for a post, a comment or a person (issue 19).
// The server keeps one open report per person and item (409
// already_reported, said as such) and answers 201; the result is said in the
// dialog's live region and the button says "Reported" afterwards. Chat
// messages are reported from the chat screen (screens/chat.js) with the text
// the device decrypted and its sender (`share`: POST /api/v1/reports kind
// "message"; web/README.md, "Moderation"), and the dialog says that text goes
// to the moderators.
import { post } from './api.js';
import { el, failureText } from './compose-kit.js';

// The reasons, in the order the server's list (api/mod_body.c) gives them.
export const REASONS = ['spam', 'harassment', 'hate', 'violence', 'nudity', 'animal_cruelty', 'scam',
  'impersonation', 'other'];
const TEXT_MAX = 500; // characters of the note (PA_MOD_BODY_TEXT_MAX)

let serial = 0;

/**
 * A Report button for item `id` of `kind` ('post', 'comment', 'person',
 * 'message'). For a chat message, `share` is `{ from, message }` — the sender
 * and the decrypted text, sent with the report — and the dialog says so.
 */
export function reportButton(t, kind, id, className = 'social-link-button', share = null) {
  const n = ++serial;
  const button = el('button', { type: 'button', className, textContent: t('report.action'),
    'aria-haspopup': 'dialog' });
  let dialog = null;
  button.addEventListener('click', () => {
    dialog ??= build();
    dialog.showModal();
    dialog.querySelector('input[type=radio]').focus();
  });

  function build() {
    const titleId = `report-title-${n}`;
    const sharedId = `report-shared-${n}`;
    const d = el('dialog', { className: 'confirm-dialog report-dialog', 'aria-labelledby': titleId,
      ...(share ? { 'aria-describedby': sharedId } : {}) });
    const radios = REASONS.map((r, i) => el('label', { className: 'report-reason' },
      el('input', { type: 'radio', name: `report-reason-${n}`, value: r, checked: i === 0 }),
      ` ${t(`report.reason.${r}`)}`));
    const noteId = `report-note-${n}`;
    const note = el('textarea', { id: noteId, maxLength: TEXT_MAX, rows: 3 });
    const status = el('p', { className: 'form-message', role: 'status' });
    const send = el('button', { type: 'submit', className: 'social-button social-primary', textContent: t('report.send') });
    const cancel = el('button', { type: 'button', className: 'social-link-button', textContent: t('report.cancel') });
    const form = el('form', { method: 'dialog' },
      el('h2', { id: titleId, textContent: t(`report.title.${kind}`) }),
      ...(share ? [el('p', { id: sharedId, className: 'report-shared', textContent: t('report.messageShared') }),
        el('blockquote', { className: 'report-quote', tabIndex: 0, textContent: share.message })] : []),
      el('fieldset', {}, el('legend', { textContent: t('report.why') }), ...radios),
      el('label', { htmlFor: noteId, textContent: t('report.note') }), note,
      status,
      el('div', { className: 'row' }, send, cancel));
    d.append(form);
    cancel.addEventListener('click', () => d.close());
    d.addEventListener('close', () => { if (button.isConnected) button.focus(); });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const reason = form.querySelector('input[type=radio]:checked').value;
      send.disabled = true;
      const body = { kind, id, reason, ...(share ? { from: share.from, message: share.message } : {}) };
      if (note.value.trim()) body.text = note.value.trim();
      const r = await post('/api/v1/reports', body);
      send.disabled = false;
      if (r.ok || r.error?.code === 'already_reported') {
        status.textContent = t(r.ok ? 'report.sent' : 'report.already');
        send.hidden = true;
        cancel.textContent = t('report.close');
        cancel.focus();
        button.textContent = t('report.done');
        return;
      }
      status.textContent = failureText(t, r.error);
    });
    document.body.append(d);
    return d;
  }
  return button;
}
