/* The one translation unit that compiles stb_image, with the attack surface cut
 * down: no stdio, only the formats we accept, and a hard dimension cap. */
#define STBI_NO_STDIO
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_GIF
#define STBI_ONLY_BMP
#define STBI_MAX_DIMENSIONS 16384
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>

#include "image_stb.h"

/* Our own loop over stb's GIF frame decoder, instead of stbi_load_gif_from_memory:
 * Debian's stb (2022-09) hands "the frame two back" to the decoder as
 * out - 2 * stride, a pointer before its buffer, so any animation with
 * "restore to previous" disposal reads out of bounds and crashes
 * (tests/corpus/image-regressions/stb-gif-dispose-previous.gif, made by
 * ImageMagick); it also grows its buffer by realloc per frame and double-frees
 * when that fails. Here the caller sizes the buffer from pa_image_gif_scan's
 * frame count, and "previous" is what the spec means: the canvas before the
 * last frame was drawn, which stb keeps in g.background until this call. */
int pa_stb_gif_frames(const unsigned char *bytes, int len, int w, int h, int frames,
                      unsigned char *out, int *delays_ms) {
  stbi__context s;
  stbi__gif g;
  int comp, n = 0;
  size_t stride = (size_t)w * (size_t)h * 4;
  stbi__start_mem(&s, bytes, len);
  memset(&g, 0, sizeof g);
  while (n < frames) {
    stbi_uc *two_back = n >= 1 ? g.background : NULL;
    stbi_uc *u = stbi__gif_load_next(&s, &g, &comp, 4, two_back);
    if (u == (stbi_uc *)&s) break; /* the trailer came early */
    if (!u) {
      n = -1;
      break;
    }
    if (g.w != w || g.h != h) {
      stbi__err("size changed", "GIF frame size changed");
      n = -1;
      break;
    }
    memcpy(out + (size_t)n * stride, u, stride);
    delays_ms[n++] = g.delay;
  }
  STBI_FREE(g.out);
  STBI_FREE(g.history);
  STBI_FREE(g.background);
  return n;
}
