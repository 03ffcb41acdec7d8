/* Reels: a vertical swipe viewer. The browser decodes the video in its own
 * element, which the core places, preloads and mutes through the platform;
 * the core draws the poster under it and the overlays. A sponsored reel
 * (issue 21: GET /reels carries them, at most one in five) is labelled
 * "Sponsored" with "Why am I seeing this?" and its link as a button; its
 * impression is counted by the feed's rule (pa_app.h: half of it on screen
 * for PA_APP_AD_VIEW_MS of the host's clock), its click when the link is
 * activated. */
#include "app_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SWIPE = 60 };

/* The loaded pages and the viewer (open: screen.open). */
struct app_reels {
  app_screen screen;
  pa_reels **reel_pages;
  int reel_page_count, reel_page_cap;
  const pa_reel **reels;
  int reel_count, reel_cap;
  bool reels_loading, muted, video_playing;
  int reel;
  double reel_watched, reel_position; /* fraction of the current reel seen (-1: nothing yet) */
  pa_video video_sent;                /* what the host last heard, to call it only on change */
  char video_url[PA_FEED_MAX_URL + 1];
  /* The impression of reel ad_reel (an ad): on screen since ad_since, seen
   * so in frame ad_frame (0: not; a frame without it breaks the time);
   * ad_wake when it falls due (0: none); ad_done once counted. */
  int ad_reel;
  double ad_since, ad_wake;
  uint64_t ad_frame;
  bool ad_done;
  /* The current ad's link button and "why" words this frame, for taps (w 0: none). */
  struct {
    float x, y, w, h;
  } cta, why;
};

static void free_reels(pa_app *a) {
  for (int i = 0; i < a->reels->reel_page_count; i++) pa_reels_free(a->reels->reel_pages[i]);
  free(a->reels->reel_pages);
  free(a->reels->reels);
  a->reels->reel_pages = NULL;
  a->reels->reels = NULL;
  a->reels->reel_page_count = a->reels->reel_page_cap = a->reels->reel_count = a->reels->reel_cap =
      0;
}

/* The reel on screen is left (swiped, closed, replaced): how much of it was
 * watched teaches the ranker about its author. Nothing if no frame played. */
static void leave_reel(pa_app *a) {
  const pa_reel *r = a->reels->screen.open && a->reels->reel < a->reels->reel_count
                         ? a->reels->reels[a->reels->reel]
                         : NULL;
  if (r && r->author.id && a->reels->reel_watched >= 0)
    app_act_value(a, PA_ACTION_WATCHED, r->author.id, a->reels->reel_watched);
  a->reels->reel_watched = -1;
  a->reels->reel_position = 0;
}

void pa_app_video_progress(pa_app *a, double position_s, double duration_s) {
  if (!a->reels->screen.open || !(duration_s > 0) || !(position_s >= 0)) return;
  double f = fmin(1.0, position_s / duration_s);
  /* Back near the start: it looped, so all of it was seen. */
  bool looped = position_s + 0.5 < a->reels->reel_position && a->reels->reel_watched > 0.5;
  a->reels->reel_watched = looped ? 1.0 : fmax(a->reels->reel_watched, f);
  a->reels->reel_position = position_s;
}

pa_status pa_app_reels_loaded(pa_app *a, const char *json, size_t len, pa_feed_mode mode,
                              pa_error *err) {
  pa_error local;
  pa_error *e = err ? err : &local;
  pa_reels *page;
  a->reels->reels_loading = false;
  pa_status st = pa_reels_parse(json, len, &page, e);
  if (st != PA_OK) {
    app_log(a, "reels rejected: %s", e->msg);
    return st;
  }
  if (mode == PA_FEED_REPLACE) {
    leave_reel(a);
    free_reels(a);
    a->reels->reel = 0;
  }
  int n = pa_reels_count(page);
  if (!app_grow((void **)&a->reels->reel_pages, &a->reels->reel_page_cap,
                a->reels->reel_page_count + 1, sizeof *a->reels->reel_pages) ||
      !app_grow((void **)&a->reels->reels, &a->reels->reel_cap, a->reels->reel_count + n,
                sizeof *a->reels->reels)) {
    pa_reels_free(page);
    return pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  }
  a->reels->reel_pages[a->reels->reel_page_count++] = page;
  for (int i = 0; i < n; i++) a->reels->reels[a->reels->reel_count++] = pa_reels_at(page, i);
  a->mirror_revision++;
  return PA_OK;
}

static const char *next_cursor(const pa_app *a) {
  return a->reels->reel_page_count
             ? pa_reels_next_cursor(a->reels->reel_pages[a->reels->reel_page_count - 1])
             : NULL;
}

