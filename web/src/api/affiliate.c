/* pa_api — the affiliate program's joining, links and attribution (issue
 * 21; web/README.md, "Affiliates"): GET/POST /affiliate, GET
 * /affiliate/stats, the link GET /r/{code} (outside /api: a click and the
 * first-touch cookie, then a redirect), and attribution at sign-up. The
 * rules without a database are aff.h's; the rows store/affiliates.h's. */
#include "aff.h"
#include "api/api.h"
#include "clock.h"
#include "net/http.h"
#include "origin.h"
#include "store/affiliates.h"

#include <stdio.h>
#include <string.h>

static const char *const kinds[] = {"person", "vet", "shelter", "shop"};
enum { JOIN_TRIES = 5 /* fresh codes tried before a join gives up (31^8 codes) */ };

/* ---- the affiliate object */

static int add_link(pa_srv_req *rq, cJSON *o, const char *code) {
  char link[PA_ORIGIN_URL_MAX + 8 + PA_AFF_CODE_MAX];
  snprintf(link, sizeof link, "%s/r/%s", pa_origin_base(pa_api_origins(rq)), code);
  return cJSON_AddStringToObject(o, "link", link) ? 0 : -1;
}

/* {"affiliate": …} of a; the caller owns it (NULL when out of memory). */
static cJSON *affiliate_json(pa_srv_req *rq, const pa_store_affiliate *a) {
  cJSON *root = cJSON_CreateObject();
  cJSON *o = root ? cJSON_AddObjectToObject(root, "affiliate") : NULL;
  int bad = !o || !cJSON_AddStringToObject(o, "code", a->code) ||
            !cJSON_AddStringToObject(o, "kind", a->kind) || add_link(rq, o, a->code) ||
            pa_api_add_time(o, "joined_at", a->joined_at) ||
            !(a->has_payout_email ? cJSON_AddStringToObject(o, "payout_email", a->payout_email)
                                  : cJSON_AddNullToObject(o, "payout_email"));
  if (bad) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

void pa_api_affiliate_get(pa_srv_req *rq) {
  pa_store_affiliate a;
  int rc = pa_store_aff_get(rq->db, rq->viewer, &a);
  if (rc == PA_STORE_ENOTFOUND) {
    cJSON *root = cJSON_CreateObject();
    if (root && !cJSON_AddNullToObject(root, "affiliate")) {
      cJSON_Delete(root);
      root = NULL;
    }
    pa_api_json(rq, 200, root);
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "affiliate");
    return;
  }
  pa_api_json(rq, 200, affiliate_json(rq, &a));
}

/* POST /affiliate {"kind"}: joins with a new code (201), or answers the
 * membership the viewer has (200, the same code; the kind is not changed). */
void pa_api_affiliate_join(pa_srv_req *rq) {
  static const char *const fields[] = {"kind", NULL};
  cJSON *body = NULL;
  const char *kind = NULL;
  if (pa_api_body(rq, &body) != 0) return;
  if (pa_api_only(rq, body, fields) || pa_api_str(rq, body, "kind", 1, 1, 16, 0, &kind)) goto out;
  size_t k = 0;
  while (k < sizeof kinds / sizeof kinds[0] && strcmp(kinds[k], kind) != 0) k++;
  if (k == sizeof kinds / sizeof kinds[0]) {
    pa_api_field_error(rq, 400, "bad_request", "kind must be person, vet, shelter or shop", "kind");
    goto out;
  }
  pa_store_affiliate a;
  int rc = pa_store_aff_get(rq->db, rq->viewer, &a), status = 200;
  for (int i = 0; rc == PA_STORE_ENOTFOUND && i < JOIN_TRIES; i++) {
    char code[PA_AFF_CODE_LEN + 1];
    pa_aff_code_new(code);
    rc = pa_store_aff_join(rq->db, rq->viewer, code, kinds[k], pa_clock_now());
    /* A conflict is a taken code, or a join of the same person that raced
     * this one: read again, and try another code only when still not in. */
    if (rc == PA_STORE_ECONFLICT || rc == PA_STORE_OK) {
      status = rc == PA_STORE_OK ? 201 : 200;
      rc = pa_store_aff_get(rq->db, rq->viewer, &a);
    }
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "join affiliates");
    goto out;
  }
  pa_api_json(rq, status, affiliate_json(rq, &a));
