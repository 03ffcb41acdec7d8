/* The feed screen: pages of posts as cards in one column under the story
 * tray, with paging, layout, virtualisation, pointer and keys, likes,
 * painting and its part of the mirror. The app's bottom screen, always open. */
#include "app_internal.h"
#include "pa/pa_app.h"
#include "pa/pa_thumbhash.h"

#include <SDL.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define px app_px

/* What the app knows about a post beyond the immutable parsed page. */
typedef struct post_view {
  const pa_feed_post *post; /* borrowed from one of a->pages */
  float top, height;        /* device pixels; height estimated until measured */
  float measured_width;     /* width the height was measured at, 0 if estimated */
  bool liked;
  int64_t likes;
  int like_pending;  /* 0, or the state we asked the server for: 1 like, -1 unlike */
  int image_index;   /* carousel position */
  double view_start; /* ms when it came on screen, 0 while it is not (PA_ACTION_VIEWED) */
  /* A sponsored post's impression (pa_app.h's rule): in view since ad_since,
   * seen so in frame ad_frame (0: not in view; a frame without it breaks the time). */
  double ad_since;
  uint64_t ad_frame;
  bool ad_counted;
  /* Its texts were all found cached when painted ahead: pa_draw_clears + 1
   * at that time (0: not known to be), so it is not painted ahead again. */
  uint64_t warm;
} post_view;

/* Tokens already counted, remembered (a ring of hashes) so that a page
 * loaded again with the same token does not count it twice. */
enum { AD_REMEMBERED = 256 };

struct app_feed {
  app_screen screen;
  app_state state;
  char message[PA_ERROR_MSG_MAX];
  char notice[PA_ERROR_MSG_MAX]; /* a transient message over the feed */
  double notice_until;
  /* message_key/notice_key name the catalog message shown; when NULL,
   * message/notice hold text the host gave. */
  const char *message_key, *notice_key;

  pa_feed **pages;
  int page_count, page_cap;
  post_view *posts;
  int post_count, post_cap;
  const char *next_cursor; /* owned by the last page */
  bool loading_more, refreshing;
  double retry_more_after; /* ms; a failed page is retried no sooner */
  float content_height;

  float scroll, velocity; /* velocity in device px per ms */
  float pull;             /* overscroll at the top, for pull-to-refresh */
  struct {
    double t;
    float x, y;
  } last_tap;

  int focused;                /* post index with keyboard focus, or -1 */
  pa_control focused_control; /* the mirror button with focus in that post, or 0 */
  int first_visible, last_visible;
  uint64_t ad_counted[AD_REMEMBERED]; /* FNV-1a hashes of counted tokens */
  int ad_counted_next;                /* where the next one goes */
  double ad_wake;                     /* when an impression falls due, 0 for none */
};

/* Dwell: a post on screen since view_start is reported when it leaves. */
static void report_view(pa_app *a, post_view *v) {
  if (v->view_start <= 0) return;
  app_act_value(a, PA_ACTION_VIEWED, v->post->id, fmax(0.0, a->now_ms - v->view_start));
  v->view_start = 0;
}

int pa_app_ad_in_view(double visible_px, double height_px) {
  /* In whole percents of the drawn height, compared without rounding. */
  return height_px > 0 && visible_px * 100.0 >= height_px * PA_APP_AD_VIEW_PERCENT;
}

static uint64_t token_hash(const char *s) {
  uint64_t h = 0xcbf29ce484222325u;
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 0x100000001b3u;
  return h ? h : 1; /* 0 marks an empty slot */
}

/* The impression rule for one sponsored post this frame: visible px of it in
 * the viewport, shown (not covered, not hidden). Emits the impression once. */
static void ad_step(pa_app *a, post_view *v, float visible, bool shown) {
  if (!shown || !pa_app_ad_in_view(visible, v->height)) {
    v->ad_frame = 0;
    return;
  }
  double now = a->now_ms;
  /* A new stretch: first seen, a frame went by without it, or the clock went back. */
  if (v->ad_frame == 0 || v->ad_frame + 1 != a->frame || now < v->ad_since) v->ad_since = now;
  v->ad_frame = a->frame;
  if (now - v->ad_since < PA_APP_AD_VIEW_MS) {
    double due = v->ad_since + PA_APP_AD_VIEW_MS;
    if (a->feed->ad_wake == 0 || due < a->feed->ad_wake) a->feed->ad_wake = due;
    return;
  }
  v->ad_counted = true;
  app_ad_impression(a, v->post->ad_token);
}

void app_ad_impression(pa_app *a, const char *token) {
  uint64_t h = token_hash(token);
  for (int i = 0; i < AD_REMEMBERED; i++)
    if (a->feed->ad_counted[i] == h) return; /* counted before this page came */
  a->feed->ad_counted[a->feed->ad_counted_next] = h;
  a->feed->ad_counted_next = (a->feed->ad_counted_next + 1) % AD_REMEMBERED;
  app_act(a, PA_ACTION_AD_IMPRESSION, token);
}

static bool has_link(const pa_feed_post *p) { return p->ad_link && p->ad_link[0]; }

/* The host part of an ad's https link ("shop.example"), for its words. */
static const char *link_host(const char *link, char *buf, size_t cap) {
  const char *h = link + 8; /* after "https://", which the parser required */
  snprintf(buf, cap, "%.*s", (int)strcspn(h, "/?#"), h);
  return buf;
}

/* A transient notice: a catalog key, or (key NULL) text from the host. */
static void notify(pa_app *a, const char *key, const char *text) {
  a->feed->notice_key = key;
  snprintf(a->feed->notice, sizeof a->feed->notice, "%s", text ? text : "");
  a->feed->notice_until = a->now_ms + 4000;
  a->mirror_revision++;
}

void app_invalidate_layout(pa_app *a) {
  for (int i = 0; i < a->feed->post_count; i++) {
    a->feed->posts[i].measured_width = 0;
    a->feed->posts[i].warm = 0; /* the words or their sizes may have changed too */
  }
}

/* ---- layout: one function gives every box of a card, for painting and
 * hit-testing alike. */

typedef struct box {
  float x, y, w, h;
} box;

typedef struct card {
  box whole, avatar, names, image, like, comments, share, caption, prev, next;
  box cta; /* a sponsored post's link, when it has one (else zero) */
  float dots_y;
} card;