void pa_app_open_reels(pa_app *a) {
  if (!a->reels->screen.open) a->reels->reel_watched = -1, a->reels->reel_position = 0;
  a->reels->screen.open = true;
  a->reels->muted = true; /* browsers only autoplay muted; a tap turns sound on */
  if (!a->reels->reel_count && !a->reels->reels_loading) {
    a->reels->reels_loading = true;
    app_act(a, PA_ACTION_LOAD_REELS, NULL);
  }
  a->mirror_revision++;
}

static void go(pa_app *a, int dir) {
  int k = a->reels->reel + dir;
  if (k >= 0 && k < a->reels->reel_count && k != a->reels->reel) {
    leave_reel(a);
    a->reels->reel = k;
  }
  /* Near the end, fetch the next page. */
  if (a->reels->reel + 3 >= a->reels->reel_count && next_cursor(a) && !a->reels->reels_loading) {
    a->reels->reels_loading = true;
    app_act(a, PA_ACTION_LOAD_REELS, next_cursor(a));
  }
  a->mirror_revision++;
}

static void close_reels(pa_app *a) {
  leave_reel(a);
  a->reels->screen.open = false;
  a->mirror_revision++;
}

void pa_app_video_playing(pa_app *a, int playing) {
  a->reels->video_playing = playing && a->reels->screen.open;
}

static void reels_key(pa_app *a, app_screen *s, pa_key key) {
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
    a->reels->muted = !a->reels->muted;
    a->mirror_revision++;
    break;
  default: break;
  }
}

/* Whether (x, y) falls in box b (w 0: no box). */
#define IN_BOX(b, px_, py_)                                                                        \
  ((b).w > 0 && (px_) >= (b).x && (px_) < (b).x + (b).w && (py_) >= (b).y && (py_) < (b).y + (b).h)

/* A vertical swipe moves between reels; a tap toggles sound; the top corner
 * on the start side (left, or right in RTL) closes; on an ad, a tap on its
 * link button is its click and on "why" asks the host to say why. */
static void reels_input(pa_app *a, app_screen *s, pa_pointer_phase phase, float x, float y,
                        double t) {
  app_track_pointer(a, phase);
  if (phase != PA_POINTER_UP) return;
  float dy = y - a->ptr.y0;
  const pa_reel *r = a->reels->reel < a->reels->reel_count ? a->reels->reels[a->reels->reel] : NULL;
  if (fabsf(dy) > app_px(a, SWIPE))
    go(a, dy < 0 ? 1 : -1);
  else if (r && r->ad_token && IN_BOX(a->reels->cta, x, y))
    app_act(a, PA_ACTION_AD_CLICK, r->ad_token);
  else if (r && r->ad_token && IN_BOX(a->reels->why, x, y))
    app_act(a, PA_ACTION_WHY, r->id);
  else if ((a->rtl ? (float)a->width - x : x) < app_px(a, 56) && y < app_px(a, 56))
    close_reels(a);
  else {
    a->reels->muted = !a->reels->muted;
    a->mirror_revision++;
  }
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
  const pa_video *o = &a->reels->video_sent;
  bool same_url =
      (!v->url && !o->url) || (v->url && o->url && !strcmp(v->url, a->reels->video_url));
  if (same_url && v->x == o->x && v->y == o->y && v->w == o->w && v->h == o->h &&
      v->muted == o->muted && ((v->next_url == NULL) == (o->next_url == NULL)))
    return;
  if (!same_url) a->reels->video_playing = false; /* a new video shows nothing yet */
  if (a->platform.video) a->platform.video(a->platform.user, v);
  a->reels->video_sent = *v;
  snprintf(a->reels->video_url, sizeof a->reels->video_url, "%s", v->url ? v->url : "");
  a->reels->video_sent.url = v->url ? a->reels->video_url : NULL;
  a->reels->video_sent.next_url = v->next_url ? "" : NULL; /* only whether there was one */
}

/* The impression rule for the reel on screen this frame (the feed's, with
 * the stage for the card): visible px of its stage of height h, shown (not
 * covered, the app not hidden). Hands the impression over once. */
static void ad_step(pa_app *a, const pa_reel *r, float visible, float h, bool shown) {
  app_reels *rs = a->reels;
  if (!r->ad_token || !shown || !pa_app_ad_in_view(visible, h)) {
    rs->ad_frame = 0;
    return;
  }
  if (rs->ad_reel != rs->reel) { /* another reel: its own time */
    rs->ad_reel = rs->reel;
    rs->ad_done = false;
    rs->ad_frame = 0;
  }
  if (rs->ad_done) return;
  double now = a->now_ms;
  /* A new stretch: first seen, a frame went by without it, or the clock went back. */
  if (rs->ad_frame == 0 || rs->ad_frame + 1 != a->frame || now < rs->ad_since) rs->ad_since = now;
  rs->ad_frame = a->frame;
  if (now - rs->ad_since < PA_APP_AD_VIEW_MS) {
    rs->ad_wake = rs->ad_since + PA_APP_AD_VIEW_MS;
    return;
  }
  rs->ad_done = true;
  app_ad_impression(a, r->ad_token);
}