out:
  cJSON_Delete(body);
}

/* ---- stats by month */

/* Days since 1970-01-01 of a civil date, and back (Howard Hinnant's
 * algorithms, proleptic Gregorian): months without timegm. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The month index (year * 12 + month - 1) of day z. */
static int64_t month_of_day(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  return y * 12 + m - 1;
}

static int64_t floor_div(int64_t a, int64_t b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

typedef struct stats {
  int64_t first; /* the month index of months[0] */
  int n;         /* months counted */
  int64_t clicks[PA_AFF_STATS_MONTHS], signups[PA_AFF_STATS_MONTHS];
  int64_t *into; /* which of the two the day callback fills */
  cJSON *refused;
} stats;

static int stats_day(void *ctx, int64_t day, int64_t n) {
  stats *s = ctx;
  int64_t i = month_of_day(day) - s->first;
  if (i >= 0 && i < s->n) s->into[i] += n;
  return 0;
}

static int stats_reason(void *ctx, const char *reason, int64_t n) {
  stats *s = ctx;
  cJSON *o = cJSON_CreateObject();
  if (!o || !cJSON_AddItemToArray(s->refused, o)) {
    cJSON_Delete(o);
    return 1;
  }
  return !cJSON_AddStringToObject(o, "reason", reason) ||
         !cJSON_AddNumberToObject(o, "n", (double)n);
}

/* GET /affiliate/stats: the last PA_AFF_STATS_MONTHS months (from the month
 * they joined, when later), oldest first, every month listed; refusals of
 * all time by reason. 404 until the viewer joins. */
void pa_api_affiliate_stats(pa_srv_req *rq) {
  pa_store_affiliate a;
  int rc = pa_store_aff_get(rq->db, rq->viewer, &a);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "Join the affiliate program first");
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "affiliate stats");
    return;
  }
  const int64_t now = pa_clock_now();
  const int64_t this_month = month_of_day(floor_div(now, 86400));
  const int64_t joined = month_of_day(floor_div(a.joined_at, 86400));
  stats s = {0};
  s.first = this_month - (PA_AFF_STATS_MONTHS - 1);
  if (joined > s.first) s.first = joined;
  if (s.first > this_month) s.first = this_month;
  s.n = (int)(this_month - s.first + 1);
  const int64_t first_day = days_from_civil(floor_div(s.first, 12), (int)(s.first % 12) + 1, 1);
  cJSON *root = cJSON_CreateObject();
  cJSON *months = root ? cJSON_AddArrayToObject(root, "months") : NULL;
  s.refused = root ? cJSON_AddArrayToObject(root, "refused") : NULL;
  if (!months || !s.refused) {
    cJSON_Delete(root);
    pa_api_json(rq, 200, NULL);
    return;
  }
  s.into = s.clicks;
  rc = pa_store_aff_click_days(rq->db, rq->viewer, first_day, stats_day, &s);
  s.into = s.signups;
  if (rc == PA_STORE_OK)
    rc = pa_store_aff_signup_days(rq->db, rq->viewer, first_day * 86400, stats_day, &s);
  if (rc == PA_STORE_OK) rc = pa_store_aff_refusals(rq->db, rq->viewer, stats_reason, &s);
  if (rc != PA_STORE_OK) {
    cJSON_Delete(root);
    if (rc == PA_STORE_EABORT)
      pa_api_json(rq, 200, NULL); /* out of memory */
    else
      pa_api_internal(rq, "affiliate stats");
    return;
  }
  for (int i = 0; i < s.n; i++) {
    char month[32];
    int64_t m = s.first + i;
    snprintf(month, sizeof month, "%04lld-%02d", (long long)(m / 12), (int)(m % 12) + 1);
    cJSON *o = cJSON_CreateObject();
    if (o && !cJSON_AddItemToArray(months, o)) {
      cJSON_Delete(o);
      o = NULL;
    }
    if (!o || !cJSON_AddStringToObject(o, "month", month) ||
        !cJSON_AddNumberToObject(o, "clicks", (double)s.clicks[i]) ||
        !cJSON_AddNumberToObject(o, "signups", (double)s.signups[i])) {
      cJSON_Delete(root);
      pa_api_json(rq, 200, NULL);
      return;
    }
  }
  pa_api_json(rq, 200, root);
}

