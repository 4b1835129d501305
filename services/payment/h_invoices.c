/* h_invoices.c — invoices: agents' list and creation, other services' idempotent creation
 * (/internal/v1/invoices), the citizen's own list and one invoice, and cancellation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "payment.h"

/* The household from account (new ref in *out): 200, 404, or 0/5xx. */
static long household_of(struct lc_request *rq, const char *id, json_t **out)
{
	char path[96];
	snprintf(path, sizeof(path), "/internal/v1/households/%s", id);
	return pay_account_get(rq, path, out);
}

void pay_body_hash(json_t *body, char out[65])
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	lc_sha256_hex(s ? s : "", s ? strlen(s) : 0, out);
	free(s);
}

struct create_ctx {
	struct pay_invoice_in in;
	json_t *priced, *pricing;
	int64_t total;
	struct lc_request *rq;
	bool internal;
	struct lc_outcome o;
};

static enum lc_tx_result create_tx(struct lc_db *db, void *arg)
{
	struct create_ctx *c = arg;
	lc_outcome_reset(&c->o);
	json_t *inv = NULL;
	bool same = false;
	int rc = pay_invoice_insert(db, &c->in, c->priced, c->pricing, c->total, &inv, &same);
	if (rc < 0)
		return LC_TX_ERROR;
	if (rc == 1) {
		if (!same) {
			json_decref(inv);
			return lc_outcome_fail(&c->o, 409, "conflict",
			                       "This key was already used for another invoice.");
		}
		return lc_outcome_ok(&c->o, 200, inv);
	}
	if (!c->internal && lc_audit(db, c->rq, "invoice.create", "invoice",
	                             json_string_value(json_object_get(inv, "id")), NULL) != 0) {
		json_decref(inv);
		return LC_TX_ERROR;
	}
	snprintf(c->o.location, sizeof(c->o.location), "/api/payment/v1/invoices/%s",
	         json_string_value(json_object_get(inv, "id")));
	return lc_outcome_ok(&c->o, 201, inv);
}

static int create_common(struct lc_request *rq, bool internal)
{
	const char *household = NULL, *label = NULL, *due = NULL, *key = NULL, *service = NULL;
	json_t *lines = NULL;
	struct lc_field spec[] = {
	    LC_F_UUID("household_id", &household, .required = true),
	    LC_F_STRING("label", 1, 200, &label, .required = true),
	    LC_F_ARRAY("lines", 1, PAY_MAX_LINES, &lines, .required = true),
	    LC_F_DATE("due_date", &due, .required = true),
	    LC_F_STRING("key", 1, 128, &key, .required = true),
	    {.name = "source_service",
	     .type = LC_J_STRING,
	     .required = true,
	     .pattern = "^[a-z][a-z0-9-]{1,39}$",
	     .out = &service},
	    {0},
	};
	if (!internal) /* agents give no key: the spec ends before it */
		spec[4] = (struct lc_field){0};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!internal && !pay_is_treasury(rq))
		return pay_not_found(rq);
	json_t *hh = NULL;
	long st = household_of(rq, household, &hh);
	if (st == 404)
		return lc_reply_problem_errors(rq, 422, "validation_failed", "No such household.",
		                               json_pack("[{s:s, s:s, s:s}]", "field", "household_id", "code",
		                                         "not_found", "message", "no such household"));
	if (st != 200)
		return pay_account_unavailable(rq);
	struct create_ctx c = {.rq = rq, .internal = internal};
	c.in = (struct pay_invoice_in){.household_id = household,
	                               .label = label,
	                               .due_date = due,
	                               .source = internal ? "internal" : "agent",
	                               .source_service = service,
	                               .source_key = key,
	                               .created_by = internal ? NULL : pay_caller(rq),
	                               .lines = lines,
	                               .household = hh,
	                               .notify = true};
	char hash[65];
	pay_body_hash(lc_rq_json(rq), hash);
	c.in.request_hash = hash;
	json_t *errors = json_array();
	int pr = pay_price_lines(lc_rq_db(rq), &c.in, "lines", errors, &c.priced, &c.pricing, &c.total);
	int rc;
	if (pr < 0)
		rc = lc_db_fail_reply(rq);
	else if (pr > 0) {
		rc = lc_reply_problem_errors(rq, 422, "validation_failed", "Some lines are not valid.",
		                             errors);
		errors = NULL;
	} else
		rc = lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), create_tx, &c), &c.o);
	json_decref(errors);
	json_decref(c.priced);
	json_decref(c.pricing);
	json_decref(hh);
	return rc;
}