void app_reels_hidden(pa_app *a) {
  a->reels->ad_frame = 0;
  a->reels->ad_wake = 0;
}

/* Only a time still to come (as app_feed_wake). */
double app_reels_wake(const pa_app *a) {
  return a->reels->ad_wake > a->now_ms ? a->reels->ad_wake : 0;
}

/* An ad's overlay over the shade's top, from base up: "Sponsored" and "Why
 * am I seeing this?" on one line, its link as a button above when it has
 * one. The boxes are kept for taps. */
static void paint_ad(pa_app *a, const pa_reel *r, float x, float w, float base) {
  app_reels *rs = a->reels;
  float pad = app_px(a, 14);
  char text[384], host[256];
  pa_text_style st = app_style(a, 13, 1, 0xffffffff, w / 2 - pad, 1);
  float ly = base - app_px(a, 30);
  app_text_start(a, APP_T(a, text, sizeof text, "rank.sponsored"), &st, x + pad, w / 2 - pad, ly);
  APP_T(a, text, sizeof text, "rank.whyButton");
  float tw = app_text_width(a, text, &st);
  float wx = app_mx(a, x + w - pad - tw, tw, x, w);
  app_text_at(a, text, &st, wx, ly);
  pa_draw_rect(a->draw, wx, ly + app_px(a, 19), tw, app_px(a, 1), 0xffffffff); /* a link's line */
  rs->why.x = wx - app_px(a, 6), rs->why.y = ly - app_px(a, 8);
  rs->why.w = tw + app_px(a, 12), rs->why.h = app_px(a, 36);
  rs->cta.w = 0;
  if (!r->ad_link || !r->ad_link[0]) return;
  /* "Visit shop.example": the host part of the https link the parser checked. */
  const char *h = r->ad_link + 8;
  snprintf(host, sizeof host, "%.*s", (int)strcspn(h, "/?#"), h);
  APP_TA(a, text, sizeof text, "sponsored.cta", PA_MSG_STR("host", host));
  rs->cta.x = x + pad, rs->cta.w = w - 2 * pad, rs->cta.h = app_px(a, 44);
  rs->cta.y = ly - app_px(a, 12) - rs->cta.h;
  pa_draw_rect(a->draw, rs->cta.x, rs->cta.y, rs->cta.w, rs->cta.h, a->pal.accent);
  pa_text_style bt = app_style(a, 15, 1, 0xffffffff, rs->cta.w - 2 * pad, 1);
  app_text_at(a, text, &bt, rs->cta.x + (rs->cta.w - app_text_width(a, text, &bt)) / 2,
              rs->cta.y + (rs->cta.h - app_px(a, 20)) / 2);
}

