/* Stories: the tray above the feed and the full-screen viewer. */
#include "app_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TRAY = 104, RING = 32, SLOT = 76, STORY_MS = 5000, HOLD_MS = 250 };

static const pa_story_entry *entry(const pa_app *a, int i) {
  return pa_stories_entry_at(a->tray, i);
}

static bool *seen_flag(pa_app *a, int e, int s) { return &a->seen[a->seen_base[e] + s]; }

static bool entry_seen(pa_app *a, int e) {
  for (int s = 0; s < entry(a, e)->story_count; s++)
    if (!*seen_flag(a, e, s)) return false;
  return true;
}

void app_stories_free(pa_app *a) {
  pa_stories_free(a->tray);
  free(a->seen);
  free(a->seen_base);
  a->tray = NULL;
  a->seen = NULL;
  a->seen_base = NULL;
  a->viewer.open = false;
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
  app_stories_free(a);
  a->tray = tray;
  a->seen = seen;
  a->seen_base = base;
  a->tray_scroll = 0;
  a->mirror_revision++;
  app_invalidate_layout(a); /* the feed moves down under the tray */
  return PA_OK;
}

float app_tray_height(const pa_app *a) { return pa_stories_count(a->tray) ? app_px(a, TRAY) : 0; }

/* The tray runs from the start side: right to left in RTL locales. */
static float slot_x(const pa_app *a, int i) {
  float x = app_column_x(a) + app_px(a, 12) + app_px(a, SLOT) * (float)i - a->tray_scroll;
  return app_mx(a, x, app_px(a, SLOT), app_column_x(a), app_column_width(a));
}

void app_paint_tray(pa_app *a, float top) {
  const palette *c = &a->pal;
  float r = app_px(a, RING), w = app_column_width(a), x0 = app_column_x(a);
  pa_draw_rect(a->draw, x0, top, w, app_tray_height(a), c->card);
  pa_draw_rect(a->draw, x0, top + app_tray_height(a) - 1, w, 1, c->line);
  for (int i = 0; i < pa_stories_count(a->tray); i++) {
    float cx = slot_x(a, i) + app_px(a, SLOT) / 2, cy = top + app_px(a, 8) + r;
    if (cx + r < x0 || cx - r > x0 + w) continue;
    const pa_story_entry *en = entry(a, i);
    /* A coloured ring for stories not seen yet, a thin grey one after. */
    bool seen = entry_seen(a, i);
    pa_draw_disc(a->draw, cx, cy, r + app_px(a, seen ? 1.5f : 3), seen ? c->line : c->like, NULL);
    pa_draw_disc(a->draw, cx, cy, r, c->card, NULL);
    image_slot *av = app_want_image(a, en->pet.avatar_url, 2 * r, 2 * r);
    pa_draw_disc(a->draw, cx, cy, r - app_px(a, 2), c->line,
                 av && av->state == IMG_READY ? av->texture : NULL);
    pa_text_style st = app_user_style(a, 12, 0, c->text, app_px(a, SLOT - 6), 1);
    float tw = app_text_width(a, en->pet.name, &st);
    app_text_at(a, en->pet.name, &st, cx - tw / 2, cy + r + app_px(a, 6));
  }
}

void app_tray_drag(pa_app *a, float dx) {
  float max =
      app_px(a, 24) + app_px(a, SLOT) * (float)pa_stories_count(a->tray) - app_column_width(a);
  if (a->rtl) dx = -dx; /* dragging left reveals more in RTL */
  a->tray_scroll = fmaxf(0.0f, fminf(a->tray_scroll - dx, fmaxf(0.0f, max)));
}

bool app_tray_tap(pa_app *a, float x, float y, float top) {
  if (y < top || y >= top + app_tray_height(a)) return false;
  for (int i = 0; i < pa_stories_count(a->tray); i++)
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
  const pa_story_entry *en = a->viewer.open ? entry(a, a->viewer.entry) : NULL;
  if (en && en->owner.id)
    app_act_value(a, PA_ACTION_WATCHED, en->owner.id, fmin(1.0, a->viewer.elapsed / STORY_MS));
}

static void show(pa_app *a, int e, int s) {
  leave_story(a);
  a->viewer.open = true;
  a->viewer.entry = e;
  a->viewer.story = s;
  a->viewer.elapsed = 0;
  a->viewer.paused = false;
  a->mirror_revision++;
}

void pa_app_open_story(pa_app *a, int index) {
  const pa_story_entry *en = entry(a, index);
  if (!en) return;
  int s = 0;
  while (s < en->story_count - 1 && *seen_flag(a, index, s)) s++;
  show(a, index, s);
}

static void close_viewer(pa_app *a) {
  leave_story(a);
  a->viewer.open = false;
  a->mirror_revision++;
}

static void step(pa_app *a, int dir) {
  int e = a->viewer.entry, s = a->viewer.story + dir;
  if (s >= entry(a, e)->story_count) {
    if (e + 1 >= pa_stories_count(a->tray)) return close_viewer(a);
    return show(a, e + 1, 0);
  }
  if (s < 0) {
    if (e == 0) return show(a, 0, 0);
    return show(a, e - 1, entry(a, e - 1)->story_count - 1);
  }
  show(a, e, s);
}

