/* pa_assist_tool — what the assistant may tell a person about their own
 * account (issue 23, web/README.md "Assistant"): one function per tool,
 * shared by the model's tool calls (assist.c) and the widget's explicit
 * actions (GET /api/v1/help/me/..., api/help_ask.c), so both answer the same
 * JSON. Each reads only rows of viewer (never anyone else's) and returns only
 * what the question needs: a plan's tier and dates, an order's state, total
 * and dates, a hidden post's date and reason — no names, addresses or
 * e-mail. */
#ifndef PA_ASSIST_TOOLS_H
#define PA_ASSIST_TOOLS_H

#include "store/store.h"

#include <cjson/cJSON.h>
#include <stdint.h>

enum {
  PA_ASSIST_ORDERS_MAX = 5, /* my_orders: the latest orders listed */
  PA_ASSIST_HIDDEN_MAX = 10 /* hidden_posts: the latest hidden posts listed */
};

/* Each returns a new object the caller owns (cJSON_Delete), or NULL when the
 * database failed or memory ran out. */
/* {"tier","plan","renews","renews_at","plus_until"} */
cJSON *pa_assist_tool_my_plan(pa_store *db, int64_t viewer);
/* {"orders":[{"id","state","total_minor","currency","created_at","updated_at"}]} as buyer */
cJSON *pa_assist_tool_my_orders(pa_store *db, int64_t viewer);
/* {"order":{... as a my_orders item, "shipped_at","delivered_at"}} or
 * {"error":"not_found"} alike for no such order and another person's. */
cJSON *pa_assist_tool_order_status(pa_store *db, int64_t viewer, const char *order_id);
/* {"posts":[{"id","state":"hidden"|"removed","at","reason"}]} */
cJSON *pa_assist_tool_hidden_posts(pa_store *db, int64_t viewer);

/* Runs the tool named name with its JSON arguments (an object, may be
 * NULL): one of my_plan, my_orders, order_status, hidden_posts; an unknown
 * name or bad arguments answer {"error":"bad_tool"} / {"error":"not_found"}.
 * The caller owns the result (NULL only on failure). */
cJSON *pa_assist_tool_run(pa_store *db, int64_t viewer, const char *name, const cJSON *args);

/* The tools' OpenAI-style declarations ("tools" of a chat request): a new
 * array the caller owns, NULL when memory ran out. */
cJSON *pa_assist_tool_specs(void);

#endif