int h_invoice_create(struct lc_request *rq)
{
	return create_common(rq, false);
}

int h_internal_invoice_create(struct lc_request *rq)
{
	return create_common(rq, true);
}

static bool status_ok(const char *s)
{
	static const char *const st[] = {"open", "paid", "cancelled", "refunded", "partially_refunded", NULL};
	for (int i = 0; st[i]; i++)
		if (strcmp(s, st[i]) == 0)
			return true;
	return false;
}

int h_invoice_list(struct lc_request *rq)
{
	if (!pay_is_treasury(rq))
		return pay_not_found(rq);
	const char *status = lc_rq_query(rq, "status"), *hh = lc_rq_query(rq, "household_id"),
	           *q = lc_rq_query(rq, "q"), *lim = lc_rq_query(rq, "limit"),
	           *off = lc_rq_query(rq, "offset");
	if (status && !status_ok(status))
		return lc_reply_problem(rq, 422, "validation_failed",
		                        "status is open, paid, cancelled, refunded or "
		                        "partially_refunded.");
	if (hh && !lc_json_is_uuid(hh))
		return lc_reply_problem(rq, 422, "validation_failed", "household_id is a UUID.");
	if (q && strlen(q) > 100)
		return lc_reply_problem(rq, 422, "validation_failed", "q is at most 100 characters.");
	long l = lim ? strtol(lim, NULL, 10) : 50, o = off ? strtol(off, NULL, 10) : 0;
	if (l < 1 || l > 200 || o < 0 || o > 1000000)
		return lc_reply_problem(rq, 422, "validation_failed", "limit is 1 to 200, offset 0 or more.");
	char ls[16], os[16];
	snprintf(ls, sizeof(ls), "%ld", l);
	snprintf(os, sizeof(os), "%ld", o);
	const char *p[] = {status ? status : "", hh ? hh : "", q ? q : "", ls, os};
	return pay_reply_rows(rq, lc_db_exec(lc_rq_db(rq), "inv_list_admin", 5, p));
}

int h_me_invoices(struct lc_request *rq)
{
	const char *status = lc_rq_query(rq, "status");
	if (status && !status_ok(status))
		return lc_reply_problem(rq, 422, "validation_failed",
		                        "status is open, paid, cancelled, refunded or "
		                        "partially_refunded.");
	char hh[37];
	long st = pay_caller_household(rq, hh);
	if (st == 404)
		return lc_reply_json(rq, 200, json_pack("{s:[]}", "items"));
	if (st != 200)
		return pay_account_unavailable(rq);
	const char *p[] = {hh, status ? status : ""};
	return pay_reply_rows(rq, lc_db_exec(lc_rq_db(rq), "inv_list_household", 2, p));
}

/* The invoice when the caller may see it (treasury, or an adult of its household); else replies. */
static json_t *visible_invoice(struct lc_request *rq, const char *id, int *rc)
{
	*rc = LC_REPLIED;
	if (!lc_json_is_uuid(id)) {
		*rc = pay_not_found(rq);
		return NULL;
	}
	const char *p[] = {id};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "inv_get", 1, p);
	if (!r) {
		*rc = lc_db_fail_reply(rq);
		return NULL;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		*rc = pay_not_found(rq);
		return NULL;
	}
	json_t *inv = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	char owner[37];
	snprintf(owner, sizeof(owner), "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	if (pay_is_treasury(rq))
		return inv;
	char hh[37];
	long st = pay_caller_household(rq, hh);
	if (st == 200 && strcmp(hh, owner) == 0)
		return inv;
	json_decref(inv);
	*rc = (st == 200 || st == 404) ? pay_not_found(rq) : pay_account_unavailable(rq);
	return NULL;
}

