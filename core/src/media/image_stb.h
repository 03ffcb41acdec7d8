/* Thin wrappers over the stb libraries, each compiled in one translation unit
 * with its warnings kept out of ours (stb_image_impl.c, image_stb.c). Internal. */
#ifndef PA_IMAGE_STB_H
#define PA_IMAGE_STB_H

#include <stddef.h>

/* Decodes the first `frames` frames of a GIF, each w x h RGBA (the logical
 * screen), into out (frames * w * h * 4 bytes, caller-owned) and their delays
 * in ms. Returns the number decoded (fewer if the trailer comes first), or -1
 * with stbi_failure_reason() set. */
int pa_stb_gif_frames(const unsigned char *bytes, int len, int w, int h, int frames,
                      unsigned char *out, int *delays_ms);

/* stb_image_write to memory: *out is malloc'd (the caller frees it), *len its
 * size. Return 1 on success. */
int pa_stb_write_jpg(const unsigned char *rgb, int w, int h, int quality, unsigned char **out,
                     size_t *len);
int pa_stb_write_png(const unsigned char *px, int w, int h, int channels, unsigned char **out,
                     size_t *len);

#endif
