/* image-* and video-scrub: pa_image, pa_resize, pa_thumbhash and pa_upload from the shell. */
#include "cli.h"
#include "pa/pa_image.h"
#include "pa/pa_resize.h"
#include "pa/pa_thumbhash.h"
#include "pa/pa_upload.h"
#include "pa_native.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { DESCRIBE_MAX = 8192 };

static int parse_int(const char *s, int lo, int hi, int *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) return 0;
  *out = (int)v;
  return 1;
}

static pa_status read_image(const char *path, uint8_t **bytes, size_t *len, pa_error *e) {
  pa_image_limits lim = PA_IMAGE_LIMITS_DEFAULT;
  return pa_native_read_file(path, lim.max_bytes, bytes, len, e);
}

/* Reads and decodes the file: whole (box_w < 0), or downscaled to cover the
 * box as the decode worker does (0 x 0: the full size, through the same path).
 * On success the caller frees *img with pa_image_free. */
static pa_status decode_file(const char *path, int box_w, int box_h, pa_image *img, pa_error *e) {
  uint8_t *bytes;
  size_t len;
  pa_status st = read_image(path, &bytes, &len, e);
  if (st != PA_OK) return st;
  st = box_w < 0 ? pa_image_decode(bytes, len, NULL, img, e)
                 : pa_image_decode_fit(bytes, len, NULL, box_w, box_h, img, e);
  free(bytes);
  return st;
}

static pa_status write_file(const char *path, const uint8_t *bytes, size_t len, pa_error *e) {
  FILE *f = fopen(path, "wb");
  if (!f) return pa_error_set(e, PA_ERR_PLATFORM, "cannot write %s: %s", path, strerror(errno));
  size_t n = fwrite(bytes, 1, len, f);
  if (fclose(f) != 0 || n != len)
    return pa_error_set(e, PA_ERR_PLATFORM, "cannot write %s: %s", path, strerror(errno));
  return PA_OK;
}

static pa_status write_png(const char *path, const uint8_t *rgba, int w, int h, pa_error *e) {
  uint8_t *png;
  size_t len;
  pa_status st = pa_image_encode_png(rgba, w, h, &png, &len, e);
  if (st != PA_OK) return st;
  st = write_file(path, png, len, e);
  free(png);
  return st;
}

int pa_cli_image_info(int argc, char **argv) {
  int meta = argc == 3 && !strcmp(argv[2], "--meta");
  if (argc != 2 && !meta) return PA_CLI_USAGE;
  pa_error e;
  uint8_t *bytes;
  size_t len;
  if (read_image(argv[1], &bytes, &len, &e) != PA_OK) return pa_cli_fail(&e);
  char line[DESCRIBE_MAX];
  size_t n = pa_image_describe(bytes, len, NULL, line, sizeof line, &e);
  pa_image_info info;
  if (n && meta) pa_image_probe(bytes, len, &info, &e);
  free(bytes);
  if (!n) return pa_cli_fail(&e);
  fputs(line, stdout);
  if (meta) {
    char names[64];
    pa_image_metadata_names(info.metadata, names, sizeof names);
    printf("metadata: %s\n", names);
  }
  return PA_CLI_OK;
}

int pa_cli_image_decode(int argc, char **argv) {
  int frame = 0, fit = 0, box_w = 0, box_h = 0;
  if (argc == 5 && !strcmp(argv[3], "--frame")) {
    if (!parse_int(argv[4], 0, 100000, &frame)) return PA_CLI_USAGE;
  } else if (argc == 6 && !strcmp(argv[3], "--fit")) {
    /* The decode worker's path: first frame, downscaled to cover the box. */
    if (!parse_int(argv[4], 0, 65535, &box_w) || !parse_int(argv[5], 0, 65535, &box_h))
      return PA_CLI_USAGE;
    fit = 1;
  } else if (argc != 3) {
    return PA_CLI_USAGE;
  }
  pa_error e;
  pa_image img;
  pa_status st = decode_file(argv[1], fit ? box_w : -1, box_h, &img, &e);
  if (st != PA_OK) return pa_cli_fail(&e);
  if (frame >= img.frames) {
    pa_error_set(&e, PA_ERR_ARG, "image has %d frames, no frame %d", img.frames, frame);
    pa_image_free(&img);
    return pa_cli_fail(&e);
  }
  pa_image one = {img.width, img.height, 1, img.rgba + (size_t)frame * img.width * img.height * 4,
                  NULL};
  st = write_png(argv[2], one.rgba, one.width, one.height, &e);
  if (st == PA_OK)
    printf("%dx%d frame %d of %d checksum %08x\n", one.width, one.height, frame, img.frames,
           pa_image_checksum(&one));
  pa_image_free(&img);
  return st == PA_OK ? PA_CLI_OK : pa_cli_fail(&e);
}

