/* pa_store_export: the SQL of "download my data" (what is left out: export.h). */
#include "store/export.h"

#include "store/sql/sql.h"

#define C(n, k)                                                                                    \
  { n, PA_EXPORT_##k, NULL }
#define ID(n, p)                                                                                   \
  { n, PA_EXPORT_ID, p }

static const pa_store_export_col profile[] = {
    ID("id", "u"),    C("handle", TEXT), C("name", TEXT),       C("bio", TEXT),
    C("email", TEXT), C("avatar", TEXT), C("created_at", TIME), C("plus_until", TIME)};
static const pa_store_export_col pets[] = {
    ID("id", "pet"), C("name", TEXT),       C("species", TEXT), C("breed", TEXT),
    C("bio", TEXT),  C("birth_date", TEXT), C("avatar", TEXT),  C("created_at", TIME)};
static const pa_store_export_col posts[] = {ID("id", "p"),           ID("pet", "pet"),
                                            C("caption", TEXT),      C("like_count", INT),
                                            C("comment_count", INT), C("created_at", TIME)};
static const pa_store_export_col images[] = {ID("post", "p"), C("position", INT), C("file", TEXT),
                                             C("alt", TEXT)};
static const pa_store_export_col comments[] = {ID("id", "c"), ID("post", "p"), ID("reply_to", "c"),
                                               C("body", TEXT), C("created_at", TIME)};
static const pa_store_export_col likes[] = {ID("post", "p"), C("created_at", TIME)};
static const pa_store_export_col follows[] = {ID("user", "u"), C("created_at", TIME)};
static const pa_store_export_col pet_follows[] = {ID("pet", "pet"), C("created_at", TIME)};
static const pa_store_export_col stories[] = {ID("id", "s"), ID("pet", "pet"), C("file", TEXT),
                                              C("created_at", TIME), C("expires_at", TIME)};
static const pa_store_export_col reels[] = {ID("id", "r"), ID("pet", "pet"), C("caption", TEXT),
                                            C("file", TEXT), C("created_at", TIME)};
static const pa_store_export_col notifications[] = {
    ID("id", "n"),      C("kind", TEXT),  ID("actor", "u"),      ID("post", "p"),
    ID("comment", "c"), ID("pet", "pet"), C("created_at", TIME), C("read", BOOL)};
static const pa_store_export_col notices[] = {
    ID("id", "nt"),   C("kind", TEXT),   ID("actor", "u"),      ID("post", "p"),
    ID("pet", "pet"), C("detail", TEXT), C("created_at", TIME), C("read", BOOL)};
static const pa_store_export_col subscriptions[] = {
    C("plan", TEXT),     C("provider", TEXT),    C("country", TEXT),
    C("currency", TEXT), C("amount_minor", INT), C("months", INT),
    C("status", TEXT),   C("created_at", TIME),  C("next_charge_at", TIME)};
static const pa_store_export_col receipts[] = {
    C("provider", TEXT), C("kind", TEXT),       C("plan", TEXT),       C("months", INT),
    C("currency", TEXT), C("gross_minor", INT), C("occurred_at", TIME)};
static const pa_store_export_col sessions[] = {C("created_at", TIME), C("last_seen_at", TIME),
                                               C("browser", TEXT), C("os", TEXT),
                                               C("network", TEXT)};
static const pa_store_export_col devices[] = {C("browser", TEXT), C("os", TEXT),
                                              C("first_seen_at", TIME), C("last_seen_at", TIME)};
static const pa_store_export_col roles[] = {C("role", TEXT), C("granted_at", TIME)};
static const pa_store_export_col two_step[] = {C("enabled_at", TIME)};
static const pa_store_export_col seller[] = {C("name", TEXT), C("provider", TEXT),
                                             C("paypal_email", TEXT), C("connected", BOOL),
                                             C("created_at", TIME)};
static const pa_store_export_col listings[] = {
    ID("id", "lst"),       C("title", TEXT),    C("description", TEXT), C("lang", TEXT),
    C("price_minor", INT), C("currency", TEXT), C("stock", INT),        C("kind", TEXT),
    C("condition", TEXT),  C("category", TEXT), C("city", TEXT),        C("country", TEXT),
    C("shipping", TEXT),   C("status", TEXT),   C("created_at", TIME)};
static const pa_store_export_col listing_photos[] = {ID("listing", "lst"), C("position", INT),
                                                     C("file", TEXT)};
static const pa_store_export_col reviews[] = {
    ID("id", "rv"),  ID("order", "ord"), ID("seller", "u"),    C("rating", INT),
    C("text", TEXT), C("reply", TEXT),   C("created_at", TIME)};
static const pa_store_export_col payouts[] = {
    ID("id", "poi"),        ID("batch", "pob"),    C("state", TEXT),
    C("amount_minor", INT), C("currency", TEXT),   C("receiver", TEXT),
    C("error", TEXT),       C("created_at", TIME), C("updated_at", TIME)};
static const pa_store_export_col order_messages[] = {ID("id", "om"), ID("order", "ord"),
                                                     C("text", TEXT), C("created_at", TIME)};
static const pa_store_export_col affiliate[] = {C("code", TEXT), C("kind", TEXT),
                                                C("joined_at", TIME), C("payout_email", TEXT)};
static const pa_store_export_col affiliate_clicks[] = {C("day", TIME), C("clicks", INT)};
static const pa_store_export_col affiliate_referrals[] = {
    C("clicked_at", TIME), C("signed_up_at", TIME), C("state", TEXT), C("reason", TEXT)};
static const pa_store_export_col referred_by[] = {ID("affiliate", "u"), C("clicked_at", TIME),
                                                  C("signed_up_at", TIME), C("state", TEXT),
                                                  C("reason", TEXT)};
static const pa_store_export_col affiliate_commissions[] = {
    ID("id", "com"),     C("kind", TEXT),       C("source", TEXT), C("base_minor", INT),
    C("currency", TEXT), C("month", TEXT),      C("rate_bp", INT), C("commission_minor", INT),
    C("at", TIME),       C("release_at", TIME), C("reason", TEXT)};
static const pa_store_export_col affiliate_payouts[] = {
    ID("id", "apo"),        ID("batch", "pob"),    C("state", TEXT),
    C("amount_minor", INT), C("currency", TEXT),   C("receiver", TEXT),
    C("error", TEXT),       C("created_at", TIME), C("updated_at", TIME)};
static const pa_store_export_col support_conversations[] = {
    ID("id", "sc"),         C("state", TEXT),      C("subject", TEXT),
    C("locale", TEXT),      C("created_at", TIME), C("updated_at", TIME),
    C("resolved_at", TIME), C("rating", INT),      C("rating_comment", TEXT)};
static const pa_store_export_col support_messages[] = {ID("id", "sm"), ID("conversation", "sc"),
                                                       C("author", TEXT), C("body", TEXT),
                                                       C("created_at", TIME)};
static const pa_store_export_col uploads[] = {C("file", TEXT), C("bytes", INT),
                                              C("created_at", TIME)};

#define S(name, single, cols)                                                                      \
  { name, single, (int)(sizeof cols / sizeof cols[0]), cols }
static const pa_store_export_section sections[] = {
    S("profile", 1, profile),
    S("pets", 0, pets),
    S("posts", 0, posts),
    S("post_photos", 0, images),
    S("comments", 0, comments),
    S("likes", 0, likes),
    S("following", 0, follows),
    S("following_pets", 0, pet_follows),
    S("stories", 0, stories),
    S("reels", 0, reels),
    S("notifications", 0, notifications),
    S("notices", 0, notices),
    S("subscriptions", 0, subscriptions),
    S("receipts", 0, receipts),
    S("sessions", 0, sessions),
    S("known_devices", 0, devices),
    S("roles", 0, roles),
    S("two_step", 0, two_step),
    S("seller", 0, seller),
    S("listings", 0, listings),
    S("listing_photos", 0, listing_photos),
    S("reviews", 0, reviews),
    S("payouts", 0, payouts),
    S("order_messages", 0, order_messages),
    S("affiliate", 0, affiliate),
    S("affiliate_clicks", 0, affiliate_clicks),
    S("affiliate_referrals", 0, affiliate_referrals),
    S("referred_by", 0, referred_by),
    S("affiliate_commissions", 0, affiliate_commissions),
    S("affiliate_payouts", 0, affiliate_payouts),
    S("uploads", 0, uploads),
    S("support_conversations", 0, support_conversations),
    S("support_messages", 0, support_messages),
};
enum { SECTIONS = sizeof sections / sizeof sections[0] };

/* Each section's query, ?1 the person: columns in the section's order. */
static const char *const queries[SECTIONS] = {
    "SELECT u.id, u.handle, u.name, u.bio, u.email, u.avatar || '.' || m.ext, u.created_at,"
    " u.plus_until FROM users u LEFT JOIN media m ON m.hash = u.avatar WHERE u.id = ?1",
    "SELECT p.id, p.name, p.species, p.breed, p.bio, p.birth_date, p.avatar || '.' || m.ext,"
    " p.created_at FROM pets p LEFT JOIN media m ON m.hash = p.avatar WHERE p.owner_id = ?1"
    " ORDER BY p.id",
    "SELECT id, pet_id, caption, like_count, comment_count, created_at FROM posts"
    " WHERE author_id = ?1 ORDER BY id",
    "SELECT i.post_id, i.position, i.media || '.' || m.ext, i.alt FROM post_images i"
    " JOIN posts p ON p.id = i.post_id JOIN media m ON m.hash = i.media"
    " WHERE p.author_id = ?1 ORDER BY i.post_id, i.position",
    "SELECT id, post_id, parent_id, body, created_at FROM comments WHERE author_id = ?1"
    " ORDER BY id",
    "SELECT post_id, created_at FROM likes WHERE user_id = ?1 ORDER BY created_at, post_id",
    "SELECT followee_id, created_at FROM follows WHERE follower_id = ?1"
    " ORDER BY created_at, followee_id",
    "SELECT pet_id, created_at FROM pet_follows WHERE follower_id = ?1 ORDER BY created_at, pet_id",
    "SELECT s.id, s.pet_id, s.media || '.' || m.ext, s.created_at, s.expires_at FROM stories s"
    " JOIN media m ON m.hash = s.media WHERE s.owner_id = ?1 ORDER BY s.id",
    "SELECT r.id, r.pet_id, r.caption, r.video || '.' || m.ext, r.created_at FROM reels r"
    " JOIN media m ON m.hash = r.video WHERE r.author_id = ?1 ORDER BY r.id",
    "SELECT id, kind, actor_id, post_id, comment_id, pet_id, created_at, read FROM notifications"
    " WHERE user_id = ?1 ORDER BY created_at, id",
    "SELECT id, kind, actor_id, post_id, pet_id, detail, created_at, read FROM notices"
    " WHERE user_id = ?1 ORDER BY created_at, id",
    "SELECT plan, provider, country, currency, amount_minor, months, status, created_at,"
    " next_charge_at FROM subscriptions WHERE user_id = ?1 ORDER BY id",
    "SELECT t.provider, t.kind, t.plan, t.months, t.currency, t.gross_minor, t.occurred_at"
    " FROM ledger_txns t JOIN ledger_parties y ON y.id = t.party_id WHERE y.user_id = ?1"
    " ORDER BY t.occurred_at, t.id",
    "SELECT created_at, last_seen_at, browser, os, addr FROM sessions WHERE user_id = ?1"
    " ORDER BY id",
    "SELECT browser, os, first_seen_at, last_seen_at FROM known_devices WHERE user_id = ?1"
    " ORDER BY first_seen_at, browser, os",
    "SELECT role, granted_at FROM user_roles WHERE user_id = ?1 ORDER BY role",
    "SELECT enabled_at FROM user_totp WHERE user_id = ?1 AND enabled_at IS NOT NULL",
    /* The marketplace (issue 20): a list of at most one seller profile. */
    "SELECT name, provider, paypal_email, mp_connected, created_at FROM sellers WHERE user_id = ?1",
    "SELECT id, title, description, lang, price_minor, currency, stock, kind, condition, category,"
    " city, country, shipping, status, created_at FROM listings WHERE seller_id = ?1 ORDER BY id",
    "SELECT ph.listing_id, ph.position, ph.media || '.' || m.ext FROM listing_photos ph"
    " JOIN listings l ON l.id = ph.listing_id JOIN media m ON m.hash = ph.media"
    " WHERE l.seller_id = ?1 ORDER BY ph.listing_id, ph.position",
    /* The reviews the person wrote as a buyer, with the seller's reply ("" when none). */
    "SELECT id, order_id, seller_id, rating, text, coalesce(reply, ''), created_at"
    " FROM market_reviews WHERE buyer_id = ?1 ORDER BY id",
    /* The payouts the person was sent as a PayPal seller (payouts.h). */
    "SELECT id, payout_id, state, amount_minor, currency, receiver, error, created_at, updated_at"
    " FROM market_payout_items WHERE seller_id = ?1 AND payee = 'seller' ORDER BY id",
    /* The messages the person wrote on their orders, as buyer or seller. */
    "SELECT id, order_id, body, created_at FROM market_order_messages WHERE author_id = ?1"
    " ORDER BY id",
    /* The affiliate program (issue 21): the membership (a list of at most
     * one), the clicks on the person's links by UTC day (their sources are
     * hashes, nobody's data), the sign-ups through them without who signed
     * up (that is the newcomer's), and who referred the person. */
    "SELECT code, kind, joined_at, payout_email FROM affiliates WHERE user_id = ?1",
    "SELECT day * 86400, count(*) FROM aff_clicks WHERE affiliate_id = ?1 GROUP BY day ORDER BY "
    "day",
    "SELECT clicked_at, attributed_at, state, coalesce(reason, '') FROM aff_referrals"
    " WHERE affiliate_id = ?1 ORDER BY attributed_at, referred_id",
    "SELECT affiliate_id, clicked_at, attributed_at, state, coalesce(reason, '')"
    " FROM aff_referrals WHERE referred_id = ?1",
    /* The affiliate's commission ledger (not whom each came from: that is
     * the referred person's) with the rate of its month once closed (NULL
     * while open: the dashboard shows the provisional one), and the
     * affiliate payouts sent to them. */
    "SELECT c.id, c.kind, c.source, c.base_minor, c.currency, c.month, m.rate_bp,"
    " CASE WHEN m.rate_bp IS NULL OR c.kind = 'refused' THEN NULL"
    " ELSE c.base_minor * m.rate_bp / 10000 END, c.at, c.release_at, c.reason"
    " FROM aff_commissions c LEFT JOIN aff_months m ON m.affiliate_id = c.affiliate_id"
    " AND m.month = c.month WHERE c.affiliate_id = ?1 ORDER BY c.id",
    "SELECT id, payout_id, state, amount_minor, currency, receiver, error, created_at, updated_at"
    " FROM market_payout_items WHERE seller_id = ?1 AND payee = 'affiliate' ORDER BY id",
    "SELECT u.media || '.' || m.ext, m.bytes, u.created_at FROM uploads u"
    " JOIN media m ON m.hash = u.media WHERE u.user_id = ?1 ORDER BY u.id",
    /* Support (issue 23): the person's conversations and what was said in
     * them, theirs, the assistant's and the agents' replies; the agents'
     * internal notes are the team's working papers, never shown to the
     * person (web/README.md, "Support"). */
    "SELECT id, state, subject, locale, created_at, updated_at, resolved_at, rating, rating_comment"
    " FROM support_conversations WHERE user_id = ?1 ORDER BY id",
    "SELECT m.id, m.conversation_id, m.author, m.body, m.created_at FROM support_messages m"
    " JOIN support_conversations c ON c.id = m.conversation_id"
    " WHERE c.user_id = ?1 AND m.author <> 'note' ORDER BY m.id",
};

const pa_store_export_section *pa_store_export_sections(int *n) {
  *n = SECTIONS;
  return sections;
}

typedef struct rows_ctx {
  const pa_store_export_section *sec;
  int (*row)(void *ctx, const pa_store_export_value *v);
  void *ctx;
} rows_ctx;

static int one_row(void *c, pa_sql_stmt *st) {
  rows_ctx *r = c;
  pa_store_export_value v[16];
  for (int k = 0; k < r->sec->ncols && k < 16; k++) {
    v[k].null = pa_sq_null(st, k);
    v[k].i = v[k].null ? 0 : pa_sq_i64(st, k);
    v[k].s = r->sec->cols[k].kind == PA_EXPORT_TEXT && !v[k].null ? pa_sq_text(st, k) : NULL;
  }
  return r->row(r->ctx, v);
}

int pa_store_export_rows(pa_store *db, int i, int64_t user,
                         int (*row)(void *ctx, const pa_store_export_value *v), void *ctx) {
  if (i < 0 || i >= SECTIONS) return PA_STORE_ENOTFOUND;
  rows_ctx r = {&sections[i], row, ctx};
  pa_sql_stmt *st = pa_sq_stmt(db, queries[i]);
  if (!st) return PA_STORE_EDB;
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, user), one_row, &r, sections[i].name);
}

typedef struct media_ctx {
  int (*file)(void *ctx, const char *hash, const char *ext, int64_t created_at);
  void *ctx;
} media_ctx;

static int media_row(void *c, pa_sql_stmt *st) {
  media_ctx *m = c;
  const char *hash = pa_sq_text(st, 0), *ext = pa_sq_text(st, 1);
  return m->file(m->ctx, hash ? hash : "", ext ? ext : "", pa_sq_i64(st, 2));
}

int pa_store_export_media(pa_store *db, int64_t user,
                          int (*file)(void *ctx, const char *hash, const char *ext,
                                      int64_t created_at),
                          void *ctx) {
  media_ctx m = {file, ctx};
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT u.media, m.ext, u.created_at FROM uploads u"
                                   " JOIN media m ON m.hash = u.media WHERE u.user_id = ?1"
                                   " ORDER BY u.id");
  if (!st) return PA_STORE_EDB;
  return pa_sq_each(db, st, pa_sq_bind_i64(st, 1, user), media_row, &m, "export media");
}
