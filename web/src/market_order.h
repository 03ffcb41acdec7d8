/* pa_market_order — the marketplace's cart, address book and order rules
 * (issue 20, items 3–5; web/README.md, "Marketplace"): every limit of a cart,
 * an address and an order, the order states and which move is allowed from
 * which, the platform fee of an amount, and the strict readers of the cart,
 * address, checkout and shipping bodies. No database, no HTTP: the bytes come
 * from request bodies, so every reader is total over any input and fuzzed
 * (web/fuzz/fuzz_cart.c). */
#ifndef PA_MARKET_ORDER_H
#define PA_MARKET_ORDER_H

#include "market_rules.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PA_CART_LINES_MAX = 50,     /* distinct listing+variant lines a cart holds */
  PA_CART_QUANTITY_MAX = 99,  /* units of one line */
  PA_ADDRESSES_MAX = 10,      /* addresses a person's book keeps */
  PA_ADDRESS_NAME_MAX = 100,  /* code points of the recipient's name (at least 1) */
  PA_ADDRESS_LINE_MAX = 200,  /* code points of a street line (line1 at least 1) */
  PA_ADDRESS_CITY_MAX = 80,   /* code points of the city (at least 1) */
  PA_ADDRESS_REGION_MAX = 80, /* code points of a state or region */
  PA_ADDRESS_POSTAL_MAX = 20, /* code points of a postal code */
  PA_ADDRESS_PHONE_MAX = 30,  /* code points of a phone number */
  PA_ORDER_CARRIER_MAX = 60,  /* code points of a carrier's name (at least 1) */
  PA_ORDER_TRACKING_MAX = 64, /* code points of a tracking number (at least 1) */
  /* How long a checkout's stock stays reserved waiting for the payment: the
   * worker cancels what is still unpaid after this and gives the units back. */
  PA_ORDER_PAY_TIMEOUT_SECONDS = 30 * 60,
  /* A shipped order the buyer never confirms counts as delivered after this. */
  PA_ORDER_AUTO_DELIVER_SECONDS = 14 * 86400,
  /* The hold after delivery before the seller's share moves from pending to
   * available (disputes would be opened inside it). */
  PA_ORDER_HOLD_SECONDS = 7 * 86400,
  PA_ORDER_ERR_MAX = 200,
  /* Reviews (issue 20, item 6): a whole number of stars, a text optional up
   * to its limit, the seller's one reply. A review is written once and never
   * edited (a rating that can be changed after the seller answered it would
   * make the answer say something else); a moderator can hide it. */
  PA_REVIEW_EDIT_SECONDS = 0, /* how long a review stays editable: never (no edit route) */
  PA_REVIEW_RATING_MIN = 1,
  PA_REVIEW_RATING_MAX = 5,
  PA_REVIEW_TEXT_MAX = 1000,  /* code points of a review's text (may be empty) */
  PA_REVIEW_REPLY_MAX = 1000, /* code points of the seller's reply (at least 1) */
  /* Refund requests and disputes (issue 20, section 4): the buyer's reason,
   * the seller's decline, the buyer's dispute and the seller's one answer
   * are each a text of 1 to this many code points. */
  PA_CLAIM_TEXT_MAX = 1000,
  /* A seller who has not answered a refund request after this may have it
   * taken to a moderator by the buyer as a dispute. */
  PA_CLAIM_ANSWER_DAYS = 3,
  PA_CLAIM_ANSWER_SECONDS = PA_CLAIM_ANSWER_DAYS * 86400,
  /* After a decline the order's clocks stay stopped this long, so the buyer
   * has the time to open a dispute before the worker completes the order. */
  PA_CLAIM_DISPUTE_WINDOW_SECONDS = 3 * 86400,
  PA_CLAIM_NOTE_MAX = 300,       /* code points of a moderator's note on a decision (optional) */
  PA_ORDER_MESSAGE_MAX = 2000,   /* code points of an order message (at least 1) */
  PA_ORDER_MESSAGES_PAGE = 50,   /* the most messages one page lists */
  PA_ORDER_MESSAGES_DEFAULT = 20 /* a page's messages when the client does not say */
};

/* The refund request of a shipped or delivered order and its dispute, in
 * the store's words (pa_market_claim_state_name). requested and disputed
 * are open: while one is, the order's clocks stand still (no auto-delivery,
 * no completion, so no payout). */
typedef enum pa_market_claim_state {
  PA_CLAIM_REQUESTED = 0, /* the buyer asked for a refund; the seller answers */
  PA_CLAIM_DECLINED,      /* the seller said no; the buyer may open a dispute */
  PA_CLAIM_DISPUTED,      /* a moderator decides */
  PA_CLAIM_REFUNDED,      /* refunded in full (the seller accepted, or a moderator decided so) */
  PA_CLAIM_RELEASED,      /* a moderator decided for the seller: the order completes */
  PA_CLAIM_STATES
} pa_market_claim_state;

const char *pa_market_claim_state_name(int s);
/* The claim state named s, or -1. */
int pa_market_claim_state_find(const char *s);
/* 1 when a claim may move from state from (-1: there is none yet) to state
 * to: none → requested; requested → declined or refunded; requested (the
 * seller silent for PA_CLAIM_ANSWER_SECONDS, which the caller checks) or
 * declined → disputed; disputed → refunded or released. */
int pa_market_claim_can(int from, int to);
/* Whether a claim in state s stops the order's clocks. */
int pa_market_claim_open(int s);

/* A moderator's decision on a dispute. */
enum { PA_CLAIM_DECIDE_REFUND = 1, PA_CLAIM_DECIDE_RELEASE = 2 };