int pa_cli_image_resize(int argc, char **argv) {
  int w, h;
  if (argc != 5 || !parse_int(argv[2], 0, 16384, &w) || !parse_int(argv[3], 0, 16384, &h) ||
      (w == 0 && h == 0))
    return PA_CLI_USAGE;
  pa_error e;
  pa_image img;
  pa_status st = decode_file(argv[1], -1, 0, &img, &e);
  if (st != PA_OK) return pa_cli_fail(&e);
  /* A side of 0 follows the aspect ratio. */
  if (w == 0) w = (int)(((int64_t)img.width * h * 2 + img.height) / (2 * (int64_t)img.height));
  if (h == 0) h = (int)(((int64_t)img.height * w * 2 + img.width) / (2 * (int64_t)img.width));
  if (w < 1) w = 1;
  if (h < 1) h = 1;
  uint8_t *dst = malloc((size_t)w * (size_t)h * 4);
  st = dst ? pa_resize_pixels(img.rgba, img.width, img.height, 4, dst, w, h, &e)
           : pa_error_set(&e, PA_ERR_NOMEM, "out of memory");
  if (st == PA_OK) st = write_png(argv[4], dst, w, h, &e);
  if (st == PA_OK) {
    pa_image out = {w, h, 1, dst, NULL};
    printf("%dx%d -> %dx%d checksum %08x\n", img.width, img.height, w, h, pa_image_checksum(&out));
  }
  free(dst);
  pa_image_free(&img);
  return st == PA_OK ? PA_CLI_OK : pa_cli_fail(&e);
}

int pa_cli_image_hash(int argc, char **argv) {
  pa_error e;
  uint8_t hash[PA_THUMBHASH_MAX];
  size_t hash_len;
  char line[256];
  if (argc == 4 && !strcmp(argv[1], "--decode")) {
    uint8_t px[PA_THUMBHASH_SIDE * PA_THUMBHASH_SIDE * 4];
    int w, h;
    if (pa_thumbhash_from_base64(argv[2], hash, &hash_len, &e) != PA_OK ||
        pa_thumbhash_decode(hash, hash_len, px, &w, &h, &e) != PA_OK ||
        write_png(argv[3], px, w, h, &e) != PA_OK)
      return pa_cli_fail(&e);
  } else if (argc == 2) {
    pa_image img;
    pa_status st = decode_file(argv[1], 0, 0, &img, &e);
    if (st == PA_OK)
      st = pa_thumbhash_from_rgba(img.rgba, img.width, img.height, hash, &hash_len, &e);
    pa_image_free(&img);
    if (st != PA_OK) return pa_cli_fail(&e);
  } else {
    return PA_CLI_USAGE;
  }
  if (!pa_thumbhash_describe(hash, hash_len, line, sizeof line, &e)) return pa_cli_fail(&e);
  fputs(line, stdout);
  return PA_CLI_OK;
}

int pa_cli_image_prepare(int argc, char **argv) {
  if (argc < 3) return PA_CLI_USAGE;
  pa_upload_options opt = PA_UPLOAD_OPTIONS_DEFAULT;
  for (int i = 3; i < argc; i += 2) {
    if (i + 1 >= argc) return PA_CLI_USAGE;
    if (!strcmp(argv[i], "--max-edge")) {
      if (!parse_int(argv[i + 1], 16, 16384, &opt.max_edge)) return PA_CLI_USAGE;
    } else if (!strcmp(argv[i], "--quality")) {
      if (!parse_int(argv[i + 1], 1, 100, &opt.jpeg_quality)) return PA_CLI_USAGE;
    } else {
      return PA_CLI_USAGE;
    }
  }
  pa_error e;
  uint8_t *bytes;
  size_t len;
  pa_upload up;
  if (read_image(argv[1], &bytes, &len, &e) != PA_OK) return pa_cli_fail(&e);
  pa_status st = pa_upload_prepare(bytes, len, NULL, &opt, &up, &e);
  free(bytes);
  if (st != PA_OK) return pa_cli_fail(&e);
  st = write_file(argv[2], up.bytes, up.len, &e);
  if (st == PA_OK) {
    char line[256];
    pa_upload_describe(&up, line, sizeof line);
    fputs(line, stdout);
  }
  pa_upload_free(&up);
  return st == PA_OK ? PA_CLI_OK : pa_cli_fail(&e);
}

