// Pieces the social screens share (screens/person.js, pet.js, follows.js,
// post.js, tag.js): avatars, optimistic toggle buttons (follow, like),
// count links, lists of people, captions with linked #tags and @mentions,
// and the not-found / failed states. User text only ever becomes textContent.
import { get, put, del } from './api.js';
import { el, failureText } from './compose-kit.js';
import { nameWithBadge } from './plus.js';

export { el, failureText };

// An avatar picture (decorative: the name is always next to it), or the
// name's first letter on a disc when there is no picture.
export function avatar(url, name, size = 'small') {
  const cls = `social-avatar social-avatar-${size}`;
  if (url) return el('img', { className: cls, src: url, alt: '', loading: 'lazy', decoding: 'async' });
  const first = [...(name || '?')][0].toUpperCase();
  return el('span', { className: `${cls} social-avatar-none`, 'aria-hidden': 'true', textContent: first });
}

// A toggle button with aria-pressed whose change shows at once and is undone
// (with a message) if the server refuses. send(on) → api answer; read(data) →
// {pressed, count}; onChange(state) repaints counts; say(text) shows a message;
// signed out, a press calls signIn() instead.
export function toggleButton({ t, label, pressed, count, send, read, onChange = () => {}, say, failed, signedIn, signIn }) {
  const b = el('button', { type: 'button', className: 'social-toggle' }, el('span', { textContent: label }));
  let state = { pressed, count };
  let busy = false;
  const paint = () => {
    b.setAttribute('aria-pressed', String(state.pressed));
    onChange(state);
  };
  b.addEventListener('click', async () => {
    if (!signedIn) {
      signIn();
      return;
    }
    if (busy) return;
    busy = true;
    const before = state;
    state = { pressed: !before.pressed, count: Math.max(0, before.count + (before.pressed ? -1 : 1)) };
    say('');
    paint();
    const r = await send(state.pressed);
    busy = false;
    if (r.ok) {
      state = read(r.data);
    } else {
      state = before;
      say(`${failed(before.pressed)} ${failureText(t, r.error)}`);
    }
    paint();
  });
  paint();
  return b;
}

// The follow toggle of a pet ('pets') or a person ('users'): subject has
// id, name, following and follower_count; showCount(n) repaints the count,
// message is where a refusal is said.
export function followButton({ t, navigate, signedIn, kind, subject, showCount, message }) {
  return toggleButton({
    t,
    label: t('social.followName', { name: subject.name }),
    // Asking to follow a private account counts as pressed (unpress withdraws the request).
    pressed: subject.following || !!subject.requested,
    count: subject.follower_count,
    signedIn,
    signIn: () => navigate(signInHref()),
    send: (on) => (on ? put : del)(`/api/v1/${kind}/${encodeURIComponent(subject.id)}/follow`),
    read: (d) => ({ pressed: d.following || d.requested, count: d.follower_count, requested: d.requested }),
    onChange: (s) => {
      showCount(s.count);
      if (s.requested) message.textContent = t('safety.requested', { name: subject.name });
    },
    say: (text) => { message.textContent = text; },
    failed: (was) => t(was ? 'social.unfollowFailed' : 'social.followFailed'),
  });
}

// The sign-in page, coming back here afterwards.
export function signInHref() {
  return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

// "12 followers" as a link to the list, or plain text without a list.
export function countItem(text, href) {
  return el('li', {}, href ? el('a', { href, textContent: text }) : el('span', { textContent: text }));
}

// Shown when the thing in the URL does not exist or could not be loaded;
// retry (optional) mounts the screen again.
export function failurePage(root, t, titleKey, error, retry) {
  const h1 = el('h1', { textContent: t(titleKey) });
  const p = el('p', { role: 'alert', textContent: error.status === 404 ? t('social.notFound') : failureText(t, error) });
  root.append(h1, p);
  if (error.status !== 404 && retry) {
    const b = el('button', { type: 'button', className: 'social-button', textContent: t('feed.retry') });
    b.addEventListener('click', retry);
    root.append(b);
  }
  root.append(el('p', {}, el('a', { href: '/', textContent: t('app.backHome') })));
}

// A paged list of people (UserPage): links with avatars and a "Show more"
// button while more pages exist.
export function peopleList(t, path, emptyKey) {
  const list = el('ul', { className: 'social-people' });
  const status = el('p', { role: 'status', className: 'social-note' });
  const more = el('button', { type: 'button', className: 'social-button', textContent: t('social.showMore'), hidden: true });
  let cursor = null;
  async function load() {
    more.disabled = true;
    status.textContent = t('app.loading');
    const r = await get(`${path}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    more.disabled = false;
    if (!r.ok) {
      status.textContent = failureText(t, r.error);
      more.hidden = false;
      more.textContent = t('feed.retry');
      return;
    }
    for (const u of r.data.users) {
      list.append(el('li', {}, el('a', { href: `/people/${encodeURIComponent(u.id)}` }, avatar(u.avatar_url, u.name),
        el('span', {}, ...nameWithBadge(t, u)))));
    }
    cursor = r.data.next_cursor;
    more.hidden = !cursor;
    more.textContent = t('social.showMore');
    status.textContent = list.children.length === 0 ? t(emptyKey) : '';
  }
  more.addEventListener('click', load);
  load();
  return el('div', {}, list, status, more);
}

// A caption as text with its #tags (those the server found: tags) linked to
// /tags/… and @mentions linked to the pet they name among the post's pets
// (or to search when none matches).
export function captionNodes(caption, pets = [], tags = []) {
  const nodes = [];
  const byName = new Map(pets.map((p) => [p.name.toLowerCase().replace(/\s+/g, ''), p.id]));
  const tagged = new Set(tags);
  const re = /([#@])([\p{L}\p{N}_]+)/gu;
  let at = 0;
  for (const m of caption.matchAll(re)) {
    const before = m.index === 0 ? '' : caption[m.index - 1];
    if (before && /[\p{L}\p{N}_]/u.test(before)) continue; // inside a word or an e-mail address
    if (m[1] === '#' && !tagged.has(m[2].toLowerCase())) continue;
    if (m.index > at) nodes.push(document.createTextNode(caption.slice(at, m.index)));
    const word = m[2];
    let href;
    if (m[1] === '#') href = `/tags/${encodeURIComponent(word.toLowerCase())}`;
    else {
      const id = byName.get(word.toLowerCase());
      href = id ? `/pets/${encodeURIComponent(id)}` : `/search?q=${encodeURIComponent(word)}`;
    }
    nodes.push(el('a', { href, textContent: m[0] }));
    at = m.index + m[0].length;
  }
  if (at < caption.length) nodes.push(document.createTextNode(caption.slice(at)));
  return nodes;
}
