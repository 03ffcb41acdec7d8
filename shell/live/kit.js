// What the live screens share (issue 24, contract §7): the viewer
// (screens/live.js with live/watch.js) and the broadcaster (screens/live-new.js
// with live/publish.js). A live's state in words, counts in Intl's compact
// form ("1.2K"), the comments log (role="log", every text from the server as
// text), the heart button with its small rising heart (none when the person
// asked for reduced motion: live.css), and the stylesheet, loaded with the
// first live screen (nothing here loads at start).
import { el } from '../compose-kit.js';
import { currentLocale } from '../i18n.js';

export const STATES = ['starting', 'live', 'ended'];
export const END_REASONS = ['owner', 'moderator', 'lost', 'max', 'failed'];
export const REPLAY_STATES = ['pending', 'processing', 'ready', 'failed'];
export const COMMENT_MAX = 300; // characters after trimming (PA_LIVE_COMMENT_MAX, contract §3)
export const NONCE_MAX = 64;

// The live screens' stylesheet, once per page.
export function liveCss() {
  if (document.getElementById('live-css')) return;
  document.head.append(el('link', { id: 'live-css', rel: 'stylesheet', href: '/live/live.css' }));
}

// The Intl locale for the current catalog (the pseudo-locale formats as English).
const intlLocale = () => (currentLocale() === 'en-XA' ? 'en' : currentLocale() || 'en');

// 1234 → "1.2K" (compact, in the person's language); small numbers as they are.
export function compact(n) {
  const v = Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
  try {
    return new Intl.NumberFormat(intlLocale(), { notation: 'compact', maximumFractionDigits: 1 }).format(v);
  } catch {
    return String(v);
  }
}

export const viewersText = (t, n) => t('live.kit.viewers', { count: n, shown: compact(n) });
export const heartsText = (t, n) => t('live.kit.hearts', { count: n, shown: compact(n) });
export const commentsText = (t, n) => t('live.kit.comments', { count: n, shown: compact(n) });
export const stateText = (t, s) => t(`live.kit.state.${STATES.includes(s) ? s : 'starting'}`);
export const endReasonText = (t, r) => t(`live.kit.ended.${END_REASONS.includes(r) ? r : 'owner'}`);
export const replayStateText = (t, s) => t(`live.kit.replay.${REPLAY_STATES.includes(s) ? s : 'pending'}`);

// "Mia with Biscuit" — who is live, from a Live's author and pet.
export const whoText = (t, live) => t('live.kit.who', { name: live?.author?.name ?? '', pet: live?.pet?.name ?? '' });

// 3723000 → "1:02:03", 65000 → "1:05": the elapsed time of a live.
export function elapsedText(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

// The "LIVE" pill.
export const liveBadge = (t) => el('span', { className: 'live-badge', textContent: t('live.kit.badge') });

// The comments log: a list in a role="log" region (screen readers hear new
// comments politely). item(comment) may add controls (the broadcaster's
// Remove / Block); set(list) replaces, add(c) appends (a comment already
// shown is not shown twice), remove(id) drops one. Oldest first, at most
// keep items (the oldest leave first).
export function commentsLog(t, { item = null, keep = 200, label = t('live.kit.commentsLabel') } = {}) {
  const list = el('ol', { className: 'live-comments-list' });
  const empty = el('p', { className: 'live-comments-empty', textContent: t('live.kit.noComments') });
  const node = el('div', { className: 'live-comments', role: 'log', 'aria-live': 'polite', 'aria-label': label, tabIndex: 0 }, empty, list);
  const row = (c) => {
    const li = el('li', { className: 'live-comment', 'data-id': c.id },
      el('strong', { className: 'live-comment-author', textContent: c.author?.name ?? '' }), ' ',
      el('span', { className: 'live-comment-text', textContent: c.text ?? '' }));
    if (item) item(li, c);
    return li;
  };
  const paint = () => { empty.hidden = list.childElementCount > 0; };
  const has = (id) => [...list.children].some((li) => li.dataset.id === id);
  const api = {
    node,
    set(comments) {
      list.replaceChildren(...(comments ?? []).slice(-keep).map(row));
      paint();
      list.lastElementChild?.scrollIntoView?.({ block: 'nearest' });
    },
    add(c) {
      if (!c?.id || has(c.id)) return;
      list.append(row(c));
      while (list.childElementCount > keep) list.firstElementChild.remove();
      paint();
      node.scrollTop = node.scrollHeight;
    },
    remove(id) {
      for (const li of [...list.children]) if (li.dataset.id === id) li.remove();
      paint();
    },
    get size() {
      return list.childElementCount;
    },
  };
  paint();
  return api;
}

// The heart button: onHeart() sends one (returns false when it could not);
// each press floats a heart up (aria-hidden; live.css drops the motion for
// prefers-reduced-motion). pop() floats one for a heart someone else sent.
export function heartButton(t, onHeart) {
  const hearts = el('span', { className: 'live-heart-float', 'aria-hidden': 'true' });
  const button = el('button', { type: 'button', className: 'live-heart', 'aria-label': t('live.kit.heart') },
    el('span', { 'aria-hidden': 'true', textContent: '♥' }));
  const pop = () => {
    const h = el('span', { className: 'live-heart-pop', textContent: '♥' });
    h.addEventListener('animationend', () => h.remove());
    hearts.append(h);
    // Without animation (reduced motion) animationend never comes.
    setTimeout(() => h.remove(), 1500);
  };
  button.addEventListener('click', () => {
    if (onHeart() !== false) pop();
  });
  return { node: el('span', { className: 'live-heart-wrap' }, button, hearts), button, pop };
}

// A comment's nonce: the sender's own echo is matched by it.
export const nonce = () => (crypto.randomUUID?.() ?? `${Date.now()}-${Math.random()}`).slice(0, NONCE_MAX);
