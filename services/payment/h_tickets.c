/* h_tickets.c — ticketing for agenda events: the treasury's setup per event (categories, sales
 * window, per-order limit), public availability, holds that reserve seats for 15 minutes (one
 * guarded UPDATE per hold, so capacity is never exceeded), free tickets without payment, the
 * waiting list, the citizen's tickets with their QR codes, the door check and ticket refunds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/buf.h"
#include "civitas/client.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/outbox.h"
#include "civitas/qr.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "payment.h"
#include "provider.h"

static int list_rows(struct lc_request *rq, const char *stmt, int n, const char *const *p)
{
	return pay_reply_rows(rq, lc_db_exec(lc_rq_db(rq), stmt, n, p));
}

int h_ticketing_list(struct lc_request *rq)
{
	return list_rows(rq, "tev_list", 0, NULL);
}

int h_ticketing_get(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "event_id");
	if (!lc_json_is_uuid(id))
		return pay_not_found(rq);
	const char *p[] = {id};
	bool failed;
	json_t *j = lc_db_json(lc_rq_db(rq), "tev_get", 1, p, &failed);
	if (failed)
		return lc_db_fail_reply(rq);
	return j ? lc_reply_json(rq, 200, j) : pay_not_found(rq);
}

struct setup_ctx {
	struct lc_request *rq;
	const char *event_id, *title, *starts_at, *open, *close;
	int64_t limit;
	json_t *categories;
	struct lc_outcome o;
};

static enum lc_tx_result setup_tx(struct lc_db *db, void *arg)
{
	struct setup_ctx *c = arg;
	lc_outcome_reset(&c->o);
	char lim[16];
	snprintf(lim, sizeof(lim), "%lld", (long long)c->limit);
	const char *p[] = {c->event_id, c->title, c->starts_at ? c->starts_at : "", c->open, c->close, lim};
	if (lc_db_run(db, "tev_upsert", 6, p) != 1)
		return LC_TX_ERROR;
	json_t *labels = json_array();
	size_t i;
	json_t *cat;
	json_array_foreach(c->categories, i, cat)
	{
		char price[24], cap[16], pos[24];
		snprintf(price, sizeof(price), "%lld",
		         (long long)json_integer_value(json_object_get(cat, "price_cents")));
		snprintf(cap, sizeof(cap), "%lld",
		         (long long)json_integer_value(json_object_get(cat, "capacity")));
		snprintf(pos, sizeof(pos), "%zu", i);
		const char *label = json_string_value(json_object_get(cat, "label"));
		json_array_append_new(labels, json_string(label));
		const char *q[] = {c->event_id, label, price, cap, pos};
		if (lc_db_run(db, "cat_upsert", 5, q) < 0) {
			json_decref(labels);
			if (strcmp(lc_db_sqlstate(db), "23514") == 0)
				return lc_outcome_fail(
				    &c->o, 409, "conflict",
				    "A capacity cannot go below the seats already sold or held.");
			return LC_TX_ERROR;
		}
	}
	/* Postgres array literal of the labels, quoted. */
	struct lc_buf b;
	lc_buf_init(&b, 64 * 1024);
	lc_buf_append(&b, "{", 1);
	json_array_foreach(labels, i, cat)
	{
		lc_buf_printf(&b, "%s\"", i ? "," : "");
		for (const char *s = json_string_value(cat); *s; s++) {
			if (*s == '"' || *s == '\\')
				lc_buf_append(&b, "\\", 1);
			lc_buf_append(&b, s, 1);
		}
		lc_buf_append(&b, "\"", 1);
	}
	lc_buf_append(&b, "}", 1);
	json_decref(labels);
	const char *d[] = {c->event_id, lc_buf_cstr(&b)};
	int removed = lc_db_run(db, "cat_remove_others", 2, d);
	PGresult *r = removed >= 0 ? lc_db_exec(db, "cat_count_others", 2, d) : NULL;
	lc_buf_free(&b);
	if (!r)
		return LC_TX_ERROR;
	bool left = atoi(PQgetvalue(r, 0, 0)) > 0;
	PQclear(r);
	if (left)
		return lc_outcome_fail(&c->o, 409, "conflict",
		                       "A category that has sold seats cannot be removed.");
	if (lc_audit(db, c->rq, "ticketing.put", "event", c->event_id, NULL) != 0)
		return LC_TX_ERROR;
	const char *g[] = {c->event_id};
	bool failed;
	json_t *setup = lc_db_json(db, "tev_get", 1, g, &failed);
	if (failed)
		return LC_TX_ERROR;
	return lc_outcome_ok(&c->o, 200, setup);
}