static float image_box_height(const pa_app *a, const pa_feed_image *im) {
  /* Portrait up to 4:5 and landscape down to 1.91:1, as photo apps crop. */
  float ratio = (float)im->height / (float)im->width;
  return app_column_width(a) * fmaxf(0.5236f, fminf(1.25f, ratio));
}

static pa_text_style caption_style(const pa_app *a) {
  return app_user_style(a, 15, 0, a->pal.text, app_column_width(a) - 2 * px(a, PAD), CAPTION_LINES);
}

static float card_height(const pa_app *a, const post_view *v, float caption_h) {
  float h = px(a, HEADER) + image_box_height(a, &v->post->images[0]) + px(a, ACTIONS) + caption_h +
            px(a, PAD);
  if (has_link(v->post)) h += px(a, CTA);
  return v->post->image_count > 1 ? h + px(a, DOTS) : h;
}

static card card_at(const pa_app *a, const post_view *v) {
  card c;
  float x = app_column_x(a), w = app_column_width(a), y = v->top - a->feed->scroll + a->feed->pull,
        pad = px(a, PAD);
  float r = px(a, AVATAR) / 2, ih = image_box_height(a, &v->post->images[0]);
  c.whole = (box){x, y, w, v->height};
  c.avatar = (box){x + pad, y + px(a, HEADER) / 2 - r, 2 * r, 2 * r};
  c.names = (box){x + pad + 2 * r + px(a, 10), y, w - 2 * r - px(a, 10) - 2 * pad, px(a, HEADER)};
  c.image = (box){x + 1, y + px(a, HEADER), w - 2, ih};
  c.prev = (box){c.image.x, c.image.y, c.image.w * 0.2f, ih};
  c.next = (box){c.image.x + c.image.w * 0.8f, c.image.y, c.image.w * 0.2f, ih};
  float ay = c.image.y + ih;
  c.dots_y = ay + px(a, DOTS) / 2 + px(a, 2);
  if (v->post->image_count > 1) ay += px(a, DOTS);
  c.cta = (box){0, 0, 0, 0};
  if (has_link(v->post)) {
    c.cta = (box){x + pad, ay + px(a, CTA - CTA_BUTTON) / 2, w - 2 * pad, px(a, CTA_BUTTON)};
    ay += px(a, CTA);
  }
  c.like = (box){x + pad / 2, ay, px(a, 84), px(a, ACTIONS)};
  c.comments = (box){c.like.x + c.like.w, ay, px(a, 76), px(a, ACTIONS)};
  c.share = (box){x + w - pad / 2 - px(a, 44), ay, px(a, 44), px(a, ACTIONS)};
  c.caption = (box){x + pad, ay + px(a, ACTIONS), w - 2 * pad, v->height};
  if (a->rtl) { /* right to left: the card's boxes mirrored in the column */
    box *all[] = {&c.avatar, &c.names,    &c.image, &c.prev,    &c.next,
                  &c.like,   &c.comments, &c.share, &c.caption, &c.cta};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
      all[i]->x = app_mx(a, all[i]->x, all[i]->w, x, w);
  }
  return c;
}

static bool inside(box b, float x, float y) {
  return x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h;
}

/* Measures posts near the viewport and positions all of them. A post above
 * the viewport that changes height shifts the scroll by as much, so what the
 * user is looking at stays put. */
static void layout(pa_app *a) {
  float y = app_tray_height(a) + px(a, GAP), w = app_column_width(a);
  float lo = a->feed->scroll - (float)a->height, hi = a->feed->scroll + 2.0f * (float)a->height;
  for (int i = 0; i < a->feed->post_count; i++) {
    post_view *v = &a->feed->posts[i];
    float old = v->height;
    v->top = y;
    if (v->measured_width != w && y + old >= lo && y <= hi) {
      pa_text_style st = caption_style(a);
      v->height = card_height(a, v, (float)pa_draw_text(a->draw, v->post->caption, &st).height);
      v->measured_width = w;
      if (old > 0 && y + old <= a->feed->scroll) a->feed->scroll += v->height - old;
    } else if (old == 0) {
      v->height = card_height(a, v, px(a, CAPTION_ESTIMATE));
    }
    y += v->height + px(a, GAP);
  }
  a->feed->content_height = y + (a->feed->next_cursor || a->feed->post_count ? px(a, FOOTER) : 0);
}

static float max_scroll(const pa_app *a) {
  return fmaxf(0.0f, a->feed->content_height - (float)a->height);
}

static void clamp_scroll(pa_app *a) {
  a->feed->scroll = fmaxf(0.0f, fminf(a->feed->scroll, max_scroll(a)));
}

/* ---- feed pages */

/* The error state with a catalog key, or (key NULL) text from the host. */
static void set_error(pa_app *a, const char *key, const char *text) {
  a->feed->state = ST_ERROR;
  a->feed->message_key = key;
  snprintf(a->feed->message, sizeof a->feed->message, "%s", text ? text : "");
  a->mirror_revision++;
}

static int find_post(const pa_app *a, const char *id) {
  for (int i = 0; i < a->feed->post_count; i++)
    if (strcmp(a->feed->posts[i].post->id, id) == 0) return i;
  return -1;
}

