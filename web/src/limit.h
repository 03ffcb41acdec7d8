/* pa_limit — token buckets, one bounded table per purpose.
 *
 * Each purpose (who may do what how often) has its own table, so filling one
 * (bundle fetches with made-up device numbers, say) never touches another
 * (sign-in attempts). A key (an address, an account, a user id) is hashed with
 * SipHash-2-4 (crypto_shorthash) under a key drawn at random when the process
 * starts: nobody outside can aim keys at one chain of a table.
 *
 * A bucket that has refilled says nothing a fresh one would not, so only those
 * are ever forgotten. A bucket still limiting someone is never evicted: when a
 * table holds nothing but limiting buckets, a new key is refused (fail closed:
 * the purposes that guard secrets, accounts and prekeys) or let through
 * uncounted (fail open: the purposes that share capacity fairly, where the
 * worker pool's queue bounds the total anyway and refusing everyone would hand
 * whoever filled the table a denial of service). The table below says which.
 *
 * In a cluster (PA_REDIS_URL) every process charges the same buckets in
 * Redis (redis/limit.h), with the same bursts, windows and overrides; the
 * tables here decide only while Redis fails.
 *
 * Thread-safe: one mutex per table. */
#ifndef PA_LIMIT_H
#define PA_LIMIT_H

#include <stddef.h>

typedef enum pa_limit_purpose {
  PA_LIMIT_NONE = 0,      /* no limit (for route tables) */
  PA_LIMIT_LOGIN_ADDR,    /* sign-in attempts per client address; closed */
  PA_LIMIT_LOGIN_ACCOUNT, /* sign-in attempts per account (the email, lowercased); closed */
  PA_LIMIT_SIGNUP_ADDR,   /* sign-up attempts per client address; closed */
  PA_LIMIT_PASSWORD,      /* password checks by a signed-in user (account deletion); closed */
  PA_LIMIT_CHAT_BUNDLE,   /* chat bundles taken per user (each spends a one-time prekey); closed */
  PA_LIMIT_SIGNOUT,       /* sign-outs per user; open (each ends a session; its own table, so a
                             user out of writes can still sign out everywhere) */
  PA_LIMIT_WRITE,         /* state-changing API requests per user; open */
  PA_LIMIT_UPLOAD,        /* uploads (media, chat attachments) per user; open */
  PA_LIMIT_SEARCH,        /* searches per user, or per address when signed out; open */
  PA_LIMIT_CANDIDATES,    /* feed-candidate pages per user; open */
  PA_LIMIT_BILLING, /* checkouts, retries, cancels per user (each calls a payment provider); closed
                     */
  PA_LIMIT_MAIL_ADDR,    /* e-mail link requests and token redemptions per client address; closed */
  PA_LIMIT_MAIL_ACCOUNT, /* e-mails asked for one address (lowercased, known or not); closed */
  PA_LIMIT_REPORT,       /* reports filed per user (each lands in a moderator's queue); closed */
  PA_LIMIT_TOTP,         /* two-step codes checked per account (sign-in, enable, disable); closed */
  PA_LIMIT_EXPORT,       /* data exports (JSON, media archive) per user; open */
  PA_LIMIT_AD_EVENTS,    /* ad impressions and clicks sent per user; open (a token counts once
                            anyway: this only bounds the work of checking them) */
  PA_LIMIT_CHAT_LINK,    /* device links asked for and approved per user; closed */
  PA_LIMIT_HELP_ASK,     /* assistant questions per user, or per address when signed out (each
                            may call a model); closed */
  PA_LIMIT_SUPPORT,      /* support conversations opened and messages written per user (each
                            lands in an agent's inbox); closed */
  PA_LIMIT_LIVE_START,   /* lives started per user (each makes a Janus room; issue 24); closed */
  PA_LIMIT_LIVE_COMMENT, /* comments per person per live, all processes (live_socket.c); closed */
  PA_LIMIT_LIVE_HEART,   /* hearts per person per live, all processes (live_socket.c); closed */
  PA_LIMIT_PURPOSES
} pa_limit_purpose;

