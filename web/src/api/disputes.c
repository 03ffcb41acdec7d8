/* pa_api — an order's side branches (issue 20, section 4; web/README.md,
 * "Marketplace"): the buyer of a shipped or delivered order asks for a
 * refund; the seller accepts (the provider refunds in full, orders.c) or
 * declines; after a decline, or the seller's silence for
 * PA_CLAIM_ANSWER_DAYS, the buyer takes it to a moderator as a dispute,
 * which the seller answers once and a moderator decides (refund or
 * release). While a request or a dispute is open the order's clocks stand
 * still (store/orders.h, pa_store_orders_due). Beside it, the order's
 * messages between its buyer and seller, kept in clear on the server (the
 * answers say so): a moderator reads them with the dispute. Bodies are read
 * by market_order.c's strict readers (web/fuzz/fuzz_cart.c drives them). */
#include "store/disputes.h"

#include "api/api.h"
#include "clock.h"
#include "log.h"
#include "orders.h"
#include "pay/pay.h"
#include "store/admin.h"
#include "store/moderation.h"
#include "store/orders.h"
#include "store/safety.h"

#include <stdio.h>
#include <string.h>

enum {
  PA_DISPUTE_MESSAGES_SHOWN = 50 /* the latest order messages a moderator sees with a dispute */
};

static void send_err(pa_srv_req *rq, const pa_market_err *e) {
  if (e->field[0])
    pa_api_field_error(rq, e->status, e->code, e->message, e->field);
  else
    pa_api_error(rq, e->status, e->code, e->message, NULL);
}

static int add_text(cJSON *o, const char *key, const char *s) {
  return s[0] ? !cJSON_AddStringToObject(o, key, s) : !cJSON_AddNullToObject(o, key);
}

static int add_opt_time(cJSON *o, const char *key, int64_t t) {
  return t ? pa_api_add_time(o, key, t) : !cJSON_AddNullToObject(o, key);
}

static cJSON *claim_json(const pa_store_claim *c, int order_state, int64_t now) {
  cJSON *o = cJSON_CreateObject();
  /* When the buyer may take a request the seller left unanswered to a
   * moderator (null once answered or disputed). */
  int64_t dispute_from =
      c->state == PA_CLAIM_REQUESTED ? c->requested_at + PA_CLAIM_ANSWER_SECONDS : 0;
  /* Only while the order is open to a refund (not completed meanwhile). */
  int can_dispute =
      (order_state == PA_ORDER_SHIPPED || order_state == PA_ORDER_DELIVERED) &&
      (c->state == PA_CLAIM_DECLINED || (c->state == PA_CLAIM_REQUESTED && now >= dispute_from));
  int bad = !o || !cJSON_AddStringToObject(o, "state", pa_market_claim_state_name(c->state)) ||
            !cJSON_AddStringToObject(o, "reason", c->reason) ||
            pa_api_add_time(o, "requested_at", c->requested_at) ||
            add_text(o, "decline_reason", c->decline_reason) ||
            add_opt_time(o, "answered_at", c->answered_at) ||
            add_text(o, "dispute_text", c->dispute_text) ||
            add_opt_time(o, "disputed_at", c->disputed_at) ||
            add_text(o, "seller_answer", c->seller_answer) ||
            add_opt_time(o, "seller_answered_at", c->seller_answered_at) ||
            add_text(o, "decision", c->decision) || add_text(o, "decision_note", c->note) ||
            add_opt_time(o, "closed_at", c->closed_at) ||
            add_opt_time(o, "dispute_possible_at", dispute_from) ||
            !cJSON_AddBoolToObject(o, "can_dispute", can_dispute);
  if (bad) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

int pa_api_claim_add(pa_store *db, cJSON *o, int64_t order, int order_state, int64_t now) {
  pa_store_claim c;
  int rc = pa_store_disputes_claim_get(db, order, &c);
  if (rc == PA_STORE_ENOTFOUND) return cJSON_AddNullToObject(o, "claim") ? 0 : -1;
  if (rc != PA_STORE_OK) return -1;
  cJSON *j = claim_json(&c, order_state, now);
  if (j && cJSON_AddItemToObject(o, "claim", j)) return 0;
  cJSON_Delete(j);
  return -1;
}

/* ---- the steps */

/* The order's seller or buyer only (the other gets 403); 0 or -1 sent. */
static int must_be(pa_srv_req *rq, const pa_store_order *o, int seller) {
  if ((seller ? o->seller_id : o->buyer_id) == rq->viewer) return 0;
  PA_FORBIDDEN(rq, seller ? "Only the order's seller may do this"
                          : "Only the order's buyer may do this");
  return -1;
}

static void send_claim_conflict(pa_srv_req *rq, const char *msg) {
  pa_api_error(rq, 409, "wrong_state", msg, NULL);
}

/* Reads a body of one text member; 0, or -1 with the error sent. */
static int text_body(pa_srv_req *rq, const char *name, long max, char *out, size_t cap) {
  cJSON *body = NULL;
  pa_market_err e;
  if (pa_api_body(rq, &body) != 0) return -1;
  int bad = pa_market_text_body_parse(body, name, max, out, cap, &e);
  cJSON_Delete(body);
  if (bad) send_err(rq, &e);
  return bad ? -1 : 0;
}

/* Ends a step's transaction: commits when rc is OK and the claim moved,
 * then answers with the order; 409 with msg when it had not moved. */
static void end_step(pa_srv_req *rq, int64_t order, int rc, int moved, const char *msg) {
  if (rc == PA_STORE_OK && moved)
    rc = pa_store_commit(rq->db);
  else
    pa_store_rollback(rq->db);
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "claim step");
    return;
  }
  if (!moved) {
    send_claim_conflict(rq, msg);
    return;
  }
  pa_api_order_send(rq, order);
}

