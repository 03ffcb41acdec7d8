// The browser's own image decoder, downsized to cover a box the way the core
// would, read back as straight RGBA. The decode worker uses it for what the
// core does not decode (WebP, AVIF); the page uses it when no worker runs, as
// the app's WASM module carries no image decoder (see core/src/media/media.md).
// coverSize(w, h) -> [width, height]: the core's pa_resize_cover for the box.
export async function browserDecode(blob, coverSize) {
  const full = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  const [width, height] = coverSize(full.width, full.height);
  let bitmap = full;
  if (width !== full.width || height !== full.height) {
    try {
      bitmap = await createImageBitmap(full, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
    } finally {
      full.close();
    }
  }
  const canvas = typeof OffscreenCanvas === 'function'
    ? new OffscreenCanvas(width, height)
    : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { width, height, pixels: ctx.getImageData(0, 0, width, height).data.buffer };
}

// Unpacks the core's packed cover size (width << 16 | height).
export const unpackSize = (packed) => [packed >>> 16, packed & 0xffff];