int h_ticketing_put(struct lc_request *rq)
{
	struct setup_ctx c = {.rq = rq, .event_id = lc_rq_param(rq, "event_id")};
	struct lc_field spec[] = {
	    LC_F_TIMESTAMP("sales_open_at", &c.open, .required = true),
	    LC_F_TIMESTAMP("sales_close_at", &c.close, .required = true),
	    LC_F_INT("per_order_limit", 1, 50, &c.limit, .required = true),
	    LC_F_ARRAY("categories", 1, 10, &c.categories, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!pay_is_treasury(rq) || !lc_json_is_uuid(c.event_id))
		return pay_not_found(rq);
	json_t *errors = json_array();
	size_t i, j;
	json_t *cat;
	json_array_foreach(c.categories, i, cat)
	{
		const char *label;
		int64_t price, cap;
		const struct lc_field cs[] = {
		    LC_F_STRING("label", 1, 80, &label, .required = true),
		    LC_F_INT("price_cents", 0, 1000000, &price, .required = true),
		    LC_F_INT("capacity", 0, 100000, &cap, .required = true),
		    {0},
		};
		json_t *e = lc_json_check(cat, cs);
		char f[48];
		snprintf(f, sizeof(f), "categories[%zu]", i);
		if (e) {
			json_decref(e);
			json_array_append_new(
			    errors, json_pack("{s:s, s:s, s:s}", "field", f, "code", "invalid_format",
			                      "message", "{label 1-80, price_cents >= 0, capacity >= 0}"));
			continue;
		}
		for (j = 0; j < i; j++)
			if (json_equal(json_object_get(json_array_get(c.categories, j), "label"),
			               json_object_get(cat, "label")))
				json_array_append_new(
				    errors, json_pack("{s:s, s:s, s:s}", "field", f, "code", "not_allowed",
				                      "message", "two categories with the same label"));
	}
	if (strcmp(c.open, c.close) >= 0 && json_array_size(errors) == 0)
		json_array_append_new(errors,
		                      json_pack("{s:s, s:s, s:s}", "field", "sales_close_at", "code",
		                                "out_of_range", "message", "sales close after they open"));
	if (json_array_size(errors) > 0)
		return lc_reply_problem_errors(rq, 422, "validation_failed",
		                               "The ticketing setup is not valid.", errors);
	json_decref(errors);
	/* The event must be on the agenda: its title and date come from content. */
	char path[96];
	snprintf(path, sizeof(path), "/internal/v1/events/%s", c.event_id);
	struct lc_http_resp resp;
	lc_internal_call("content", "GET", path, NULL, lc_rq_id(rq), &resp);
	if (resp.status == 404) {
		lc_http_resp_free(&resp);
		return lc_reply_problem_errors(rq, 422, "validation_failed", "No such event on the agenda.",
		                               json_pack("[{s:s, s:s, s:s}]", "field", "event_id", "code",
		                                         "not_found", "message", "no such event"));
	}
	if (resp.status != 200 || !resp.json) {
		lc_http_resp_free(&resp);
		lc_rq_add_header(rq, "Retry-After", "5");
		return lc_reply_problem(rq, 503, "unavailable",
		                        "The agenda cannot be reached; try again shortly.");
	}
	c.title = lc_rq_strdup(rq, json_string_value(json_object_get(resp.json, "title")) ?: "Événement");
	const char *st = json_string_value(json_object_get(resp.json, "starts_at"));
	c.starts_at = st ? lc_rq_strdup(rq, st) : NULL;
	lc_http_resp_free(&resp);
	return lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), setup_tx, &c), &c.o);
}

/* What a hold and a place on the waiting list name: the event, the category's label, how many. */
#define SEAT_FIELDS(event_id, label, qty)                                                                    \
	LC_F_UUID("event_id", (event_id), .required = true),                                                 \
	    LC_F_STRING("category", 1, 80, (label), .required = true),                                       \
	    LC_F_INT("quantity", 1, 50, (qty), .required = true)

struct hold_ctx {
	struct lc_request *rq;
	char category[37], holder[201];
	int64_t qty, price;
	struct lc_outcome o;
};

