// /compose/reel: a video uploaded with progress, its poster a frame of it
// prepared by the core (see compose.js).
import { mountComposer } from './compose.js';

export function mount(root, params, ctx) {
  return mountComposer(root, ctx, 'reel');
}
