/* pa_aff — the affiliate program's rules that need no database (issue 21;
 * web/README.md, "Affiliates"): referral codes, the signed first-touch
 * cookie /r/{code} sets and sign-up reads, a click's source (a keyed hash of
 * the client's network prefix, never the address), where /r/{code} may send
 * people (?to=), the e-mail form the self-referral check compares, which
 * requests are not clicks, and the attribution window.
 *
 * The keys (the cookie's and the source hash's) come from PA_SECRETS_KEY
 * through pa_twostep_subkey: every server process sharing it signs and hashes
 * alike, and a restart keeps them. Without one they are drawn at start, and a
 * cookie set before a restart no longer reads (no attribution). */
#ifndef PA_AFF_H
#define PA_AFF_H

#include <stddef.h>
#include <stdint.h>

enum {
  PA_AFF_CODE_LEN = 8,     /* characters of a code we make (31^8: guessing one is pointless) */
  PA_AFF_CODE_MIN = 6,     /* what a code may be (the schema's CHECK): lowercase letters and */
  PA_AFF_CODE_MAX = 16,    /* digits, this many */
  PA_AFF_WINDOW_DAYS = 30, /* a click attributes sign-ups this long (PA_AFF_WINDOW_DAYS env) */
  PA_AFF_WINDOW_DAYS_MAX = 365,
  /* The cookie's value: code, '.', time in seconds, '.', 43 characters of MAC; with its NUL. */
  PA_AFF_COOKIE_TEXT = PA_AFF_CODE_MAX + 1 + 12 + 1 + 43 + 1,
  PA_AFF_SOURCE_HEX = 32, /* a source hash: 16 bytes as lowercase hex */
  /* Clicks counted per affiliate, source and UTC day; the ones after are
   * redirected but not counted, so one household or one bot cannot inflate
   * an affiliate's clicks. */
  PA_AFF_CLICKS_SOURCE_DAY = 5,
  /* Sign-ups attributed to one affiliate from one source within an hour:
   * the next one is refused with reason "velocity". */
  PA_AFF_VELOCITY_PER_HOUR = 5,
  PA_AFF_VELOCITY_SECONDS = 3600,
  PA_AFF_TO_MAX = 512,     /* bytes of ?to= */
  PA_AFF_STATS_MONTHS = 12 /* months GET /affiliate/stats looks back, this one included */
};

/* Reads PA_AFF_WINDOW_DAYS (1..PA_AFF_WINDOW_DAYS_MAX; unset: the default)
 * and derives the keys; 0, or -1 with err for a malformed value (the server
 * refuses to start). Needs sodium_init and pa_twostep_init first. The other
 * functions call it with the defaults when nobody did. */
int pa_aff_init(char *err, size_t errlen);

/* The attribution window, in seconds. */
int64_t pa_aff_window_seconds(void);

/* 1 when s is a code's form (PA_AFF_CODE_MIN..MAX of a-z, 0-9). */
int pa_aff_code_ok(const char *s);

/* A new random code of PA_AFF_CODE_LEN characters from an alphabet without
 * look-alikes (no 0, 1, i, l, o). */
void pa_aff_code_new(char out[PA_AFF_CODE_LEN + 1]);

/* The first-touch cookie's value for a click on code's link at at (Unix
 * seconds): "code.at.MAC", MAC an HMAC-SHA256 of both under the cookie key. */
void pa_aff_cookie_make(const char *code, int64_t at, char out[PA_AFF_COOKIE_TEXT]);

/* Reads a cookie's value (untrusted bytes: fuzzed): 0 with code and *at when
 * we made it, else -1. Says nothing of the window (the caller's clock). */
int pa_aff_cookie_read(const char *text, char code[PA_AFF_CODE_MAX + 1], int64_t *at);

/* The source of a request from addr (a canonical client address): keyed
 * BLAKE2b of its network prefix (an IPv4 /24, an IPv6 /48; an IPv4-mapped
 * address as IPv4), as lowercase hex. Anything unparsable hashes as itself. */
void pa_aff_source(const char *addr, char out[PA_AFF_SOURCE_HEX + 1]);

/* 1 when to is a path on this site to send someone to: begins with one '/'
 * (not "//" nor "/\"), at most PA_AFF_TO_MAX bytes of URL characters (no
 * spaces, controls, backslashes or non-ASCII). */
int pa_aff_to_ok(const char *to);

/* email's form for the self-referral check: ASCII letters lowercased, the
 * local part's "+tag" dropped ("Ana+Shop@Example.org" → "ana@example.org"),
 * into out (cap bytes, cut to fit). */
void pa_aff_email_norm(const char *email, char *out, size_t cap);

/* What a request to /r/{code} is: a person following the link; a prefetch
 * (Purpose, Sec-Purpose or X-Purpose saying prefetch, X-Moz: prefetch), which
 * may become their navigation; or a robot: HEAD, or a User-Agent naming a
 * crawler or link previewer. Only a person's counts as a click; a robot gets
 * no cookie either. Any of the values may be NULL. */
typedef enum pa_aff_visit { PA_AFF_PERSON, PA_AFF_PREFETCH, PA_AFF_ROBOT } pa_aff_visit;
pa_aff_visit pa_aff_visit_kind(const char *method, const char *purpose, const char *sec_purpose,
                               const char *x_purpose, const char *x_moz, const char *user_agent);

#endif