/* A free category: the seats are sold at once and the tickets issued in the same transaction. */
static enum lc_tx_result free_hold_tx(struct lc_db *db, void *arg)
{
	struct hold_ctx *c = arg;
	lc_outcome_reset(&c->o);
	char q[16], ttl[8];
	snprintf(q, sizeof(q), "%lld", (long long)c->qty);
	snprintf(ttl, sizeof(ttl), "%d", PAY_HOLD_TTL_MIN);
	const char *rp[] = {c->category, q};
	int got = lc_db_run(db, "cat_sell_direct", 2, rp);
	if (got < 0)
		return LC_TX_ERROR;
	if (got == 0)
		return lc_outcome_fail(&c->o, 409, "conflict",
		                       "Not enough seats left: join the waiting list.");
	const char *hp[] = {pay_caller(c->rq), c->category, q, c->holder, "paid", ttl};
	PGresult *r = lc_db_exec(db, "hold_insert", 6, hp);
	if (!r)
		return LC_TX_ERROR;
	char id[37];
	snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
	json_t *hold = json_loads(PQgetvalue(r, 0, 1), 0, NULL);
	PQclear(r);
	const char *tp[] = {id};
	PGresult *t = pay_issue_tickets(db, id, NULL) == 0 ? lc_db_exec(db, "tickets_of_hold", 1, tp) : NULL;
	if (!t || !hold) {
		PQclear(t);
		json_decref(hold);
		return LC_TX_ERROR;
	}
	json_object_set_new(hold, "tickets", lc_db_rows_json(t, -1));
	PQclear(t);
	snprintf(c->o.location, sizeof(c->o.location), "/api/payment/v1/holds/%s", id);
	return lc_outcome_ok(&c->o, 201, hold);
}

/* The caller's display name from account, for the ticket. */
static long holder_name(struct lc_request *rq, char out[201])
{
	char path[96];
	snprintf(path, sizeof(path), "/internal/v1/users/%s", pay_caller(rq));
	json_t *u;
	long st = pay_account_get(rq, path, &u);
	if (st == 200)
		snprintf(out, 201, "%s %s", json_string_value(json_object_get(u, "given_name")) ?: "",
		         json_string_value(json_object_get(u, "family_name")) ?: "");
	json_decref(u);
	return st;
}

static int no_category(struct lc_request *rq)
{
	return lc_reply_problem_errors(rq, 422, "validation_failed",
	                               "No such ticket category for this event.",
	                               json_pack("[{s:s, s:s, s:s}]", "field", "category", "code",
	                                         "not_found", "message", "no such category"));
}

/* Replies why seats were not given (any result but GRANTED and FREE). */
static int refuse_seats(struct lc_request *rq, const struct pay_hold_req *q)
{
	switch (q->result) {
	case PAY_HOLD_OVER_LIMIT:
		return lc_reply_problem_errors(rq, 422, "validation_failed", "Too many seats for one order.",
		                               json_pack("[{s:s, s:s, s:s}]", "field", "quantity", "code",
		                                         "out_of_range", "message",
		                                         "above the per-order limit"));
	case PAY_HOLD_NOT_YET:
		return lc_reply_problem(rq, 409, "conflict", "Sales have not opened yet.");
	case PAY_HOLD_CLOSED:
		return lc_reply_problem(rq, 409, "conflict", "Sales are closed.");
	case PAY_HOLD_NO_SEATS:
		return lc_reply_problem(rq, 409, "conflict", "Not enough seats left: join the waiting list.");
	case PAY_HOLD_NO_CATEGORY:
		return no_category(rq);
	case PAY_HOLD_DB_FAILED:
		return lc_db_state_reply(rq, q->sqlstate, q->unavailable, q->error);
	case PAY_HOLD_GRANTED:
	case PAY_HOLD_FREE:
		break;
	}
	return lc_reply_problem(rq, 500, "internal", "An internal error occurred.");
}

/* The per-order limit and the sales window of a category, read by cat_find from columns
 * (limit, not_yet, over) at col; replies and returns false when the order breaks them. */
static bool category_allows(struct lc_request *rq, PGresult *r, int col, int64_t qty, bool for_waiting)
{
	struct pay_hold_req q = {.result = PAY_HOLD_GRANTED};
	if (qty > strtoll(PQgetvalue(r, 0, col), NULL, 10))
		q.result = PAY_HOLD_OVER_LIMIT;
	else if (!for_waiting && strcmp(PQgetvalue(r, 0, col + 1), "t") == 0)
		q.result = PAY_HOLD_NOT_YET;
	else if (!for_waiting && strcmp(PQgetvalue(r, 0, col + 2), "t") == 0)
		q.result = PAY_HOLD_CLOSED;
	if (q.result == PAY_HOLD_GRANTED)
		return true;
	refuse_seats(rq, &q);
	return false;
}