void pa_api_order_refund_request(pa_srv_req *rq) {
  pa_store_order o;
  char reason[PA_MARKET_CAP(PA_CLAIM_TEXT_MAX)];
  if (pa_api_order_mine(rq, &o) != 0 || must_be(rq, &o, 0) != 0 ||
      text_body(rq, "reason", PA_CLAIM_TEXT_MAX, reason, sizeof reason) != 0)
    return;
  /* Before shipping the buyer cancels (a refund at once); completed, the
   * seller has been paid and the hold is over. */
  if (o.state != PA_ORDER_SHIPPED && o.state != PA_ORDER_DELIVERED) {
    char msg[160];
    snprintf(msg, sizeof msg,
             "The order is %s: a refund can be asked for once it is shipped and until it "
             "completes",
             pa_market_order_state_name(o.state));
    send_claim_conflict(rq, msg);
    return;
  }
  const int64_t now = pa_clock_now();
  /* The order's row first: the worker's step on it waits, or came first
   * and is seen (orders.c looks at the claim inside its step). */
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK) rc = pa_store_orders_lock(rq->db, o.id);
  if (rc == PA_STORE_OK) rc = pa_store_orders_get(rq->db, o.id, &o);
  int ok = rc == PA_STORE_OK && (o.state == PA_ORDER_SHIPPED || o.state == PA_ORDER_DELIVERED);
  if (ok) rc = pa_store_disputes_claim_request(rq->db, o.id, reason, now);
  if (ok && rc == PA_STORE_ECONFLICT) {
    pa_store_rollback(rq->db);
    pa_api_error(rq, 409, "claim_exists", "A refund was asked for on this order already", NULL);
    return;
  }
  if (ok && rc == PA_STORE_OK)
    rc = pa_orders_tell_side(rq->db, o.id, "refund_requested", rq->viewer, 1, now);
  end_step(rq, o.id, rc, ok, "The order moved on meanwhile: a refund cannot be asked for now");
}