bool app_story_key(pa_app *a, pa_key key) {
  if (!a->viewer.open) return false;
  switch (key) {
  case PA_KEY_ESCAPE: close_viewer(a); break;
  case PA_KEY_LEFT:
  case PA_KEY_UP: step(a, -1); break;
  case PA_KEY_RIGHT:
  case PA_KEY_DOWN: step(a, 1); break;
  case PA_KEY_PAUSE:
    a->viewer.paused = !a->viewer.paused;
    a->mirror_revision++;
    break;
  default: break;
  }
  return true;
}

/* Holding pauses; a short tap goes back (left third) or forward. */
bool app_story_input(pa_app *a, pa_pointer_phase phase, float x, float y, double t) {
  if (!a->viewer.open) return false;
  if (phase == PA_POINTER_DOWN) {
    a->viewer.held = true;
    a->viewer.paused = true;
  } else if (phase == PA_POINTER_UP && a->viewer.held) {
    a->viewer.held = false;
    a->viewer.paused = false;
    /* Mirrored in RTL: close at the top left, back on the right third. */
    float mx = a->rtl ? (float)a->width - x : x;
    bool close = mx > (float)a->width - app_px(a, 56) && y < app_px(a, 64);
    if (close)
      close_viewer(a);
    else if (t - a->ptr.t0 < HOLD_MS)
      step(a, mx < (float)a->width / 3 ? -1 : 1);
  } else if (phase == PA_POINTER_CANCEL) {
    a->viewer.held = false;
    a->viewer.paused = false;
  }
  return true;
}

void app_paint_story(pa_app *a, double dt) {
  const pa_story_entry *en = entry(a, a->viewer.entry);
  const pa_story *st = &en->stories[a->viewer.story];
  float W = (float)a->width, H = (float)a->height, pad = app_px(a, 10);
  pa_draw_rect(a->draw, 0, 0, W, H, 0x000000ff);
  image_slot *im = app_want_image(a, st->media.url, W, H);
  bool ready = im && im->state == IMG_READY;
  if (ready) {
    /* Fit the whole picture: stories are composed to be seen entire. */
    float s = fminf(W / (float)im->width, H / (float)im->height);
    float w = (float)im->width * s, h = (float)im->height * s;
    SDL_RenderCopyF(a->renderer, im->texture, NULL, &(SDL_FRect){(W - w) / 2, (H - h) / 2, w, h});
  } else {
    pa_text_style ts = app_style(a, 14, 0, 0xbbbbbbff, W, 1);
    char msg[128];
    APP_T(a, msg, sizeof msg, im && im->state == IMG_FAILED ? "story.unavailable" : "app.loading");
    app_text_at(a, msg, &ts, (W - app_text_width(a, msg, &ts)) / 2, H / 2);
  }
  /* Time runs only while the picture is up and nobody holds it. */
  if ((ready || (im && im->state == IMG_FAILED)) && !a->viewer.paused) a->viewer.elapsed += dt;
  if (ready && !*seen_flag(a, a->viewer.entry, a->viewer.story)) {
    *seen_flag(a, a->viewer.entry, a->viewer.story) = true;
    app_act(a, PA_ACTION_STORY_SEEN, st->id);
    a->mirror_revision++;
  }

  /* Progress: one bar per story of this pet. */
  int n = en->story_count;
  float gap = app_px(a, 4), bw = (W - 2 * pad - gap * (float)(n - 1)) / (float)n;
  for (int i = 0; i < n; i++) {
    float fill = i < a->viewer.story   ? 1.0f
                 : i > a->viewer.story ? 0.0f
                                       : fminf(1.0f, (float)(a->viewer.elapsed / STORY_MS));
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
  if (a->viewer.paused && !a->viewer.held) {
    pa_text_style ps = app_style(a, 14, 1, 0xffffffff, W, 1);
    char paused[96];
    APP_T(a, paused, sizeof paused, "story.paused");
    app_text_at(a, paused, &ps, (W - app_text_width(a, paused, &ps)) / 2, H - app_px(a, 48));
  }
  if (a->viewer.elapsed >= STORY_MS) step(a, 1);
}

void app_stories_mirror(pa_app *a, void *root_) {
  cJSON *root = root_;
  cJSON *tray = cJSON_AddArrayToObject(root, "stories");
  char label[400];
  for (int i = 0; i < pa_stories_count(a->tray); i++) {
    const pa_story_entry *en = entry(a, i);
    APP_TA(a, label, sizeof label, "story.trayLabel", PA_MSG_STR("pet", en->pet.name),
           PA_MSG_INT("count", en->story_count),
           PA_MSG_STR("unseen", entry_seen(a, i) ? "false" : "true"));
    cJSON_AddItemToArray(tray, cJSON_CreateString(label));
  }
  if (!a->viewer.open) return;
  const pa_story_entry *en = entry(a, a->viewer.entry);
  char when[96];
  app_when(a, en->stories[a->viewer.story].created_at, 1, when, sizeof when);
  APP_TA(a, label, sizeof label, "story.viewerLabel", PA_MSG_STR("pet", en->pet.name),
         PA_MSG_INT("index", a->viewer.story + 1), PA_MSG_INT("total", en->story_count),
         PA_MSG_STR("time", when));
  cJSON *o = cJSON_AddObjectToObject(root, "viewer");
  cJSON_AddStringToObject(o, "kind", "story");
  cJSON_AddStringToObject(o, "label", label);
  cJSON_AddStringToObject(o, "id", en->stories[a->viewer.story].id);
  cJSON_AddBoolToObject(o, "paused", a->viewer.paused);
}