pa_status pa_app_feed_loaded(pa_app *a, const char *json, size_t len, pa_feed_mode mode,
                             pa_error *err) {
  pa_error local;
  pa_error *e = err ? err : &local;
  pa_feed *feed = NULL;
  bool appending = mode == PA_FEED_APPEND;
  a->feed->loading_more = a->feed->refreshing = false;
  pa_status st = pa_feed_parse(json, len, &feed, e);
  if (st != PA_OK) {
    /* Keep whatever is on screen; tell the user, and the developer why. */
    app_log(a, "feed rejected: %s", e->msg);
    if (appending) {
      notify(a, "feed.error.moreUnreadable", NULL);
      a->feed->retry_more_after = a->now_ms + 5000;
    } else {
      set_error(a, "feed.error.unreadable", NULL);
    }
    return st;
  }
  int n = pa_feed_count(feed);
  int base = appending ? a->feed->post_count : 0;
  if (!app_grow((void **)&a->feed->pages, &a->feed->page_cap, a->feed->page_count + 1,
                sizeof *a->feed->pages) ||
      !app_grow((void **)&a->feed->posts, &a->feed->post_cap, base + n, sizeof *a->feed->posts)) {
    pa_feed_free(feed);
    set_error(a, "feed.error.outOfMemory", NULL);
    return pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  }

  /* On refresh, remember which post is at the top of the screen and where. */
  char anchor[PA_FEED_MAX_ID + 1] = "";
  float anchor_offset = 0;
  if (!appending) {
    for (int i = 0; i < a->feed->post_count; i++) report_view(a, &a->feed->posts[i]);
    for (int i = 0; i < a->feed->post_count && mode != PA_FEED_RESET; i++)
      if (a->feed->posts[i].top + a->feed->posts[i].height > a->feed->scroll) {
        snprintf(anchor, sizeof anchor, "%s", a->feed->posts[i].post->id);
        anchor_offset = a->feed->posts[i].top - a->feed->scroll;
        break;
      }
    for (int i = 0; i < a->feed->page_count; i++) pa_feed_free(a->feed->pages[i]);
    a->feed->page_count = 0;
    a->feed->post_count = 0;
    a->feed->focused = -1;
  }
  a->feed->pages[a->feed->page_count++] = feed;
  for (int i = 0; i < n; i++) {
    const pa_feed_post *p = pa_feed_post_at(feed, i);
    /* A page may repeat a post the previous one had (the feed moved). */
    if (appending && find_post(a, p->id) >= 0) continue;
    a->feed->posts[a->feed->post_count++] =
        (post_view){.post = p, .liked = p->liked, .likes = p->like_count};
  }
  a->feed->next_cursor = pa_feed_next_cursor(feed);
  a->feed->state = ST_READY;
  a->feed->message[0] = '\0';
  a->feed->message_key = NULL;
  layout(a);
  if (!appending) {
    int k = anchor[0] ? find_post(a, anchor) : -1;
    a->feed->scroll = k >= 0 ? a->feed->posts[k].top - anchor_offset : 0;
    clamp_scroll(a);
  }
  a->mirror_revision++;
  return PA_OK;
}

void pa_app_feed_failed(pa_app *a, const char *message) {
  const char *key = message && *message ? NULL : "feed.error.loadFailed";
  if (a->feed->loading_more) {
    a->feed->loading_more = false;
    a->feed->retry_more_after = a->now_ms + 5000;
    notify(a, key, message);
  } else {
    a->feed->refreshing = false;
    set_error(a, key, message);
  }
}

/* ---- likes: optimistic, rolled back if the server refuses */

static void toggle_like(pa_app *a, int index) {
  post_view *v = &a->feed->posts[index];
  if (v->like_pending) return; /* one request at a time per post */
  v->liked = !v->liked;
  v->likes += v->liked ? 1 : -1;
  v->like_pending = v->liked ? 1 : -1;
  v->warm = 0; /* a new count */
  a->mirror_revision++;
  app_act(a, v->liked ? PA_ACTION_LIKE : PA_ACTION_UNLIKE, v->post->id);
}

void pa_app_like_result(pa_app *a, const char *post_id, int ok, int liked, int64_t like_count) {
  int i = post_id ? find_post(a, post_id) : -1;
  if (i < 0) return;
  post_view *v = &a->feed->posts[i];
  if (ok) {
    v->liked = liked != 0;
    v->likes = like_count >= 0 ? like_count : 0;
  } else if (v->like_pending) {
    v->liked = v->like_pending < 0;
    v->likes += v->like_pending < 0 ? 1 : -1;
    notify(a, v->like_pending > 0 ? "post.likeFailed" : "post.unlikeFailed", NULL);
  }
  v->like_pending = 0;
  v->warm = 0;
  a->mirror_revision++;
}

void pa_app_activate(pa_app *a, int index, pa_control control) {
  if (index < 0 || index >= a->feed->post_count) return;
  post_view *v = &a->feed->posts[index];
  switch (control) {
  case PA_CONTROL_LIKE: toggle_like(a, index); break;
  case PA_CONTROL_COMMENTS: app_act(a, PA_ACTION_OPEN_COMMENTS, v->post->id); break;
  case PA_CONTROL_SHARE: app_act(a, PA_ACTION_SHARE, v->post->id); break;
  case PA_CONTROL_PROFILE: app_act(a, PA_ACTION_OPEN_PET, v->post->pet.id); break;
  case PA_CONTROL_WHY: app_act(a, PA_ACTION_WHY, v->post->id); break;
  case PA_CONTROL_NOT_INTERESTED: app_act(a, PA_ACTION_NOT_INTERESTED, v->post->id); break;
  case PA_CONTROL_AD_LINK: /* only an ad with a link has one */
    if (has_link(v->post)) app_act(a, PA_ACTION_AD_CLICK, v->post->ad_token);
    break;
  case PA_CONTROL_NEXT_IMAGE:
  case PA_CONTROL_PREV_IMAGE: {
    int k = v->image_index + (control == PA_CONTROL_NEXT_IMAGE ? 1 : -1);
    if (k >= 0 && k < v->post->image_count) v->image_index = k;
    a->mirror_revision++;
    break;
  }
  }
}

void pa_app_remove_post(pa_app *a, const char *post_id) {
  int i = post_id ? find_post(a, post_id) : -1;
  if (i < 0) return;
  post_view *v = &a->feed->posts[i];
  v->view_start = 0; /* hidden: not a dwell */
  if (v->top + v->height <= a->feed->scroll) a->feed->scroll -= v->height + px(a, GAP);
  memmove(v, v + 1, sizeof *v * (size_t)(a->feed->post_count - i - 1));
  a->feed->post_count--;
  if (a->feed->focused > i)
    a->feed->focused--;
  else if (a->feed->focused == i)
    a->feed->focused = i < a->feed->post_count ? i : a->feed->post_count - 1;
  layout(a);
  clamp_scroll(a);
  a->mirror_revision++;
}

/* ---- input */

static void feed_scroll(pa_app *a, app_screen *s, float dy) {
  a->feed->velocity = 0;
  a->feed->scroll += dy;
  clamp_scroll(a);
}

void pa_app_focus_control(pa_app *a, int index, pa_control control) {
  pa_app_focus_post(a, index);
  if (a->feed->focused >= 0) a->feed->focused_control = control;
}

