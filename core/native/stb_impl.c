/* The one translation unit that compiles the stb libraries the native host
 * uses: text rasterising and image writing, both on our own trusted data, and
 * stb_image_resize as the reference for the core's own resizer. */
#include <stdint.h>
#define STB_TRUETYPE_IMPLEMENTATION
#include <stb_truetype.h>
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image_resize.h>

int pa_native_stb_resize(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                         int channels, int alpha) {
  return stbir_resize_uint8_generic(src, sw, sh, sw * channels, dst, dw, dh, dw * channels,
                                    channels, alpha ? 3 : STBIR_ALPHA_CHANNEL_NONE, 0,
                                    STBIR_EDGE_CLAMP, STBIR_FILTER_MITCHELL, STBIR_COLORSPACE_SRGB,
                                    NULL);
}
