// /people/:id/followers, /people/:id/following and /pets/:id/followers: a
// paged list of people, each a link to their page.
import { get } from '../api.js';
import { el, failurePage, peopleList } from '../social.js';

export async function mount(root, params, ctx) {
  const { t, navigate } = ctx;
  const pet = location.pathname.startsWith('/pets/');
  const following = location.pathname.endsWith('/following');
  const base = `/api/v1/${pet ? 'pets' : 'users'}/${encodeURIComponent(params.id)}`;
  const r = await get(base);
  if (!r.ok) {
    failurePage(root, t, 'social.followersTitle', r.error, () => navigate(location.pathname, { replace: true }));
    return;
  }
  const name = r.data.name;
  const back = `/${pet ? 'pets' : 'people'}/${encodeURIComponent(params.id)}`;
  root.append(
    el('p', {}, el('a', { href: back, textContent: t('social.backTo', { name }) })),
    el('h1', { textContent: t(following ? 'social.followingOf' : 'social.followersOf', { name }) }),
    peopleList(t, `${base}/${following ? 'following' : 'followers'}`, following ? 'social.followingEmpty' : 'social.followersEmpty'),
  );
}