void pa_app_focus_post(pa_app *a, int index) {
  a->feed->focused = index >= 0 && index < a->feed->post_count ? index : -1;
  a->feed->focused_control = 0;
  if (a->feed->focused < 0) return;
  layout(a);
  const post_view *v = &a->feed->posts[index];
  float gap = px(a, GAP);
  /* Scroll as little as possible: align the top, or the bottom if it fits. */
  if (v->top - gap < a->feed->scroll || v->height > (float)a->height)
    a->feed->scroll = v->top - gap;
  else if (v->top + v->height + gap > a->feed->scroll + (float)a->height)
    a->feed->scroll = v->top + v->height + gap - (float)a->height;
  a->feed->velocity = 0;
  clamp_scroll(a);
}

static void refresh(pa_app *a) {
  if (a->feed->refreshing) return;
  a->feed->refreshing = true;
  app_act(a, PA_ACTION_REFRESH, NULL);
}

static void feed_key(pa_app *a, app_screen *s, pa_key key) {
  a->feed->velocity = 0;
  a->feed->scroll = app_key_scroll(a, key, a->feed->scroll, a->feed->content_height);
  switch (key) {
  case PA_KEY_LIKE:
    if (a->feed->focused >= 0) toggle_like(a, a->feed->focused);
    break;
  case PA_KEY_REFRESH: refresh(a); break;
  default: break; /* viewer keys with no viewer open */
  }
  clamp_scroll(a);
}

/* A tap at (x, y): the control under it, or a double tap on a photo. */
static void tap(pa_app *a, float x, float y, double t) {
  bool twice = t - a->feed->last_tap.t < 300 && fabsf(x - a->feed->last_tap.x) < px(a, 24) &&
               fabsf(y - a->feed->last_tap.y) < px(a, 24);
  a->feed->last_tap.t = twice ? 0 : t; /* a third tap starts over */
  a->feed->last_tap.x = x;
  a->feed->last_tap.y = y;
  for (int i = a->feed->first_visible; i <= a->feed->last_visible && i < a->feed->post_count; i++) {
    card c = card_at(a, &a->feed->posts[i]);
    if (!inside(c.whole, x, y)) continue;
    if (c.cta.w > 0 && inside(c.cta, x, y))
      pa_app_activate(a, i, PA_CONTROL_AD_LINK);
    else if (inside(c.like, x, y))
      pa_app_activate(a, i, PA_CONTROL_LIKE);
    else if (inside(c.comments, x, y))
      pa_app_activate(a, i, PA_CONTROL_COMMENTS);
    else if (inside(c.share, x, y))
      pa_app_activate(a, i, PA_CONTROL_SHARE);
    else if (inside(c.avatar, x, y) || inside(c.names, x, y))
      pa_app_activate(a, i, PA_CONTROL_PROFILE);
    else if (inside(c.image, x, y)) {
      if (twice && !a->feed->posts[i].liked)
        pa_app_activate(a, i, PA_CONTROL_LIKE);
      else if (!twice && a->feed->posts[i].post->image_count > 1 && inside(c.next, x, y))
        pa_app_activate(a, i, PA_CONTROL_NEXT_IMAGE);
      else if (!twice && a->feed->posts[i].post->image_count > 1 && inside(c.prev, x, y))
        pa_app_activate(a, i, PA_CONTROL_PREV_IMAGE);
    }
    return;
  }
}

static float tray_top(const pa_app *a) { return -a->feed->scroll + a->feed->pull; }

static bool in_tray(const pa_app *a, float y) {
  return y >= tray_top(a) && y < tray_top(a) + app_tray_height(a);
}

static void feed_input(pa_app *a, app_screen *s, pa_pointer_phase phase, float x, float y,
                       double t) {
  switch (phase) {
  case PA_POINTER_DOWN:
    a->ptr.down = true;
    a->ptr.dragging = false;
    a->ptr.x = x;
    a->ptr.y = y;
    a->ptr.t = t;
    a->feed->velocity = 0; /* a touch stops a fling */
    break;
  case PA_POINTER_MOVE: {
    if (!a->ptr.down) return;
    float dy = a->ptr.y - y;
    if (!a->ptr.dragging && fabsf(y - a->ptr.y0) + fabsf(x - a->ptr.x0) > px(a, 8))
      a->ptr.dragging = true;
    /* A sideways drag on the story tray scrolls the tray. */
    if (a->ptr.dragging && in_tray(a, a->ptr.y0) && fabsf(x - a->ptr.x0) > fabsf(y - a->ptr.y0)) {
      app_tray_drag(a, x - a->ptr.x);
      a->ptr.x = x;
      a->ptr.y = y;
      a->ptr.t = t;
      return;
    }
    if (a->ptr.dragging) {
      if (a->feed->scroll <= 0 && (dy < 0 || a->feed->pull > 0)) {
        /* Pulling down at the top: resistance, then refresh on release. */
        a->feed->pull = fmaxf(0.0f, a->feed->pull - dy * 0.5f);
      } else {
        a->feed->scroll += dy;
        clamp_scroll(a);
      }
      double dt = t - a->ptr.t;
      if (dt > 0) a->feed->velocity = 0.8f * (float)(dy / dt) + 0.2f * a->feed->velocity;
    }
    a->ptr.x = x;
    a->ptr.y = y;
    a->ptr.t = t;
    break;
  }
  case PA_POINTER_UP:
    if (!a->ptr.down) return;
    a->ptr.down = false;
    if (!a->ptr.dragging && t - a->ptr.t0 < 500 && !app_tray_tap(a, x, y, tray_top(a)))
      tap(a, x, y, t);
    if (a->feed->pull >= px(a, PULL_TRIGGER)) refresh(a);
    a->feed->pull = 0;
    if (!a->ptr.dragging || t - a->ptr.t > 80) a->feed->velocity = 0; /* held still: no fling */
    break;
  case PA_POINTER_CANCEL:
    a->ptr.down = false;
    a->feed->pull = 0;
    a->feed->velocity = 0;
    break;
  }
}

static uint32_t species_tint(const char *species) {
  uint32_t h = 2166136261u;
  for (; *species; species++) h = (h ^ (uint8_t)*species) * 16777619u;
  static const uint32_t tints[] = {0xf6d7b0ff, 0xcfe3d4ff, 0xd7d3f0ff, 0xf3cfd6ff, 0xcde3f1ff};
  return tints[h % (sizeof tints / sizeof tints[0])];
}

