/* hold_batch.c — paid seat holds decided in batches (group commit): every hold of a category
 * takes the lock of that category's row, so concurrent requests are queued (batch.h) and each
 * batch of one category is granted by ONE statement (hold_batch: one guarded UPDATE for the
 * sum, one multi-row INSERT), falling back to one hold_take per request when the sum does not
 * fit. Capacity rests on the guarded UPDATEs alone, whichever replica runs them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/batch.h"
#include "civitas/http.h"
#include "civitas/reply.h"

#include "payment.h"

static struct lc_batcher *batcher;

static void failed(struct pay_hold_req *q, struct lc_db *db)
{
	q->result = PAY_HOLD_DB_FAILED;
	snprintf(q->sqlstate, sizeof(q->sqlstate), "%s", lc_db_sqlstate(db));
	q->unavailable = lc_db_unavailable(db);
	snprintf(q->error, sizeof(q->error), "%s", lc_db_error(db));
}

/* The category's verdict on q from columns price, limit, not_yet, over at col of row 0, in the
 * order the handler always checked them: OVER_LIMIT, NOT_YET, CLOSED, FREE, or GRANTED meaning
 * "acceptable" (the seats are still to get). */
static enum pay_hold_result category_verdict(PGresult *r, int col, const struct pay_hold_req *q)
{
	if (q->qty > strtoll(PQgetvalue(r, 0, col + 1), NULL, 10))
		return PAY_HOLD_OVER_LIMIT;
	if (strcmp(PQgetvalue(r, 0, col + 2), "t") == 0)
		return PAY_HOLD_NOT_YET;
	if (strcmp(PQgetvalue(r, 0, col + 3), "t") == 0)
		return PAY_HOLD_CLOSED;
	if (strtoll(PQgetvalue(r, 0, col), NULL, 10) == 0)
		return PAY_HOLD_FREE;
	return PAY_HOLD_GRANTED;
}

static void granted(struct pay_hold_req *q, const char *id, const char *body)
{
	q->result = PAY_HOLD_GRANTED;
	snprintf(q->hold_id, sizeof(q->hold_id), "%s", id);
	q->body = strdup(body);
	if (!q->body) /* the hold exists; the answer cannot be written: the client may list it */
		q->result = PAY_HOLD_DB_FAILED;
}

/* One request alone: hold_take (see db_payment.c), the guarded UPDATE for its own quantity. */
static void take_one(struct lc_db *db, struct pay_hold_req *q)
{
	char qty[24], ttl[8];
	snprintf(qty, sizeof(qty), "%lld", (long long)q->qty);
	snprintf(ttl, sizeof(ttl), "%d", PAY_HOLD_TTL_MIN);
	const char *p[] = {q->event_id, q->label, q->user_id, qty, q->holder, ttl};
	PGresult *r = lc_db_exec(db, "hold_take", 6, p);
	if (!r) {
		failed(q, db);
		return;
	}
	if (PQntuples(r) != 1)
		q->result = PAY_HOLD_NO_CATEGORY;
	else if ((q->result = category_verdict(r, 1, q)) == PAY_HOLD_FREE)
		snprintf(q->category, sizeof(q->category), "%s", PQgetvalue(r, 0, 0));
	else if (q->result == PAY_HOLD_GRANTED) {
		if (PQgetisnull(r, 0, 5))
			q->result = PAY_HOLD_NO_SEATS;
		else
			granted(q, PQgetvalue(r, 0, 5), PQgetvalue(r, 0, 6));
	}
	PQclear(r);
}

/* The requests of one category (same event and label), in arrival order. */
static void decide_group(struct lc_db *db, struct pay_hold_req **g, size_t n)
{
	if (n == 1) { /* nothing to share: the plain statement */
		take_one(db, g[0]);
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:I, s:s}", "n", (json_int_t)i, "u",
		                                     g[i]->user_id, "q", (json_int_t)g[i]->qty, "h",
		                                     g[i]->holder));
	char *text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	char ttl[8];
	snprintf(ttl, sizeof(ttl), "%d", PAY_HOLD_TTL_MIN);
	const char *p[] = {g[0]->event_id, g[0]->label, text ? text : "[]", ttl};
	PGresult *r = text ? lc_db_exec(db, "hold_batch", 4, p) : NULL;
	free(text);
	if (!r) {
		for (size_t i = 0; i < n; i++)
			failed(g[i], db);
		return;
	}
	if (PQntuples(r) == 0) {
		for (size_t i = 0; i < n; i++)
			g[i]->result = PAY_HOLD_NO_CATEGORY;
		PQclear(r);
		return;
	}
	/* Columns: 0 category, 1 price, 2 limit, 3 not_yet, 4 over, 5 free, 6 n, 7 hold id, 8 JSON. */
	for (size_t i = 0; i < n; i++) {
		g[i]->result = category_verdict(r, 1, g[i]);
		if (g[i]->result == PAY_HOLD_FREE)
			snprintf(g[i]->category, sizeof(g[i]->category), "%s", PQgetvalue(r, 0, 0));
		else if (g[i]->result == PAY_HOLD_GRANTED)
			g[i]->result = PAY_HOLD_NO_SEATS; /* until its row says otherwise */
	}
	bool any = false;
	for (int row = 0; row < PQntuples(r); row++) {
		if (PQgetisnull(r, row, 6))
			continue;
		long i = strtol(PQgetvalue(r, row, 6), NULL, 10);
		if (i >= 0 && (size_t)i < n) {
			granted(g[i], PQgetvalue(r, row, 7), PQgetvalue(r, row, 8));
			any = true;
		}
	}
	/* The sum did not fit: the seats left may still take some requests, one by one, in arrival
	 * order. Those larger than what this statement saw left are refused without a statement:
	 * that was true at its snapshot, a moment inside each request's life. */
	int64_t left = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
	PQclear(r);
	if (any)
		return;
	for (size_t i = 0; i < n && left > 0; i++) {
		if (g[i]->result != PAY_HOLD_NO_SEATS || g[i]->qty > left)
			continue;
		take_one(db, g[i]);
		if (g[i]->result == PAY_HOLD_GRANTED)
			left -= g[i]->qty;
	}
}

void pay_holds_decide(struct lc_db *db, void **items, size_t n)
{
	struct pay_hold_req *g[PAY_HOLD_BATCH_MAX];
	bool taken[PAY_HOLD_BATCH_MAX] = {false};
	for (size_t i = 0; i < n; i++) {
		if (taken[i])
			continue;
		struct pay_hold_req *first = items[i];
		size_t m = 0;
		for (size_t j = i; j < n; j++) {
			struct pay_hold_req *q = items[j];
			if (!taken[j] && strcmp(q->event_id, first->event_id) == 0 &&
			    strcmp(q->label, first->label) == 0) {
				taken[j] = true;
				g[m++] = q;
			}
		}
		decide_group(db, g, m);
	}
}

static void free_body(void *arg)
{
	struct pay_hold_req *q = arg;
	free(q->body);
}

int pay_hold_submit(struct lc_request *rq, struct pay_hold_req *req,
                    int (*reply)(struct lc_request *, void *))
{
	req->body = NULL;
	if (!lc_rq_defer(rq, free_body, req))
		return lc_reply_problem(rq, 503, "unavailable", "The server is out of memory; try again.");
	return lc_batch_submit(batcher, rq, req, reply);
}

int pay_holds_start(void)
{
	batcher = lc_batcher_start("holds", pay_holds_decide, PAY_HOLD_BATCH_MAX);
	return batcher ? 0 : -1;
}

void pay_holds_stop(void)
{
	lc_batcher_stop(batcher);
	batcher = NULL;
}
