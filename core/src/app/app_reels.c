/* Reels: a vertical swipe viewer. The browser decodes the video in its own
 * element, which the core places, preloads and mutes through the platform;
 * the core draws the poster under it and the overlays. */
#include "app_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SWIPE = 60 };

void app_reels_free(pa_app *a) {
  for (int i = 0; i < a->reel_page_count; i++) pa_reels_free(a->reel_pages[i]);
  free(a->reel_pages);
  free(a->reels);
  a->reel_pages = NULL;
  a->reels = NULL;
  a->reel_page_count = a->reel_page_cap = a->reel_count = a->reel_cap = 0;
}

/* The reel on screen is left (swiped, closed, replaced): how much of it was
 * watched teaches the ranker about its author. Nothing if no frame played. */
static void leave_reel(pa_app *a) {
  const pa_reel *r = a->reels_open && a->reel < a->reel_count ? a->reels[a->reel] : NULL;
  if (r && r->author.id && a->reel_watched >= 0)
    app_act_value(a, PA_ACTION_WATCHED, r->author.id, a->reel_watched);
  a->reel_watched = -1;
  a->reel_position = 0;
}

void pa_app_video_progress(pa_app *a, double position_s, double duration_s) {
  if (!a->reels_open || !(duration_s > 0) || !(position_s >= 0)) return;
  double f = fmin(1.0, position_s / duration_s);
  /* Back near the start: it looped, so all of it was seen. */
  bool looped = position_s + 0.5 < a->reel_position && a->reel_watched > 0.5;
  a->reel_watched = looped ? 1.0 : fmax(a->reel_watched, f);
  a->reel_position = position_s;
}

pa_status pa_app_reels_loaded(pa_app *a, const char *json, size_t len, pa_feed_mode mode,
                              pa_error *err) {
  pa_error local;
  pa_error *e = err ? err : &local;
  pa_reels *page;
  a->reels_loading = false;
  pa_status st = pa_reels_parse(json, len, &page, e);
  if (st != PA_OK) {
    app_log(a, "reels rejected: %s", e->msg);
    return st;
  }
  if (mode == PA_FEED_REPLACE) {
    leave_reel(a);
    app_reels_free(a);
    a->reel = 0;
  }
  int n = pa_reels_count(page);
  if (!app_grow((void **)&a->reel_pages, &a->reel_page_cap, a->reel_page_count + 1,
                sizeof *a->reel_pages) ||
      !app_grow((void **)&a->reels, &a->reel_cap, a->reel_count + n, sizeof *a->reels)) {
    pa_reels_free(page);
    return pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  }
  a->reel_pages[a->reel_page_count++] = page;
  for (int i = 0; i < n; i++) a->reels[a->reel_count++] = pa_reels_at(page, i);
  a->mirror_revision++;
  return PA_OK;
}

static const char *next_cursor(const pa_app *a) {
  return a->reel_page_count ? pa_reels_next_cursor(a->reel_pages[a->reel_page_count - 1]) : NULL;
}

void pa_app_open_reels(pa_app *a) {
  if (!a->reels_open) a->reel_watched = -1, a->reel_position = 0;
  a->reels_open = true;
  a->muted = true; /* browsers only autoplay muted; a tap turns sound on */
  if (!a->reel_count && !a->reels_loading) {
    a->reels_loading = true;
    app_act(a, PA_ACTION_LOAD_REELS, NULL);
  }
  a->mirror_revision++;
}

static void go(pa_app *a, int dir) {
  int k = a->reel + dir;
  if (k >= 0 && k < a->reel_count && k != a->reel) {
    leave_reel(a);
    a->reel = k;
  }
  /* Near the end, fetch the next page. */
  if (a->reel + 3 >= a->reel_count && next_cursor(a) && !a->reels_loading) {
    a->reels_loading = true;
    app_act(a, PA_ACTION_LOAD_REELS, next_cursor(a));
  }
  a->mirror_revision++;
}

static void close_reels(pa_app *a) {
  leave_reel(a);
  a->reels_open = false;
  a->mirror_revision++;
}

void pa_app_video_playing(pa_app *a, int playing) { a->video_playing = playing && a->reels_open; }

bool app_reels_key(pa_app *a, pa_key key) {
  if (!a->reels_open) return false;
  switch (key) {
  case PA_KEY_ESCAPE: close_reels(a); break;
  case PA_KEY_DOWN:
  case PA_KEY_PAGE_DOWN:
  case PA_KEY_RIGHT: go(a, 1); break;
  case PA_KEY_UP:
  case PA_KEY_PAGE_UP:
  case PA_KEY_LEFT: go(a, -1); break;
  case PA_KEY_MUTE:
  case PA_KEY_PAUSE:
    a->muted = !a->muted;
    a->mirror_revision++;
    break;
  default: break;
  }
  return true;
}

/* A vertical swipe moves between reels; a tap toggles sound; the top corner
 * on the start side (left, or right in RTL) closes. */
bool app_reels_input(pa_app *a, pa_pointer_phase phase, float x, float y, double t) {
  if (!a->reels_open) return false;
  if (phase != PA_POINTER_UP) return true;
  float dy = y - a->ptr.y0;
  if (fabsf(dy) > app_px(a, SWIPE))
    go(a, dy < 0 ? 1 : -1);
  else if ((a->rtl ? (float)a->width - x : x) < app_px(a, 56) && y < app_px(a, 56))
    close_reels(a);
  else {
    a->muted = !a->muted;
    a->mirror_revision++;
  }
  return true;
}