void pa_api_order_refund_decline(pa_srv_req *rq) {
  pa_store_order o;
  char reason[PA_MARKET_CAP(PA_CLAIM_TEXT_MAX)];
  int moved = 0;
  if (pa_api_order_mine(rq, &o) != 0 || must_be(rq, &o, 1) != 0 ||
      text_body(rq, "reason", PA_CLAIM_TEXT_MAX, reason, sizeof reason) != 0)
    return;
  const int64_t now = pa_clock_now();
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK) rc = pa_store_disputes_claim_decline(rq->db, o.id, reason, now, &moved);
  if (rc == PA_STORE_OK && moved)
    rc = pa_orders_tell_side(rq->db, o.id, "refund_declined", rq->viewer, 0, now);
  end_step(rq, o.id, rc, moved, "There is no refund request waiting for your answer");
}

void pa_api_order_refund_accept(pa_srv_req *rq) {
  pa_store_order o;
  cJSON *body = NULL;
  char err[PA_PAY_ERR_MAX] = "";
  int moved = 0;
  if (pa_api_order_mine(rq, &o) != 0 || must_be(rq, &o, 1) != 0) return;
  /* An empty object: nothing to say but yes. */
  if (pa_api_body(rq, &body) != 0) return;
  int bad = !cJSON_IsObject(body) || body->child;
  cJSON_Delete(body);
  if (bad) {
    PA_BAD(rq, "The body must be an empty JSON object");
    return;
  }
  int rc = pa_orders_claim_refund(rq->db, rq->srv->pay, o.id, PA_CLAIM_REQUESTED, NULL, NULL,
                                  rq->viewer, pa_clock_now(), NULL, NULL, &moved, err, sizeof err);
  if (rc != PA_STORE_OK && err[0]) {
    pa_log_event("warn", "orders", "claim refund ord_%lld: %s", (long long)o.id, err);
    pa_api_error(rq, 502, "provider_unreachable",
                 "The refund could not be made with the payment provider; nothing changed, try "
                 "again in a moment",
                 NULL);
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "claim refund");
    return;
  }
  if (!moved) {
    send_claim_conflict(rq, "There is no refund request waiting for your answer");
    return;
  }
  pa_api_order_send(rq, o.id);
}

void pa_api_order_dispute(pa_srv_req *rq) {
  pa_store_order o;
  char text[PA_MARKET_CAP(PA_CLAIM_TEXT_MAX)];
  int moved = 0;
  if (pa_api_order_mine(rq, &o) != 0 || must_be(rq, &o, 0) != 0 ||
      text_body(rq, "text", PA_CLAIM_TEXT_MAX, text, sizeof text) != 0)
    return;
  const int64_t now = pa_clock_now();
  /* Only while the order is still open to a refund: once the decline's
   * window passed, the worker may have completed it (the seller paid). */
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK) rc = pa_store_orders_lock(rq->db, o.id);
  if (rc == PA_STORE_OK) rc = pa_store_orders_get(rq->db, o.id, &o);
  if (rc == PA_STORE_OK && (o.state == PA_ORDER_SHIPPED || o.state == PA_ORDER_DELIVERED))
    rc = pa_store_disputes_claim_dispute(rq->db, o.id, text, now, now - PA_CLAIM_ANSWER_SECONDS,
                                         &moved);
  /* The dispute waits in the moderation queue as the buyer's report of the
   * order, its seller the subject (api/mod_kinds.c, kind dispute). */
  if (rc == PA_STORE_OK && moved) {
    pa_store_report_new r = {o.buyer_id, "dispute", o.id, o.seller_id, "other",
                             "",         NULL,      now,  NULL};
    rc = pa_store_moderation_report_add(rq->db, &r, NULL);
  }
  if (rc == PA_STORE_OK && moved)
    rc = pa_orders_tell_side(rq->db, o.id, "disputed", rq->viewer, 1, now);
  char msg[200];
  snprintf(msg, sizeof msg,
           "A dispute can be opened after the seller declines the refund, or when they have not "
           "answered it in %d days",
           (int)PA_CLAIM_ANSWER_DAYS);
  end_step(rq, o.id, rc, moved, msg);
}

