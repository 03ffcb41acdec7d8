/* pa_replay — the replay worker: every live kept by its broadcaster (replay
 * pending, or processing when a restart cut a build short) is built by
 * pa_replay_build, stored as media, made a reel of kind "replay" and told
 * (notice live_replay, frame live.replay); the room's raw folder is then
 * deleted. A failure marks the replay failed (notice too) and keeps the raw
 * folder for the operator (`petamigos-server replay build`). Each round also
 * deletes the folders of lives that ended without keep. */
#include "api/api.h"
#include "api/live.h"
#include "blob.h"
#include "clock.h"
#include "live_replay.h"
#include "log.h"
#include "mstore.h"
#include "srv_internal.h"
#include "store/live.h"
#include "store/media.h"
#include "store/notifications.h"
#include "store/reels.h"
#include "store/replay.h"
#include "worker.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pa_replay_worker {
  /* The thread; NULL once stopped. lock keeps a wake (a request thread) from
   * using it while pa_replay_stop takes it away. */
  pa_worker *w;
  pthread_mutex_t lock;
  atomic_int stopping; /* a build cut short by it stays processing: built again at start */
  const pa_srv *srv;
  pa_mstore *media;            /* borrowed from the server */
  char rec_root[PATH_MAX / 2]; /* room and file names fit after it in PATH_MAX */
};

/* A pending replay, copied out of the store's callback. */
typedef struct pending {
  int64_t live, user, pet, room;
  char title[4 * 80 + 1];
} pending;

typedef struct pending_list {
  pending *items;
  int n, cap;
} pending_list;

static int pending_add(void *ctx, const pa_store_live *l) {
  pending_list *p = ctx;
  if (p->n == p->cap) {
    int cap = p->cap ? p->cap * 2 : 8;
    pending *more = realloc(p->items, (size_t)cap * sizeof *more);
    if (!more) return -1;
    p->items = more, p->cap = cap;
  }
  pending *it = &p->items[p->n++];
  it->live = l->id, it->user = l->user_id, it->pet = l->pet_id, it->room = l->room;
  snprintf(it->title, sizeof it->title, "%s", l->title ? l->title : "");
  return 0;
}

/* Reads a file into memory (at most max bytes): *data (the caller frees it). */
static int load(const char *path, int64_t max, unsigned char **data, size_t *len) {
  FILE *f = fopen(path, "rb");
  *data = NULL, *len = 0;
  if (!f) return -1;
  long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  if (size <= 0 || size > max || fseek(f, 0, SEEK_SET) != 0 || !(*data = malloc((size_t)size)) ||
      fread(*data, 1, (size_t)size, f) != (size_t)size) {
    fclose(f);
    free(*data);
    *data = NULL;
    return -1;
  }
  fclose(f);
  *len = (size_t)size;
  return 0;
}

/* The notice live_replay to the broadcaster: {live, reel (or null), state}. */
static int notice(pa_store *db, const pending *p, int64_t reel, int ready, int64_t now) {
  char detail[128];
  if (reel)
    snprintf(detail, sizeof detail, "{\"live\":\"live_%lld\",\"reel\":\"r_%lld\",\"state\":\"%s\"}",
             (long long)p->live, (long long)reel, ready ? "ready" : "failed");
  else
    snprintf(detail, sizeof detail, "{\"live\":\"live_%lld\",\"reel\":null,\"state\":\"%s\"}",
             (long long)p->live, ready ? "ready" : "failed");
  pa_store_notice_new n = {p->user, "live_replay", 0, 0, p->pet, detail, now};
  return pa_store_notifications_add_notice(db, &n, NULL);
}

static void fail(pa_store *db, const pending *p, const char *why) {
  pa_log_event("error", "replay", "live_%lld: %s (the recording stays for the operator)",
               (long long)p->live, why);
  int rc = pa_store_begin(db);
  if (rc == PA_STORE_OK) rc = pa_store_live_replay_state(db, p->live, "failed");
  if (rc == PA_STORE_OK) rc = notice(db, p, 0, 0, pa_clock_now());
  if (pa_store_end(db, rc == PA_STORE_OK) != PA_STORE_OK || rc != PA_STORE_OK)
    pa_log_event("error", "replay", "live_%lld: cannot mark it failed: %s", (long long)p->live,
                 pa_store_errmsg(db));
}

