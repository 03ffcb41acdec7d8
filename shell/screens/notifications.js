// /notifications — likes, comments, replies and follows, newest first, each a
// link to what it is about (the post, the pet, the person), and among them
// the notices the server wrote (ids nt_…: billing's link to /billing). What
// is shown is marked read on the server, and the tab's badge follows.
import { get, post } from '../api.js';
import { el } from '../compose-kit.js';
import { authFailureText } from '../forms.js';
import { setUnread, deviceName } from '../account.js';
import { day } from '../i18n.js';
import { price } from '../market-kit.js';

// "3 minutes ago" from an ISO time, with the catalog's time.* messages.
function ago(t, iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return t('time.justNow');
  if (s < 3600) return t('time.minutesAgo', { count: Math.floor(s / 60) });
  if (s < 86400) return t('time.hoursAgo', { count: Math.floor(s / 3600) });
  return t('time.daysAgo', { count: Math.floor(s / 86400) });
}

const postLink = (n) => `/posts/${encodeURIComponent(n.post_id)}`;
const billing = (key) => (t, n) => [t(key, { date: day(n.created_at) }), '/billing'];

// The sentence and the link of each kind, by kind; a feature that writes a
// new kind of notice adds its entry here. A kind this shell does not know
// yet (a newer server), or one whose entry answers null, is left out of the
// list rather than shown wrong.
const KINDS = {
  like: (t, n) => [t('notifications.liked', { name: n.actor.name, pet: n.pet?.name ?? '' }), postLink(n)],
  comment: (t, n) => [t('notifications.commented', { name: n.actor.name, pet: n.pet?.name ?? '' }), postLink(n)],
  reply: (t, n) => [t('notifications.replied', { name: n.actor.name }), postLink(n)],
  pet_follow: (t, n) => [t('notifications.followed', { name: n.actor.name, pet: n.pet.name }), `/pets/${encodeURIComponent(n.pet.id)}`],
  follow: (t, n) => [t('notifications.followedYou', { name: n.actor.name }), `/people/${encodeURIComponent(n.actor.id)}`],
  // The Billing screen's words for its notices (screens/billing.js), dated as there.
  billing_renewal_failed: billing('billing.noticeRenewalFailed'),
  billing_downgraded: billing('billing.noticeDowngraded'),
  // A vaccination or a medication's dose came due (screens/health.js); detail.title names it.
  health_due: (t, n) => [t('health.notice.due', { name: n.detail.title ?? '', pet: n.pet?.name ?? '' }),
    `/pets/${encodeURIComponent(n.pet?.id ?? '')}/health`],
  // What happened to the account (api/auth.c, api/twostep.c), linking where it is managed; an
  // event this shell has no words for still says that something changed (SECURITY).
  security: (t, n) => {
    const [key, href] = SECURITY[n.detail?.event] ?? ['twostep.noticeOther', '/settings'];
    return [t(key, { date: day(n.created_at), device: deviceName(t, n.detail ?? {}) }), href];
  },
  // A moderator's action (api/moderation.c): to a reporter ("report": "acted"), or to the
  // person it concerns, with the moderator's note; a post links to it (its author still sees it).
  moderation: (t, n) => {
    // A decision on the viewer's own ad creative (web/src/api/ads.c): approved (it may run), or
    // rejected with the moderator's note; it links to the creative's post, which its author reads,
    // or for a reel's creative (no post) to its campaign.
    if (n.detail.item === 'ad') {
      const to = n.post_id ? postLink(n) : n.detail.campaign ? `/ads/campaigns/${encodeURIComponent(n.detail.campaign)}` : '/';
      if (n.detail.action === 'approve') return [t('mod.notice.adApproved'), to];
      if (n.detail.action !== 'reject') return null;
      const why = n.detail.note ? ` ${t('mod.notice.note', { note: n.detail.note })}` : '';
      return [`${t('mod.notice.adRejected')}${why}`, to];
    }
    const action = t(`mod.action.${n.detail.action}`);
    if (n.detail.report) return [t('mod.notice.report', { action }), '/'];
    const note = n.detail.note ? ` ${t('mod.notice.note', { note: n.detail.note })}` : '';
    return [`${t('mod.notice.you', { action })}${note}`, n.post_id ? postLink(n) : '/settings'];
  },
  // Follow requests of a private account (shell/screens/settings-privacy.js).
  follow_request: (t, n) => [t('safety.noticeFollowRequest', { name: n.actor?.name ?? '' }), '/settings#settings-privacy'],
  follow_accepted: (t, n) => [t('safety.noticeFollowAccepted', { name: n.actor?.name ?? '' }),
    `/people/${encodeURIComponent(n.actor?.id ?? '')}`],
  // A step of a marketplace order (web/src/orders.h), told to the other side: to the order's
  // screen (screens/order.js), or the person's orders when the notice names none.
  order: (t, n) => {
    if (PAYOUT_STEPS[n.detail?.step]) return payoutNotice(t, n);
    const key = ORDER_STEPS[n.detail?.step];
    if (!key) return null;
    const words = t(key, { order: n.detail.order ?? '', carrier: n.detail.carrier ?? '', tracking: n.detail.tracking ?? '' });
    if (/^ord_[1-9][0-9]{0,17}$/.test(n.detail.order ?? '')) return [words, `/orders/${n.detail.order}`];
    return [words, n.detail.role === 'seller' ? '/market/orders' : '/orders'];
  },
  // An agent answered the viewer's support conversation while no support socket of theirs was
  // open (web/src/api/support.c): to the conversation (the path push notifications open too).
  support_reply: (t, n) => (/^sc_[1-9][0-9]{0,17}$/.test(n.detail?.conversation ?? '')
    ? [t('support.noticeReply'), `/support/${n.detail.conversation}`] : null),
  // Someone the viewer follows (or whose pet they follow) went live; and the broadcaster's own
  // replay, made or not (web/src/api/live.c, contract 24 §5): both open the live's screen.
  live: (t, n) => (LIVE_ID.test(n.detail?.live ?? '')
    ? [n.pet?.name ? t('notifications.live', { name: n.actor?.name ?? '', pet: n.pet.name }) : t('notifications.liveNow', { name: n.actor?.name ?? '' }),
      `/live/${n.detail.live}`] : null),
  live_replay: (t, n) => (LIVE_ID.test(n.detail?.live ?? '')
    ? [t(n.detail.state === 'ready' ? 'notifications.liveReplayReady' : 'notifications.liveReplayFailed'), `/live/${n.detail.live}`] : null),
};
const LIVE_ID = /^live_[1-9][0-9]{0,17}$/;
// An order notice's words by its detail.step.
const ORDER_STEPS = {
  paid: 'market.noticePaid',
  shipped: 'market.noticeShipped',
  delivered: 'market.noticeDelivered',
  completed: 'market.noticeCompleted',
  cancelled: 'market.noticeCancelled',
  refunded: 'market.noticeRefunded',
  lapsed: 'market.noticeLapsed',
  // An order's side branches (shell/claim-kit.js): its refund request, dispute and messages.
  refund_requested: 'market.noticeRefundRequested',
  refund_declined: 'market.noticeRefundDeclined',
  disputed: 'market.noticeDisputed',
  dispute_answered: 'market.noticeDisputeAnswered',
  released: 'market.noticeReleased',
  message: 'market.noticeMessage',
};
// A payout to a seller (web/src/payouts.h), told with kind order and its own
// steps: its words by detail.step, its amount from total_minor and currency,
// and the seller's dashboard (screens/dashboard.js), where payouts are listed.
const PAYOUT_STEPS = {
  payout_paid: 'market.noticePayoutPaid',
  payout_unclaimed: 'market.noticePayoutUnclaimed',
  payout_returned: 'market.noticePayoutReturned',
};
function payoutNotice(t, n) {
  const { total_minor: minor, currency } = n.detail;
  if (!Number.isSafeInteger(minor) || !/^[A-Z]{3}$/.test(currency ?? '')) return null;
  return [t(PAYOUT_STEPS[n.detail.step], { price: price(minor, currency) }), '/market/dashboard'];
}
// A security notice's words and link by its detail.event.
const SECURITY = {
  password_reset: ['profile.noticePasswordReset', '/settings/profile'],
  email_changed: ['profile.noticeEmailChanged', '/settings/profile'],
  totp_on: ['twostep.noticeOn', '/settings#settings-twostep'],
  totp_off: ['twostep.noticeOff', '/settings#settings-twostep'],
  recovery_used: ['twostep.noticeRecovery', '/settings#settings-twostep'],
  new_device: ['sessions.noticeNewDevice', '/settings#settings-sessions'],
};

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
    list.replaceChildren(...shown.filter((n) => KINDS[n.kind]?.(t, n)).map((n) => {
      const [text, href] = KINDS[n.kind](t, n);
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
      // The newest shown and everything listed below it, of both kinds.
      const done = await post('/api/v1/notifications/read', { up_to: shown[0].id });
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