void pa_api_order_dispute_answer(pa_srv_req *rq) {
  pa_store_order o;
  char text[PA_MARKET_CAP(PA_CLAIM_TEXT_MAX)];
  int moved = 0;
  if (pa_api_order_mine(rq, &o) != 0 || must_be(rq, &o, 1) != 0 ||
      text_body(rq, "text", PA_CLAIM_TEXT_MAX, text, sizeof text) != 0)
    return;
  const int64_t now = pa_clock_now();
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK) rc = pa_store_disputes_claim_answer(rq->db, o.id, text, now, &moved);
  if (rc == PA_STORE_OK && moved)
    rc = pa_orders_tell_side(rq->db, o.id, "dispute_answered", rq->viewer, 0, now);
  end_step(rq, o.id, rc, moved,
           "There is no open dispute on this order, or you answered it already");
}

/* ---- the moderator's decision */

static int print_into(cJSON *o, char *out, size_t cap) {
  return o && cJSON_PrintPreallocated(o, out, (int)cap, 0) ? 0 : -1;
}

/* The decision's report closing and audit row, in its transaction. */
typedef struct decide_ctx {
  int64_t order, at, moderator;
  const char *name, *action, *detail;
} decide_ctx;

static int decide_also(pa_store *db, void *ctx) {
  decide_ctx *c = ctx;
  int rc = pa_store_moderation_close(db, "dispute", c->order, c->name, c->at, NULL, NULL);
  if (rc != PA_STORE_OK) return rc;
  pa_store_audit_new a = {c->at, c->moderator, c->action, "dispute", c->order, c->detail};
  return pa_store_admin_audit(db, &a);
}

void pa_api_mod_dispute_decide(pa_srv_req *rq) {
  pa_store_order o;
  pa_store_claim c;
  cJSON *body = NULL;
  pa_market_err e;
  int decision = 0, moved = 0;
  char note[PA_MARKET_CAP(PA_CLAIM_NOTE_MAX)],
      err[PA_PAY_ERR_MAX] = "", detail[PA_STORE_AUDIT_DETAIL_MAX + 1], item[32], action[32];
  if (pa_api_body(rq, &body) != 0) return;
  int bad = pa_market_decision_parse(body, &decision, note, sizeof note, &e);
  cJSON_Delete(body);
  if (bad) {
    send_err(rq, &e);
    return;
  }
  int rc = pa_store_orders_get(rq->db, rq->ids[0], &o);
  if (rc == PA_STORE_OK) rc = pa_store_disputes_claim_get(rq->db, o.id, &c);
  if (rc == PA_STORE_ENOTFOUND) {
    PA_NOT_FOUND(rq, "No such dispute");
    return;
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "dispute");
    return;
  }
  /* Nobody judges their own case: another moderator decides it. */
  if (o.buyer_id == rq->viewer || o.seller_id == rq->viewer) {
    pa_api_error(rq, 400, "own_item", "Another moderator must decide a dispute you are part of",
                 NULL);
    return;
  }
  if (c.state != PA_CLAIM_DISPUTED) {
    send_claim_conflict(rq, "This order's dispute is not open");
    return;
  }
  const int64_t now = pa_clock_now();
  const char *name = decision == PA_CLAIM_DECIDE_REFUND ? "refund" : "release";
  /* The audit row's detail: the server's own JSON, the note escaped by
   * cJSON (PA_CLAIM_NOTE_MAX keeps it within the row's bytes). */
  snprintf(item, sizeof item, "ord_%lld", (long long)o.id);
  snprintf(action, sizeof action, "mod.dispute_%s", name);
  cJSON *d = cJSON_CreateObject();
  bad = !d || !cJSON_AddStringToObject(d, "kind", "dispute") ||
        !cJSON_AddStringToObject(d, "id", item) || !cJSON_AddStringToObject(d, "decision", name) ||
        (note[0] && !cJSON_AddStringToObject(d, "note", note)) ||
        print_into(d, detail, sizeof detail);
  cJSON_Delete(d);
  if (bad) {
    pa_api_internal(rq, "dispute decision");
    return;
  }
  decide_ctx dc = {o.id, now, rq->viewer, name, action, detail};
  if (decision == PA_CLAIM_DECIDE_REFUND) {
    rc = pa_orders_claim_refund(rq->db, rq->srv->pay, o.id, PA_CLAIM_DISPUTED, name, note,
                                rq->viewer, now, decide_also, &dc, &moved, err, sizeof err);
    if (rc != PA_STORE_OK && err[0]) {
      pa_log_event("warn", "orders", "dispute refund ord_%lld: %s", (long long)o.id, err);
      pa_api_error(rq, 502, "provider_unreachable",
                   "The refund could not be made with the payment provider; nothing changed, "
                   "try again in a moment",
                   NULL);
      return;
    }
  } else {
    rc = pa_orders_claim_release(rq->db, o.id, note, rq->viewer, now, decide_also, &dc, &moved);
  }
  if (rc != PA_STORE_OK) {
    pa_api_internal(rq, "dispute decision");
    return;
  }
  if (!moved) {
    send_claim_conflict(rq, "This order's dispute is not open");
    return;
  }
  cJSON *root = cJSON_CreateObject();
  const char *state = "";
  if (!root || pa_api_dispute_context(rq->db, o.id, root, &state) != PA_STORE_OK) {
    cJSON_Delete(root);
    pa_api_internal(rq, "dispute decision");
    return;
  }
  pa_api_json(rq, 200, root);
}