/* The server's limit for videos (web/src/media.h) is 50 MiB; scripts may pass larger files. */
enum { VIDEO_READ_MAX = 1 << 30 };

int pa_cli_video_scrub(int argc, char **argv) {
  if (argc != 3) return PA_CLI_USAGE;
  pa_error e;
  uint8_t *bytes;
  size_t len;
  pa_upload_scrub rep;
  if (pa_native_read_file(argv[1], VIDEO_READ_MAX, &bytes, &len, &e) != PA_OK)
    return pa_cli_fail(&e);
  pa_status st = pa_upload_scrub_video(bytes, len, &rep, &e);
  if (st == PA_OK) st = write_file(argv[2], bytes, len, &e);
  free(bytes);
  if (st != PA_OK) return pa_cli_fail(&e);
  char line[256];
  pa_upload_scrub_describe(&rep, line, sizeof line);
  fputs(line, stdout);
  return PA_CLI_OK;
}

/* Times the feed's path for each file: a full decode, and the decode +
 * downscale to `width` the decode worker does (pa_image_decode_fit). */
int pa_cli_image_bench(int argc, char **argv) {
  int iters = 20, width = 540, files = 0;
  char **names = calloc((size_t)argc, sizeof *names);
  if (!names) return PA_CLI_HOST;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--iters") && i + 1 < argc) {
      if (!parse_int(argv[++i], 1, 100000, &iters)) return free(names), PA_CLI_USAGE;
    } else if (!strcmp(argv[i], "--width") && i + 1 < argc) {
      if (!parse_int(argv[++i], 1, 16384, &width)) return free(names), PA_CLI_USAGE;
    } else {
      names[files++] = argv[i];
    }
  }
  if (files == 0) return free(names), PA_CLI_USAGE;
  double *decode = malloc(sizeof(double) * (size_t)iters),
         *fit = malloc(sizeof(double) * (size_t)iters);
  int rc = PA_CLI_OK;
  for (int f = 0; f < files && rc == PA_CLI_OK && decode && fit; f++) {
    pa_error e;
    uint8_t *bytes;
    size_t len;
    pa_image img;
    if (read_image(names[f], &bytes, &len, &e) != PA_OK) {
      rc = pa_cli_fail(&e);
      break;
    }
    int w = 0, h = 0, fw = 0, fh = 0;
    for (int k = 0; k < iters && rc == PA_CLI_OK; k++) {
      double t0 = pa_cli_now_ms();
      if (pa_image_decode(bytes, len, NULL, &img, &e) != PA_OK) rc = pa_cli_fail(&e);
      double t1 = pa_cli_now_ms();
      w = img.width, h = img.height;
      pa_image_free(&img);
      if (rc != PA_CLI_OK) break;
      double t2 = pa_cli_now_ms();
      if (pa_image_decode_fit(bytes, len, NULL, width, 0, &img, &e) != PA_OK) rc = pa_cli_fail(&e);
      double t3 = pa_cli_now_ms();
      fw = img.width, fh = img.height;
      pa_image_free(&img);
      decode[k] = t1 - t0, fit[k] = t3 - t2;
    }
    free(bytes);
    if (rc == PA_CLI_OK)
      printf("bench %s %dx%d decode_ms %.3f fit %dx%d decode_resize_ms %.3f iters %d\n", names[f],
             w, h, pa_cli_median(decode, iters), fw, fh, pa_cli_median(fit, iters), iters);
  }
  if (!decode || !fit) rc = PA_CLI_HOST;
  free(decode);
  free(fit);
  free(names);
  return rc;
}