/* ---- the link: GET /r/{code} */

/* A 302 to target (a path on this site), with set_cookie (or NULL). */
static void redirect(pa_srv_req *rq, const char *target, const char *set_cookie) {
  pa_srv_header h[2] = {{"Location", target}, {"Set-Cookie", set_cookie}};
  pa_srv_send(rq, 302, "text/plain; charset=utf-8", "no-store", h, set_cookie ? 2 : 1, "", 0);
}

/* Whether the request carries a first-touch cookie we made whose window is
 * still open: it is kept (first touch wins). */
static int first_touch_held(pa_srv_req *rq, int64_t now) {
  char value[PA_AFF_COOKIE_TEXT + 8], code[PA_AFF_CODE_MAX + 1];
  int64_t at = 0;
  const char *cookies = pa_srv_req_header(rq, "Cookie");
  return cookies && pa_http_cookie(cookies, "pa_aff", value, sizeof value) > 0 &&
         pa_aff_cookie_read(value, code, &at) == 0 && now - at <= pa_aff_window_seconds();
}

void pa_api_aff_click(pa_srv_req *rq) {
  char to[PA_AFF_TO_MAX + 1], source[PA_AFF_SOURCE_HEX + 1];
  char email[PA_STORE_EMAIL_MAX + 1], value[PA_AFF_COOKIE_TEXT], cookie[PA_AFF_COOKIE_TEXT + 128];
  const char *code = rq->token, *target = "/";
  int64_t affiliate = 0;
  /* Only a path on this site: anything else (another host, a scheme, "//",
   * a backslash) goes home, so the link is no open redirect. */
  if (pa_http_query_var(rq->query, "to", to, sizeof to) > 0 && pa_aff_to_ok(to)) target = to;
  if (!pa_aff_code_ok(code)) {
    redirect(rq, target, NULL);
    return;
  }
  int rc = pa_store_aff_by_code(rq->db, code, &affiliate, email);
  if (rc == PA_STORE_ENOTFOUND || (rc == PA_STORE_OK && affiliate == rq->viewer)) {
    /* An unknown code, or the affiliate following their own link: nothing to count. */
    redirect(rq, target, NULL);
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "affiliate link");
    return;
  }
  const int64_t now = pa_clock_now();
  pa_aff_visit visit =
      pa_aff_visit_kind(rq->method, pa_srv_req_header(rq, "Purpose"),
                        pa_srv_req_header(rq, "Sec-Purpose"), pa_srv_req_header(rq, "X-Purpose"),
                        pa_srv_req_header(rq, "X-Moz"), pa_srv_req_header(rq, "User-Agent"));
  if (visit == PA_AFF_PERSON) {
    int counted = 0;
    pa_aff_source(rq->client, source);
    if (pa_store_aff_click(rq->db, affiliate, now, now / 86400, source, PA_AFF_CLICKS_SOURCE_DAY,
                           &counted) != PA_STORE_OK) {
      pa_api_internal(rq, "affiliate click");
      return;
    }
  }
  /* A robot (HEAD included) gets no cookie; a prefetch may become the
   * navigation, so it does. The first touch's cookie is kept. */
  if (visit == PA_AFF_ROBOT || first_touch_held(rq, now)) {
    redirect(rq, target, NULL);
    return;
  }
  pa_aff_cookie_make(code, now, value);
  snprintf(cookie, sizeof cookie, "pa_aff=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
           value, (long long)pa_aff_window_seconds(), pa_api_cookie_secure(rq) ? "; Secure" : "");
  redirect(rq, target, cookie);
}

