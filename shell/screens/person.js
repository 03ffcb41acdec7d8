// /people/:id (and /me, the signed-in person's own) — a person's page:
// avatar, name, handle, bio, follow button, counts linking to followers and
// following, their pets, then their posts as the core's grid (shell/grid.js).
// Someone else's page has Block and Mute (shell/safety.js); a private
// account's posts and pets show only to its followers.
import { get } from '../api.js';
import { safetyActions } from '../safety.js';
import { openGrid, closeGrid } from '../grid.js';
import { speciesLabel } from '../pets.js';
import { avatar, countItem, el, failurePage, followButton } from '../social.js';
import { nameWithBadge } from '../plus.js';
import { countryName } from './settings-profile.js';
import { reportButton } from '../report.js';

export async function mount(root, params, ctx) {
  const { t, navigate } = ctx;
  const me = (await ctx.session()).user;
  if (!params.id) { // /me (app.js sends the signed-out to /login first)
    navigate(`/people/${encodeURIComponent(me.id)}`, { replace: true });
    return undefined;
  }
  const r = await get(`/api/v1/users/${encodeURIComponent(params.id)}`);
  if (!r.ok) {
    failurePage(root, t, 'social.personTitle', r.error, () => navigate(location.pathname, { replace: true }));
    return undefined;
  }
  const p = r.data;
  const base = `/people/${encodeURIComponent(p.id)}`;
  const message = el('p', { className: 'social-message', role: 'status' });
  const followers = countItem('', `${base}/followers`);
  const showCount = (n) => { followers.firstChild.textContent = t('social.followers', { count: n }); };

  const actions = el('div', { className: 'social-actions' });
  if (me && me.id === p.id) {
    // Your own page is where the Profile tab leads (app.js marks only exact URLs).
    document.querySelector('#tabs a[href="/me"]')?.setAttribute('aria-current', 'page');
    actions.append(el('a', { className: 'social-button', href: '/settings/profile', textContent: t('profile.edit') }),
      el('a', { className: 'social-button', href: '/pets/new', textContent: t('social.addPet') }));
  } else {
    if (!p.blocked) actions.append(followButton({ t, navigate, signedIn: !!me, kind: 'users', subject: p, showCount, message }));
    if (me) actions.append(safetyActions(ctx, p, message), reportButton(t, 'person', p.id, 'social-button'));
  }
  showCount(p.follower_count);

  const pets = el('ul', { className: 'social-pets' });
  for (const pet of p.pets) {
    pets.append(el('li', {}, el('a', { href: `/pets/${encodeURIComponent(pet.id)}` }, avatar(pet.avatar_url, pet.name),
      el('span', { textContent: pet.name }), el('span', { className: 'social-note', textContent: speciesLabel(t, pet.species) }))));
  }
  root.append(el('header', { className: 'social-profile' },
    avatar(p.avatar_url, p.name, 'large'),
    el('div', { className: 'social-who' },
      el('h1', {}, ...nameWithBadge(t, p)),
      el('p', { className: 'social-facts', textContent: `@${p.handle}` })),
    p.bio ? el('p', { className: 'social-bio', textContent: p.bio }) : '',
    p.country ? el('p', { className: 'social-facts', textContent: countryName(p.country) }) : '',
    // Links people typed: never followed for ranking, marked as theirs, no window.opener.
    p.links.length ? el('ul', { className: 'social-links', 'aria-label': t('profile.links') },
      ...p.links.map((href) => el('li', {}, el('a', { href, rel: 'nofollow ugc noopener', target: '_blank',
        textContent: href.replace(/^https:\/\//, '').replace(/\/$/, '') })))) : '',
    el('ul', { className: 'social-counts' },
      countItem(t('social.posts', { count: p.post_count })), followers,
      countItem(t('social.followingCount', { count: p.following_count }), `${base}/following`)),
    actions, message,
    p.blocked ? el('p', { className: 'social-note', textContent: t('safety.blockedNote', { name: p.name }) }) : '',
    !p.blocked && !p.posts_visible ? el('p', { className: 'social-note', textContent: t('safety.privateNote') }) : '',
    p.pets.length ? el('section', { 'aria-labelledby': 'social-pets-title' },
      el('h2', { id: 'social-pets-title', textContent: t('social.petsTitle', { count: p.pets.length }) }), pets) : ''));
  if (!p.posts_visible) return undefined;
  openGrid(`/api/v1/users/${encodeURIComponent(p.id)}/posts`);
  return closeGrid;
}
