// The Privacy part of /settings (issue 19): the private-account switch, the
// people asking to follow (Accept / Decline), and the people blocked and
// muted (Unblock / Unmute). Built by settings.js. Names are user text: they
// only ever become textContent.
import { get, request } from '../api.js';
import { el } from '../compose-kit.js';
import { authFailureText } from '../forms.js';

const LIST_LIMIT = 50; // people shown per list; "Show more" pages on

// One list of people with one action each: path lists them (UserPage), act
// (person) → the request that takes them off; actionKey names the button.
function peopleList(ctx, { id, titleKey, path, actionKey, act, onDone = () => {} }) {
  const { t } = ctx;
  const list = el('ul', { className: 'privacy-list', 'aria-labelledby': id });
  const empty = el('p', { className: 'field-hint', 'data-i18n': 'safety.none', hidden: true });
  const more = el('button', { type: 'button', className: 'secondary', 'data-i18n': 'notifications.more', hidden: true });
  const status = el('p', { className: 'done', role: 'status' });
  const section = el('section', { className: 'privacy-people', 'aria-labelledby': id },
    el('h3', { id, 'data-i18n': titleKey }), list, empty, more, status);
  let cursor = null;
  const row = (person, actions) => el('li', {}, el('span', { className: 'privacy-name', textContent: person.name }), ...actions);
  const add = (people) => {
    for (const person of people) {
      const buttons = [actionKey, ...(act.second ? [act.second.key] : [])].map((key, i) => {
        const b = el('button', { type: 'button', className: i ? 'secondary' : 'social-button', textContent: t(key),
          'aria-label': `${t(key)}: ${person.name}` });
        b.addEventListener('click', async () => {
          b.disabled = true;
          const r = await (i ? act.second.run : act.run)(person);
          b.disabled = false;
          if (!r.ok) {
            status.textContent = authFailureText(t, r.error);
            return;
          }
          const item = b.closest('li');
          const next = item.nextElementSibling ?? item.previousElementSibling;
          item.remove();
          status.textContent = t('safety.done');
          empty.hidden = list.childElementCount > 0;
          (next?.querySelector('button') ?? section.querySelector('h3')).focus?.();
          onDone();
        });
        return b;
      });
      list.append(row(person, buttons));
    }
    empty.hidden = list.childElementCount > 0;
  };
  const load = async (reset) => {
    if (reset) {
      list.replaceChildren();
      cursor = null;
    }
    const q = `?limit=${LIST_LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await get(`${path}${q}`);
    if (!r.ok) {
      status.textContent = authFailureText(t, r.error);
      return;
    }
    add(r.data.users);
    cursor = r.data.next_cursor;
    more.hidden = !cursor;
  };
  more.addEventListener('click', () => load(false));
  section.tabIndex = -1;
  return { element: section, load };
}

export function privacySection(ctx, user) {
  const { t } = ctx;
  const section = el('section', { 'aria-labelledby': 'settings-privacy', id: 'settings-privacy-section' },
    el('h2', { id: 'settings-privacy', 'data-i18n': 'safety.privacy' }));
  const toggle = el('input', { type: 'checkbox', id: 'privacy-private', 'aria-describedby': 'privacy-private-help' });
  const saved = el('p', { className: 'done', role: 'status' });
  const requests = peopleList(ctx, {
    id: 'privacy-requests', titleKey: 'safety.requestsTitle', path: '/api/v1/me/follow-requests',
    actionKey: 'safety.accept',
    act: {
      run: (p) => request('PUT', `/api/v1/me/follow-requests/${encodeURIComponent(p.id)}`),
      second: { key: 'safety.decline', run: (p) => request('DELETE', `/api/v1/me/follow-requests/${encodeURIComponent(p.id)}`) },
    },
  });
  const blocked = peopleList(ctx, {
    id: 'privacy-blocked', titleKey: 'safety.blockedTitle', path: '/api/v1/me/blocked', actionKey: 'safety.unblock',
    act: { run: (p) => request('DELETE', `/api/v1/users/${encodeURIComponent(p.id)}/block`) },
  });
  const muted = peopleList(ctx, {
    id: 'privacy-muted', titleKey: 'safety.mutedTitle', path: '/api/v1/me/muted', actionKey: 'safety.unmute',
    act: { run: (p) => request('DELETE', `/api/v1/users/${encodeURIComponent(p.id)}/mute`) },
  });
  toggle.addEventListener('change', async () => {
    const on = toggle.checked;
    toggle.disabled = true;
    const r = await request('PATCH', '/api/v1/me', { private: on });
    toggle.disabled = false;
    if (!r.ok) {
      toggle.checked = !on;
      saved.textContent = authFailureText(t, r.error);
      return;
    }
    saved.textContent = t(on ? 'safety.privateOn' : 'safety.privateOff');
    // Going public accepts every waiting request: the list empties.
    if (!on) await requests.load(true);
  });
  section.append(
    el('label', { className: 'choice', htmlFor: 'privacy-private' }, toggle,
      el('span', { 'data-i18n': 'safety.privateLabel' })),
    el('p', { id: 'privacy-private-help', className: 'field-hint', 'data-i18n': 'safety.privateHelp' }),
    saved, requests.element, blocked.element, muted.element);
  (async () => {
    const me = await get(`/api/v1/users/${encodeURIComponent(user.id)}`);
    if (me.ok) toggle.checked = me.data.private;
    await Promise.all([requests.load(true), blocked.load(true), muted.load(true)]);
  })();
  return { element: section };
}
