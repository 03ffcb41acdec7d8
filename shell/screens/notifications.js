// /notifications — likes, comments, replies and follows, newest first, each a
// link to what it is about (the post, the pet, the person), and the person's
// billing notices among them (ids bn_…), linking to /billing. What is shown is
// marked read on the server, and the tab's badge follows.
import { get, post } from '../api.js';
import { el } from '../compose-kit.js';
import { authFailureText } from '../forms.js';
import { setUnread } from '../account.js';
import { day } from '../i18n.js';

// The Billing screen's words for its notices (screens/billing.js), dated as there.
const BILLING_KEYS = { billing_renewal_failed: 'billing.noticeRenewalFailed', billing_downgraded: 'billing.noticeDowngraded' };

// "3 minutes ago" from an ISO time, with the catalog's time.* messages.
function ago(t, iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return t('time.justNow');
  if (s < 3600) return t('time.minutesAgo', { count: Math.floor(s / 60) });
  if (s < 86400) return t('time.hoursAgo', { count: Math.floor(s / 3600) });
  return t('time.daysAgo', { count: Math.floor(s / 86400) });
}

// The sentence and the link of one notification.
function describe(t, n) {
  if (BILLING_KEYS[n.kind]) return [t(BILLING_KEYS[n.kind], { date: day(n.created_at) }), '/billing'];
  const name = n.actor?.name ?? '';
  const pet = n.pet?.name ?? '';
  switch (n.kind) {
    case 'like': return [t('notifications.liked', { name, pet }), `/posts/${encodeURIComponent(n.post_id)}`];
    case 'comment': return [t('notifications.commented', { name, pet }), `/posts/${encodeURIComponent(n.post_id)}`];
    case 'reply': return [t('notifications.replied', { name }), `/posts/${encodeURIComponent(n.post_id)}`];
    case 'pet_follow': return [t('notifications.followed', { name, pet }), `/pets/${encodeURIComponent(n.pet.id)}`];
    default: return [t('notifications.followedYou', { name }), `/people/${encodeURIComponent(n.actor.id)}`];
  }
}

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const page = el('div', { className: 'notifications' }, el('h1', { 'data-i18n': 'nav.notifications' }));
  const status = el('p', { role: 'status' });
  const list = el('ul', { className: 'notif-list' });
  const more = el('button', { type: 'button', className: 'secondary', hidden: true, 'data-i18n': 'notifications.more' });
  page.append(status, list, more);
  root.append(page);
  const shown = [];
  let cursor = null;
  let gone = false;

  const render = () => {
    list.replaceChildren(...shown.map((n) => {
      const [text, href] = describe(t, n);
      const link = el('a', { href, textContent: text });
      const item = el('li', { className: n.read ? '' : 'unread' });
      if (!n.read) item.append(el('span', { className: 'visually-hidden', textContent: `${t('notifications.new')}: ` }));
      item.append(link, el('time', { dateTime: n.created_at, textContent: ago(t, n.created_at) }));
      return item;
    }));
    status.textContent = shown.length ? '' : t('notifications.empty');
  };

  const load = async () => {
    more.disabled = true;
    const r = await get(`/api/v1/notifications?limit=30${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    more.disabled = false;
    if (gone) return;
    if (!r.ok) {
      status.textContent = authFailureText(t, r.error);
      return;
    }
    shown.push(...r.data.notifications);
    cursor = r.data.next_cursor;
    more.hidden = !cursor;
    render();
    // Seen now: read up to the newest shown (newer ones that arrive meanwhile stay unread).
    const newestUnread = r.data.notifications.find((n) => !n.read);
    if (newestUnread) {
      // Only n_ ids are marked (billing notices keep no read mark).
      const upTo = Math.max(...shown.filter((n) => n.id.startsWith('n_')).map((n) => Number(n.id.slice(2))));
      const done = await post('/api/v1/notifications/read', { up_to: `n_${upTo}` });
      if (done.ok) setUnread(done.data.unread_count);
    } else {
      setUnread(r.data.unread_count);
    }
  };
  more.addEventListener('click', load);
  addEventListener('pa:locale', render);
  await load();
  return () => {
    gone = true;
    removeEventListener('pa:locale', render);
  };
}
