/* petamigos-bench-world --data DIR --users N --devices D
 *
 * Adds N accounts to a server data directory's database, each with one
 * session and D chat devices, for the WebSocket benchmark
 * (scripts/bench/ws.mjs): signing 10,000 people up through the API would
 * take Argon2id's 0.1 s each and meet the sign-up limits. Run it before the
 * server starts (SQLite allows one writer; a running server is not told).
 *
 * The rows are the ones the API writes: a session is what login inserts (the
 * BLAKE2b-256 of a pa_auth_new_token cookie, a CSRF token, 30 days), a device
 * what POST /chat/devices stores for a bundle with no one-time prekeys, with
 * a real Ed25519 identity and a signed prekey that verifies, so the world
 * also passes the bundle checks. The accounts have no email or password:
 * they can only be used through the printed sessions.
 *
 * stdout: one JSON line per account,
 *   {"user":"u_7","session":"<pa_session cookie>","csrf":"<token>","devices":["d_1",...]}
 * Exit status: 0, 1 when the database could not be written, 2 for bad
 * arguments. */
#include "auth.h"
#include "clock.h"
#include "datadir.h"
#include "store/chat.h"
#include "store/people.h"
#include "store/seed.h"
#include "store/sessions.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  BW_USERS_MAX = 20000, /* accounts one run adds: more than the sockets one run can open */
  BW_DEVICES_MAX = 20,  /* chat devices per account: the per-person device cap */
  BW_SPK_SIGNED = 44    /* spk id u32, created_at u64, X25519 key: what the signature covers */
};

static const char usage[] = "usage: petamigos-bench-world --data DIR --users N --devices D\n"
                            "  adds N accounts (1..20000), each with a session and D chat\n"
                            "  devices (1..20), to DIR/petamigos.db; prints one JSON line each\n";

typedef struct args {
  const char *data;
  long users, devices;
} args;

static int parse_count(const char *text, long max, long *out) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || end == text || *end || v < 1 || v > max) return -1;
  *out = v;
  return 0;
}

static int parse_args(int argc, char **argv, args *a) {
  *a = (args){NULL, 0, 0};
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc) return -1;
    const char *opt = argv[i], *val = argv[++i];
    if (strcmp(opt, "--data") == 0)
      a->data = val;
    else if (strcmp(opt, "--users") == 0) {
      if (parse_count(val, BW_USERS_MAX, &a->users) != 0) return -1;
    } else if (strcmp(opt, "--devices") == 0) {
      if (parse_count(val, BW_DEVICES_MAX, &a->devices) != 0) return -1;
    } else
      return -1;
  }
  return a->data && a->users && a->devices ? 0 : -1;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

_Static_assert(PA_STORE_CHAT_KEY_BYTES == crypto_sign_PUBLICKEYBYTES, "identity is an Ed25519 key");

/* A device row as store_bundle (api/chat.c) writes it: identity = the
 * Ed25519 public key, spk = id | created_at | X25519 key | signature. */
static int add_device(pa_store *db, int64_t user, int64_t now, int64_t *id) {
  static const char spk_label[16] = "PetAmigos SPK v1";
  uint8_t ik[PA_STORE_CHAT_KEY_BYTES], sk[crypto_sign_SECRETKEYBYTES], spk[PA_STORE_CHAT_SPK_BYTES];
  uint8_t signed_part[16 + BW_SPK_SIGNED], x_sk[crypto_scalarmult_BYTES];
  crypto_sign_keypair(ik, sk);
  put32(spk, 1);
  for (int i = 0; i < 8; i++) spk[4 + i] = (uint8_t)((uint64_t)now >> (56 - 8 * i));
  randombytes_buf(x_sk, sizeof x_sk);
  crypto_scalarmult_base(spk + 12, x_sk);
  memcpy(signed_part, spk_label, 16);
  memcpy(signed_part + 16, spk, BW_SPK_SIGNED);
  crypto_sign_detached(spk + BW_SPK_SIGNED, NULL, signed_part, sizeof signed_part, sk);
  sodium_memzero(sk, sizeof sk);
  sodium_memzero(x_sk, sizeof x_sk);
  return pa_store_chat_device_add(db, user, ik, spk, 1, now, id);
}