/* The slot's placeholder texture from the image's ThumbHash (made once). */
static SDL_Texture *placeholder(pa_app *a, image_slot *s, const char *thumbhash) {
  if (s->placeholder || !thumbhash) return s->placeholder;
  uint8_t hash[PA_THUMBHASH_MAX], rgba[PA_THUMBHASH_SIDE * PA_THUMBHASH_SIDE * 4];
  size_t n;
  int w, h;
  pa_error e;
  if (pa_thumbhash_from_base64(thumbhash, hash, &n, &e) != PA_OK ||
      pa_thumbhash_decode(hash, n, rgba, &w, &h, &e) != PA_OK)
    return NULL; /* the feed parser checked it; nothing to show otherwise */
  s->placeholder =
      SDL_CreateTexture(a->renderer, SDL_PIXELFORMAT_ABGR8888, SDL_TEXTUREACCESS_STATIC, w, h);
  if (!s->placeholder) return NULL;
  SDL_UpdateTexture(s->placeholder, NULL, rgba, w * 4);
  SDL_SetTextureBlendMode(s->placeholder, SDL_BLENDMODE_BLEND);
  SDL_SetTextureScaleMode(s->placeholder, SDL_ScaleModeLinear);
  s->placeholder_w = w;
  s->placeholder_h = h;
  return s->placeholder;
}

/* ahead: the post is off screen, painted for its texts only (rasterising
 * ahead): nothing of it shows, and its images are neither asked for nor drawn. */
static void paint_post(pa_app *a, int index, bool ahead) {
  const post_view *v = &a->feed->posts[index];
  const pa_feed_post *p = v->post;
  const palette *c = &a->pal;
  card k = card_at(a, v);
  float pad = px(a, PAD);
  pa_draw_rect(a->draw, k.whole.x, k.whole.y, k.whole.w, k.whole.h, c->line);
  pa_draw_rect(a->draw, k.whole.x + 1, k.whole.y + 1, k.whole.w - 2, k.whole.h - 2, c->card);

  /* Header: the pet's avatar, the pet's name, then species, owner and age. */
  float r = k.avatar.w / 2, cy = k.avatar.y + r;
  image_slot *av = ahead ? NULL : app_want_image(a, p->pet.avatar_url, k.avatar.w, k.avatar.h);
  pa_draw_disc(a->draw, k.avatar.x + r, cy, r, species_tint(p->pet.species),
               av && av->state == IMG_READY ? av->texture : NULL);
  float label_w = 0;
  if (p->sponsored) { /* ads are always labelled, at the end side of the name */
    char sponsored[96];
    APP_T(a, sponsored, sizeof sponsored, "rank.sponsored");
    pa_text_style sp = app_style(a, 12, 1, c->accent, k.names.w / 2, 1);
    label_w = app_text_width(a, sponsored, &sp) + px(a, 8);
    app_text_at(a, sponsored, &sp,
                app_mx(a, k.names.x + k.names.w - label_w + px(a, 8), label_w - px(a, 8), k.names.x,
                       k.names.w),
                cy - px(a, 18));
  }
  pa_text_style name = app_user_style(a, 15, 1, c->text, k.names.w - label_w, 1);
  app_text_start(a, p->pet.name, &name, k.names.x, k.names.w, cy - px(a, 19));
  char when[48], species[64], byline[256];
  app_when(a, p->created_at, 0, when, sizeof when);
  APP_TA(a, species, sizeof species, "pet.species", PA_MSG_STR("species", p->pet.species));
  APP_TA(a, byline, sizeof byline, "post.byline", PA_MSG_STR("species", species),
         PA_MSG_STR("author", p->author.name), PA_MSG_STR("time", when));
  pa_text_style meta = app_style(a, 13, 0, c->muted, k.names.w, 1);
  if (p->author.plus) { /* the Plus badge follows the byline (which holds the author's name) */
    char badge[64];
    APP_T(a, badge, sizeof badge, "billing.badge");
    pa_text_style bs = app_style(a, 11, 1, c->accent, k.names.w / 3, 1);
    float bw = app_text_width(a, badge, &bs), gap = px(a, 6), padx = px(a, 4);
    meta.max_width = (int)(k.names.w - bw - 2 * padx - gap);
    float end = app_text_width(a, byline, &meta);
    if (end > (float)meta.max_width) end = (float)meta.max_width;
    float bx = app_mx(a, k.names.x + end + gap, bw + 2 * padx, k.names.x, k.names.w);
    pa_draw_rect(a->draw, bx, cy + px(a, 1), bw + 2 * padx, px(a, 16), c->line);
    app_text_at(a, badge, &bs, bx + padx, cy + px(a, 2));
  }
  app_text_start(a, byline, &meta, k.names.x, k.names.w, cy + px(a, 1));

  /* The current carousel image, cropped to the card's box. */
  const pa_feed_image *shown = &p->images[v->image_index];
  image_slot *im = ahead ? NULL : app_want_image(a, shown->url, k.image.w, k.image.h);
  pa_draw_rect(a->draw, k.image.x, k.image.y, k.image.w, k.image.h, species_tint(p->pet.species));
  SDL_Texture *hint = im && im->state != IMG_READY ? placeholder(a, im, shown->thumbhash) : NULL;
  if (hint) /* the ThumbHash at once, scaled up (linear filtering blurs it) */
    pa_draw_cover(a->draw, hint, im->placeholder_w, im->placeholder_h, k.image.x, k.image.y,
                  k.image.w, k.image.h);
  if (im && im->state == IMG_READY) {
    pa_draw_cover(a->draw, im->texture, im->width, im->height, k.image.x, k.image.y, k.image.w,
                  k.image.h);
  } else if (im && im->state == IMG_FAILED) {
    pa_text_style st = app_style(a, 14, 0, 0x6b625aff, k.image.w - 2 * pad, 1);
    char msg[128];
    APP_T(a, msg, sizeof msg, "post.imageUnavailable");
    app_text_at(a, msg, &st, k.image.x + (k.image.w - app_text_width(a, msg, &st)) / 2,
                k.image.y + k.image.h / 2 - px(a, 9));
  }
  if (p->image_count > 1) {
    /* Prefetch the neighbours so a swipe shows them at once. */
    for (int d = -1; d <= 1 && !ahead; d += 2)
      if (v->image_index + d >= 0 && v->image_index + d < p->image_count)
        app_want_image(a, p->images[v->image_index + d].url, k.image.w, k.image.h);
    float dot = px(a, 3), step = px(a, 10);
    float dx = k.whole.x + k.whole.w / 2 - step * (float)(p->image_count - 1) / 2;
    for (int i = 0; i < p->image_count; i++) /* the first photo's dot on the start side */
      pa_draw_disc(a->draw, dx + step * (float)(a->rtl ? p->image_count - 1 - i : i), k.dots_y, dot,
                   i == v->image_index ? c->accent : c->line, NULL);
  }

  /* Actions: like (state and count), comments, share. */
  /* Icon, then its count in reading order (mirrored inside each box in RTL). */
  float hy = k.like.y + k.like.h / 2;
  float hx = app_mx(a, k.like.x + pad / 2, px(a, 24), k.like.x, k.like.w) + px(a, 12);
  pa_draw_heart(a->draw, hx, hy, px(a, 24), v->liked ? c->like : c->muted);
  if (!v->liked) pa_draw_heart(a->draw, hx, hy, px(a, 17), c->card);
  char count[32];
  pa_text_style num = app_style(a, 14, 1, c->text, px(a, 60), 1);
  app_count(a, v->likes, count, sizeof count);
  float cw = app_text_width(a, count, &num);
  app_text_at(a, count, &num, a->rtl ? hx - px(a, 18) - cw : hx + px(a, 18), hy - px(a, 9));
  float bx = app_mx(a, k.comments.x + px(a, 4), px(a, 20), k.comments.x, k.comments.w) + px(a, 10);
  pa_draw_disc(a->draw, bx, hy, px(a, 10), c->muted, NULL);
  pa_draw_disc(a->draw, bx, hy, px(a, 7.5f), c->card, NULL);
  app_count(a, p->comment_count, count, sizeof count);
  cw = app_text_width(a, count, &num);
  app_text_at(a, count, &num, a->rtl ? bx - px(a, 16) - cw : bx + px(a, 16), hy - px(a, 9));
  /* Share: an arrow leaving a tray. */
  float sx = k.share.x + k.share.w / 2, t = px(a, 2);
  pa_draw_rect(a->draw, sx - px(a, 8), hy + px(a, 2), px(a, 16), t, c->muted);
  pa_draw_rect(a->draw, sx - t / 2, hy - px(a, 9), t, px(a, 10), c->muted);
  pa_draw_disc(a->draw, sx, hy - px(a, 9), px(a, 3.5f), c->muted, NULL);

  pa_text_style cap = caption_style(a);
  app_text_start(a, p->caption, &cap, k.caption.x, k.caption.w, k.caption.y);

  if (k.cta.w > 0) { /* the ad's call to action: "Visit shop.example" */
    char host[256], words[384];
    APP_TA(a, words, sizeof words, "sponsored.cta",
           PA_MSG_STR("host", link_host(p->ad_link, host, sizeof host)));
    pa_draw_rect(a->draw, k.cta.x, k.cta.y, k.cta.w, k.cta.h, c->accent);
    pa_text_style st = app_style(a, 14, 1, c->card, k.cta.w - 2 * pad, 1);
    app_text_at(a, words, &st, k.cta.x + (k.cta.w - app_text_width(a, words, &st)) / 2,
                k.cta.y + (k.cta.h - px(a, 18)) / 2);
  }

  if (index == a->feed->focused) {
    app_ring(a, k.whole.x, k.whole.y, k.whole.w, k.whole.h, px(a, 3), c->accent);
    /* A mirror button has focus: ring the control it stands for. */
    box f = {0, 0, 0, 0};
    switch (a->feed->focused_control) {
    case PA_CONTROL_LIKE: f = k.like; break;
    case PA_CONTROL_COMMENTS: f = k.comments; break;
    case PA_CONTROL_SHARE: f = k.share; break;
    case PA_CONTROL_PROFILE:
      f.x = fminf(k.avatar.x, k.names.x) - px(a, 4);
      f.w = fmaxf(k.avatar.x + k.avatar.w, k.names.x + k.names.w) - f.x + px(a, 4);
      f.y = k.names.y + px(a, 4);
      f.h = k.names.h - px(a, 8);
      break;
    case PA_CONTROL_PREV_IMAGE: f = k.prev; break;
    case PA_CONTROL_NEXT_IMAGE: f = k.next; break;
    case PA_CONTROL_AD_LINK: f = k.cta; break;
    default: break; /* controls with no place on the card have no ring */
    }
    if (f.w > 0) app_ring(a, f.x, f.y, f.w, f.h, px(a, 3), c->accent);
  }
}