int h_invoice_get(struct lc_request *rq)
{
	int rc;
	json_t *inv = visible_invoice(rq, lc_rq_param(rq, "id"), &rc);
	if (!inv)
		return rc;
	const char *p[] = {lc_rq_param(rq, "id")};
	bool failed;
	json_t *refunds = lc_db_json(lc_rq_db(rq), "refunds_of_invoice", 1, p, &failed);
	if (failed) {
		json_decref(inv);
		return lc_db_fail_reply(rq);
	}
	json_object_set_new(inv, "refunds", refunds ? refunds : json_array());
	return lc_reply_json(rq, 200, inv);
}

/* A printable receipt (HTML, French) once the invoice is paid. */
int h_invoice_receipt(struct lc_request *rq)
{
	int rc;
	json_t *inv = visible_invoice(rq, lc_rq_param(rq, "id"), &rc);
	if (!inv)
		return rc;
	const char *status = json_string_value(json_object_get(inv, "status"));
	if (strcmp(status, "open") == 0 || strcmp(status, "cancelled") == 0) {
		json_decref(inv);
		return lc_reply_problem(rq, 409, "conflict", "A receipt exists once the invoice is paid.");
	}
	char *html = pay_receipt_html(inv);
	json_decref(inv);
	if (!html)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	pay_page_csp(rq, NULL);
	return lc_reply_bytes_owned(rq, 200, "text/html; charset=utf-8", html, strlen(html));
}

struct cancel_ctx {
	const char *id, *reason;
	struct lc_request *rq;
	struct lc_outcome o;
};

static enum lc_tx_result cancel_tx(struct lc_db *db, void *arg)
{
	struct cancel_ctx *c = arg;
	lc_outcome_reset(&c->o);
	const char *p[] = {c->id};
	PGresult *r = lc_db_exec(db, "inv_lock", 1, p);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_outcome_fail(&c->o, 404, "not_found", "Not found.");
	}
	bool open = strcmp(PQgetvalue(r, 0, 1), "open") == 0;
	PQclear(r);
	if (!open)
		return lc_outcome_fail(&c->o, 409, "conflict", "Only an open invoice can be cancelled.");
	r = lc_db_exec(db, "inv_live_checkouts", 1, p);
	if (!r)
		return LC_TX_ERROR;
	int live = PQntuples(r);
	PQclear(r);
	if (live > 0)
		return lc_outcome_fail(&c->o, 409, "conflict", "A payment of this invoice is in progress.");
	json_t *inv = NULL;
	bool failed;
	inv = lc_db_json(db, "inv_cancel", 1, p, &failed);
	if (failed || !inv)
		return LC_TX_ERROR;
	json_t *d = json_pack("{s:s}", "reason", c->reason ? c->reason : "");
	if (lc_audit(db, c->rq, "invoice.cancel", "invoice", c->id, d) != 0) {
		json_decref(d);
		json_decref(inv);
		return LC_TX_ERROR;
	}
	json_decref(d);
	return lc_outcome_ok(&c->o, 200, inv);
}

int h_invoice_cancel(struct lc_request *rq)
{
	struct cancel_ctx c = {.id = lc_rq_param(rq, "id"), .rq = rq};
	struct lc_field spec[] = {
	    LC_F_STRING("reason", 0, 500, &c.reason),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!pay_is_treasury(rq) || !lc_json_is_uuid(c.id))
		return pay_not_found(rq);
	return lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), cancel_tx, &c), &c.o);
}