/* Closed, it only tells the host to take the video away (once). */
static bool reels_frame(pa_app *a, app_screen *s, double dt) {
  float W = (float)a->width, H = (float)a->height;
  a->reels->ad_wake = 0;
  a->reels->cta.w = a->reels->why.w = 0;
  if (!a->reels->screen.open) {
    if (a->reels->video_sent.url) send_video(a, &(pa_video){0});
    return false;
  }
  pa_draw_rect(a->draw, 0, 0, W, H, 0x000000ff);
  if (a->reels->reel >= a->reels->reel_count) {
    pa_text_style ts = app_style(a, 15, 0, 0xddddddff, W, 2);
    char msg[128];
    APP_T(a, msg, sizeof msg, a->reels->reels_loading ? "reel.loading" : "reel.empty");
    app_text_at(a, msg, &ts, (W - app_text_width(a, msg, &ts)) / 2, H / 2);
    send_video(a, &(pa_video){0});
    return false;
  }
  const pa_reel *r = a->reels->reels[a->reels->reel];
  float x, y, w, h;
  stage(a, &x, &y, &w, &h);
  const char *next = a->reels->reel + 1 < a->reels->reel_count
                         ? a->reels->reels[a->reels->reel + 1]->video.url
                         : NULL;
  send_video(a, &(pa_video){r->video.url, next, x, y, w, h, a->reels->muted, 1});
  image_slot *poster = app_want_image(a, r->poster.url, w, h);
  if (a->reels->video_playing)
    pa_draw_punch(a->draw, x, y, w, h);
  else if (poster && poster->state == IMG_READY)
    pa_draw_cover(a->draw, poster->texture, poster->width, poster->height, x, y, w, h);
  if (a->reels->reel + 1 < a->reels->reel_count)
    app_want_image(a, a->reels->reels[a->reels->reel + 1]->poster.url, w, h);

  /* An ad's impression: its whole stage is on screen while it is the one shown. */
  ad_step(a, r, fminf(y + h, H) - fmaxf(y, 0), h, !app_covered(a, s) && !a->hidden);

  /* Overlays: who, what, and the sound state, over a shade for contrast
   * (taller for an ad's label and link). */
  float shade =
      app_px(a, 120) + (r->ad_token ? app_px(a, r->ad_link && r->ad_link[0] ? 104 : 44) : 0);
  pa_draw_rect(a->draw, x, y + h - shade, w, shade, 0x00000088);
  if (r->ad_token) paint_ad(a, r, x, w, y + h - app_px(a, 120));
  float pad = app_px(a, 14);
  /* Who and what on the start side; position and sound on the end side. */
  pa_text_style name = app_user_style(a, 15, 1, 0xffffffff, w - 2 * pad, 1);
  app_text_start(a, r->pet.name, &name, x + pad, w - 2 * pad, y + h - app_px(a, 104));
  pa_text_style cap = app_user_style(a, 14, 0, 0xf0f0f0ff, w - 2 * pad, 3);
  app_text_start(a, r->caption, &cap, x + pad, w - 2 * pad, y + h - app_px(a, 80));
  pa_text_style small = app_style(a, 13, 1, 0xffffffff, w / 2, 1);
  char text[128];
  APP_TA(a, text, sizeof text, "reel.position", PA_MSG_INT("index", a->reels->reel + 1),
         PA_MSG_INT("total", a->reels->reel_count));
  float tw = app_text_width(a, text, &small);
  app_text_at(a, text, &small, app_mx(a, x + w - pad - tw, tw, x, w), y + pad);
  APP_T(a, text, sizeof text, a->reels->muted ? "reel.soundOffHint" : "reel.soundOn");
  tw = app_text_width(a, text, &small);
  app_text_at(a, text, &small, app_mx(a, x + w - pad - tw, tw, x, w), y + pad + app_px(a, 22));
  app_text_start(a, APP_T(a, text, sizeof text, "reel.back"), &small, x + pad, w - 2 * pad,
                 y + pad);
  /* A live's replay: a chip under the back link, on the start side. */
  if (r->replay_ms)
    app_pill(a, app_mx(a, x + pad, 0, x, w), y + pad + app_px(a, 40), a->rtl ? 1.0f : 0.0f,
             "reels.replay_badge", 0x202020ff);
  return false; /* the browser plays the video; nothing here moves */
}

static void reels_mirror(pa_app *a, app_screen *s, void *root_) {
  if (!a->reels->screen.open) return;
  cJSON *o = cJSON_AddObjectToObject(root_, "viewer");
  cJSON_AddStringToObject(o, "kind", "reel");
  char label[512], species[64], text[64];
  if (a->reels->reel < a->reels->reel_count) {
    const pa_reel *r = a->reels->reels[a->reels->reel];
    APP_TA(a, species, sizeof species, "pet.species", PA_MSG_STR("species", r->pet.species));
    APP_TA(a, label, sizeof label, "reel.viewerLabel", PA_MSG_INT("index", a->reels->reel + 1),
           PA_MSG_INT("total", a->reels->reel_count),
           PA_MSG_STR("more", next_cursor(a) ? "true" : "false"), PA_MSG_STR("pet", r->pet.name),
           PA_MSG_STR("species", species), PA_MSG_STR("author", r->author.name));
    cJSON_AddStringToObject(o, "id", r->id);
    cJSON_AddStringToObject(o, "caption", r->caption);
    /* An ad: the shell labels it and offers "why" and its link (its token
     * names it, as a sponsored post's). */
    if (r->ad_token) cJSON_AddStringToObject(o, "ad_token", r->ad_token);
    /* A replay: the chip's word, for the shell to show beside the label. */
    if (r->replay_ms)
      cJSON_AddStringToObject(o, "replay", APP_T(a, text, sizeof text, "reels.replay_badge"));
  } else {
    APP_T(a, label, sizeof label, a->reels->reels_loading ? "reel.loading" : "reel.empty");
  }
  cJSON_AddStringToObject(o, "label", label);
  cJSON_AddBoolToObject(o, "muted", a->reels->muted);
}

static void reels_close(pa_app *a, app_screen *s) { close_reels(a); }

static void reels_free(pa_app *a, app_screen *s) {
  free_reels(a);
  free(a->reels);
}

static const app_screen_ops REELS_OPS = {
    .input = reels_input,
    .key = reels_key,
    .frame = reels_frame,
    .mirror = reels_mirror,
    .close = reels_close,
    .free = reels_free,
};

app_screen *app_reels_create(pa_app *a) {
  app_reels *r = app_screen_alloc(sizeof *r, &REELS_OPS);
  if (!r) return NULL;
  r->ad_reel = -1;
  a->reels = r;
  return &r->screen;
}
