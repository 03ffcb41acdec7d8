/* pa_api live — the live routes, the Live and JanusJoin JSON, the one way a
 * live ends, and the watchdog (issue 24; web/README.md, "Live"). Janus is
 * reached only from here (blocking calls: handlers run on workers, the
 * watchdog on the chores thread) through web/src/janus/janus.h; the room
 * secret never leaves the server, and every person who joins gets a token
 * signed for that one room. */
#include "api/live.h"

#include "api/chat_relay.h"
#include "clock.h"
#include "janus/janus.h"
#include "log.h"
#include "store/admin.h"
#include "store/live.h"
#include "store/people.h"
#include "store/pets.h"
#include "store/reels.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

_Static_assert((int)PA_LIVE_STARTS_PER_HOUR == (int)PA_LIMIT_LIVE_START_BURST,
               "the route limit counts the starts an hour");
_Static_assert(PA_LIMIT_LIVE_START_WINDOW == 3600, "an hour");

enum {
  LIVE_SECRET_BYTES = 16, /* a room secret: 32 hex characters */
  LIVE_FEEDS_MAX = 8,     /* publishers read from a room (ours has one) */
  LIVE_ACTIVE_MAX = 1000  /* lives one watchdog round or console page looks at */
};

/* ---- the configuration (PA_JANUS...), read once */

static pa_janus_config janus_cfg;
static int janus_state; /* 1 configured, 0 off, -1 malformed */
static pthread_once_t janus_once = PTHREAD_ONCE_INIT;

static void janus_load(void) {
  char err[256];
  janus_state = pa_janus_config_from_env(&janus_cfg, err, sizeof err);
  if (janus_state < 0) pa_log_event("error", "live", "PA_JANUS: %s; live streaming is off", err);
}

/* The configuration, or NULL when live streaming is off. */
static const pa_janus_config *janus(void) {
  pthread_once(&janus_once, janus_load);
  return janus_state == 1 ? &janus_cfg : NULL;
}

/* lrec's replay worker replaces this (live_replay.c); until then nothing
 * builds replays and kept lives stay pending. */
__attribute__((weak)) void pa_live_replay_wake(const pa_srv *srv) { (void)srv; }

/* A room or feed id below 10^15. cJSON prints a larger number in exponent
 * form whenever its %1.15g reads back within its relative epsilon
 * (9007199254740991 prints "9.00719925474099e+15"), which Janus (jansson)
 * refuses as "not an integer" and JavaScript reads as another id. Our own
 * JSON writes ids exactly (pa_janus_add_id), but any plain cJSON number
 * elsewhere (a frame, a log) stays exact with 15 digits. */
enum { LIVE_ID_LIMIT_DIGITS = 15 };
static int64_t janus_id(void) {
  const uint64_t limit = 1000000000000000ULL; /* 10^LIVE_ID_LIMIT_DIGITS */
  uint64_t id;
  do id = pa_janus_random_id();
  while (id >= limit);
  return (int64_t)id;
}

/* ---- a live read into plain memory (the store's strings die with its callback) */

typedef struct live_row {
  int64_t id, user_id, pet_id, room, feed, created_at, started_at, seen_at, reel_id;
  char state[12], instance[PA_JANUS_NAME_MAX], secret[130];
} live_row;

static int copy_live(void *ctx, const pa_store_live *l) {
  live_row *r = ctx;
  *r = (live_row){.id = l->id,
                  .user_id = l->user_id,
                  .pet_id = l->pet_id,
                  .room = l->room,
                  .feed = l->feed,
                  .created_at = l->created_at,
                  .started_at = l->started_at,
                  .seen_at = l->seen_at,
                  .reel_id = l->reel_id};
  snprintf(r->state, sizeof r->state, "%s", l->state);
  snprintf(r->instance, sizeof r->instance, "%s", l->instance);
  snprintf(r->secret, sizeof r->secret, "%s", l->room_secret);
  return 0;
}

static int live_read(pa_store *db, int64_t id, live_row *out) {
  return pa_store_live_get(db, id, copy_live, out);
}

/* ---- JSON */

static int add_time_or_null(cJSON *o, const char *key, int64_t t) {
  return t ? pa_api_add_time(o, key, t) : !cJSON_AddNullToObject(o, key);
}

typedef struct json_ctx {
  const pa_srv *srv;
  cJSON *o;
  int64_t reel, author;
  char replay_state[12];
} json_ctx;

