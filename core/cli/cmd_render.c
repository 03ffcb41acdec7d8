/* render: draw a feed with the software renderer into a PNG. */
#include "cli.h"
#include "pa/pa_app.h"
#include "pa/pa_feed.h"
#include "pa_native.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int pa_cli_render(int argc, char **argv) {
  if (argc < 3) return PA_CLI_USAGE;
  int width = 420, height = 900;
  float scale = 1, scroll = 0;
  const char *media = ".", *catalog = NULL;
  for (int i = 3; i < argc; i += 2) {
    if (i + 1 >= argc) return PA_CLI_USAGE;
    if (!strcmp(argv[i], "--width"))
      width = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--height"))
      height = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--scale"))
      scale = (float)atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--media"))
      media = argv[i + 1];
    else if (!strcmp(argv[i], "--scroll"))
      scroll = (float)atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--catalog"))
      catalog = argv[i + 1];
    else
      return PA_CLI_USAGE;
  }
  if (width < 1 || height < 1 || width > 8192 || height > 8192 || scale <= 0) return PA_CLI_USAGE;

  pa_error e;
  uint8_t *bytes = NULL;
  size_t len;
  pa_native_host *host = NULL;
  pa_app *app = NULL;
  pa_i18n_catalog *cat = NULL;
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
             pa_native_read_file(argv[1], PA_FEED_MAX_BYTES + 1, &bytes, &len, &e) != PA_OK ||
             (catalog && pa_native_catalog_load(catalog, &cat, &e) != PA_OK)) {
    rc = pa_cli_fail(&e);
  } else {
    pa_app_set_locale(app, cat, cat); /* the app's words, e.g. locales/ar.json */
    /* A bad feed still renders: the app draws its error state. */
    if (pa_app_feed_loaded(app, (const char *)bytes, len, PA_FEED_REPLACE, &e) != PA_OK)
      rc = pa_cli_fail(&e);
    double now = 1e3 * (double)time(NULL);
    pa_app_frame(app, now);
    pa_app_scroll(app, scroll);
    do pa_app_frame(app, now);
    while (pa_native_host_pump(host, app) > 0);
    pa_app_frame(app, now);
    if (pa_native_write_png(r, width, height, argv[2], &e) != PA_OK) rc = pa_cli_fail(&e);
  }
  free(bytes);
  pa_app_destroy(app);
  pa_i18n_catalog_free(cat);
  pa_native_host_destroy(host);
  if (r) SDL_DestroyRenderer(r);
  SDL_FreeSurface(surface);
  return rc;
}