/* Resolves event + category label; replies and returns false when it cannot. */
static bool find_category(struct lc_request *rq, const char *event_id, const char *label, int64_t qty,
                          struct hold_ctx *c, bool for_waiting)
{
	const char *p[] = {event_id, label};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "cat_find", 2, p);
	if (!r) {
		lc_db_fail_reply(rq);
		return false;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		no_category(rq);
		return false;
	}
	snprintf(c->category, sizeof(c->category), "%s", PQgetvalue(r, 0, 0));
	c->price = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	bool ok = category_allows(rq, r, 2, qty, for_waiting);
	PQclear(r);
	return ok;
}

/* A hold request on its way through the batcher (hold_batch.c), freed with the request. q comes
 * first: the batcher hands &j->q back to hold_decided. */
struct hold_job {
	struct pay_hold_req q;
	struct hold_ctx c;
};

/* The batch has decided: the hold, a refusal, or, for a free category, the tickets at once. */
static int hold_decided(struct lc_request *rq, void *arg)
{
	struct hold_job *j = arg;
	if (j->q.result == PAY_HOLD_FREE) {
		snprintf(j->c.category, sizeof(j->c.category), "%s", j->q.category);
		j->c.price = 0;
		return lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), free_hold_tx, &j->c), &j->c.o);
	}
	if (j->q.result != PAY_HOLD_GRANTED)
		return refuse_seats(rq, &j->q);
	char location[96];
	snprintf(location, sizeof(location), "/api/payment/v1/holds/%s", j->q.hold_id);
	json_t *body = json_loads(j->q.body, 0, NULL);
	lc_rq_add_header(rq, "Location", location);
	return lc_reply_json(rq, 201, body ? body : json_object());
}

int h_hold_create(struct lc_request *rq)
{
	const char *event_id, *label, *holder = NULL;
	int64_t qty;
	struct lc_field spec[] = {
	    SEAT_FIELDS(&event_id, &label, &qty),
	    LC_F_STRING("holder_name", 1, 200, &holder),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	struct hold_job *j = lc_rq_alloc(rq, sizeof(*j));
	if (!j)
		return lc_reply_problem(rq, 503, "unavailable", "The server is out of memory; try again.");
	if (!lc_json_is_uuid(pay_caller(rq))) /* account's users are uuids: a token says otherwise */
		return lc_reply_problem(rq, 401, "unauthorized", "A valid access token is required.");
	j->c = (struct hold_ctx){.rq = rq, .qty = qty};
	if (holder)
		snprintf(j->c.holder, sizeof(j->c.holder), "%s", holder);
	else {
		/* Checked before asking account for the name, so a refusal costs no call. */
		if (!find_category(rq, event_id, label, qty, &j->c, false))
			return LC_REPLIED;
		long st = holder_name(rq, j->c.holder);
		if (st == 0 || st >= 500)
			return pay_account_unavailable(rq);
		if (st != 200)
			snprintf(j->c.holder, sizeof(j->c.holder), "Titulaire");
		if (j->c.price == 0)
			return lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), free_hold_tx, &j->c), &j->c.o);
	}
	j->q = (struct pay_hold_req){.event_id = event_id,
	                             .label = label,
	                             .user_id = pay_caller(rq),
	                             .holder = j->c.holder,
	                             .qty = qty};
	return pay_hold_submit(rq, &j->q, hold_decided);
}

struct release_ctx {
	struct lc_request *rq;
	const char *id;
	struct lc_outcome o;
};

