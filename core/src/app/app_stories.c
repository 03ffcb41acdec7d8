/* Stories: the tray above the feed and the full-screen viewer. */
#include "app_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TRAY_LABEL_MAX = 400 }; /* bytes of a tray or viewer label */
enum { TRAY = 104, RING = 32, SLOT = 76, STORY_MS = 5000, HOLD_MS = 250 };

/* The tray, what this viewer has seen, and the viewer (open: screen.open). */
struct app_stories {
  app_screen screen;
  pa_stories *tray;
  bool *seen;     /* per story, in tray order */
  int *seen_base; /* per entry: index of its first story in seen */
  float tray_scroll;
  struct {
    bool paused;
    int entry, story;
    double elapsed; /* ms shown so far */
    bool held;
  } viewer;
};

static const pa_story_entry *entry(const pa_app *a, int i) {
  return pa_stories_entry_at(a->stories->tray, i);
}

static bool *seen_flag(pa_app *a, int e, int s) {
  return &a->stories->seen[a->stories->seen_base[e] + s];
}

static bool entry_seen(pa_app *a, int e) {
  for (int s = 0; s < entry(a, e)->story_count; s++)
    if (!*seen_flag(a, e, s)) return false;
  return true;
}

static void clear_tray(pa_app *a) {
  pa_stories_free(a->stories->tray);
  free(a->stories->seen);
  free(a->stories->seen_base);
  a->stories->tray = NULL;
  a->stories->seen = NULL;
  a->stories->seen_base = NULL;
  a->stories->screen.open = false;
}

pa_status pa_app_stories_loaded(pa_app *a, const char *json, size_t len, pa_error *err) {
  pa_error local;
  pa_error *e = err ? err : &local;
  pa_stories *tray;
  pa_status st = pa_stories_parse(json, len, &tray, e);
  if (st != PA_OK) {
    app_log(a, "stories rejected: %s", e->msg);
    return st;
  }
  int n = pa_stories_count(tray), total = 0;
  for (int i = 0; i < n; i++) total += pa_stories_entry_at(tray, i)->story_count;
  bool *seen = calloc((size_t)total + 1, sizeof *seen);
  int *base = calloc((size_t)n + 1, sizeof *base);
  if (!seen || !base) {
    free(seen);
    free(base);
    pa_stories_free(tray);
    return pa_error_set(e, PA_ERR_NOMEM, "out of memory");
  }
  for (int i = 0, k = 0; i < n; i++) {
    base[i] = k;
    const pa_story_entry *en = pa_stories_entry_at(tray, i);
    for (int s = 0; s < en->story_count; s++) seen[k++] = en->stories[s].seen;
  }
  clear_tray(a);
  a->stories->tray = tray;
  a->stories->seen = seen;
  a->stories->seen_base = base;
  a->stories->tray_scroll = 0;
  a->mirror_revision++;
  app_invalidate_layout(a); /* the feed moves down under the tray */
  return PA_OK;
}

float app_tray_height(const pa_app *a) {
  return pa_stories_count(a->stories->tray) ? app_px(a, TRAY) : 0;
}

/* The tray runs from the start side: right to left in RTL locales. */
static float slot_x(const pa_app *a, int i) {
  float x = app_column_x(a) + app_px(a, 12) + app_px(a, SLOT) * (float)i - a->stories->tray_scroll;
  return app_mx(a, x, app_px(a, SLOT), app_column_x(a), app_column_width(a));
}

/* The words of key on a pill of colour bg (a bar with round ends: two
 * discs), white and bold, vertically centred on cy; anchor places the pill
 * at x by its start (0), middle (0.5) or end (1). */
void app_pill(pa_app *a, float x, float cy, float anchor, const char *key, uint32_t bg) {
  char text[64];
  pa_text_style st = app_style(a, 10, 1, 0xffffffff, app_px(a, 120), 1);
  APP_T(a, text, sizeof text, key);
  float h = app_px(a, 16), tw = app_text_width(a, text, &st), w = tw + app_px(a, 8);
  float cx = x + (0.5f - anchor) * (w + h);
  pa_draw_disc(a->draw, cx - w / 2, cy, h / 2, bg, NULL);
  pa_draw_disc(a->draw, cx + w / 2, cy, h / 2, bg, NULL);
  pa_draw_rect(a->draw, cx - w / 2, cy - h / 2, w, h, bg);
  app_text_at(a, text, &st, cx - tw / 2, cy - app_px(a, 7));
}