static int live_json_row(void *ctx, const pa_store_live *l) {
  json_ctx *j = ctx;
  cJSON *o = cJSON_CreateObject(), *author = pa_api_person_json(&l->author),
        *pet = pa_api_pet_ref_json(&l->pet);
  int bad = !o || !author || !pet || pa_api_add_id(o, "id", "live", l->id) ||
            !cJSON_AddStringToObject(o, "state", l->state);
  if (!bad && cJSON_AddItemToObject(o, "author", author))
    author = NULL;
  else
    bad = 1;
  if (!bad && cJSON_AddItemToObject(o, "pet", pet))
    pet = NULL;
  else
    bad = 1;
  bad = bad || !cJSON_AddStringToObject(o, "title", l->title ? l->title : "") ||
        pa_api_add_time(o, "created_at", l->created_at) ||
        add_time_or_null(o, "started_at", l->started_at) ||
        add_time_or_null(o, "ended_at", l->ended_at) ||
        !(l->end_reason ? cJSON_AddStringToObject(o, "end_reason", l->end_reason)
                        : cJSON_AddNullToObject(o, "end_reason")) ||
        !cJSON_AddNumberToObject(o, "viewers", j->srv ? pa_live_viewers(j->srv, l->id) : 0) ||
        !cJSON_AddNumberToObject(o, "hearts", (double)l->hearts) ||
        !cJSON_AddNumberToObject(o, "comments", (double)l->comments);
  cJSON_Delete(author);
  cJSON_Delete(pet);
  if (bad) {
    cJSON_Delete(o);
    return -1;
  }
  j->o = o;
  j->reel = l->reel_id;
  j->author = l->user_id;
  snprintf(j->replay_state, sizeof j->replay_state, "%s", l->replay_state);
  return 0;
}

static int reel_into(void *ctx, const pa_store_reel *r) {
  *(cJSON **)ctx = pa_api_reel_json(r);
  return *(cJSON **)ctx ? 0 : -1;
}

/* The Live JSON as viewer sees it (0: as its broadcaster). */
static cJSON *live_json_as(const pa_srv *srv, pa_store *db, int64_t id, int64_t viewer) {
  json_ctx j = {srv, NULL, 0, 0, ""};
  if (pa_store_live_get(db, id, live_json_row, &j) != PA_STORE_OK) return NULL;
  if (strcmp(j.replay_state, "none") == 0) {
    if (!cJSON_AddNullToObject(j.o, "replay")) goto fail;
    return j.o;
  }
  cJSON *replay = cJSON_AddObjectToObject(j.o, "replay"), *reel = NULL;
  if (!replay || !cJSON_AddStringToObject(replay, "state", j.replay_state)) goto fail;
  /* The reel as GET /reels would list it to this viewer: a reel a
   * moderator hid, or one gone, reads as none. */
  if (j.reel) {
    int rc = pa_store_reels_get(db, j.reel, viewer ? viewer : j.author, reel_into, &reel);
    if (rc != PA_STORE_OK && rc != PA_STORE_ENOTFOUND) goto fail;
  }
  if (reel ? !cJSON_AddItemToObject(replay, "reel", reel)
           : !cJSON_AddNullToObject(replay, "reel")) {
    cJSON_Delete(reel);
    goto fail;
  }
  return j.o;
fail:
  cJSON_Delete(j.o);
  return NULL;
}

cJSON *pa_live_json(const pa_srv *srv, struct pa_store *db, int64_t id) {
  return live_json_as(srv, db, id, 0);
}

/* JanusJoin: what a client needs to publish into or subscribe from the
 * live's room, with a token for that room alone. */