static void paint_centered(pa_app *a, const char *s, int size, int bold, uint32_t color, float y) {
  float w = app_column_width(a) - 2 * px(a, PAD);
  pa_text_style st = app_style(a, size, bold, color, w, 3);
  app_text_at(a, s, &st, ((float)a->width - app_text_width(a, s, &st)) / 2, y);
}

static void paint_message(pa_app *a, const char *title, const char *detail, float y) {
  paint_centered(a, title, 17, 1, a->pal.text, y);
  if (detail && *detail) paint_centered(a, detail, 14, 0, a->pal.muted, y + px(a, 28));
}

static void paint_banner(pa_app *a, const char *s, uint32_t bg, uint32_t fg, float y) {
  float w = app_column_width(a), x = app_column_x(a);
  pa_text_style st = app_style(a, 14, 1, fg, w - 2 * px(a, PAD), 2);
  pa_text t = pa_draw_text(a->draw, s, &st);
  pa_draw_rect(a->draw, x, y, w, (float)t.height + px(a, 16), bg);
  app_text_at(a, s, &st, x + px(a, PAD), y + px(a, 8));
}

static void animate(pa_app *a, double dt) {
  if (a->feed->velocity == 0 || a->ptr.down) return;
  a->feed->scroll += a->feed->velocity * (float)dt;
  a->feed->velocity *= expf(-(float)dt / 325.0f); /* the fling decays like a flick on a phone */
  if (fabsf(a->feed->velocity) < 0.02f * a->scale || a->feed->scroll <= 0 ||
      a->feed->scroll >= max_scroll(a))
    a->feed->velocity = 0;
  clamp_scroll(a);
}

/* Motion runs on under the viewers and the grid, as it did under a finger. */
static void feed_tick(pa_app *a, app_screen *s, double dt) {
  animate(a, dt);
  layout(a);
  clamp_scroll(a);
}

