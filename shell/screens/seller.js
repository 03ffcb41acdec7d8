// /sellers/:id: a seller's page (issue 20): the seller's name, since when
// they sell, how many listings, a link to their profile, and their listings
// others see (GET /api/v1/sellers/{u}/listings) as a grid of cards.
import { get } from '../api.js';
import { day } from '../i18n.js';
import { el, failureText } from '../compose-kit.js';
import { listingGrid } from '../market-kit.js';

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const id = encodeURIComponent(params.id);
  const r = await get(`/api/v1/sellers/${id}`);
  if (!r.ok) {
    root.append(el('h1', { textContent: t('market.seller') }),
      el('p', { role: 'alert', textContent: r.error.status === 404 ? t('market.sellerNotFound') : failureText(t, r.error) }));
    return;
  }
  const s = r.data;
  root.append(el('h1', { textContent: s.name }),
    el('p', { className: 'kit-help', textContent: t('market.sellerSince', { when: day(s.since), count: s.listings }) }),
    el('p', {}, el('a', { href: `/people/${s.user}`, textContent: t('market.sellerProfile') })),
    el('h2', { id: 'seller-listings', textContent: t('market.sellerListings') }));
  const grid = listingGrid(t, {
    label: t('market.sellerListings'),
    empty: t('market.none'),
    load: (cursor) => get(`/api/v1/sellers/${id}/listings${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
  });
  root.append(grid.wrap);
  const first = await grid.reload();
  if (!first.ok) grid.status.textContent = failureText(t, first.error);
}