static cJSON *janus_join(const pa_janus_config *cfg, const live_row *l, int publisher,
                         int64_t viewer, int64_t now) {
  int inst = pa_janus_find(cfg, l->instance);
  /* Two tokens: Janus's core checks token on every request; VideoRoom checks
   * join_token (its own realm, this room alone) in the join. */
  char token[PA_JANUS_TOKEN_MAX], join_token[PA_JANUS_TOKEN_MAX];
  const int64_t expires = now + PA_LIVE_TOKEN_S;
  if (inst < 0 ||
      pa_janus_token(cfg->secret, expires, (uint64_t)l->room, token, sizeof token) < 0 ||
      pa_janus_join_token(cfg->secret, expires, (uint64_t)l->room, join_token, sizeof join_token) <
          0)
    return NULL;
  cJSON *o = cJSON_CreateObject(), *ice = cJSON_AddArrayToObject(o, "ice_servers");
  cJSON *turn = pa_api_turn_json(viewer);
  if (turn) cJSON_DeleteItemFromObjectCaseSensitive(turn, "ttl");
  int bad = !o || !ice ||
            !cJSON_AddStringToObject(o, "role", publisher ? "publisher" : "subscriber") ||
            !cJSON_AddStringToObject(o, "url", cfg->inst[inst].ws_url) ||
            !pa_janus_add_id(o, "room", (uint64_t)l->room) ||
            !pa_janus_add_id(o, "feed", (uint64_t)l->feed) ||
            !cJSON_AddStringToObject(o, "token", token) ||
            !cJSON_AddStringToObject(o, "join_token", join_token) ||
            pa_api_add_time(o, "expires_at", expires);
  if (!bad && turn && cJSON_AddItemToArray(ice, turn)) turn = NULL;
  cJSON_Delete(turn);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* ---- small answers */

static void live_ended(pa_srv_req *rq, int status) {
  pa_api_error(rq, status, "live_ended", "This live has ended", NULL);
}

/* The path's live when the viewer is its broadcaster; else -1 with 404 (or
 * 500) sent: another's live reads as none. */
static int own_live(pa_srv_req *rq, live_row *l) {
  int rc = live_read(rq->db, rq->ids[0], l);
  if (rc == PA_STORE_OK && l->user_id == rq->viewer) return 0;
  if (rc == PA_STORE_OK || rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such live");
  else
    pa_api_internal(rq, "live");
  return -1;
}

static void send_live(pa_srv_req *rq, int status, int64_t id) {
  cJSON *o = live_json_as(rq->srv, rq->db, id, rq->viewer);
  if (!o) {
    pa_api_internal(rq, "live json");
    return;
  }
  pa_api_json(rq, status, o);
}

/* A frame {"type": type, "live": "live_N", ...more} to every socket joined. */
static void push_frame(const pa_srv *srv, int64_t live, int64_t user, cJSON *frame) {
  if (!frame) return;
  char *text = srv ? cJSON_PrintUnformatted(frame) : NULL;
  if (text) {
    if (user)
      pa_live_push_user(srv, live, user, text);
    else
      pa_live_push(srv, live, text);
  }
  cJSON_free(text);
  cJSON_Delete(frame);
}

static cJSON *frame(const char *type, int64_t live) {
  cJSON *f = cJSON_CreateObject();
  if (!f || !cJSON_AddStringToObject(f, "type", type) || pa_api_add_id(f, "live", "live", live)) {
    cJSON_Delete(f);
    return NULL;
  }
  return f;
}

/* ---- ending: the route, the moderators' route and the watchdog */

/* Whether Janus wrote anything of the room's recording (a .mjr file). */
static int recorded(const pa_janus_config *cfg, int64_t room) {
  char dir[1200];
  if (!cfg || !cfg->rec_dir[0]) return 0;
  snprintf(dir, sizeof dir, "%s/%lld", cfg->rec_dir, (long long)room);
  DIR *d = opendir(dir);
  int found = 0;
  for (struct dirent *e; d && !found && (e = readdir(d));) {
    size_t n = strlen(e->d_name);
    found = n > 4 && strcmp(e->d_name + n - 4, ".mjr") == 0;
  }
  if (d) closedir(d);
  return found;
}

/* Ends live id; moderator (0: none) gets an audit entry in the same
 * transaction. Then the room goes, joined sockets are told and dropped. */
static int end_live(const pa_srv *srv, pa_store *db, int64_t id, const char *reason, int keep,
                    int64_t now, int64_t moderator) {
  live_row l;
  int rc = live_read(db, id, &l);
  if (rc != PA_STORE_OK) return rc;
  if (moderator) {
    char detail[80];
    snprintf(detail, sizeof detail, "{\"person\":\"u_%lld\"}", (long long)l.user_id);
    pa_store_audit_new a = {now, moderator, "live.end", "live", id, detail};
    if ((rc = pa_store_begin(db)) != PA_STORE_OK) return rc;
    rc = pa_store_live_end(db, id, reason, keep, now);
    if (rc == PA_STORE_OK) rc = pa_store_admin_audit(db, &a);
    int e = pa_store_end(db, rc == PA_STORE_OK);
    if (rc == PA_STORE_OK) rc = e;
  } else {
    rc = pa_store_live_end(db, id, reason, keep, now);
  }
  if (rc != PA_STORE_OK) return rc;
  const pa_janus_config *cfg = janus();
  int inst = cfg ? pa_janus_find(cfg, l.instance) : -1;
  char err[256];
  if (inst >= 0 &&
      pa_janus_room_destroy(cfg, inst, (uint64_t)l.room, l.secret, err, sizeof err) < 0)
    pa_log_event("error", "live", "live_%lld: destroying room %lld on %s: %s", (long long)id,
                 (long long)l.room, l.instance, err);
  cJSON *f = frame("live.ended", id);
  if (f && (!cJSON_AddStringToObject(f, "reason", reason) ||
            !cJSON_AddBoolToObject(f, "replay", keep))) {
    cJSON_Delete(f);
    f = NULL;
  }
  if (srv) {
    push_frame(srv, id, 0, f);
    pa_live_drop(srv, id, 0);
  } else {
    cJSON_Delete(f);
  }
  /* Kept: the replay is built; discarded: its folder is swept (live_replay.h). */
  pa_live_replay_wake(srv);
  return PA_STORE_OK;
}

int pa_live_finish(const pa_srv *srv, struct pa_store *db, int64_t id, const char *reason, int keep,
                   int64_t now) {
  return end_live(srv, db, id, reason, keep, now, 0);
}

/* ---- the watchdog */

typedef struct active {
  live_row *rows;
  int n;
} active;

static int collect(void *ctx, const pa_store_live *l) {
  active *a = ctx;
  if (a->n == LIVE_ACTIVE_MAX) return 0;
  return copy_live(&a->rows[a->n++], l);
}

void pa_live_watchdog(const pa_srv *srv, struct pa_store *db, int64_t now) {
  const pa_janus_config *cfg = janus();
  active a = {calloc(LIVE_ACTIVE_MAX, sizeof(live_row)), 0};
  if (!a.rows) return;
  if (pa_store_live_active_list(db, collect, &a) != PA_STORE_OK) {
    pa_log_event("error", "live", "watchdog: %s", pa_store_errmsg(db));
    free(a.rows);
    return;
  }
  for (int i = 0; i < a.n; i++) {
    const live_row *l = &a.rows[i];
    const int64_t since = l->started_at ? l->started_at : l->created_at;
    int rc = PA_STORE_OK;
    if (now - since > PA_LIVE_MAX_S) {
      /* Long enough: the broadcaster keeps what was recorded. */
      rc = end_live(srv, db, l->id, "max", 1, now, 0);
    } else {
      int inst = cfg ? pa_janus_find(cfg, l->instance) : -1;
      uint64_t ids[LIVE_FEEDS_MAX];
      char err[256] = "";
      int n = inst < 0 ? PA_JANUS_EINVAL
                       : pa_janus_room_publishers(cfg, inst, (uint64_t)l->room, ids, LIVE_FEEDS_MAX,
                                                  err, sizeof err);
      if (n < 0 && n != PA_JANUS_ENOROOM) {
        /* Janus unreachable is no proof the broadcaster left: next round. */
        pa_log_event("error", "live", "watchdog live_%lld on %s: %s %s", (long long)l->id,
                     l->instance, pa_janus_errstr(n), err);
        continue;
      }
      int present = 0;
      for (int k = 0; k < n; k++) present |= ids[k] == (uint64_t)l->feed;
      const int64_t last = l->seen_at ? l->seen_at : l->created_at;
      if (present)
        rc = pa_store_live_seen(db, l->id, now);
      else if (now - last >= PA_LIVE_LOST_S)
        rc = end_live(srv, db, l->id, "lost", recorded(cfg, l->room), now, 0);
    }
    if (rc != PA_STORE_OK && rc != PA_STORE_ECONFLICT)
      pa_log_event("error", "live", "watchdog live_%lld: %s", (long long)l->id,
                   pa_store_errmsg(db));
  }
  free(a.rows);
}

/* ---- routes */

/* The instance for a new room: the fewest lives not ended among those that
 * answer, the first listed on a tie. -1 when none answers. */
static int pick_instance(pa_srv_req *rq, const pa_janus_config *cfg) {
  const char *names[PA_JANUS_MAX_INSTANCES];
  int counts[PA_JANUS_MAX_INSTANCES], order[PA_JANUS_MAX_INSTANCES];
  for (int i = 0; i < cfg->count; i++) names[i] = cfg->inst[i].name, order[i] = i;
  if (pa_store_live_instance_load(rq->db, names, cfg->count, counts) != PA_STORE_OK) return -2;
  /* A stable insertion sort by load keeps the configured order on ties. */
  for (int i = 1; i < cfg->count; i++)
    for (int k = i; k > 0 && counts[order[k]] < counts[order[k - 1]]; k--) {
      int t = order[k];
      order[k] = order[k - 1];
      order[k - 1] = t;
    }
  char err[256];
  for (int i = 0; i < cfg->count; i++) {
    if (pa_janus_info(cfg, order[i], err, sizeof err) == PA_JANUS_OK) return order[i];
    pa_log_event("error", "live", "instance %s does not answer: %s", cfg->inst[order[i]].name, err);
  }
  return -1;
}

static void unavailable(pa_srv_req *rq) {
  pa_api_error(rq, 503, "live_unavailable", "Live streaming is not available right now", NULL);
}

static void live_active(pa_srv_req *rq, int64_t id) {
  cJSON *root = cJSON_CreateObject(), *err = cJSON_AddObjectToObject(root, "error");
  snprintf(rq->error_code, sizeof rq->error_code, "live_active");
  if (!err || !cJSON_AddStringToObject(err, "code", "live_active") ||
      !cJSON_AddStringToObject(err, "message", "You are live already: end that live first") ||
      pa_api_add_id(err, "live", "live", id)) {
    cJSON_Delete(root);
    root = NULL;
  }
  pa_api_json(rq, 409, root);
}

void pa_api_live_start(pa_srv_req *rq) {
  static const char *const names[] = {"pet_id", "title", NULL};
  cJSON *body;
  if (pa_api_body(rq, &body) != 0) return;
  int64_t pet = 0, owner = 0, active_id = 0;
  const char *title = NULL;
  char title_buf[PA_LIVE_TITLE_MAX * 4 + 1] = "";
  int bad = pa_api_only(rq, body, names) || pa_api_id(rq, body, "pet_id", "pet", 1, &pet) ||
            pa_api_str(rq, body, "title", 0, 0, PA_LIVE_TITLE_MAX, 0, &title);
  if (!bad && title) snprintf(title_buf, sizeof title_buf, "%s", title);
  cJSON_Delete(body);
  if (bad) return;
  int rc = pa_store_pets_owner(rq->db, pet, &owner);
  if (rc == PA_STORE_ENOTFOUND || (rc == PA_STORE_OK && owner != rq->viewer)) {
    pa_api_field_error(rq, 404, "not_found", "No such pet of yours", "pet_id");
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "live pet");
    return;
  }
  rc = pa_store_live_active_of_user(rq->db, rq->viewer, &active_id);
  if (rc == PA_STORE_OK) {
    live_active(rq, active_id);
    return;
  }
  if (rc != PA_STORE_ENOTFOUND) {
    pa_api_internal(rq, "live active");
    return;
  }
  const pa_janus_config *cfg = janus();
  if (!cfg) {
    unavailable(rq);
    return;
  }
  /* Counted once the request is valid (F_LATE): refusals cost nothing. */
  if (pa_api_limited(rq, PA_LIMIT_LIVE_START, NULL) != 0) return;
  int inst = pick_instance(rq, cfg);
  if (inst == -2) {
    pa_api_internal(rq, "live instances");
    return;
  }
  if (inst < 0) {
    unavailable(rq);
    return;
  }
  const int64_t now = pa_clock_now();
  uint8_t raw[LIVE_SECRET_BYTES];
  char secret[LIVE_SECRET_BYTES * 2 + 1], rec_dir[1200], err[256];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(secret, sizeof secret, raw, sizeof raw);
  live_row l = {.user_id = rq->viewer, .pet_id = pet, .room = janus_id(), .feed = janus_id()};
  snprintf(l.instance, sizeof l.instance, "%s", cfg->inst[inst].name);
  snprintf(l.secret, sizeof l.secret, "%s", secret);
  /* The room's own folder, made by us first: Janus writes into it, the
   * replay worker reads it. */
  int rec = cfg->rec_dir[0] != 0;
  if (rec) {
    snprintf(rec_dir, sizeof rec_dir, "%s/%lld", cfg->rec_dir, (long long)l.room);
    if (mkdir(rec_dir, 0770) != 0 && errno != EEXIST) {
      pa_log_event("error", "live", "mkdir %s: %s", rec_dir, strerror(errno));
      unavailable(rq);
      return;
    }
  }
  pa_janus_room_spec spec = {(uint64_t)l.room, secret, PA_LIVE_BITRATE, rec ? rec_dir : NULL};
  if (pa_janus_room_create(cfg, inst, &spec, err, sizeof err) != PA_JANUS_OK) {
    pa_log_event("error", "live", "creating a room on %s: %s", l.instance, err);
    unavailable(rq);
    return;
  }
  pa_store_new_live nl = {rq->viewer, pet, title_buf, l.instance, l.room, l.feed, secret, now};
  rc = pa_store_live_create(rq->db, &nl, &l.id);
  if (rc != PA_STORE_OK) {
    /* A start that lost a race to another: its room goes again. */
    pa_janus_room_destroy(cfg, inst, (uint64_t)l.room, secret, err, sizeof err);
    if (rc == PA_STORE_ECONFLICT &&
        pa_store_live_active_of_user(rq->db, rq->viewer, &active_id) == PA_STORE_OK)
      live_active(rq, active_id);
    else
      pa_api_internal(rq, "live create");
    return;
  }
  cJSON *root = cJSON_CreateObject(), *live = live_json_as(rq->srv, rq->db, l.id, rq->viewer),
        *join = janus_join(cfg, &l, 1, rq->viewer, now);
  if (!root || !live || !join || !cJSON_AddItemToObject(root, "live", live)) {
    cJSON_Delete(live);
    cJSON_Delete(join);
    cJSON_Delete(root);
    pa_api_internal(rq, "live json");
    return;
  }
  if (!cJSON_AddItemToObject(root, "janus", join)) {
    cJSON_Delete(join);
    cJSON_Delete(root);
    pa_api_internal(rq, "live json");
    return;
  }
  pa_api_json(rq, 201, root);
}

void pa_api_live_get(pa_srv_req *rq) {
  int rc = pa_store_live_visible(rq->db, rq->ids[0], rq->viewer);
  if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such live");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "live");
  else
    send_live(rq, 200, rq->ids[0]);
}

/* A {"feed": n} body: n a whole number in 1..PA_JANUS_ID_MAX. */
static int read_feed(pa_srv_req *rq, int64_t *feed) {
  static const char *const names[] = {"feed", NULL};
  cJSON *body;
  if (pa_api_body(rq, &body) != 0) return -1;
  if (pa_api_only(rq, body, names)) {
    cJSON_Delete(body);
    return -1;
  }
  const cJSON *f = cJSON_GetObjectItemCaseSensitive(body, "feed");
  double v = cJSON_IsNumber(f) ? f->valuedouble : 0;
  int ok = v >= 1 && v <= (double)PA_JANUS_ID_MAX && v == (double)(int64_t)v;
  *feed = ok ? (int64_t)v : 0;
  cJSON_Delete(body);
  if (!ok) pa_api_field_error(rq, 400, "bad_request", "feed must be a publisher id", "feed");
  return ok ? 0 : -1;
}

static void not_publishing(pa_srv_req *rq) {
  pa_api_error(rq, 409, "not_publishing", "The live's feed is not publishing yet", NULL);
}

void pa_api_live_on_air(pa_srv_req *rq) {
  int64_t feed;
  live_row l;
  if (read_feed(rq, &feed) != 0 || own_live(rq, &l) != 0) return;
  if (strcmp(l.state, "ended") == 0) {
    live_ended(rq, 409);
    return;
  }
  const pa_janus_config *cfg = janus();
  int inst = cfg ? pa_janus_find(cfg, l.instance) : -1;
  if (inst < 0) {
    unavailable(rq);
    return;
  }
  /* Only the live's current feed counts: an id from before a reconnect
   * never takes the live back. */
  if (feed != l.feed) {
    not_publishing(rq);
    return;
  }
  uint64_t ids[LIVE_FEEDS_MAX];
  char err[256];
  int n =
      pa_janus_room_publishers(cfg, inst, (uint64_t)l.room, ids, LIVE_FEEDS_MAX, err, sizeof err);
  if (n < 0 && n != PA_JANUS_ENOROOM) {
    pa_log_event("error", "live", "on-air live_%lld: %s %s", (long long)l.id, pa_janus_errstr(n),
                 err);
    unavailable(rq);
    return;
  }
  int present = 0;
  for (int k = 0; k < n; k++) present |= ids[k] == (uint64_t)feed;
  if (!present) {
    not_publishing(rq);
    return;
  }
  const int64_t now = pa_clock_now();
  int first = 0, sent = 0;
  int rc = pa_store_live_on_air(rq->db, l.id, feed, now, &first);
  if (rc == PA_STORE_ENOTFOUND) {
    live_ended(rq, 409); /* ended (or reconnected) between the read and now */
    return;
  }
  if (rc == PA_STORE_OK && first) {
    /* The followers' notice (contract §5): once, words for the push. */
    cJSON *d = cJSON_CreateObject();
    cJSON *live = live_json_as(NULL, rq->db, l.id, 0);
    const cJSON *pet = live ? cJSON_GetObjectItemCaseSensitive(live, "pet") : NULL;
    const cJSON *pn = pet ? cJSON_GetObjectItemCaseSensitive(pet, "name") : NULL;
    const cJSON *title = live ? cJSON_GetObjectItemCaseSensitive(live, "title") : NULL;
    char *detail = NULL;
    if (d && !pa_api_add_id(d, "live", "live", l.id) &&
        cJSON_AddStringToObject(d, "pet", cJSON_IsString(pn) ? pn->valuestring : "") &&
        cJSON_AddStringToObject(d, "title", cJSON_IsString(title) ? title->valuestring : ""))
      detail = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    cJSON_Delete(live);
    rc =
        detail ? pa_store_live_notify_followers(rq->db, l.id, detail, now, &sent) : PA_STORE_ENOMEM;
    cJSON_free(detail);
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "live on air");
    return;
  }
  cJSON *f = frame(first ? "live.state" : "live.feed", l.id);
  if (f && !(first ? cJSON_AddStringToObject(f, "state", "live") != NULL
                   : pa_janus_add_id(f, "feed", (uint64_t)feed) != 0)) {
    cJSON_Delete(f);
    f = NULL;
  }
  push_frame(rq->srv, l.id, 0, f);
  send_live(rq, 200, l.id);
}

