// /tags/:tag — the posts with a tag, as the core's grid (shell/grid.js).
import { openGrid, closeGrid } from '../grid.js';
import { el } from '../social.js';

export function mount(root, params, ctx) {
  const tag = params.tag.replace(/^#/, '').toLowerCase();
  root.append(el('header', { className: 'social-profile' },
    el('h1', { textContent: `#${tag}` }),
    el('p', { className: 'social-facts', textContent: ctx.t('social.tagIntro', { tag }) })));
  openGrid(`/api/v1/feed/tag?tag=${encodeURIComponent(tag)}`);
  return closeGrid;
}