/* ---- the moderator's view (the queue's dispute kind) */

typedef struct msg_ctx {
  const pa_store_order *o;
  cJSON *list;
} msg_ctx;

static int add_message(void *ctx, const pa_store_order_message *m) {
  msg_ctx *c = ctx;
  cJSON *j = pa_api_array_add_object(c->list);
  if (!j) return -1;
  return pa_api_add_id(j, "id", "om", m->id) || pa_api_add_id(j, "author", "u", m->author_id) ||
                 !cJSON_AddStringToObject(j, "role",
                                          m->author_id == c->o->seller_id ? "seller" : "buyer") ||
                 !cJSON_AddStringToObject(j, "text", m->body) ||
                 pa_api_add_time(j, "created_at", m->created_at)
             ? -1
             : 0;
}

int pa_api_dispute_context(pa_store *db, int64_t order, cJSON *o, const char **state) {
  pa_store_order ord;
  pa_store_claim c;
  pa_store_cursor next = {0, 0};
  int more = 0;
  int rc = pa_store_orders_get(db, order, &ord);
  if (rc == PA_STORE_OK) rc = pa_store_disputes_claim_get(db, order, &c);
  if (rc != PA_STORE_OK) return rc;
  *state = pa_market_claim_state_name(c.state);
  cJSON *d = cJSON_AddObjectToObject(o, "dispute"),
        *sum = d ? cJSON_AddObjectToObject(d, "order") : NULL,
        *claim = claim_json(&c, ord.state, pa_clock_now());
  if (!claim || !d || !cJSON_AddItemToObject(d, "claim", claim)) {
    cJSON_Delete(claim);
    return PA_STORE_ENOMEM;
  }
  cJSON *msgs = cJSON_AddArrayToObject(d, "messages");
  int bad = !sum || !msgs || pa_api_add_id(sum, "id", "ord", ord.id) ||
            !cJSON_AddStringToObject(sum, "state", pa_market_order_state_name(ord.state)) ||
            (ord.buyer_id ? pa_api_add_id(sum, "buyer", "u", ord.buyer_id)
                          : !cJSON_AddNullToObject(sum, "buyer")) ||
            (ord.seller_id ? pa_api_add_id(sum, "seller", "u", ord.seller_id)
                           : !cJSON_AddNullToObject(sum, "seller")) ||
            !cJSON_AddNumberToObject(sum, "total_minor", (double)ord.total_minor) ||
            !cJSON_AddStringToObject(sum, "currency", ord.currency) ||
            !cJSON_AddStringToObject(sum, "carrier", ord.carrier) ||
            !cJSON_AddStringToObject(sum, "tracking", ord.tracking) ||
            pa_api_add_time(sum, "created_at", ord.created_at) ||
            add_opt_time(sum, "shipped_at", ord.shipped_at) ||
            add_opt_time(sum, "delivered_at", ord.delivered_at);
  if (bad) return PA_STORE_ENOMEM;
  msg_ctx mc = {&ord, msgs};
  return pa_store_disputes_messages(db, order, NULL, PA_DISPUTE_MESSAGES_SHOWN, add_message, &mc,
                                    &next, &more);
}

