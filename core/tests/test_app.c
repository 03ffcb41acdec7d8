/* Renders real feeds through the software renderer and reads the pixels back. */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pa/pa_app.h"
#include "pa_native.h"
#include "pa_test.h"

enum { W = 400, H = 900 };

typedef struct fixture {
  char dir[64];
  SDL_Surface *surface;
  SDL_Renderer *renderer;
  pa_native_host *host;
  pa_app *app;
  uint8_t px[W * H * 4];
} fixture;

static const double NOW = 1795496400e3; /* 2026-11-24T05:00:00Z */

static const char *FEED =
    "{\"posts\":["
    "{\"id\":\"p_2\",\"author\":{\"id\":\"u_1\",\"name\":\"Ana Souza\",\"avatar_url\":null},"
    "\"pet\":{\"id\":\"pet_1\",\"name\":\"Luna\",\"species\":\"cat\",\"avatar_url\":\"/media/avatar.png\"},"
    "\"images\":[{\"url\":\"/media/photo.jpg\",\"width\":128,\"height\":128,\"alt\":\"Luna\"}],"
    "\"caption\":\"Sunday nap in the sun #sleepy\",\"tags\":[\"sleepy\"],"
    "\"like_count\":12,\"comment_count\":3,\"liked\":true,\"created_at\":\"2026-11-24T02:00:00Z\"},"
    "{\"id\":\"p_1\",\"author\":{\"id\":\"u_2\",\"name\":\"Kenji\",\"avatar_url\":null},"
    "\"pet\":{\"id\":\"pet_2\",\"name\":\"Mochi\",\"species\":\"dog\",\"avatar_url\":null},"
    "\"images\":[{\"url\":\"/media/missing.jpg\",\"width\":640,\"height\":640,\"alt\":\"\"}],"
    "\"caption\":\"Beach day\",\"tags\":[],\"like_count\":0,\"comment_count\":0,\"liked\":false,"
    "\"created_at\":\"2026-11-20T05:00:00Z\"}],\"next_cursor\":null}";

static void write_file(const char *dir, const char *name, const uint8_t *b, size_t n) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  fwrite(b, 1, n, f);
  fclose(f);
}

static void setup(fixture *fx) {
  memset(fx, 0, sizeof *fx);
  snprintf(fx->dir, sizeof fx->dir, "/tmp/pa_test_app_XXXXXX");
  CHECK(mkdtemp(fx->dir) != NULL);
  size_t len;
  uint8_t *jpg = pa_test_encode(0, 128, 128, &len);
  write_file(fx->dir, "photo.jpg", jpg, len);
  free(jpg);
  uint8_t *png = pa_test_encode(1, 64, 64, &len);
  write_file(fx->dir, "avatar.png", png, len);
  free(png);
  fx->surface = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_ABGR8888);
  fx->renderer = SDL_CreateSoftwareRenderer(fx->surface);
  pa_error e;
  CHECK(pa_native_host_create(fx->dir, &fx->host, &e) == PA_OK);
  pa_app_config cfg = {pa_native_host_platform(fx->host), fx->renderer, W, H, 1.0f};
  CHECK(pa_app_create(&cfg, &fx->app, &e) == PA_OK);
}

static void settle(fixture *fx) {
  do pa_app_frame(fx->app, NOW);
  while (pa_native_host_pump(fx->host, fx->app) > 0);
  pa_app_frame(fx->app, NOW);
  pa_error e;
  CHECK(pa_native_read_pixels(fx->renderer, W, H, fx->px, &e) == PA_OK);
  /* PA_TEST_DUMP=DIR keeps each settled frame as a PNG to look at. */
  const char *dump = getenv("PA_TEST_DUMP");
  if (dump) {
    static int n;
    char path[256];
    snprintf(path, sizeof path, "%s/app-%02d.png", dump, n++);
    CHECK(pa_native_write_png(fx->renderer, W, H, path, &e) == PA_OK);
  }
}

static void teardown(fixture *fx) {
  pa_app_destroy(fx->app);
  pa_native_host_destroy(fx->host);
  SDL_DestroyRenderer(fx->renderer);
  SDL_FreeSurface(fx->surface);
  char cmd[96];
  snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
  CHECK(system(cmd) == 0);
}

static const uint8_t *pixel(fixture *fx, int x, int y) { return &fx->px[(y * W + x) * 4]; }

/* Counts pixels in a box darker than a threshold: text and icons. */
static int dark_pixels(fixture *fx, int x0, int y0, int x1, int y1) {
  int n = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++) {
      const uint8_t *p = pixel(fx, x, y);
      n += p[0] + p[1] + p[2] < 300;
    }
  return n;
}

static char *mirror(fixture *fx) {
  size_t n = pa_app_mirror_json(fx->app, NULL, 0);
  char *s = malloc(n + 1);
  pa_app_mirror_json(fx->app, s, n + 1);
  return s;
}