static enum lc_tx_result release_tx(struct lc_db *db, void *arg)
{
	struct release_ctx *c = arg;
	lc_outcome_reset(&c->o);
	const char *p[] = {c->id, pay_caller(c->rq)};
	PGresult *r = lc_db_exec(db, "hold_cancel_own", 2, p);
	if (!r)
		return LC_TX_ERROR;
	int n = PQntuples(r);
	PQclear(r);
	if (n != 1)
		return lc_outcome_fail(&c->o, 404, "not_found", "No such active hold.");
	r = lc_db_exec(db, "hold_release", 1, p);
	if (!r)
		return LC_TX_ERROR;
	bool ok = PQntuples(r) == 1;
	char cat[37], qty[16];
	if (ok) {
		snprintf(cat, sizeof(cat), "%s", PQgetvalue(r, 0, 0));
		snprintf(qty, sizeof(qty), "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	if (!ok)
		return LC_TX_ERROR;
	const char *cp[] = {cat, qty};
	if (lc_db_run(db, "cat_unhold", 2, cp) != 1 || pay_offer_waiting(db, cat) != 0)
		return LC_TX_ERROR;
	return lc_outcome_ok(&c->o, 204, NULL);
}

int h_hold_delete(struct lc_request *rq)
{
	struct release_ctx c = {.rq = rq, .id = lc_rq_param(rq, "id")};
	if (!lc_json_is_uuid(c.id))
		return pay_not_found(rq);
	return lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), release_tx, &c), &c.o);
}

int h_hold_get(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return pay_not_found(rq);
	const char *p[] = {id};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "hold_get", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *j = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 1), pay_caller(rq)) == 0
	                ? json_loads(PQgetvalue(r, 0, 0), 0, NULL)
	                : NULL;
	PQclear(r);
	return j ? lc_reply_json(rq, 200, j) : pay_not_found(rq);
}

int h_waiting_join(struct lc_request *rq)
{
	const char *event_id, *label;
	int64_t qty;
	struct lc_field spec[] = {
	    SEAT_FIELDS(&event_id, &label, &qty),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	struct hold_ctx c = {.rq = rq, .qty = qty};
	if (!find_category(rq, event_id, label, qty, &c, true))
		return LC_REPLIED;
	char q[16];
	snprintf(q, sizeof(q), "%lld", (long long)qty);
	const char *p[] = {c.category, pay_caller(rq), q};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "wl_join", 3, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *body = json_pack("{s:s, s:s, s:I, s:i}", "event_id", event_id, "category", label, "quantity",
	                         (json_int_t)qty, "position", atoi(PQgetvalue(r, 0, 0)));
	PQclear(r);
	return lc_reply_json(rq, 201, body);
}

int h_me_tickets(struct lc_request *rq)
{
	const char *p[] = {pay_caller(rq)};
	return list_rows(rq, "tickets_of_user", 1, p);
}

int h_ticket_qr(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return pay_not_found(rq);
	const char *p[] = {id};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "ticket_get", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	bool ok = PQntuples(r) == 1 && (strcmp(PQgetvalue(r, 0, 1), pay_caller(rq)) == 0 || pay_is_agent(rq));
	size_t len = 0; /* six pixels a module: a phone at the door scans it from the screen */
	char *svg = ok ? lc_qr_svg(PQgetvalue(r, 0, 2), "Code QR du billet", 6, &len) : NULL;
	PQclear(r);
	if (!ok)
		return pay_not_found(rq);
	if (!svg)
		return lc_reply_problem(rq, 500, "internal", "The QR code could not be drawn.");
	lc_rq_add_header(rq, "Cache-Control", "private, max-age=3600");
	return lc_reply_bytes_owned(rq, 200, "image/svg+xml", svg, len);
}

int h_ticket_verify(struct lc_request *rq)
{
	const char *code;
	struct lc_field spec[] = {
	    LC_F_STRING("code", 1, 200, &code, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!pay_is_agent(rq))
		return pay_not_found(rq);
	if (!pay_ticket_code_ok(code))
		return lc_reply_json(rq, 200, json_pack("{s:s}", "result", "invalid"));
	const char *p[] = {code};
	bool failed;
	json_t *t = lc_db_json(lc_rq_db(rq), "ticket_use", 1, p, &failed);
	if (failed)
		return lc_db_fail_reply(rq);
	if (t)
		return lc_reply_json(rq, 200, json_pack("{s:s, s:o}", "result", "valid", "ticket", t));
	PGresult *r = lc_db_exec(lc_rq_db(rq), "ticket_by_code", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *body;
	if (PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 1), "valid") == 0)
		body = json_pack("{s:s, s:o}", "result", "already_used", "ticket",
		                 json_loads(PQgetvalue(r, 0, 0), 0, NULL));
	else
		body = json_pack("{s:s}", "result", "invalid"); /* unknown, or refunded */
	PQclear(r);
	return lc_reply_json(rq, 200, body);
}
