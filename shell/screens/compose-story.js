// /compose/story: one photo, prepared by the core, posted as a story of the
// active pet (see compose.js).
import { mountComposer } from './compose.js';

export function mount(root, params, ctx) {
  return mountComposer(root, ctx, 'story');
}
