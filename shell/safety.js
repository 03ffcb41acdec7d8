// Block and Mute on a person's page (screens/person.js): plain buttons, the
// block behind a modal confirmation <dialog> (focus moves in, Escape or
// Cancel closes it, focus returns to the button), a mute at once and silent.
// After either the page reloads: a block hides their posts, a mute keeps
// them out of the feeds. Names only ever become textContent.
import { request } from './api.js';
import { el, failureText } from './compose-kit.js';

export function safetyActions(ctx, person, message) {
  const { t, navigate } = ctx;
  const id = encodeURIComponent(person.id);
  const reload = () => navigate(location.pathname, { replace: true });
  const group = el('div', { className: 'safety-actions', role: 'group', 'aria-label': t('safety.more', { name: person.name }) });
  const block = el('button', { type: 'button', className: person.blocked ? 'secondary' : 'danger',
    textContent: t(person.blocked ? 'safety.unblock' : 'safety.block') });
  const mute = el('button', { type: 'button', className: 'secondary', 'aria-pressed': String(!!person.muted),
    textContent: t(person.muted ? 'safety.unmute' : 'safety.mute') });
  const dialog = blockDialog(ctx, person, async () => {
    const r = await request('PUT', `/api/v1/users/${id}/block`);
    if (r.ok) reload();
    return r.ok ? null : failureText(t, r.error);
  });
  block.addEventListener('click', async () => {
    if (!person.blocked) {
      dialog.open(block);
      return;
    }
    const r = await request('DELETE', `/api/v1/users/${id}/block`);
    if (r.ok) reload();
    else message.textContent = failureText(t, r.error);
  });
  mute.addEventListener('click', async () => {
    const r = await request(person.muted ? 'DELETE' : 'PUT', `/api/v1/users/${id}/mute`);
    if (!r.ok) {
      message.textContent = failureText(t, r.error);
      return;
    }
    person.muted = r.data.muted;
    mute.textContent = t(person.muted ? 'safety.unmute' : 'safety.mute');
    mute.setAttribute('aria-pressed', String(person.muted));
    message.textContent = t(person.muted ? 'safety.mutedNote' : 'safety.unmutedNote', { name: person.name });
  });
  group.append(block, person.blocked ? '' : mute, dialog.element);
  return group;
}

function blockDialog(ctx, person, confirmBlock) {
  const { t } = ctx;
  const dialog = el('dialog', { className: 'confirm-dialog', 'aria-labelledby': 'block-title', 'aria-describedby': 'block-text' });
  const problem = el('p', { className: 'form-message', role: 'alert', hidden: true });
  const cancel = el('button', { type: 'button', className: 'secondary', textContent: t('safety.cancel') });
  const confirm = el('button', { type: 'button', className: 'danger', textContent: t('safety.blockConfirm') });
  dialog.append(el('h2', { id: 'block-title', textContent: t('safety.blockTitle', { name: person.name }) }),
    el('p', { id: 'block-text', textContent: t('safety.blockText', { name: person.name }) }), problem,
    el('div', { className: 'row' }, cancel, confirm));
  let opener = null;
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => { if (opener?.isConnected) opener.focus(); });
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    const failed = await confirmBlock();
    confirm.disabled = false;
    if (failed) {
      problem.textContent = failed;
      problem.hidden = false;
      return;
    }
    opener = null;
    dialog.close();
  });
  return {
    element: dialog,
    open(from) {
      opener = from;
      problem.hidden = true;
      dialog.showModal();
      cancel.focus();
    },
  };
}
