/* pa_secev: security events from requests into store/security.h. */
#include "secev.h"

#include "clock.h"
#include "geo.h"
#include "log.h"
#include "store/security.h"

#include <pthread.h>
#include <string.h>

_Static_assert(sizeof((pa_srv_req *)0)->client == PA_GEO_ADDR_MAX,
               "rq->client holds any address geo.h writes");
_Static_assert((PA_SECEV_LIMIT_SLOTS & (PA_SECEV_LIMIT_SLOTS - 1)) == 0,
               "the sampler's table is indexed by a mask");

static void record(pa_srv_req *rq, const char *kind, const char *detail, int64_t user, int64_t n) {
  char cc[3];
  if (!rq->db || !rq->client[0]) return;
  pa_geo_country(rq->client, cc);
  pa_store_security_event e = {pa_clock_now(), kind, detail, user, rq->client, cc, n};
  if (pa_store_security_add(rq->db, &e) != PA_STORE_OK)
    pa_log_event("warn", "security", "event %s: %s", kind, pa_store_errmsg(rq->db));
}

void pa_secev_login_failed(pa_srv_req *rq, int64_t user) {
  record(rq, "login_failed", "", user, 1);
}

void pa_secev_signin(pa_srv_req *rq, int64_t user, int new_device) {
  record(rq, "signin", new_device ? "new_device" : "", user, 1);
}

void pa_secev_upload_refused(pa_srv_req *rq, const char *reason) {
  char word[PA_STORE_SECURITY_DETAIL_MAX];
  size_t n = strlen(reason);
  if (n >= sizeof word) n = sizeof word - 1; /* our own codes are far shorter */
  memcpy(word, reason, n);
  word[n] = '\0';
  record(rq, "upload_refused", word, rq->viewer, 1);
}

/* ---- sampling limiter hits */

typedef struct sample {
  uint64_t key;      /* hash of purpose and address; 0 for an unused slot */
  int64_t last;      /* when a row was last written for it */
  int64_t unwritten; /* hits since, carried by the next row */
} sample;

static sample samples[PA_SECEV_LIMIT_SLOTS];
static pthread_mutex_t samples_lock = PTHREAD_MUTEX_INITIALIZER;

/* FNV-1a: a slot's key, not a secret; a collision only merges two counts. */
static uint64_t sample_key(pa_limit_purpose purpose, const char *addr) {
  uint64_t h = 1469598103934665603u ^ (uint64_t)purpose;
  for (const char *p = addr; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211u;
  return h ? h : 1;
}

void pa_secev_limited(pa_srv_req *rq, pa_limit_purpose purpose) {
  const int64_t now = pa_clock_now();
  uint64_t key = sample_key(purpose, rq->client);
  int64_t n = 0;
  pthread_mutex_lock(&samples_lock);
  sample *s = &samples[key & (PA_SECEV_LIMIT_SLOTS - 1)];
  if (s->key != key || now - s->last >= PA_SECEV_LIMIT_SAMPLE_SECONDS || now < s->last) {
    n = 1 + (s->key == key ? s->unwritten : 0);
    *s = (sample){key, now, 0};
  } else {
    s->unwritten++;
  }
  pthread_mutex_unlock(&samples_lock);
  if (n) record(rq, "limited", pa_limit_purpose_name(purpose), rq->viewer, n);
}

void pa_secev_prune(struct pa_store *db, int64_t now) {
  int removed = 0;
  if (pa_store_security_prune(db, now - (int64_t)PA_SECEV_RETENTION_DAYS * 86400, &removed) !=
      PA_STORE_OK)
    pa_log_event("warn", "security", "prune: %s", pa_store_errmsg(db));
}