void app_paint_tray(pa_app *a, float top) {
  const palette *c = &a->pal;
  float r = app_px(a, RING), w = app_column_width(a), x0 = app_column_x(a);
  pa_draw_rect(a->draw, x0, top, w, app_tray_height(a), c->card);
  pa_draw_rect(a->draw, x0, top + app_tray_height(a) - 1, w, 1, c->line);
  for (int i = 0; i < pa_stories_count(a->stories->tray); i++) {
    float cx = slot_x(a, i) + app_px(a, SLOT) / 2, cy = top + app_px(a, 8) + r;
    if (cx + r < x0 || cx - r > x0 + w) continue;
    const pa_story_entry *en = entry(a, i);
    /* A coloured ring for stories not seen yet, a thin grey one after; a
     * pet on air has the live colour whatever was seen. */
    bool seen = !en->live_id && entry_seen(a, i);
    pa_draw_disc(a->draw, cx, cy, r + app_px(a, seen ? 1.5f : 3),
                 en->live_id ? c->live
                 : seen      ? c->line
                             : c->like,
                 NULL);
    pa_draw_disc(a->draw, cx, cy, r, c->card, NULL);
    image_slot *av = app_want_image(a, en->pet.avatar_url, 2 * r, 2 * r);
    pa_draw_disc(a->draw, cx, cy, r - app_px(a, 2), c->line,
                 av && av->state == IMG_READY ? av->texture : NULL);
    if (en->live_id) app_pill(a, cx, cy + r, 0.5f, "stories.live_badge", c->live);
    pa_text_style st = app_user_style(a, 12, 0, c->text, app_px(a, SLOT - 6), 1);
    float tw = app_text_width(a, en->pet.name, &st);
    app_text_at(a, en->pet.name, &st, cx - tw / 2, cy + r + app_px(a, en->live_id ? 10 : 6));
  }
}

void app_tray_drag(pa_app *a, float dx) {
  float max = app_px(a, 24) + app_px(a, SLOT) * (float)pa_stories_count(a->stories->tray) -
              app_column_width(a);
  if (a->rtl) dx = -dx; /* dragging left reveals more in RTL */
  a->stories->tray_scroll = fmaxf(0.0f, fminf(a->stories->tray_scroll - dx, fmaxf(0.0f, max)));
}

bool app_tray_tap(pa_app *a, float x, float y, float top) {
  if (y < top || y >= top + app_tray_height(a)) return false;
  for (int i = 0; i < pa_stories_count(a->stories->tray); i++)
    if (x >= slot_x(a, i) && x < slot_x(a, i) + app_px(a, SLOT)) {
      pa_app_open_story(a, i);
      return true;
    }
  return true; /* the bar itself swallows the tap */
}

/* ---- the viewer */

/* The story on screen is left (another one, or the viewer closes): how much
 * of it was seen teaches the ranker about its owner. */
static void leave_story(pa_app *a) {
  const pa_story_entry *en = a->stories->screen.open ? entry(a, a->stories->viewer.entry) : NULL;
  if (en && en->owner.id)
    app_act_value(a, PA_ACTION_WATCHED, en->owner.id,
                  fmin(1.0, a->stories->viewer.elapsed / STORY_MS));
}

static void show(pa_app *a, int e, int s) {
  leave_story(a);
  a->stories->screen.open = true;
  a->stories->viewer.entry = e;
  a->stories->viewer.story = s;
  a->stories->viewer.elapsed = 0;
  a->stories->viewer.paused = false;
  a->mirror_revision++;
}

void pa_app_open_story(pa_app *a, int index) {
  const pa_story_entry *en = entry(a, index);
  if (!en) return;
  if (en->live_id) { /* on air: the host opens the live, not its stories */
    app_act(a, PA_ACTION_OPEN_LIVE, en->live_id);
    return;
  }
  int s = 0;
  while (s < en->story_count - 1 && *seen_flag(a, index, s)) s++;
  show(a, index, s);
}

static void close_viewer(pa_app *a) {
  leave_story(a);
  a->stories->screen.open = false;
  a->mirror_revision++;
}

/* The nearest entry from e in direction dir that has stories (a live with
 * none is passed over), or -1. */
static int with_stories(pa_app *a, int e, int dir) {
  for (e += dir; entry(a, e); e += dir)
    if (entry(a, e)->story_count) return e;
  return -1;
}

static void step(pa_app *a, int dir) {
  int e = a->stories->viewer.entry, s = a->stories->viewer.story + dir;
  if (s >= entry(a, e)->story_count) {
    int k = with_stories(a, e, 1);
    return k < 0 ? close_viewer(a) : show(a, k, 0);
  }
  if (s < 0) {
    int k = with_stories(a, e, -1);
    return k < 0 ? show(a, e, 0) : show(a, k, entry(a, k)->story_count - 1);
  }
  show(a, e, s);
}