static bool feed_frame(pa_app *a, app_screen *s, double dt) {
  const palette *c = &a->pal;
  double now_ms = a->now_ms;
  /* Paint what intersects the viewport; fetch a screen ahead and behind. */
  int first = -1, last = -1;
  float h = (float)a->height;
  bool shown = !app_covered(a, s) && !a->hidden;
  a->feed->ad_wake = 0;
  for (int i = 0; i < a->feed->post_count; i++) {
    post_view *v = &a->feed->posts[i];
    float top = v->top - a->feed->scroll + a->feed->pull, bottom = top + v->height;
    float visible = fminf(bottom, h) - fmaxf(top, 0);
    /* Sponsored posts' impressions: a branch for the others, no extra pass. */
    if (v->post->ad_token && !v->ad_counted) ad_step(a, v, visible, shown);
    /* On screen: half of the post, or half the viewport for a tall one. */
    bool on = visible >= 0.5f * fminf(v->height, h) && shown;
    if (on && v->view_start <= 0)
      v->view_start = now_ms;
    else if (!on)
      report_view(a, v);
    if (bottom < -h || top > 2 * h) continue;
    if (bottom < 0 || top > h) {
      app_want_image(a, v->post->images[v->image_index].url, app_column_width(a) - 2,
                     image_box_height(a, &v->post->images[0]));
      continue;
    }
    if (first < 0) first = i;
    last = i;
    paint_post(a, i, false);
  }
  if (app_tray_height(a) > 0 && tray_top(a) + app_tray_height(a) > 0)
    app_paint_tray(a, tray_top(a));
  if (first != a->feed->first_visible || last != a->feed->last_visible) a->mirror_revision++;
  a->feed->first_visible = first;
  a->feed->last_visible = last;

  /* Infinite scroll: ask for the next page two screens before the end. */
  if (a->feed->next_cursor && !a->feed->loading_more && a->feed->state == ST_READY &&
      a->feed->scroll + 3 * h > a->feed->content_height && now_ms >= a->feed->retry_more_after) {
    a->feed->loading_more = true;
    app_act(a, PA_ACTION_LOAD_MORE, a->feed->next_cursor);
  }
  float footer =
      a->feed->content_height - px(a, FOOTER) - a->feed->scroll + a->feed->pull + px(a, 20);
  char t1[PA_ERROR_MSG_MAX], t2[PA_ERROR_MSG_MAX];
  if (a->feed->post_count && footer < h)
    paint_centered(
        a, APP_T(a, t1, sizeof t1, a->feed->next_cursor ? "feed.loadingMore" : "feed.caughtUp"), 14,
        0, c->muted, footer);

  if (a->feed->pull > 0 || a->feed->refreshing)
    paint_centered(a,
                   APP_T(a, t1, sizeof t1,
                         a->feed->refreshing                    ? "feed.refreshing"
                         : a->feed->pull >= px(a, PULL_TRIGGER) ? "feed.releaseToRefresh"
                                                                : "feed.pullToRefresh"),
                   13, 1, c->muted, fmaxf(px(a, 8), a->feed->pull / 2 - px(a, 8)));
  if (a->feed->state == ST_LOADING)
    paint_message(a, APP_T(a, t1, sizeof t1, "feed.loading"), NULL, h / 3);
  if (a->feed->state == ST_READY && a->feed->post_count == 0)
    paint_message(a, APP_T(a, t1, sizeof t1, "feed.empty.title"),
                  APP_T(a, t2, sizeof t2, "feed.empty.body"), h / 3);
  if (a->feed->state == ST_ERROR) {
    app_message(a, a->feed->message_key, a->feed->message, t2, sizeof t2);
    if (a->feed->post_count == 0)
      paint_message(a, APP_T(a, t1, sizeof t1, "feed.error.title"), t2, h / 3);
    else
      paint_banner(a, t2, c->error_bg, c->error_text, 0);
  }
  bool noticing = (a->feed->notice[0] || a->feed->notice_key) && now_ms < a->feed->notice_until;
  if (noticing)
    paint_banner(a, app_message(a, a->feed->notice_key, a->feed->notice, t1, sizeof t1),
                 c->notice_bg, c->notice_text, h - px(a, 72));
  else if (a->feed->notice[0] || a->feed->notice_key) {
    a->feed->notice[0] = '\0';
    a->feed->notice_key = NULL;
    a->mirror_revision++;
  }
  return a->feed->velocity != 0 || noticing || a->feed->refreshing || a->feed->pull > 0;
}

static void add_control(cJSON *list, const char *control, const char *label, int pressed) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "control", control);
  cJSON_AddStringToObject(o, "label", label);
  if (pressed >= 0) cJSON_AddBoolToObject(o, "pressed", pressed);
  cJSON_AddItemToArray(list, o);
}