void pa_api_live_reconnect(pa_srv_req *rq) {
  live_row l;
  if (own_live(rq, &l) != 0) return;
  if (strcmp(l.state, "ended") == 0) {
    live_ended(rq, 409);
    return;
  }
  const pa_janus_config *cfg = janus();
  if (!cfg || pa_janus_find(cfg, l.instance) < 0) {
    unavailable(rq);
    return;
  }
  l.feed = janus_id();
  int rc = pa_store_live_set_feed(rq->db, l.id, l.feed);
  if (rc == PA_STORE_ENOTFOUND) {
    live_ended(rq, 409);
    return;
  }
  cJSON *root = rc == PA_STORE_OK ? cJSON_CreateObject() : NULL,
        *join = root ? janus_join(cfg, &l, 1, rq->viewer, pa_clock_now()) : NULL;
  if (!join || !cJSON_AddItemToObject(root, "janus", join)) {
    cJSON_Delete(join);
    cJSON_Delete(root);
    pa_api_internal(rq, "live reconnect");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_live_watch(pa_srv_req *rq) {
  live_row l;
  int rc = pa_store_live_visible(rq->db, rq->ids[0], rq->viewer);
  if (rc == PA_STORE_OK) rc = live_read(rq->db, rq->ids[0], &l);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such live");
    return;
  }
  int blocked = rc == PA_STORE_OK ? pa_store_live_is_blocked(rq->db, l.id, rq->viewer) : rc;
  if (blocked < 0) {
    pa_api_internal(rq, "live watch");
    return;
  }
  if (blocked) {
    pa_api_error(rq, 403, "blocked_from_live", "The broadcaster keeps you out of this live", NULL);
    return;
  }
  if (strcmp(l.state, "ended") == 0) {
    live_ended(rq, 410);
    return;
  }
  if (strcmp(l.state, "starting") == 0) {
    pa_api_error(rq, 409, "live_not_started", "This live has not started yet", NULL);
    return;
  }
  const pa_janus_config *cfg = janus();
  if (!cfg) {
    unavailable(rq);
    return;
  }
  cJSON *root = cJSON_CreateObject(), *join = janus_join(cfg, &l, 0, rq->viewer, pa_clock_now());
  if (!root || !join || !cJSON_AddItemToObject(root, "janus", join)) {
    cJSON_Delete(join);
    cJSON_Delete(root);
    pa_api_internal(rq, "live watch");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_live_end(pa_srv_req *rq) {
  static const char *const names[] = {"keep", NULL};
  cJSON *body;
  if (pa_api_body(rq, &body) != 0) return;
  const cJSON *keep = cJSON_GetObjectItemCaseSensitive(body, "keep");
  int bad = pa_api_only(rq, body, names), k = cJSON_IsTrue(keep);
  if (!bad && !cJSON_IsBool(keep)) {
    pa_api_field_error(rq, 400, "bad_request", "keep must be true or false", "keep");
    bad = 1;
  }
  cJSON_Delete(body);
  live_row l;
  if (bad || own_live(rq, &l) != 0) return;
  int rc = end_live(rq->srv, rq->db, l.id, "owner", k, pa_clock_now(), 0);
  if (rc == PA_STORE_ECONFLICT)
    live_ended(rq, 409);
  else if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such live");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "live end");
  else
    send_live(rq, 200, l.id);
}

void pa_api_live_comment_delete(pa_srv_req *rq) {
  live_row l;
  if (own_live(rq, &l) != 0) return;
  int rc = pa_store_live_comment_remove(rq->db, l.id, rq->ids[1], rq->viewer, pa_clock_now());
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such comment");
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "live comment remove");
    return;
  }
  cJSON *f = frame("live.comment_removed", l.id);
  if (f && pa_api_add_id(f, "comment", "lc", rq->ids[1])) {
    cJSON_Delete(f);
    f = NULL;
  }
  push_frame(rq->srv, l.id, 0, f);
  /* {"ok":true}, as every other removal here (the contract said 204). */
  pa_api_ok(rq);
}

void pa_api_live_block(pa_srv_req *rq) {
  static const char *const names[] = {"person", NULL};
  cJSON *body;
  if (pa_api_body(rq, &body) != 0) return;
  int64_t person = 0;
  int bad = pa_api_only(rq, body, names) || pa_api_id(rq, body, "person", "u", 1, &person);
  cJSON_Delete(body);
  live_row l;
  if (bad || own_live(rq, &l) != 0) return;
  if (person == rq->viewer) {
    pa_api_field_error(rq, 400, "bad_request", "You cannot block yourself", "person");
    return;
  }
  int rc = pa_store_live_block_add(rq->db, l.id, person, pa_clock_now());
  if (rc != PA_STORE_OK) {
    /* The only write that fails on a good database: a person who is not. */
    if (pa_store_people_exists(rq->db, person) == PA_STORE_ENOTFOUND)
      pa_api_field_error(rq, 404, "not_found", "No such person", "person");
    else
      pa_api_internal(rq, "live block");
    return;
  }
  push_frame(rq->srv, l.id, person, frame("live.blocked", l.id));
  if (rq->srv) pa_live_drop(rq->srv, l.id, person);
  /* {"ok":true}, as every other removal here (the contract said 204). */
  pa_api_ok(rq);
}

typedef struct ids {
  int64_t *v;
  int n;
} ids;

static int collect_id(void *ctx, const pa_store_live *l) {
  ids *a = ctx;
  if (a->n == LIVE_ACTIVE_MAX) return 0;
  a->v[a->n++] = l->id;
  return 0;
}

void pa_api_admin_lives(pa_srv_req *rq) {
  ids a = {calloc(LIVE_ACTIVE_MAX, sizeof(int64_t)), 0};
  cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "lives");
  int ok = a.v && list && pa_store_live_active_list(rq->db, collect_id, &a) == PA_STORE_OK;
  for (int i = 0; ok && i < a.n; i++) {
    cJSON *o = live_json_as(rq->srv, rq->db, a.v[i], rq->viewer);
    ok = o && cJSON_AddItemToArray(list, o);
    if (!ok) cJSON_Delete(o);
  }
  free(a.v);
  if (!ok) {
    cJSON_Delete(root);
    pa_api_internal(rq, "admin lives");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_admin_live_end(pa_srv_req *rq) {
  int rc = end_live(rq->srv, rq->db, rq->ids[0], "moderator", 0, pa_clock_now(), rq->viewer);
  if (rc == PA_STORE_ECONFLICT)
    live_ended(rq, 409);
  else if (rc == PA_STORE_ENOTFOUND)
    PA_NOT_FOUND(rq, "No such live");
  else if (rc != PA_STORE_OK)
    pa_api_internal(rq, "admin live end");
  else
    send_live(rq, 200, rq->ids[0]);
}
