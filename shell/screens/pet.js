// /pets/:id — a pet's page: avatar, name, species, breed and age, bio, its
// owner, follow button and counts, then its posts as the core's grid (the
// canvas below this header; shell/grid.js).
import { get } from '../api.js';
import { openGrid, closeGrid } from '../grid.js';
import { speciesLabel } from '../pets.js';
import { nameWithBadge } from '../plus.js';
import { avatar, countItem, el, failurePage, followButton } from '../social.js';

// Whole years since birth (null without a birth date).
function ageYears(birth) {
  if (!birth) return null;
  const b = new Date(`${birth}T00:00:00Z`), now = new Date();
  let years = now.getUTCFullYear() - b.getUTCFullYear();
  if (now.getUTCMonth() < b.getUTCMonth() || (now.getUTCMonth() === b.getUTCMonth() && now.getUTCDate() < b.getUTCDate())) years--;
  return Math.max(0, years);
}

export async function mount(root, params, ctx) {
  const { t, navigate } = ctx;
  const [r, session] = await Promise.all([get(`/api/v1/pets/${encodeURIComponent(params.id)}`), ctx.session()]);
  if (!r.ok) {
    failurePage(root, t, 'social.petTitle', r.error, () => navigate(location.pathname, { replace: true }));
    return undefined;
  }
  const pet = r.data;
  const me = session.user;
  const message = el('p', { className: 'social-message', role: 'status' });
  const followers = countItem('', `/pets/${encodeURIComponent(pet.id)}/followers`);
  const showCount = (n) => { followers.firstChild.textContent = t('social.followers', { count: n }); };

  const facts = [speciesLabel(t, pet.species), pet.breed, ageYears(pet.birth_date) === null ? '' : t('pet.age', { years: ageYears(pet.birth_date) })]
    .filter(Boolean).join(' · ');
  const owner = el('p', { className: 'social-owner' });
  owner.append(t('social.ownerPrefix'), ' ', el('a', { href: `/people/${encodeURIComponent(pet.owner.id)}` }, ...nameWithBadge(t, pet.owner)));

  const actions = el('div', { className: 'social-actions' });
  if (me && me.id === pet.owner.id) {
    actions.append(el('a', { className: 'social-button', href: `/pets/${encodeURIComponent(pet.id)}/edit`, textContent: t('social.editPet') }),
      el('a', { className: 'social-button', href: `/pets/${encodeURIComponent(pet.id)}/health`, textContent: t('health.open') }));
  } else {
    actions.append(followButton({ t, navigate, signedIn: !!me, kind: 'pets', subject: pet, showCount, message }));
  }
  showCount(pet.follower_count);

  root.append(el('header', { className: 'social-profile' },
    avatar(pet.avatar_url, pet.name, 'large'),
    el('div', { className: 'social-who' },
      el('h1', { textContent: pet.name }),
      facts ? el('p', { className: 'social-facts', textContent: facts }) : '',
      owner),
    pet.bio ? el('p', { className: 'social-bio', textContent: pet.bio }) : '',
    el('ul', { className: 'social-counts' }, countItem(t('social.posts', { count: pet.post_count })), followers),
    actions, message));
  openGrid(`/api/v1/pets/${encodeURIComponent(pet.id)}/posts`);
  return closeGrid;
}
