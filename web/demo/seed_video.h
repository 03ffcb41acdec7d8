/* Part of pa_demo: short animated reels drawn with pa_art and encoded by
 * Debian's ffmpeg (H.264/yuv420p/faststart MP4 and VP8 WebM). */
#ifndef PA_DEMO_VIDEO_H
#define PA_DEMO_VIDEO_H

#include "art.h"

#include <stddef.h>
#include <stdint.h>

typedef struct pa_demo_clip {
  unsigned char *mp4, *webm; /* malloc'd; the caller frees both */
  size_t mp4_len, webm_len;
} pa_demo_clip;

/* 1 when an ffmpeg that can run is on PATH. */
int pa_demo_have_ffmpeg(void);

/* Renders the pet hopping (up and down with a tilt, its shadow shrinking) for
 * seconds at fps into w x h frames, encodes both files via scratch files in
 * tmpdir, and leaves the first frame in poster (w * h * 3 bytes). */
int pa_demo_reel(const pa_art_pet *pet, uint32_t seed, int w, int h, int fps, int seconds,
                 const char *tmpdir, unsigned char *poster, pa_demo_clip *out, char *err,
                 size_t errlen);

#endif