static void story_key(pa_app *a, app_screen *s, pa_key key) {
  switch (key) {
  case PA_KEY_ESCAPE: close_viewer(a); break;
  case PA_KEY_LEFT:
  case PA_KEY_UP: step(a, -1); break;
  case PA_KEY_RIGHT:
  case PA_KEY_DOWN: step(a, 1); break;
  case PA_KEY_PAUSE:
    a->stories->viewer.paused = !a->stories->viewer.paused;
    a->mirror_revision++;
    break;
  default: break;
  }
}

/* Holding pauses; a short tap goes back (left third) or forward. */
static void story_input(pa_app *a, app_screen *s, pa_pointer_phase phase, float x, float y,
                        double t) {
  app_track_pointer(a, phase);
  if (phase == PA_POINTER_DOWN) {
    a->stories->viewer.held = true;
    a->stories->viewer.paused = true;
  } else if (phase == PA_POINTER_UP && a->stories->viewer.held) {
    a->stories->viewer.held = false;
    a->stories->viewer.paused = false;
    /* Mirrored in RTL: close at the top left, back on the right third. */
    float mx = a->rtl ? (float)a->width - x : x;
    bool close = mx > (float)a->width - app_px(a, 56) && y < app_px(a, 64);
    if (close)
      close_viewer(a);
    else if (t - a->ptr.t0 < HOLD_MS)
      step(a, mx < (float)a->width / 3 ? -1 : 1);
  } else if (phase == PA_POINTER_CANCEL) {
    a->stories->viewer.held = false;
    a->stories->viewer.paused = false;
  }
}

static bool story_frame(pa_app *a, app_screen *s, double dt) {
  if (!s->open) return false;
  const pa_story_entry *en = entry(a, a->stories->viewer.entry);
  const pa_story *st = &en->stories[a->stories->viewer.story];
  float W = (float)a->width, H = (float)a->height, pad = app_px(a, 10);
  pa_draw_rect(a->draw, 0, 0, W, H, 0x000000ff);
  image_slot *im = app_want_image(a, st->media.url, W, H);
  bool ready = im && im->state == IMG_READY;
  if (ready) {
    /* Fit the whole picture: stories are composed to be seen entire. */
    float fit = fminf(W / (float)im->width, H / (float)im->height);
    float w = (float)im->width * fit, h = (float)im->height * fit;
    SDL_RenderCopyF(a->renderer, im->texture, NULL, &(SDL_FRect){(W - w) / 2, (H - h) / 2, w, h});
  } else {
    pa_text_style ts = app_style(a, 14, 0, 0xbbbbbbff, W, 1);
    char msg[128];
    APP_T(a, msg, sizeof msg, im && im->state == IMG_FAILED ? "story.unavailable" : "app.loading");
    app_text_at(a, msg, &ts, (W - app_text_width(a, msg, &ts)) / 2, H / 2);
  }
  /* Time runs only while the picture is up and nobody holds it. */
  if ((ready || (im && im->state == IMG_FAILED)) && !a->stories->viewer.paused)
    a->stories->viewer.elapsed += dt;
  if (ready && !*seen_flag(a, a->stories->viewer.entry, a->stories->viewer.story)) {
    *seen_flag(a, a->stories->viewer.entry, a->stories->viewer.story) = true;
    app_act(a, PA_ACTION_STORY_SEEN, st->id);
    a->mirror_revision++;
  }

  /* Progress: one bar per story of this pet. */
  int n = en->story_count;
  float gap = app_px(a, 4), bw = (W - 2 * pad - gap * (float)(n - 1)) / (float)n;
  for (int i = 0; i < n; i++) {
    float fill = i < a->stories->viewer.story ? 1.0f
                 : i > a->stories->viewer.story
                     ? 0.0f
                     : fminf(1.0f, (float)(a->stories->viewer.elapsed / STORY_MS));
    float x = app_mx(a, pad + (bw + gap) * (float)i, bw, 0, W);
    pa_draw_rect(a->draw, x, pad, bw, app_px(a, 3), 0xffffff55);
    pa_draw_rect(a->draw, a->rtl ? x + bw * (1 - fill) : x, pad, bw * fill, app_px(a, 3),
                 0xffffffff);
  }
  float r = app_px(a, 16), cy = pad + app_px(a, 12) + r;
  image_slot *av = app_want_image(a, en->pet.avatar_url, 2 * r, 2 * r);
  pa_draw_disc(a->draw, app_mx(a, pad, 2 * r, 0, W) + r, cy, r, 0x444444ff,
               av && av->state == IMG_READY ? av->texture : NULL);
  char when[48];
  app_when(a, st->created_at, 0, when, sizeof when);
  pa_text_style name = app_user_style(a, 14, 1, 0xffffffff, W / 2, 1);
  float x = pad + 2 * r + pad,
        end = app_text_start(a, en->pet.name, &name, x, W - 2 * x, cy - app_px(a, 9));
  pa_text_style meta = app_style(a, 13, 0, 0xddddddff, W / 4, 1);
  if (a->rtl)
    app_text_start(a, when, &meta, 0, end - pad, cy - app_px(a, 8));
  else
    app_text_at(a, when, &meta, end + pad, cy - app_px(a, 8));
  /* Close: a cross at the top end corner. */
  float cx = app_mx(a, W - app_px(a, 28), 0, 0, W), t = app_px(a, 2), arm = app_px(a, 9);
  for (int k = 0; k < 2; k++) {
    SDL_Vertex v[4];
    float d = k ? -1.0f : 1.0f;
    SDL_Color white = {255, 255, 255, 255};
    v[0] = (SDL_Vertex){{cx - arm, cy - arm * d - t}, white, {0, 0}};
    v[1] = (SDL_Vertex){{cx - arm, cy - arm * d + t}, white, {0, 0}};
    v[2] = (SDL_Vertex){{cx + arm, cy + arm * d + t}, white, {0, 0}};
    v[3] = (SDL_Vertex){{cx + arm, cy + arm * d - t}, white, {0, 0}};
    int idx[6] = {0, 1, 2, 0, 2, 3};
    SDL_RenderGeometry(a->renderer, NULL, v, 4, idx, 6);
  }
  if (a->stories->viewer.paused && !a->stories->viewer.held) {
    pa_text_style ps = app_style(a, 14, 1, 0xffffffff, W, 1);
    char paused[96];
    APP_T(a, paused, sizeof paused, "story.paused");
    app_text_at(a, paused, &ps, (W - app_text_width(a, paused, &ps)) / 2, H - app_px(a, 48));
  }
  if (a->stories->viewer.elapsed >= STORY_MS) step(a, 1);
  return s->open && !a->stories->viewer.paused;
}