/* The order states, in the store's words (pa_market_order_state_name). */
typedef enum pa_market_order_state {
  PA_ORDER_AWAITING_PAYMENT = 0,
  PA_ORDER_PAID,
  PA_ORDER_SHIPPED,
  PA_ORDER_DELIVERED,
  PA_ORDER_COMPLETED,
  PA_ORDER_CANCELLED,
  PA_ORDER_STATES
} pa_market_order_state;

const char *pa_market_order_state_name(int s);
/* The state named s, or -1. */
int pa_market_order_state_find(const char *s);
/* 1 when an order may move from state from to state to (the one table of the
 * state machine: awaiting_payment → paid → shipped → delivered → completed,
 * and cancelled from awaiting_payment or paid). */
int pa_market_order_can(int from, int to);
/* Whether an order in state s is still open (money or goods still to move). */
int pa_market_order_open(int s);

/* The platform's fee of amount minor units at fee_bps basis points, rounded
 * down (the seller never gets less than the price minus the rate). 0 ≤ fee ≤
 * amount for 0 ≤ fee_bps ≤ 10000 and amount ≥ 0. */
int64_t pa_market_fee(int64_t amount, int fee_bps);

/* A reader's refusal, as market_rules.h's. */
typedef pa_market_err pa_market_order_err;

/* PUT /cart/items: {"listing": "lst_1", "variant": "lv_2" (optional),
 * "quantity": 1..PA_CART_QUANTITY_MAX}. variant 0 when absent. */
typedef struct pa_market_cart_line {
  int64_t listing, variant, quantity;
} pa_market_cart_line;
int pa_market_cart_parse(const cJSON *body, pa_market_cart_line *out, pa_market_err *e);

/* An address of the book. */
typedef struct pa_market_address {
  char name[PA_MARKET_CAP(PA_ADDRESS_NAME_MAX)];
  char line1[PA_MARKET_CAP(PA_ADDRESS_LINE_MAX)];
  char line2[PA_MARKET_CAP(PA_ADDRESS_LINE_MAX)];
  char city[PA_MARKET_CAP(PA_ADDRESS_CITY_MAX)];
  char region[PA_MARKET_CAP(PA_ADDRESS_REGION_MAX)];
  char postal_code[PA_MARKET_CAP(PA_ADDRESS_POSTAL_MAX)];
  char phone[PA_MARKET_CAP(PA_ADDRESS_PHONE_MAX)];
  char country[3];
} pa_market_address;
/* POST /me/addresses: name, street (line1), city, country required; unit
 * (line2: apartment, floor), region,
 * postal_code, phone optional. Unknown members refused. */
int pa_market_address_parse(const cJSON *body, pa_market_address *out, pa_market_err *e);
/* The address as the JSON an order keeps a copy of; the caller frees it
 * with cJSON_free; NULL when out of memory. */
char *pa_market_address_json(const pa_market_address *a);

/* POST /checkout: {"address": "adr_3"} (required). */
int pa_market_checkout_parse(const cJSON *body, int64_t *address, pa_market_err *e);

/* POST /orders/{ord}/ship: {"carrier", "tracking"}. */
typedef struct pa_market_shipment {
  char carrier[PA_MARKET_CAP(PA_ORDER_CARRIER_MAX)];
  char tracking[PA_MARKET_CAP(PA_ORDER_TRACKING_MAX)];
} pa_market_shipment;
int pa_market_ship_parse(const cJSON *body, pa_market_shipment *out, pa_market_err *e);

/* POST /orders/{ord}/review: {"rating": 1..5 (a whole number), "text"
 * (optional, up to PA_REVIEW_TEXT_MAX code points)}. */
typedef struct pa_market_review {
  int rating;
  char text[PA_MARKET_CAP(PA_REVIEW_TEXT_MAX)];
} pa_market_review;
int pa_market_review_parse(const cJSON *body, pa_market_review *out, pa_market_err *e);

/* POST /orders/{ord}/review/reply: {"text": 1..PA_REVIEW_REPLY_MAX code
 * points}; out holds PA_MARKET_CAP(PA_REVIEW_REPLY_MAX) bytes. */
int pa_market_review_reply_parse(const cJSON *body, char *out, size_t cap, pa_market_err *e);

/* A body of one text member name of 1..max code points (a refund
 * request's {"reason"}, a decline's {"reason"}, a dispute's or an answer's
 * {"text"}, an order message's {"text"}) into out (cap bytes, at least
 * PA_MARKET_CAP(max)). */
int pa_market_text_body_parse(const cJSON *body, const char *name, long max, char *out, size_t cap,
                              pa_market_err *e);

/* POST /mod/disputes/{ord}/decision: {"decision": "refund" | "release",
 * "note" (optional, up to PA_CLAIM_NOTE_MAX code points)}; note holds
 * PA_MARKET_CAP(PA_CLAIM_NOTE_MAX) bytes ("" when absent). */
int pa_market_decision_parse(const cJSON *body, int *decision, char *note, size_t cap,
                             pa_market_err *e);

/* A typed id "prefix_N" (N a positive decimal without leading zeros) into
 * *out: 0, or -1. */
int pa_market_order_id(const char *s, const char *prefix, int64_t *out);

/* The readers' refusal, shared by the marketplace's body readers (this
 * module's and market_ship.c's): fills e as 400 bad_request about field (NULL
 * for the body as a whole) with the formatted message; -1. */
int pa_market_fail(pa_market_err *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The refusal of member c, which its object does not have: named back only
 * when it is a plain word (the contract's field shape), so no byte of an
 * arbitrary key reaches the answer; -1. */
int pa_market_fail_member(pa_market_err *e, const cJSON *c);

#endif