/* Stores the built files as media and the reel, marks the replay ready and
 * tells the broadcaster, all or nothing. *reel on success. */
static int keep(pa_replay_worker *rw, pa_store *db, const pending *p, const pa_replay_out *out,
                int64_t *reel, char *err, size_t cap) {
  unsigned char *video = NULL, *poster = NULL;
  size_t vlen, plen;
  pa_blob_info pinfo;
  char vhash[PA_BLOB_HASH_HEX + 1], phash[PA_BLOB_HASH_HEX + 1], thumb[PA_BLOB_THUMBHASH_MAX];
  if (load(out->video, PA_REPLAY_MAX_BYTES, &video, &vlen) != 0 ||
      load(out->poster, PA_BLOB_IMAGE_BYTES, &poster, &plen) != 0 ||
      pa_blob_sniff(poster, plen, &pinfo) != PA_BLOB_OK) {
    snprintf(err, cap, "cannot read the built files");
    free(video);
    free(poster);
    return -1;
  }
  int has_thumb = pa_blob_thumbhash(poster, plen, thumb) == 0;
  int64_t now = pa_clock_now();
  pa_mstore_lock(rw->media);
  int brc = pa_blob_store(rw->media, video, vlen, "webm", vhash);
  if (brc == PA_BLOB_OK) brc = pa_blob_store(rw->media, poster, plen, "jpg", phash);
  int rc = brc == PA_BLOB_OK ? pa_store_begin(db) : PA_STORE_EDB;
  if (rc == PA_STORE_OK) {
    /* The WebM's size is the poster's (the same frames). */
    pa_store_media v = {vhash, "webm", pinfo.width, pinfo.height, (int64_t)vlen, now, NULL},
                   pm = {phash,
                         "jpg",
                         pinfo.width,
                         pinfo.height,
                         (int64_t)plen,
                         now,
                         has_thumb ? thumb : NULL};
    pa_store_new_reel r = {.author_id = p->user,
                           .pet_id = p->pet,
                           .video = vhash,
                           .poster = phash,
                           .caption = p->title,
                           .created_at = now,
                           .replay_live = p->live,
                           .duration_ms = out->duration_ms};
    rc = pa_store_media_add(db, &v);
    if (rc == PA_STORE_OK) rc = pa_store_media_add(db, &pm);
    if (rc == PA_STORE_OK) rc = pa_store_reels_add(db, &r, reel);
    if (rc == PA_STORE_OK) rc = pa_store_live_replay_done(db, p->live, *reel);
    if (rc == PA_STORE_OK) rc = notice(db, p, *reel, 1, now);
    if (pa_store_end(db, rc == PA_STORE_OK) != PA_STORE_OK) rc = PA_STORE_EDB;
  }
  pa_mstore_unlock(rw->media);
  free(video);
  free(poster);
  if (brc != PA_BLOB_OK) {
    snprintf(err, cap, "cannot store the files: %s", pa_blob_errstr(brc));
    return -1;
  }
  if (rc != PA_STORE_OK) {
    snprintf(err, cap, "cannot write the reel: %s", pa_store_errmsg(db));
    return -1;
  }
  return 0;
}

static void build_one(pa_replay_worker *rw, pa_store *db, const pending *p) {
  char rec[PATH_MAX], work[PATH_MAX], err[512];
  snprintf(rec, sizeof rec, "%s/%lld", rw->rec_root, (long long)p->room);
  snprintf(work, sizeof work, "%s/%lld.replay", rw->rec_root, (long long)p->room);
  if (pa_store_live_replay_state(db, p->live, "processing") != PA_STORE_OK) {
    pa_log_event("error", "replay", "live_%lld: %s", (long long)p->live, pa_store_errmsg(db));
    return;
  }
  pa_replay_out out;
  int64_t reel = 0;
  int built = pa_replay_build(rec, work, &out, err, sizeof err) == 0;
  if (!built || keep(rw, db, p, &out, &reel, err, sizeof err) != 0) {
    pa_replay_remove_dir(work);
    if (atomic_load(&rw->stopping))
      pa_log_event("info", "replay", "live_%lld: cut short by the stop, built again at start",
                   (long long)p->live);
    else
      fail(db, p, err);
    return;
  }
  pa_replay_remove_dir(work);
  if (pa_replay_remove_dir(rec) != 0)
    pa_log_event("warn", "replay", "live_%lld: cannot delete %s", (long long)p->live, rec);
  pa_log_event("info", "replay", "live_%lld: reel r_%lld, %lld ms, %d segment(s)",
               (long long)p->live, (long long)reel, (long long)out.duration_ms, out.segments);
  char frame[128];
  snprintf(frame, sizeof frame,
           "{\"type\":\"live.replay\",\"live\":\"live_%lld\",\"reel\":\"r_%lld\"}",
           (long long)p->live, (long long)reel);
  pa_live_push(rw->srv, p->live, frame);
}

