// /sellers/:id: a seller's page (issue 20): the seller's name, since when
// they sell, how many listings, their rating (stars as text with the
// average in words), a link to their profile, their listings others see
// (GET /api/v1/sellers/{u}/listings) as a grid of cards, and their reviews
// with the seller's replies (GET /api/v1/sellers/{u}/reviews, "Show more").
import { get } from '../api.js';
import { day } from '../i18n.js';
import { el, failureText } from '../compose-kit.js';
import { listingGrid, ratingSummary, reviewItem } from '../market-kit.js';

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
    ratingSummary(t, s.reviews),
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
  await reviews(root, t, id);
}

// The reviews, newest first, a page at a time.
async function reviews(root, t, id) {
  const list = el('ul', { className: 'mkt-reviews', 'aria-labelledby': 'seller-reviews' });
  const status = el('p', { className: 'mkt-status', role: 'status' });
  const more = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.more'), hidden: true });
  root.append(el('h2', { id: 'seller-reviews', textContent: t('market.reviews') }), status, list, more);
  let cursor = null;
  async function page() {
    more.disabled = true;
    const r = await get(`/api/v1/sellers/${id}/reviews${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    more.disabled = false;
    if (!r.ok) {
      status.textContent = failureText(t, r.error);
      return;
    }
    for (const v of r.data.reviews) list.append(reviewItem(t, v, day));
    cursor = r.data.next_cursor;
    more.hidden = !cursor;
    if (!list.children.length) status.textContent = t('market.noReviews');
  }
  more.addEventListener('click', async () => {
    const before = list.children.length;
    await page();
    list.children[before]?.setAttribute('tabindex', '-1');
    list.children[before]?.focus();
  });
  await page();
}