static void test_draws_posts(void) {
  fixture *fx = malloc(sizeof *fx);
  setup(fx);
  pa_error e;
  uint32_t rev = pa_app_mirror_revision(fx->app);
  CHECK(pa_app_feed_loaded(fx->app, FEED, strlen(FEED), &e) == PA_OK);
  CHECK(pa_app_mirror_revision(fx->app) != rev);
  settle(fx);
  /* Card 1: header at y 14..74, a 400 px square image below it. */
  const uint8_t *red = pixel(fx, 100, 74 + 100), *green = pixel(fx, 300, 74 + 100);
  const uint8_t *blue = pixel(fx, 100, 74 + 300), *yellow = pixel(fx, 300, 74 + 300);
  CHECK(red[0] > 180 && red[1] < 90 && red[2] < 90);
  CHECK(green[1] > 160 && green[0] < 90);
  CHECK(blue[2] > 180 && blue[0] < 90);
  CHECK(yellow[0] > 200 && yellow[1] > 180 && yellow[2] < 90);
  CHECK(dark_pixels(fx, 64, 20, 300, 70) > 60);   /* pet name and byline */
  CHECK(dark_pixels(fx, 12, 520, 380, 545) > 60); /* caption */
  /* The avatar disc shows the PNG's red quadrant at its upper left. */
  const uint8_t *av = pixel(fx, 12 + 12, 14 + 18);
  CHECK(av[0] > 180 && av[1] < 90);
  /* Liked: the heart is filled with the like colour. */
  const uint8_t *heart = pixel(fx, 24, 74 + 400 + 22);
  CHECK(heart[0] > 200 && heart[1] < 80);

  char *m = mirror(fx);
  CHECK_CONTAINS(m, "\"state\":\"ready\"");
  CHECK_CONTAINS(m, "\"title\":\"Luna the cat, posted by Ana Souza 3 hours ago\"");
  CHECK_CONTAINS(m, "\"caption\":\"Sunday nap in the sun #sleepy\"");
  CHECK_CONTAINS(m, "\"title\":\"Mochi the dog, posted by Kenji 4 days ago\"");
  free(m);
  teardown(fx);
  free(fx);
}

static void test_bad_refresh_keeps_posts(void) {
  fixture *fx = malloc(sizeof *fx);
  setup(fx);
  pa_error e;
  CHECK(pa_app_feed_loaded(fx->app, FEED, strlen(FEED), &e) == PA_OK);
  settle(fx);
  CHECK(pa_app_feed_loaded(fx->app, FEED, strlen(FEED) / 2, &e) == PA_ERR_TRUNCATED);
  settle(fx);
  char *m = mirror(fx);
  CHECK_CONTAINS(m, "\"state\":\"error\"");
  CHECK_CONTAINS(m, "The feed could not be read");
  CHECK_CONTAINS(m, "Sunday nap in the sun"); /* nothing the user saw is lost */
  free(m);
  /* The error banner sits over the top of the column. */
  const uint8_t *banner = pixel(fx, 5, 4);
  CHECK(banner[0] > 240 && banner[1] < 240 && banner[2] < 240);
  teardown(fx);
  free(fx);
}

static void test_broken_first_load_shows_error(void) {
  fixture *fx = malloc(sizeof *fx);
  setup(fx);
  pa_error e;
  const char *broken = "{\"posts\":[{\"id\":\"p_1\",\"author\":";
  CHECK(pa_app_feed_loaded(fx->app, broken, strlen(broken), &e) != PA_OK);
  settle(fx);
  char *m = mirror(fx);
  CHECK_CONTAINS(m, "\"state\":\"error\"");
  CHECK_CONTAINS(m, "\"posts\":[]");
  free(m);
  CHECK(dark_pixels(fx, 0, 250, W, 340) > 100); /* "Something went wrong" */
  pa_app_feed_failed(fx->app, "You are offline.");
  m = mirror(fx);
  CHECK_CONTAINS(m, "You are offline.");
  free(m);
  teardown(fx);
  free(fx);
}

static void test_scroll_clamps_and_paints(void) {
  fixture *fx = malloc(sizeof *fx);
  setup(fx);
  pa_error e;
  CHECK(pa_app_feed_loaded(fx->app, FEED, strlen(FEED), &e) == PA_OK);
  settle(fx);
  pa_app_scroll(fx->app, -500);
  settle(fx);
  const uint8_t *red = pixel(fx, 100, 174);
  CHECK(red[0] > 180 && red[1] < 90); /* cannot scroll above the top */
  pa_app_key(fx->app, PA_KEY_END);
  settle(fx);
  /* At the end, the second card's caption is on screen near the bottom and the
   * failed image says so instead of crashing. */
  CHECK(dark_pixels(fx, 0, H - 120, W, H) > 40);
  /* Keyboard focus brings a post into view and rings it. */
  pa_app_focus_post(fx->app, 0);
  settle(fx);
  const uint8_t *ring = pixel(fx, 1, 200);
  CHECK(ring[1] > ring[0] + 40); /* the accent is teal */
  CHECK(pixel(fx, 100, 174)[0] > 180);
  pa_app_focus_post(fx->app, 99); /* out of range: no focus, no crash */
  pa_app_resize(fx->app, 300, 600, 2.0f);
  pa_app_frame(fx->app, NOW);
  teardown(fx);
  free(fx);
}

int main(void) {
  if (SDL_Init(0) != 0) return 1;
  RUN(test_draws_posts);
  RUN(test_bad_refresh_keeps_posts);
  RUN(test_broken_first_load_shows_error);
  RUN(test_scroll_clamps_and_paints);
  SDL_Quit();
  return pa_test_summary("app");
}