/* The stage for the current reel: 9:16 fitted into the screen. */
static void stage(const pa_app *a, float *x, float *y, float *w, float *h) {
  float W = (float)a->width, H = (float)a->height;
  *h = H;
  *w = fminf(W, H * 9.0f / 16.0f);
  *x = (W - *w) / 2;
  *y = 0;
}

static void send_video(pa_app *a, const pa_video *v) {
  const pa_video *o = &a->video_sent;
  bool same_url = (!v->url && !o->url) || (v->url && o->url && !strcmp(v->url, a->video_url));
  if (same_url && v->x == o->x && v->y == o->y && v->w == o->w && v->h == o->h &&
      v->muted == o->muted && ((v->next_url == NULL) == (o->next_url == NULL)))
    return;
  if (!same_url) a->video_playing = false; /* a new video shows nothing yet */
  if (a->platform.video) a->platform.video(a->platform.user, v);
  a->video_sent = *v;
  snprintf(a->video_url, sizeof a->video_url, "%s", v->url ? v->url : "");
  a->video_sent.url = v->url ? a->video_url : NULL;
  a->video_sent.next_url = v->next_url ? "" : NULL; /* only whether there was one */
}

void app_paint_reels(pa_app *a) {
  float W = (float)a->width, H = (float)a->height;
  if (!a->reels_open) {
    if (a->video_sent.url) send_video(a, &(pa_video){0});
    return;
  }
  pa_draw_rect(a->draw, 0, 0, W, H, 0x000000ff);
  if (a->reel >= a->reel_count) {
    pa_text_style ts = app_style(a, 15, 0, 0xddddddff, W, 2);
    char msg[128];
    APP_T(a, msg, sizeof msg, a->reels_loading ? "reel.loading" : "reel.empty");
    app_text_at(a, msg, &ts, (W - app_text_width(a, msg, &ts)) / 2, H / 2);
    send_video(a, &(pa_video){0});
    return;
  }
  const pa_reel *r = a->reels[a->reel];
  float x, y, w, h;
  stage(a, &x, &y, &w, &h);
  const char *next = a->reel + 1 < a->reel_count ? a->reels[a->reel + 1]->video.url : NULL;
  send_video(a, &(pa_video){r->video.url, next, x, y, w, h, a->muted, 1});
  image_slot *poster = app_want_image(a, r->poster.url, w, h);
  if (a->video_playing)
    pa_draw_punch(a->draw, x, y, w, h);
  else if (poster && poster->state == IMG_READY)
    pa_draw_cover(a->draw, poster->texture, poster->width, poster->height, x, y, w, h);
  if (a->reel + 1 < a->reel_count) app_want_image(a, a->reels[a->reel + 1]->poster.url, w, h);

  /* Overlays: who, what, and the sound state, over a shade for contrast. */
  pa_draw_rect(a->draw, x, y + h - app_px(a, 120), w, app_px(a, 120), 0x00000088);
  float pad = app_px(a, 14);
  /* Who and what on the start side; position and sound on the end side. */
  pa_text_style name = app_user_style(a, 15, 1, 0xffffffff, w - 2 * pad, 1);
  app_text_start(a, r->pet.name, &name, x + pad, w - 2 * pad, y + h - app_px(a, 104));
  pa_text_style cap = app_user_style(a, 14, 0, 0xf0f0f0ff, w - 2 * pad, 3);
  app_text_start(a, r->caption, &cap, x + pad, w - 2 * pad, y + h - app_px(a, 80));
  pa_text_style small = app_style(a, 13, 1, 0xffffffff, w / 2, 1);
  char text[128];
  APP_TA(a, text, sizeof text, "reel.position", PA_MSG_INT("index", a->reel + 1),
         PA_MSG_INT("total", a->reel_count));
  float tw = app_text_width(a, text, &small);
  app_text_at(a, text, &small, app_mx(a, x + w - pad - tw, tw, x, w), y + pad);
  APP_T(a, text, sizeof text, a->muted ? "reel.soundOffHint" : "reel.soundOn");
  tw = app_text_width(a, text, &small);
  app_text_at(a, text, &small, app_mx(a, x + w - pad - tw, tw, x, w), y + pad + app_px(a, 22));
  app_text_start(a, APP_T(a, text, sizeof text, "reel.back"), &small, x + pad, w - 2 * pad,
                 y + pad);
}

void app_reels_mirror(pa_app *a, void *root_) {
  if (!a->reels_open) return;
  cJSON *o = cJSON_AddObjectToObject(root_, "viewer");
  cJSON_AddStringToObject(o, "kind", "reel");
  char label[512], species[64];
  if (a->reel < a->reel_count) {
    const pa_reel *r = a->reels[a->reel];
    APP_TA(a, species, sizeof species, "pet.species", PA_MSG_STR("species", r->pet.species));
    APP_TA(a, label, sizeof label, "reel.viewerLabel", PA_MSG_INT("index", a->reel + 1),
           PA_MSG_INT("total", a->reel_count),
           PA_MSG_STR("more", next_cursor(a) ? "true" : "false"), PA_MSG_STR("pet", r->pet.name),
           PA_MSG_STR("species", species), PA_MSG_STR("author", r->author.name));
    cJSON_AddStringToObject(o, "id", r->id);
    cJSON_AddStringToObject(o, "caption", r->caption);
  } else {
    APP_T(a, label, sizeof label, a->reels_loading ? "reel.loading" : "reel.empty");
  }
  cJSON_AddStringToObject(o, "label", label);
  cJSON_AddBoolToObject(o, "muted", a->muted);
}
