/* pa_janus — the server's client of Janus 1.1.2 (issue 24, live streaming).
 *
 * Janus runs beside the server (scripts/janus writes its configuration into
 * the data directory); the server owns every authority over it: it creates
 * and destroys VideoRoom rooms with the VideoRoom admin_key and each room's
 * own secret, and signs the tokens browsers present (Janus's token_auth with
 * token_auth_secret, src/auth.c: "<expiry>,janus,<plugins>:<base64 HMAC-SHA1>").
 * The Admin API stays off. Calls go over Janus's HTTP transport (127.0.0.1
 * only) with libcurl; they block, so they are made from worker threads,
 * like the payment providers' calls (pay/http.c). */
#ifndef PA_JANUS_H
#define PA_JANUS_H

#include <stddef.h>
#include <stdint.h>

enum {
  PA_JANUS_MAX_INSTANCES = 8,    /* instances in PA_JANUS */
  PA_JANUS_NAME_MAX = 16,        /* bytes of a name with its NUL: [a-z0-9]{1,15} */
  PA_JANUS_URL_MAX = 256,        /* bytes of a URL with its NUL */
  PA_JANUS_TOKEN_MAX = 200,      /* bytes of a signed token with its NUL */
  PA_JANUS_TIMEOUT_MS = 5000,    /* one HTTP request to Janus, connect to last byte */
  PA_JANUS_REPLY_MAX = 64 * 1024 /* bytes of one reply body; past it: PA_JANUS_EPROTO */
};
/* Room and feed ids stay exact in JavaScript (Number.MAX_SAFE_INTEGER). */
#define PA_JANUS_ID_MAX ((1LL << 53) - 1)

enum {
  PA_JANUS_OK = 0,
  PA_JANUS_EDOWN = -1,    /* unreachable, timeout, HTTP error */
  PA_JANUS_EREFUSED = -2, /* Janus or the plugin answered an error: code and reason in err */
  PA_JANUS_ENOROOM = -3,  /* no such room (VideoRoom 426) */
  PA_JANUS_EPROTO = -4,   /* malformed reply */
  PA_JANUS_EINVAL = -5
};
const char *pa_janus_errstr(int rc);

typedef struct pa_janus_instance {
  char name[PA_JANUS_NAME_MAX], http_url[PA_JANUS_URL_MAX], ws_url[PA_JANUS_URL_MAX];
} pa_janus_instance;

typedef struct pa_janus_config {
  pa_janus_instance inst[PA_JANUS_MAX_INSTANCES];
  int count;
  char secret[129], admin_key[129], rec_dir[1024];
} pa_janus_config;

/* Reads PA_JANUS, PA_JANUS_SECRET, PA_JANUS_ADMIN_KEY and PA_JANUS_REC_DIR.
 * 1 configured, 0 PA_JANUS unset (live off), -1 malformed (why in err). */
int pa_janus_config_from_env(pa_janus_config *cfg, char *err, size_t cap);
/* PA_JANUS's value: ';'-separated "NAME HTTP_URL WS_URL" (fuzzed). Fills
 * cfg->inst and cfg->count only; 1 when valid, -1 (why in err) otherwise. */
int pa_janus_config_parse(const char *spec, pa_janus_config *cfg, char *err, size_t cap);
int pa_janus_find(const pa_janus_config *cfg, const char *name); /* index or -1 */

/* "<expires_at>,janus,janus.plugin.videoroom[,room=<room>]:<base64 HMAC-SHA1(secret, data)>" (room
 * 0: plugin-wide, the server's own calls). Length written, or -1 when cap is too small. */
int pa_janus_token(const char *secret, int64_t expires_at, uint64_t room, char *out, size_t cap);
/* The room's own token for VideoRoom's join (signed_tokens: realm janus.plugin.videoroom, not
 * janus): "<expires_at>,janus.plugin.videoroom,room=<room>:<sig>". Length or -1 (cap, room 0). */
int pa_janus_room_token(const char *secret, int64_t expires_at, uint64_t room, char *out,
                        size_t cap);
/* The room's join token, which VideoRoom's signed_tokens rooms check in the
 * "join" request's body (publishers and subscribers alike):
 * "<expires_at>,janus.plugin.videoroom,room=<room>:<base64 HMAC-SHA1(secret, data)>". Its realm is
 * the plugin's package, not "janus" (janus_plugin_auth_signature_contains in Janus's janus.c), so
 * it is a second token beside pa_janus_token's, which Janus's core checks on every request: no one
 * token passes both. Length written, or -1 when cap is too small or room is 0. (Added to the
 * contract: JanusJoin's join_token.) */
int pa_janus_join_token(const char *secret, int64_t expires_at, uint64_t room, char *out,
                        size_t cap);
struct cJSON;
/* Adds name: id to obj as an exact JSON integer (a raw number). cJSON's own
 * numbers are doubles printed with "%1.15g" and a loose round-trip check, so
 * a 16-digit id can come out as 4.80681432184423e+15: another id in
 * JavaScript, and a "room should be a positive integer" refusal from Janus.
 * Every room and feed id sent to Janus or to a browser goes through this.
 * 1 on success, 0 on failure (out of memory). */
int pa_janus_add_id(struct cJSON *obj, const char *name, uint64_t id);
/* A random id in [1, PA_JANUS_ID_MAX] (rooms, feeds). */
uint64_t pa_janus_random_id(void);

typedef struct pa_janus_room_spec {
  uint64_t room;
  const char *secret;  /* room secret, ours */
  int bitrate;         /* bps cap, PA_LIVE_BITRATE */
  const char *rec_dir; /* NULL: no recording */
} pa_janus_room_spec;

/* Blocking (call from a worker); each opens a Janus session over HTTP with a plugin-wide token,
 * attaches VideoRoom, sends, detaches and destroys the session. Rooms: publishers 1, signed_tokens
 * true, is_private, videocodec vp8, audiocodec opus, bitrate_cap, record + rec_dir + lock_record
 * when rec_dir. */
int pa_janus_room_create(const pa_janus_config *cfg, int inst, const pa_janus_room_spec *spec,
                         char *err, size_t cap);
int pa_janus_room_destroy(const pa_janus_config *cfg, int inst, uint64_t room, const char *secret,
                          char *err, size_t cap);
/* The ids of room's participants that are publishing (listparticipants, publisher true); how many
 * (≤ cap) or rc < 0. */
int pa_janus_room_publishers(const pa_janus_config *cfg, int inst, uint64_t room, uint64_t *ids,
                             int cap, char *err, size_t cap2);
int pa_janus_kick(const pa_janus_config *cfg, int inst, uint64_t room, const char *secret,
                  uint64_t participant, char *err, size_t cap);
int pa_janus_info(const pa_janus_config *cfg, int inst, char *err,
                  size_t cap); /* health: GET <http>/info */

/* The reply parser every call above uses (fuzzed: web/fuzz/fuzz_janus_reply.c). */
typedef struct pa_janus_reply {
  char janus[24];
  uint64_t id; /* data.id of create/attach */
  int err_code;
  char err_reason[160];
  const char *plugindata; /* cJSON text of plugindata.data, owned by the reply */
} pa_janus_reply;
/* PA_JANUS_OK or PA_JANUS_EPROTO; on OK the reply owns plugindata: free with pa_janus_reply_free.
 */
int pa_janus_reply_parse(const char *body, size_t len, pa_janus_reply *out);
void pa_janus_reply_free(pa_janus_reply *r);

#endif
