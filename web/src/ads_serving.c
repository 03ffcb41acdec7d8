/* pa_adserve: serving's rules without a database (ads_serving.h). */
#include "ads_serving.h"

#include "auth/twostep.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TOKEN_VERSION = 1, SIGNED = 1 + 8 * 4 };

/* Written once by pa_adserve_init before any worker starts; read after. */
static uint8_t token_key[crypto_auth_hmacsha256_KEYBYTES];
static int ready;

int pa_adserve_init(char *err, size_t errlen) {
  uint8_t master[crypto_kdf_KEYBYTES];
  int got = pa_twostep_secrets_key(master, err, errlen);
  if (got < 0) return -1;
  if (got) {
    /* Its own context: no other use of the master key derives this one. */
    crypto_kdf_derive_from_key(token_key, sizeof token_key, 1, "pa_adsrv", master);
    sodium_memzero(master, sizeof master);
  } else {
    randombytes_buf(token_key, sizeof token_key);
  }
  ready = 1;
  return 0;
}

static void ensure(void) {
  char err[80];
  if (!ready && pa_adserve_init(err, sizeof err) != 0) randombytes_buf(token_key, sizeof token_key);
  ready = 1;
}

static void put64(uint8_t *p, int64_t v) {
  uint64_t u = (uint64_t)v;
  for (int i = 7; i >= 0; i--, u >>= 8) p[i] = (uint8_t)(u & 0xff);
}

static int64_t get64(const uint8_t *p) {
  uint64_t u = 0;
  for (int i = 0; i < 8; i++) u = (u << 8) | p[i];
  return (int64_t)u;
}