/* Bursts (requests at once), windows (seconds in which a whole burst refills)
 * and table sizes (keys remembered). An address is an IPv4 address or an IPv6
 * /64 (pa_limit_addr_key). */
enum {
  PA_LIMIT_LOGIN_ADDR_BURST = 10,
  PA_LIMIT_LOGIN_ADDR_WINDOW = 300,
  PA_LIMIT_LOGIN_ADDR_SLOTS = 16384,
  PA_LIMIT_LOGIN_ACCOUNT_BURST = 10,
  PA_LIMIT_LOGIN_ACCOUNT_WINDOW = 300,
  PA_LIMIT_LOGIN_ACCOUNT_SLOTS = 16384,
  PA_LIMIT_SIGNUP_ADDR_BURST = 10,
  PA_LIMIT_SIGNUP_ADDR_WINDOW = 3600,
  PA_LIMIT_SIGNUP_ADDR_SLOTS = 8192,
  PA_LIMIT_PASSWORD_BURST = 10,
  PA_LIMIT_PASSWORD_WINDOW = 300,
  PA_LIMIT_PASSWORD_SLOTS = 4096,
  PA_LIMIT_CHAT_BUNDLE_BURST = 30, /* a chat with each device of several people */
  PA_LIMIT_CHAT_BUNDLE_WINDOW = 600,
  PA_LIMIT_CHAT_BUNDLE_SLOTS = 16384,
  PA_LIMIT_SIGNOUT_BURST = 10,
  PA_LIMIT_SIGNOUT_WINDOW = 60,
  PA_LIMIT_SIGNOUT_SLOTS = 4096,
  PA_LIMIT_WRITE_BURST = 120, /* likes, story views, comments: a busy minute */
  PA_LIMIT_WRITE_WINDOW = 60,
  PA_LIMIT_WRITE_SLOTS = 16384,
  PA_LIMIT_UPLOAD_BURST = 60, /* a Plus post of 20 photos three times over */
  PA_LIMIT_UPLOAD_WINDOW = 300,
  PA_LIMIT_UPLOAD_SLOTS = 16384,
  PA_LIMIT_SEARCH_BURST = 60, /* search as you type */
  PA_LIMIT_SEARCH_WINDOW = 60,
  PA_LIMIT_SEARCH_SLOTS = 16384,
  PA_LIMIT_CANDIDATES_BURST = 30, /* each is up to ~1 MB of JSON */
  PA_LIMIT_CANDIDATES_WINDOW = 300,
  PA_LIMIT_CANDIDATES_SLOTS = 16384,
  PA_LIMIT_BILLING_BURST = 10, /* a checkout, a retry or two, a change of mind */
  PA_LIMIT_BILLING_WINDOW = 600,
  PA_LIMIT_BILLING_SLOTS = 16384,
  PA_LIMIT_MAIL_ADDR_BURST = 10, /* a few tries at typing an address, a link opened twice */
  PA_LIMIT_MAIL_ADDR_WINDOW = 3600,
  PA_LIMIT_MAIL_ADDR_SLOTS = 16384,
  PA_LIMIT_MAIL_ACCOUNT_BURST = 3, /* nobody's inbox is flooded from outside */
  PA_LIMIT_MAIL_ACCOUNT_WINDOW = 3600,
  PA_LIMIT_MAIL_ACCOUNT_SLOTS = 16384,
  PA_LIMIT_CHAT_LINK_BURST = 10, /* a few tries at linking a phone; each link carries keys */
  PA_LIMIT_CHAT_LINK_WINDOW = 600,
  PA_LIMIT_CHAT_LINK_SLOTS = 4096,
  PA_LIMIT_HELP_ASK_BURST = 20, /* a conversation's worth of questions an hour */
  PA_LIMIT_HELP_ASK_WINDOW = 3600,
  PA_LIMIT_HELP_ASK_SLOTS = 16384,
  PA_LIMIT_REPORT_BURST = 20, /* a run of spam reported item by item */
  PA_LIMIT_REPORT_WINDOW = 3600,
  PA_LIMIT_REPORT_SLOTS = 16384,
  /* A six-digit code within ±1 step has 3 in 10^6 chances per guess: 5 guesses per
   * 5 minutes make a stolen password worth ~1 in 20,000 per day against it. */
  PA_LIMIT_TOTP_BURST = 5,
  PA_LIMIT_TOTP_WINDOW = 300,
  PA_LIMIT_TOTP_SLOTS = 16384,
  PA_LIMIT_EXPORT_BURST =
      5, /* each reads everything the person has; the archive reads every file */
  PA_LIMIT_EXPORT_WINDOW = 3600,
  PA_LIMIT_EXPORT_SLOTS = 4096,
  PA_LIMIT_AD_EVENTS_BURST = 120, /* an impression and a click for each ad of a long scroll */
  PA_LIMIT_AD_EVENTS_WINDOW = 60,
  PA_LIMIT_AD_EVENTS_SLOTS = 16384,
  PA_LIMIT_SUPPORT_BURST = 20, /* a hand-off and a conversation's worth of quick replies */
  PA_LIMIT_SUPPORT_WINDOW = 600,
  PA_LIMIT_SUPPORT_SLOTS = 16384,
  PA_LIMIT_LIVE_START_BURST = 10, /* PA_LIVE_STARTS_PER_HOUR (api/live.h): a few retries an hour */
  PA_LIMIT_LIVE_START_WINDOW = 3600,
  PA_LIMIT_LIVE_START_SLOTS = 16384,
  PA_LIMIT_LIVE_COMMENT_BURST = 10, /* PA_LIVE_COMMENTS_PER_MIN (api/live.h) */
  PA_LIMIT_LIVE_COMMENT_WINDOW = 60,
  PA_LIMIT_LIVE_COMMENT_SLOTS = 16384,
  PA_LIMIT_LIVE_HEART_BURST = 30, /* PA_LIVE_HEARTS_PER_10S (api/live.h) */
  PA_LIMIT_LIVE_HEART_WINDOW = 10,
  PA_LIMIT_LIVE_HEART_SLOTS = 16384,
  PA_LIMIT_ENV_MAX = 1000000 /* largest burst or table size the environment may set */
};