/* The feed's state, the posts on screen and a few around them, and the tray. */
static void feed_mirror(pa_app *a, app_screen *s, void *root_) {
  static const char *names[] = {"loading", "ready", "error"};
  cJSON *root = root_;
  cJSON_AddStringToObject(root, "state", names[a->feed->state]);
  char said[PA_ERROR_MSG_MAX];
  cJSON_AddStringToObject(
      root, "message", app_message(a, a->feed->message_key, a->feed->message, said, sizeof said));
  cJSON_AddStringToObject(root, "notice",
                          app_message(a, a->feed->notice_key, a->feed->notice, said, sizeof said));
  cJSON_AddStringToObject(root, "dir", a->rtl ? "rtl" : "ltr");
  /* The total is unknown while more pages exist (aria-setsize -1). */
  cJSON_AddNumberToObject(root, "total", a->feed->next_cursor ? -1 : a->feed->post_count);
  int lo, hi;
  app_mirror_window(a->feed->first_visible, a->feed->last_visible, a->feed->focused, MIRROR_AROUND,
                    a->feed->post_count, &lo, &hi);
  cJSON *posts = cJSON_AddArrayToObject(root, "posts");
  for (int i = lo; i <= hi; i++) {
    const post_view *v = &a->feed->posts[i];
    const pa_feed_post *p = v->post;
    char when[96], species[64], title[512], label[256];
    app_when(a, p->created_at, 1, when, sizeof when);
    APP_TA(a, species, sizeof species, "pet.species", PA_MSG_STR("species", p->pet.species));
    APP_TA(a, title, sizeof title, "post.title", PA_MSG_STR("pet", p->pet.name),
           PA_MSG_STR("species", species), PA_MSG_STR("author", p->author.name),
           PA_MSG_STR("time", when));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", i);
    cJSON_AddStringToObject(o, "id", p->id);
    cJSON_AddStringToObject(o, "title", title);
    cJSON_AddStringToObject(o, "caption", p->caption);
    cJSON *alts = cJSON_AddArrayToObject(o, "images");
    for (int k = 0; k < p->image_count; k++)
      cJSON_AddItemToArray(alts, cJSON_CreateString(p->images[k].alt));
    cJSON_AddNumberToObject(o, "image", v->image_index);
    cJSON_AddNumberToObject(o, "likes", (double)v->likes);
    cJSON_AddNumberToObject(o, "comments", (double)p->comment_count);
    cJSON_AddBoolToObject(o, "liked", v->liked);
    cJSON_AddBoolToObject(o, "sponsored", p->sponsored);
    cJSON_AddBoolToObject(o, "plus", p->author.plus); /* the author's Plus badge */
    if (has_link(p)) { /* the ad's link, for a real link in the DOM */
      char host[256];
      cJSON *link = cJSON_AddObjectToObject(o, "link");
      cJSON_AddStringToObject(link, "href", p->ad_link);
      cJSON_AddStringToObject(link, "token", p->ad_token);
      APP_TA(a, label, sizeof label, "sponsored.linkLabel",
             PA_MSG_STR("host", link_host(p->ad_link, host, sizeof host)));
      cJSON_AddStringToObject(link, "label", label);
    }
    /* The same facts as words, for the article's text. */
    const char *alt = p->images[v->image_index].alt;
    char alt_none[96];
    if (!*alt) alt = APP_T(a, alt_none, sizeof alt_none, "post.photoNoAlt");
    APP_TA(a, label, sizeof label, "post.photo", PA_MSG_INT("index", v->image_index + 1),
           PA_MSG_INT("total", p->image_count), PA_MSG_STR("alt", alt));
    cJSON_AddStringToObject(o, "photo", label);
    APP_TA(a, label, sizeof label, "post.counts", PA_MSG_INT("likes", v->likes),
           PA_MSG_INT("comments", p->comment_count),
           PA_MSG_STR("liked", v->liked ? "true" : "false"));
    cJSON_AddStringToObject(o, "counts", label);
    cJSON *controls = cJSON_AddArrayToObject(o, "controls");
    add_control(controls, "like", APP_T(a, label, sizeof label, "post.like"), v->liked);
    add_control(controls, "comments", APP_T(a, label, sizeof label, "post.comments"), -1);
    add_control(controls, "share", APP_T(a, label, sizeof label, "post.share"), -1);
    APP_TA(a, label, sizeof label, "post.openProfile", PA_MSG_STR("pet", p->pet.name));
    add_control(controls, "profile", label, -1);
    if (p->image_count > 1) {
      add_control(controls, "prev-image", APP_T(a, label, sizeof label, "post.previousPhoto"), -1);
      add_control(controls, "next-image", APP_T(a, label, sizeof label, "post.nextPhoto"), -1);
    }
    add_control(controls, "why", APP_T(a, label, sizeof label, "rank.whyButton"), -1);
    add_control(controls, "not-interested", APP_T(a, label, sizeof label, "rank.notInterested"),
                -1);
    cJSON_AddItemToArray(posts, o);
  }
  app_tray_mirror(a, root);
}

void app_feed_hidden(pa_app *a) {
  app_feed *f = a->feed;
  for (int i = f->first_visible; i >= 0 && i <= f->last_visible && i < f->post_count; i++) {
    report_view(a, &f->posts[i]);
    f->posts[i].ad_frame = 0;
  }
  f->ad_wake = 0;
}

/* Only a time still to come: a screen over the feed (the grid, a viewer)
 * stops its frames, and a due time left from before must not ask the host
 * for frames over and over. */
double app_feed_wake(const pa_app *a) {
  return a->feed->ad_wake > a->now_ms ? a->feed->ad_wake : 0;
}

/* Rasterise ahead, between frames: the posts below the screen nearest
 * first, then the one above, painted off screen (for their texts only) until
 * max texts were rasterised (pa_draw_limit_rasters: a long caption is one
 * text, so the host's idle slice bounds the work), so a post scrolling in
 * finds its texts cached and no frame pays for them. Only measured posts
 * (their cards are where they will be drawn, wholly off screen), and not
 * those whose texts were all cached last time (warm): no draw calls for
 * nothing. Positions are the last frame's; whatever is painted is cleared by
 * the next frame before it shows. */
int app_feed_prepare(pa_app *a, int max) {
  app_feed *f = a->feed;
  /* Before a frame nothing is known to be on screen. */
  if (a->frame == 0 || f->first_visible < 0 || app_covered(a, &f->screen)) return 0;
  uint64_t before = pa_draw_rasters(a->draw), limit = before + (uint64_t)max;
  pa_draw_limit_rasters(a->draw, limit);
  for (int k = 0; k <= AHEAD_POSTS && pa_draw_rasters(a->draw) < limit; k++) {
    int i = k < AHEAD_POSTS ? f->last_visible + 1 + k : f->first_visible - 1;
    post_view *v = i >= 0 && i < f->post_count ? &f->posts[i] : NULL;
    if (!v || v->measured_width <= 0 || v->warm == pa_draw_clears(a->draw) + 1) continue;
    uint64_t r = pa_draw_rasters(a->draw);
    paint_post(a, i, true);
    /* Nothing rasterised, and under the limit throughout: nothing was missing. */
    if (pa_draw_rasters(a->draw) == r) v->warm = pa_draw_clears(a->draw) + 1;
  }
  pa_draw_limit_rasters(a->draw, UINT64_MAX);
  return (int)(pa_draw_rasters(a->draw) - before);
}

static void feed_free(pa_app *a, app_screen *s) {
  app_feed *f = (app_feed *)s;
  for (int i = 0; i < f->page_count; i++) pa_feed_free(f->pages[i]);
  free(f->pages);
  free(f->posts);
  free(f);
}

static const app_screen_ops FEED_OPS = {
    .input = feed_input,
    .key = feed_key,
    .scroll = feed_scroll,
    .tick = feed_tick,
    .frame = feed_frame,
    .mirror = feed_mirror,
    .free = feed_free,
    .opaque = true,
};

app_screen *app_feed_create(pa_app *a) {
  app_feed *f = app_screen_alloc(sizeof *f, &FEED_OPS);
  if (!f) return NULL;
  f->screen.open = true;
  f->state = ST_LOADING;
  f->focused = -1;
  a->feed = f;
  return &f->screen;
}