/* Deletes the folders of rooms whose live ended without keep (or whose
 * replay is ready but the folder stayed: a crash between the two). */
static void sweep(pa_replay_worker *rw, pa_store *db) {
  DIR *d = opendir(rw->rec_root);
  if (!d) return;
  struct dirent *e;
  char path[PATH_MAX];
  while ((e = readdir(d))) {
    char *end;
    long long room = strtoll(e->d_name, &end, 10);
    int fate;
    if (*end || end == e->d_name || room <= 0 ||
        pa_store_replay_room_fate(db, room, &fate) != PA_STORE_OK || fate != PA_STORE_REPLAY_DELETE)
      continue;
    snprintf(path, sizeof path, "%s/%s", rw->rec_root, e->d_name);
    if (pa_replay_remove_dir(path) != 0) pa_log_event("warn", "replay", "cannot delete %s", path);
  }
  closedir(d);
}

static void round_fn(pa_store *db, void *ctx) {
  pa_replay_worker *rw = ctx;
  pending_list list = {0};
  if (pa_store_live_replays_pending(db, pending_add, &list) != PA_STORE_OK) {
    pa_log_event("error", "replay", "pending replays: %s", pa_store_errmsg(db));
  } else {
    for (int i = 0; i < list.n && !atomic_load(&rw->stopping); i++)
      build_one(rw, db, &list.items[i]);
  }
  free(list.items);
  sweep(rw, db);
}

pa_replay_worker *pa_replay_start(const pa_srv *srv, const char *db_where, pa_mstore *media,
                                  const char *rec_root) {
  if (!rec_root || !*rec_root) return NULL;
  if (strlen(rec_root) >= PATH_MAX / 2) {
    pa_log_event("error", "replay", "PA_JANUS_REC_DIR is too long");
    return NULL;
  }
  pa_replay_worker *rw = calloc(1, sizeof *rw);
  if (!rw) return NULL;
  rw->srv = srv;
  pthread_mutex_init(&rw->lock, NULL);
  rw->media = media;
  snprintf(rw->rec_root, sizeof rw->rec_root, "%s", rec_root);
  rw->w = pa_worker_start("replay", db_where, PA_REPLAY_TICK_S, round_fn, rw);
  if (!rw->w) {
    pa_log_event("error", "replay", "the worker did not start");
    pthread_mutex_destroy(&rw->lock);
    free(rw);
    return NULL;
  }
  return rw;
}

void pa_replay_stop(pa_replay_worker *w) {
  if (!w) return;
  atomic_store(&w->stopping, 1);
  pa_replay_cancel(1);
  pthread_mutex_lock(&w->lock);
  pa_worker *thread = w->w;
  w->w = NULL;
  pthread_mutex_unlock(&w->lock);
  pa_worker_stop(thread);
  pa_replay_cancel(0);
}

void pa_replay_free(pa_replay_worker *w) {
  if (!w) return;
  pa_replay_stop(w);
  pthread_mutex_destroy(&w->lock);
  free(w);
}

void pa_replay_wake(const pa_srv *srv) {
  pa_replay_worker *w = srv ? srv->replay : NULL;
  if (!w) return;
  pthread_mutex_lock(&w->lock);
  pa_worker_wake(w->w); /* NULL once stopped: nothing */
  pthread_mutex_unlock(&w->lock);
}

/* The name api/live.h gives the same call. */
void pa_live_replay_wake(const pa_srv *srv) { pa_replay_wake(srv); }