/* ---- order messages */

/* The fact the screen states: these are not end-to-end encrypted. */
static int add_privacy(cJSON *o) {
  return cJSON_AddBoolToObject(o, "end_to_end_encrypted", 0) &&
                 cJSON_AddStringToObject(o, "visible_to", "buyer, seller and moderators")
             ? 0
             : -1;
}

void pa_api_order_messages(pa_srv_req *rq) {
  pa_store_order o;
  int limit, has_cursor, more = 0;
  pa_store_cursor after, next = {0, 0};
  if (pa_api_order_mine(rq, &o) != 0 ||
      pa_api_page(rq, PA_ORDER_MESSAGES_PAGE, PA_ORDER_MESSAGES_DEFAULT, &limit, &after,
                  &has_cursor) != 0)
    return;
  cJSON *root = cJSON_CreateObject(),
        *list = root ? cJSON_AddArrayToObject(root, "messages") : NULL;
  msg_ctx c = {&o, list};
  if (!list || add_privacy(root) ||
      pa_store_disputes_messages(rq->db, o.id, has_cursor ? &after : NULL, limit, add_message, &c,
                                 &next, &more) != PA_STORE_OK ||
      pa_api_add_cursor(root, more, &next)) {
    cJSON_Delete(root);
    pa_api_internal(rq, "order messages");
    return;
  }
  pa_api_json(rq, 200, root);
}

void pa_api_order_message_create(pa_srv_req *rq) {
  pa_store_order o;
  char text[PA_MARKET_CAP(PA_ORDER_MESSAGE_MAX)];
  int blocked = 0;
  int64_t id = 0;
  if (pa_api_order_mine(rq, &o) != 0 ||
      text_body(rq, "text", PA_ORDER_MESSAGE_MAX, text, sizeof text) != 0)
    return;
  /* A block is mutual on every surface: neither writes to the other. */
  if (o.buyer_id && o.seller_id &&
      pa_store_safety_blocked(rq->db, o.buyer_id, o.seller_id, &blocked) != PA_STORE_OK) {
    pa_api_internal(rq, "order message");
    return;
  }
  if (blocked || !o.buyer_id || !o.seller_id) {
    pa_api_error(rq, 403, blocked ? "blocked" : "gone",
                 blocked ? "You cannot message this person: one of you blocked the other"
                         : "The other side's account is gone",
                 NULL);
    return;
  }
  const int64_t now = pa_clock_now();
  const int to_seller = rq->viewer == o.buyer_id;
  int rc = pa_store_begin(rq->db);
  if (rc == PA_STORE_OK)
    rc = pa_store_disputes_message_add(rq->db, o.id, rq->viewer, text, now, &id);
  if (rc == PA_STORE_OK)
    rc = pa_orders_tell_side(rq->db, o.id, "message", rq->viewer, to_seller, now);
  if (rc == PA_STORE_OK) rc = pa_store_commit(rq->db);
  if (rc != PA_STORE_OK) {
    pa_store_rollback(rq->db);
    pa_api_internal(rq, "order message");
    return;
  }
  cJSON *j = cJSON_CreateObject();
  pa_store_order_message m = {id, o.id, rq->viewer, now, text};
  msg_ctx c = {&o, cJSON_CreateArray()};
  if (!j || !c.list || add_message(&c, &m) != 0 ||
      !cJSON_AddItemToObject(j, "message", cJSON_DetachItemFromArray(c.list, 0)) ||
      add_privacy(j)) {
    cJSON_Delete(j);
    cJSON_Delete(c.list);
    pa_api_internal(rq, "order message");
    return;
  }
  cJSON_Delete(c.list);
  pa_api_json(rq, 201, j);
}
