/* petamigos — the core's command-line shell, as sqlite3 is SQLite's: each
 * module exposed for scripting, debugging and benchmarks. */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pa/pa_app.h"
#include "pa/pa_feed.h"
#include "pa/pa_image.h"
#include "pa_native.h"

static int usage(void) {
  fputs("usage: petamigos COMMAND [ARGS]\n"
        "  version                       print the core's version\n"
        "  feed-parse FILE               parse a feed page (JSON); print what was understood\n"
        "  image-info FILE               probe and decode an image; print size and checksum\n"
        "  render FEED OUT.png [--width W] [--height H] [--scale S] [--media DIR] [--scroll Y]\n"
        "                                draw a feed with the software renderer; image URLs\n"
        "                                /media/NAME are read from DIR/NAME\n"
        "exit status: 0 ok, 1 usage, 2 bad input, 3 host failure\n",
        stderr);
  return 1;
}

static int fail(const pa_error *e) {
  fprintf(stderr, "error (%s): %s\n", pa_status_name(e->code), e->msg);
  return e->code == PA_ERR_PLATFORM || e->code == PA_ERR_NOMEM ? 3 : 2;
}

static int cmd_feed_parse(const char *path) {
  pa_error e;
  uint8_t *bytes;
  size_t len;
  pa_feed *feed;
  if (pa_native_read_file(path, PA_FEED_MAX_BYTES + 1, &bytes, &len, &e) != PA_OK) return fail(&e);
  pa_status st = pa_feed_parse((const char *)bytes, len, &feed, &e);
  free(bytes);
  if (st != PA_OK) return fail(&e);
  size_t need = pa_feed_describe(feed, NULL, 0);
  char *text = malloc(need + 1);
  if (text) {
    pa_feed_describe(feed, text, need + 1);
    fputs(text, stdout);
  }
  free(text);
  pa_feed_free(feed);
  return text ? 0 : 3;
}

static int cmd_image_info(const char *path) {
  pa_error e;
  uint8_t *bytes;
  size_t len;
  pa_image_info info;
  pa_image img;
  pa_image_limits lim = PA_IMAGE_LIMITS_DEFAULT;
  if (pa_native_read_file(path, lim.max_bytes, &bytes, &len, &e) != PA_OK) return fail(&e);
  pa_status st = pa_image_probe(bytes, len, &info, &e);
  if (st == PA_OK) st = pa_image_decode(bytes, len, &lim, &img, &e);
  free(bytes);
  if (st != PA_OK) return fail(&e);
  printf("%s %dx%d rgba checksum %08x\n", pa_image_format_name(info.format), img.width,
         img.height, pa_image_checksum(&img));
  pa_image_free(&img);
  return 0;
}

static int cmd_render(int argc, char **argv) {
  if (argc < 4) return usage();
  int width = 420, height = 900;
  float scale = 1, scroll = 0;
  const char *media = ".";
  for (int i = 4; i < argc; i += 2) {
    if (i + 1 >= argc) return usage();
    if (!strcmp(argv[i], "--width")) width = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--height")) height = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--scale")) scale = (float)atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--media")) media = argv[i + 1];
    else if (!strcmp(argv[i], "--scroll")) scroll = (float)atof(argv[i + 1]);
    else return usage();
  }
  if (width < 1 || height < 1 || width > 8192 || height > 8192 || scale <= 0) return usage();

  pa_error e;
  uint8_t *bytes = NULL;
  size_t len;
  pa_native_host *host = NULL;
  pa_app *app = NULL;
  SDL_Surface *surface =
      SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ABGR8888);
  SDL_Renderer *r = surface ? SDL_CreateSoftwareRenderer(surface) : NULL;
  int rc = 0;
  if (!r) {
    fprintf(stderr, "error (platform): %s\n", SDL_GetError());
    rc = 3;
  } else if (pa_native_host_create(media, &host, &e) != PA_OK ||
             pa_app_create(&(pa_app_config){pa_native_host_platform(host), r, width, height, scale},
                           &app, &e) != PA_OK ||
             pa_native_read_file(argv[2], PA_FEED_MAX_BYTES + 1, &bytes, &len, &e) != PA_OK) {
    rc = fail(&e);
  } else {
    /* A bad feed still renders: the app draws its error state. */
    if (pa_app_feed_loaded(app, (const char *)bytes, len, &e) != PA_OK) rc = fail(&e);
    double now = 1e3 * (double)time(NULL);
    pa_app_frame(app, now);
    pa_app_scroll(app, scroll);
    do pa_app_frame(app, now);
    while (pa_native_host_pump(host, app) > 0);
    pa_app_frame(app, now);
    if (pa_native_write_png(r, width, height, argv[3], &e) != PA_OK) rc = fail(&e);
  }
  free(bytes);
  pa_app_destroy(app);
  pa_native_host_destroy(host);
  if (r) SDL_DestroyRenderer(r);
  SDL_FreeSurface(surface);
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage();
  if (!strcmp(argv[1], "version")) {
    printf("petamigos %s\n", pa_version());
    return 0;
  }
  if (!strcmp(argv[1], "feed-parse") && argc == 3) return cmd_feed_parse(argv[2]);
  if (!strcmp(argv[1], "image-info") && argc == 3) return cmd_image_info(argv[2]);
  if (!strcmp(argv[1], "render")) return cmd_render(argc, argv);
  return usage();
}