void pa_adserve_token_make(const pa_adserve_token *t, char out[PA_ADSERVE_TOKEN_TEXT]) {
  uint8_t raw[PA_ADSERVE_TOKEN_BYTES];
  ensure();
  raw[0] = TOKEN_VERSION;
  put64(raw + 1, t->serve);
  put64(raw + 9, t->viewer);
  put64(raw + 17, t->campaign);
  put64(raw + 25, t->expires_at);
  crypto_auth_hmacsha256(raw + SIGNED, raw, SIGNED, token_key);
  sodium_bin2base64(out, PA_ADSERVE_TOKEN_TEXT, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int pa_adserve_token_read(const char *text, size_t n, int64_t now, pa_adserve_token *out) {
  uint8_t raw[PA_ADSERVE_TOKEN_BYTES];
  char again[PA_ADSERVE_TOKEN_TEXT];
  size_t got = 0;
  const char *end = NULL;
  ensure();
  /* Exactly the 87 characters we write: no padding, no spaces, nothing after
   * (libsodium would stop at an ignorable character and say where). */
  if (!text || n != PA_ADSERVE_TOKEN_TEXT - 1 ||
      sodium_base642bin(raw, sizeof raw, text, n, NULL, &got, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      got != sizeof raw || end != text + n || raw[0] != TOKEN_VERSION ||
      crypto_auth_hmacsha256_verify(raw + SIGNED, raw, SIGNED, token_key) != 0)
    return -1;
  /* One text per token: the last character's unused bits must be zero, so a
   * second spelling of the same bytes is not a second token. */
  sodium_bin2base64(again, sizeof again, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  if (memcmp(again, text, n) != 0) return -1;
  pa_adserve_token t = {get64(raw + 1), get64(raw + 9), get64(raw + 17), get64(raw + 25)};
  if (t.serve <= 0 || t.viewer <= 0 || t.campaign <= 0) return -1;
  if (t.expires_at <= now) return -2;
  *out = t;
  return 0;
}

/* ---- budgets and pacing */

/* Budgets are at most a few million minor units (ads-buy's limits), so
 * thousandths and the pacing product stay far inside 64 bits; a corrupt row
 * is clamped rather than overflowing. */
enum { MINOR_MAX = 1000000000 };

static int64_t clamp_minor(int64_t v) { return v < 0 ? 0 : v > MINOR_MAX ? MINOR_MAX : v; }

int64_t pa_adserve_paced_th(int64_t daily_budget_minor, int64_t now) {
  enum { SLOTS = PA_ADSERVE_DAY_SECONDS / PA_ADSERVE_PACE_SLOT_SECONDS };
  int64_t budget = clamp_minor(daily_budget_minor) * 1000;
  int64_t sec = now % PA_ADSERVE_DAY_SECONDS;
  if (sec < 0) sec += PA_ADSERVE_DAY_SECONDS;
  int64_t slot = sec / PA_ADSERVE_PACE_SLOT_SECONDS + 1; /* slots open so far, this one included */
  return budget / SLOTS * slot + (slot == SLOTS ? budget % SLOTS : 0);
}

pa_adserve_verdict pa_adserve_may_serve(const pa_adserve_budget *b) {
  int64_t cost = b->bid_cpm_minor;
  if (cost < 1 || cost > MINOR_MAX) return PA_ADSERVE_BAD;
  if (b->balance_th < cost) return PA_ADSERVE_BALANCE;
  if (b->total_budget_minor > 0 &&
      b->spent_total_th + cost > clamp_minor(b->total_budget_minor) * 1000)
    return PA_ADSERVE_TOTAL;
  if (b->daily_budget_minor > 0) {
    if (b->spent_today_th + cost > clamp_minor(b->daily_budget_minor) * 1000)
      return PA_ADSERVE_DAILY;
    if (b->spent_today_th + cost > pa_adserve_paced_th(b->daily_budget_minor, b->now))
      return PA_ADSERVE_PACED;
  }
  return PA_ADSERVE_OK;
}

pa_adserve_verdict pa_adserve_may_count(const pa_adserve_budget *b) {
  if (b->bid_cpm_minor < 1 || b->bid_cpm_minor > MINOR_MAX) return PA_ADSERVE_BAD;
  if (b->balance_th <= 0) return PA_ADSERVE_BALANCE;
  if (b->total_budget_minor > 0 && b->spent_total_th >= clamp_minor(b->total_budget_minor) * 1000)
    return PA_ADSERVE_TOTAL;
  if (b->daily_budget_minor > 0 && b->spent_today_th >= clamp_minor(b->daily_budget_minor) * 1000)
    return PA_ADSERVE_DAILY;
  return PA_ADSERVE_OK;
}

int64_t pa_adserve_floor_minor(int64_t th) {
  int64_t q = th / 1000;
  return th % 1000 < 0 ? q - 1 : q;
}

/* ---- targeting */

static int has(const pa_adserve_words *w, const char *s) {
  for (int i = 0; s && i < w->n; i++)
    if (strcmp(w->v[i], s) == 0) return 1;
  return 0;
}

/* "es" matches "es" and "es-MX"; "pt-BR" only "pt-BR". */
static int language_matches(const char *lang, const char *locale) {
  size_t n = strlen(lang);
  return locale && strncmp(lang, locale, n) == 0 && (locale[n] == '\0' || locale[n] == '-');
}

/* Keeps in why the values of t the test accepts; 1 when t is empty (not
 * targeted) or one matched. */
static int match_list(const pa_adserve_words *t, pa_adserve_words *why, const pa_adserve_words *set,
                      const char *one, int language) {
  why->n = 0;
  for (int i = 0; i < t->n; i++) {
    int ok = language ? language_matches(t->v[i], one)
             : set    ? has(set, t->v[i])
                      : (one && strcmp(t->v[i], one) == 0);
    if (ok) why->v[why->n++] = t->v[i];
  }
  return t->n == 0 || why->n > 0;
}

int pa_adserve_match(const pa_adserve_targeting *t, const pa_adserve_viewer *v,
                     pa_adserve_targeting *why) {
  int ok = match_list(&t->species, &why->species, &v->species, NULL, 0);
  ok &= match_list(&t->tags, &why->tags, &v->tags, NULL, 0);
  ok &= match_list(&t->languages, &why->languages, NULL, v->locale, 1);
  ok &= match_list(&t->countries, &why->countries, NULL,
                   v->country && *v->country ? v->country : NULL, 0);
  return ok;
}

/* ---- the events body */

static int fail(char *err, size_t errlen, const char **field, const char *name, const char *msg) {
  snprintf(err, errlen, "%s %s", name, msg);
  *field = name;
  return -1;
}

int pa_adserve_event_parse(const cJSON *body, pa_adserve_event_body *out, char *err, size_t errlen,
                           const char **field) {
  *field = NULL;
  if (!cJSON_IsObject(body)) {
    snprintf(err, errlen, "the body must be a JSON object");
    return -1;
  }
  int seen[2] = {0, 0};
  for (const cJSON *m = body->child; m; m = m->next) {
    int which = !m->string                        ? -1
                : strcmp(m->string, "token") == 0 ? 0
                : strcmp(m->string, "kind") == 0  ? 1
                                                  : -1;
    if (which < 0)
      return fail(err, errlen, field, m->string ? m->string : "body", "is not a member");
    /* cJSON keeps both of a repeated member; which one counts would be ours to guess. */
    if (seen[which]++) return fail(err, errlen, field, m->string, "appears twice");
  }
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(body, "token");
  const cJSON *k = cJSON_GetObjectItemCaseSensitive(body, "kind");
  if (!t) return fail(err, errlen, field, "token", "is required");
  if (!cJSON_IsString(t) || !t->valuestring)
    return fail(err, errlen, field, "token", "must be a string");
  size_t n = strlen(t->valuestring);
  if (n < 1 || n > PA_ADSERVE_TOKEN_MAX) {
    char msg[64];
    snprintf(msg, sizeof msg, "must be 1 to %d characters long", PA_ADSERVE_TOKEN_MAX);
    return fail(err, errlen, field, "token", msg);
  }
  if (!k) return fail(err, errlen, field, "kind", "is required");
  if (!cJSON_IsString(k) || !k->valuestring)
    return fail(err, errlen, field, "kind", "must be a string");
  if (strcmp(k->valuestring, "impression") == 0)
    out->kind = PA_ADSERVE_IMPRESSION;
  else if (strcmp(k->valuestring, "click") == 0)
    out->kind = PA_ADSERVE_CLICK;
  else
    return fail(err, errlen, field, "kind", "must be impression or click");
  out->token = t->valuestring;
  return 0;
}