/* ---- attribution at sign-up */

int pa_api_aff_attribute(pa_srv_req *rq, int64_t user, const char *email, int64_t now) {
  char value[PA_AFF_COOKIE_TEXT + 8], code[PA_AFF_CODE_MAX + 1], source[PA_AFF_SOURCE_HEX + 1];
  char theirs[PA_STORE_EMAIL_MAX + 1], a[PA_STORE_EMAIL_MAX + 1], b[PA_STORE_EMAIL_MAX + 1];
  int64_t at = 0, affiliate = 0;
  const char *cookies = pa_srv_req_header(rq, "Cookie");
  if (!cookies || pa_http_cookie(cookies, "pa_aff", value, sizeof value) <= 0 ||
      pa_aff_cookie_read(value, code, &at) != 0)
    return 0; /* no cookie, or not one we signed: nobody to attribute to */
  /* Whatever it decides, the cookie has done its work: cleared on the
   * answer, so another account made in this browser is not attributed
   * (again) to the same click. Sent only with the sign-up's 201. */
  snprintf(rq->set_cookie2, sizeof rq->set_cookie2,
           "pa_aff=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s",
           pa_api_cookie_secure(rq) ? "; Secure" : "");
  int rc = pa_store_aff_by_code(rq->db, code, &affiliate, theirs);
  if (rc == PA_STORE_ENOTFOUND) return 0; /* the affiliate left the program */
  if (rc != PA_STORE_OK) return -1;
  const char *reason = NULL;
  pa_aff_source(rq->client, source);
  pa_aff_email_norm(email, a, sizeof a);
  pa_aff_email_norm(theirs, b, sizeof b);
  /* The affiliate's own account: signed in as them while signing up, or
   * their address with another case or a +tag. */
  if (affiliate == user || (rq->viewer && rq->viewer == affiliate) || (b[0] && strcmp(a, b) == 0)) {
    reason = "self_referral";
  } else if (now - at > pa_aff_window_seconds()) {
    reason = "expired";
  } else {
    int64_t n = 0;
    rc = pa_store_aff_attributed_since(rq->db, affiliate, source, now - PA_AFF_VELOCITY_SECONDS + 1,
                                       &n);
    if (rc != PA_STORE_OK) return -1;
    if (n >= PA_AFF_VELOCITY_PER_HOUR) reason = "velocity";
  }
  return pa_store_aff_refer(rq->db, user, affiliate, at, now, reason, source) == PA_STORE_OK ? 0
                                                                                             : -1;
}

int pa_api_aff_ref(pa_srv_req *rq, const char *candidate, char code[PA_AFF_CODE_MAX + 1]) {
  char email[PA_STORE_EMAIL_MAX + 1];
  int64_t user = 0;
  pa_store_affiliate a;
  if (candidate && candidate[0]) {
    if (!pa_aff_code_ok(candidate)) return 0;
    int rc = pa_store_aff_by_code(rq->db, candidate, &user, email);
    if (rc == PA_STORE_ENOTFOUND) return 0;
    if (rc != PA_STORE_OK) return -1;
    snprintf(code, PA_AFF_CODE_MAX + 1, "%s", candidate);
    return 1;
  }
  if (!rq->viewer) return 0;
  int rc = pa_store_aff_get(rq->db, rq->viewer, &a);
  if (rc == PA_STORE_ENOTFOUND) return 0;
  if (rc != PA_STORE_OK) return -1;
  snprintf(code, PA_AFF_CODE_MAX + 1, "%s", a.code);
  return 1;
}