/* The session login would insert (api/auth.c, new_session). */
static int add_session(pa_store *db, int64_t user, int64_t now, char token[PA_AUTH_TOKEN_TEXT],
                       char csrf[PA_AUTH_TOKEN_TEXT]) {
  unsigned char h[PA_AUTH_TOKEN_BYTES], unused[PA_AUTH_TOKEN_BYTES];
  pa_auth_new_token(token, h);
  pa_auth_new_token(csrf, unused);
  pa_store_new_session row = {
      user, h, sizeof h, csrf, now, now + (int64_t)PA_AUTH_SESSION_DAYS * 86400, NULL, NULL, NULL};
  return pa_store_sessions_add(db, &row);
}

/* Adds every account in one transaction; the JSON lines are printed only
 * after the commit, so nothing printed is missing from the database. */
static int add_world(pa_store *db, const args *a, FILE *out) {
  typedef struct made {
    int64_t user, devices[BW_DEVICES_MAX];
    char token[PA_AUTH_TOKEN_TEXT], csrf[PA_AUTH_TOKEN_TEXT];
  } made;
  made *m = calloc((size_t)a->users, sizeof *m);
  int64_t now = pa_clock_now(), base = 0;
  int rc = PA_STORE_ENOMEM;
  if (!m) return rc;
  /* Handles are unique: number them past every id the table has used. */
  if ((rc = pa_store_seed_last_user(db, &base)) != PA_STORE_OK ||
      (rc = pa_store_begin(db)) != PA_STORE_OK)
    goto out;
  for (long i = 0; i < a->users && rc == PA_STORE_OK; i++) {
    char handle[32], name[32];
    snprintf(handle, sizeof handle, "bench_%lld", (long long)(base + i + 1));
    snprintf(name, sizeof name, "Bench %lld", (long long)(base + i + 1));
    pa_store_user u = {handle, name, "", NULL, now};
    rc = pa_store_people_add(db, &u, &m[i].user);
    if (rc == PA_STORE_OK) rc = add_session(db, m[i].user, now, m[i].token, m[i].csrf);
    for (long d = 0; d < a->devices && rc == PA_STORE_OK; d++)
      rc = add_device(db, m[i].user, now, &m[i].devices[d]);
  }
  if (rc != PA_STORE_OK || (rc = pa_store_commit(db)) != PA_STORE_OK) {
    pa_store_rollback(db);
    goto out;
  }
  for (long i = 0; i < a->users; i++) {
    fprintf(out, "{\"user\":\"u_%lld\",\"session\":\"%s\",\"csrf\":\"%s\",\"devices\":[",
            (long long)m[i].user, m[i].token, m[i].csrf);
    for (long d = 0; d < a->devices; d++)
      fprintf(out, "%s\"d_%lld\"", d ? "," : "", (long long)m[i].devices[d]);
    fputs("]}\n", out);
  }
  if (fflush(out) != 0) rc = PA_STORE_EINVAL;
out:
  sodium_memzero(m, (size_t)a->users * sizeof *m);
  free(m);
  return rc;
}

int main(int argc, char **argv) {
  args a;
  char err[512];
  if (parse_args(argc, argv, &a) != 0) {
    fputs(usage, stderr);
    return 2;
  }
  if (sodium_init() < 0 || pa_clock_init() != 0) {
    fprintf(stderr, "petamigos-bench-world: libsodium or the clock failed to initialise\n");
    return 1;
  }
  pa_datadir dd;
  if (pa_datadir_prepare(a.data, &dd, err, sizeof err) != 0) {
    fprintf(stderr, "petamigos-bench-world: %s\n", err);
    return 1;
  }
  pa_store *db = NULL;
  if (pa_store_open(dd.db_path, 1, &db, err, sizeof err) != PA_STORE_OK) {
    fprintf(stderr, "petamigos-bench-world: %s\n", err);
    return 1;
  }
  int rc = pa_store_migrate(db);
  if (rc == PA_STORE_OK) rc = add_world(db, &a, stdout);
  if (rc != PA_STORE_OK)
    fprintf(stderr, "petamigos-bench-world: %s: %s\n", pa_store_errstr(rc), pa_store_errmsg(db));
  pa_store_close(db);
  return rc == PA_STORE_OK ? 0 : 1;
}