/* Reads the environment and draws the hash key; later calls do nothing.
 * PA_LIMIT_<PURPOSE>_BURST, _WINDOW and _SLOTS (PURPOSE as in the enum,
 * e.g. PA_LIMIT_LOGIN_ADDR_BURST) replace a burst, a window (seconds) or a
 * table size with 1..PA_LIMIT_ENV_MAX, so tests reach an edge without
 * hundreds of requests, and a test that keeps a real burst can stretch its
 * window so that nothing refills while it runs (the refill rate is burst /
 * window). Returns 0,
 * or -1 when a variable is set to anything else (it is then ignored, and
 * named on stderr). Needs sodium_init first. pa_limit_charge calls it when
 * nobody did. */
int pa_limit_init(void);

/* Charges one request of purpose by key (len bytes): 0 when it may go ahead,
 * else the whole seconds (>= 1) to wait, for Retry-After. PA_LIMIT_NONE and
 * out-of-range purposes always give 0. */
int pa_limit_charge(pa_limit_purpose purpose, const void *key, size_t len);

/* The key for a client address: IPv4 (also IPv4-mapped IPv6) as it is, IPv6
 * cut to its /64 (one machine usually holds a whole /64). out must hold 48
 * bytes; anything unparsable is copied (cut to fit). */
void pa_limit_addr_key(const char *addr, char out[48]);

/* A purpose's name ("login_addr", "upload", ...), as the environment's
 * variables spell it in lowercase; "none" for anything else. */
const char *pa_limit_purpose_name(pa_limit_purpose purpose);

#endif