void app_tray_mirror(pa_app *a, void *root) {
  cJSON *tray = cJSON_AddArrayToObject(root, "stories");
  char label[TRAY_LABEL_MAX];
  for (int i = 0; i < pa_stories_count(a->stories->tray); i++) {
    const pa_story_entry *en = entry(a, i);
    if (en->live_id)
      APP_TA(a, label, sizeof label, "stories.live_label", PA_MSG_STR("name", en->pet.name));
    else
      APP_TA(a, label, sizeof label, "story.trayLabel", PA_MSG_STR("pet", en->pet.name),
             PA_MSG_INT("count", en->story_count),
             PA_MSG_STR("unseen", entry_seen(a, i) ? "false" : "true"));
    cJSON_AddItemToArray(tray, cJSON_CreateString(label));
  }
}

static void story_mirror(pa_app *a, app_screen *s, void *root) {
  if (!s->open) return;
  const pa_story_entry *en = entry(a, a->stories->viewer.entry);
  char when[96], label[TRAY_LABEL_MAX];
  app_when(a, en->stories[a->stories->viewer.story].created_at, 1, when, sizeof when);
  APP_TA(a, label, sizeof label, "story.viewerLabel", PA_MSG_STR("pet", en->pet.name),
         PA_MSG_INT("index", a->stories->viewer.story + 1), PA_MSG_INT("total", en->story_count),
         PA_MSG_STR("time", when));
  cJSON *o = cJSON_AddObjectToObject(root, "viewer");
  cJSON_AddStringToObject(o, "kind", "story");
  cJSON_AddStringToObject(o, "label", label);
  cJSON_AddStringToObject(o, "id", en->stories[a->stories->viewer.story].id);
  cJSON_AddBoolToObject(o, "paused", a->stories->viewer.paused);
}

void app_tray_direction_changed(pa_app *a) { a->stories->tray_scroll = 0; }

static void story_close(pa_app *a, app_screen *s) { close_viewer(a); }

static void story_free(pa_app *a, app_screen *s) {
  clear_tray(a);
  free(a->stories);
}

static const app_screen_ops STORY_OPS = {
    .input = story_input,
    .key = story_key,
    .frame = story_frame,
    .mirror = story_mirror,
    .close = story_close,
    .free = story_free,
};

app_screen *app_stories_create(pa_app *a) {
  app_stories *s = app_screen_alloc(sizeof *s, &STORY_OPS);
  if (!s) return NULL;
  a->stories = s;
  return &s->screen;
}
