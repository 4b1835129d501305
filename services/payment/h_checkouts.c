/* h_checkouts.c — one basket for several invoices and ticket holds: POST /checkouts with an
 * Idempotency-Key (same key and body replay the first answer; another body → 409), the
 * checkout's state for its owner, and the page that hands the browser to the provider. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/buf.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "payment.h"
#include "provider.h"
#include "vads.h"

struct co_ctx {
	struct lc_request *rq;
	const char *key, *household;
	char hash[65];
	json_t *invoice_ids, *hold_ids;
	struct lc_outcome o;
};

static json_t *checkout_body(const char *id, const char *amount, const char *status, const char *expires)
{
	char tok[33], url[200];
	pay_link_token(id, tok);
	snprintf(url, sizeof(url), "/api/payment/v1/checkouts/%s/pay?t=%s", id, tok);
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "id", id, "amount_cents",
	                 (json_int_t)strtoll(amount, NULL, 10), "currency", "EUR", "status", status,
	                 "expires_at", expires, "redirect_url", url);
}

/* 1: replayed (outcome set), 0: no such key, -1: error. */
static int replay(struct lc_db *db, struct co_ctx *c)
{
	const char *p[] = {pay_caller(c->rq), c->key};
	PGresult *r = lc_db_exec(db, "co_by_key", 2, p);
	if (!r)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	if (strcmp(PQgetvalue(r, 0, 1), c->hash) != 0) {
		PQclear(r);
		lc_outcome_fail(&c->o, 409, "conflict", "This Idempotency-Key was used with another body.");
		return 1;
	}
	lc_outcome_ok(&c->o, 200,
	              checkout_body(PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3),
	                            PQgetvalue(r, 0, 4)));
	PQclear(r);
	return 1;
}

/* The helpers of create_tx return LC_TX_COMMIT to go on, or what create_tx returns. */

/* Payments of this invoice still running: an older basket of the caller's is dropped (a new
 * attempt; its holds stay held until they expire, so they may go in the new basket), someone
 * else's makes the invoice busy. */
static enum lc_tx_result drop_older_baskets(struct lc_db *db, struct co_ctx *c, const char *invoice_id)
{
	const char *p[] = {invoice_id};
	PGresult *r = lc_db_exec(db, "inv_live_checkouts", 1, p);
	if (!r)
		return LC_TX_ERROR;
	enum lc_tx_result t = LC_TX_COMMIT;
	for (int k = 0; k < PQntuples(r) && t == LC_TX_COMMIT; k++) {
		const char *cp[] = {PQgetvalue(r, k, 0)};
		if (strcmp(PQgetvalue(r, k, 1), pay_caller(c->rq)) != 0)
			t = lc_outcome_fail(&c->o, 409, "conflict",
			                    "Someone else is paying this invoice right now.");
		else if (lc_db_run(db, "co_cancel", 1, cp) < 0)
			t = LC_TX_ERROR;
	}
	PQclear(r);
	return t;
}

/* Locks the basket's invoices (the caller's household's, open); their amounts go to amounts and
 * *total. */
static enum lc_tx_result lock_invoices(struct lc_db *db, struct co_ctx *c, json_t *amounts, int64_t *total)
{
	size_t i;
	json_t *v;
	json_array_foreach(c->invoice_ids, i, v)
	{
		const char *p[] = {json_string_value(v)};
		PGresult *r = lc_db_exec(db, "inv_lock", 1, p);
		if (!r)
			return LC_TX_ERROR;
		bool mine =
		    PQntuples(r) == 1 && c->household && strcmp(PQgetvalue(r, 0, 0), c->household) == 0;
		bool open = mine && strcmp(PQgetvalue(r, 0, 1), "open") == 0;
		int64_t amount = mine ? strtoll(PQgetvalue(r, 0, 2), NULL, 10) : 0;
		PQclear(r);
		if (!mine)
			return lc_outcome_fail(&c->o, 404, "not_found", "No such invoice.");
		if (!open)
			return lc_outcome_fail(&c->o, 409, "conflict",
			                       "An invoice of the basket is already paid or cancelled.");
		enum lc_tx_result t = drop_older_baskets(db, c, p[0]);
		if (t != LC_TX_COMMIT)
			return t;
		*total += amount;
		json_array_append_new(amounts, json_integer(amount));
	}
	return LC_TX_COMMIT;
}

/* Locks the basket's holds (the caller's, active and unexpired); their amounts go to *total. A
 * live basket holding one is the caller's older attempt: it is cancelled. */
static enum lc_tx_result lock_holds(struct lc_db *db, struct co_ctx *c, int64_t *total)
{
	size_t i;
	json_t *v;
	json_array_foreach(c->hold_ids, i, v)
	{
		const char *p[] = {json_string_value(v)};
		PGresult *r = lc_db_exec(db, "hold_lock", 1, p);
		if (!r)
			return LC_TX_ERROR;
		bool mine = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), pay_caller(c->rq)) == 0;
		bool live = mine && strcmp(PQgetvalue(r, 0, 1), "active") == 0 &&
		            strcmp(PQgetvalue(r, 0, 2), "t") == 0;
		const char *cst = mine ? PQgetvalue(r, 0, 3) : "";
		bool in_live_checkout = mine &&
		                        (strcmp(cst, "created") == 0 || strcmp(cst, "pending") == 0) &&
		                        strcmp(PQgetvalue(r, 0, 5), "t") == 0;
		int64_t amount = mine ? strtoll(PQgetvalue(r, 0, 4), NULL, 10) : 0;
		char old_checkout[37];
		snprintf(old_checkout, sizeof(old_checkout), "%s", mine ? PQgetvalue(r, 0, 6) : "");
		PQclear(r);
		if (!mine)
			return lc_outcome_fail(&c->o, 404, "not_found", "No such hold.");
		if (!live)
			return lc_outcome_fail(&c->o, 409, "conflict", "A hold of the basket has expired.");
		const char *cp[] = {old_checkout};
		if (in_live_checkout && lc_db_run(db, "co_cancel", 1, cp) < 0)
			return LC_TX_ERROR;
		*total += amount;
	}
	return LC_TX_COMMIT;
}

/* The checkout row, its invoices (at the amounts locked) and its holds; the 201 outcome. */
static enum lc_tx_result insert_checkout(struct lc_db *db, struct co_ctx *c, json_t *amounts, int64_t total)
{
	char tot[24], ttl[8];
	snprintf(tot, sizeof(tot), "%lld", (long long)total);
	snprintf(ttl, sizeof(ttl), "%d", PAY_CHECKOUT_TTL_MIN);
	const char *p[] = {pay_caller(c->rq),
	                   c->household ? c->household : "",
	                   c->key,
	                   c->hash,
	                   pay_provider_default()->name,
	                   tot,
	                   ttl};
	PGresult *r = lc_db_exec(db, "co_insert", 7, p);
	if (!r)
		return LC_TX_ERROR;
	char id[37], expires[32];
	snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
	snprintf(expires, sizeof(expires), "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	size_t i;
	json_t *v;
	json_array_foreach(c->invoice_ids, i, v)
	{
		char a[24];
		snprintf(a, sizeof(a), "%lld", (long long)json_integer_value(json_array_get(amounts, i)));
		const char *q[] = {id, json_string_value(v), a};
		if (lc_db_run(db, "co_add_invoice", 3, q) < 0)
			return LC_TX_ERROR;
	}
	json_array_foreach(c->hold_ids, i, v)
	{
		const char *q[] = {json_string_value(v), id};
		if (lc_db_run(db, "hold_attach", 2, q) < 0)
			return LC_TX_ERROR;
	}
	snprintf(c->o.location, sizeof(c->o.location), "/api/payment/v1/checkouts/%s", id);
	return lc_outcome_ok(&c->o, 201, checkout_body(id, tot, "created", expires));
}

static enum lc_tx_result create_tx(struct lc_db *db, void *arg)
{
	struct co_ctx *c = arg;
	lc_outcome_reset(&c->o);
	int rp = replay(db, c);
	if (rp < 0)
		return LC_TX_ERROR;
	if (rp == 1)
		return lc_outcome_is_problem(&c->o) ? LC_TX_ROLLBACK : LC_TX_COMMIT;
	int64_t total = 0;
	json_t *amounts = json_array();
	enum lc_tx_result t = lock_invoices(db, c, amounts, &total);
	if (t == LC_TX_COMMIT)
		t = lock_holds(db, c, &total);
	if (t == LC_TX_COMMIT && total <= 0)
		t = lc_outcome_fail(&c->o, 422, "validation_failed",
		                    "There is nothing to pay in this basket.");
	if (t == LC_TX_COMMIT)
		t = insert_checkout(db, c, amounts, total);
	json_decref(amounts);
	return t;
}

static bool distinct_uuids(json_t *a, const char *field, json_t *errors)
{
	size_t i, j;
	json_t *v;
	bool ok = true;
	json_array_foreach(a, i, v)
	{
		char f[48];
		snprintf(f, sizeof(f), "%s[%zu]", field, i);
		if (!json_is_string(v) || !lc_json_is_uuid(json_string_value(v))) {
			json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", f, "code",
			                                        "invalid_format", "message", "a UUID"));
			ok = false;
			continue;
		}
		for (j = 0; j < i; j++)
			if (json_equal(json_array_get(a, j), v)) {
				json_array_append_new(errors,
				                      json_pack("{s:s, s:s, s:s}", "field", f, "code",
				                                "not_allowed", "message", "listed twice"));
				ok = false;
				break;
			}
	}
	return ok;
}

int h_checkout_create(struct lc_request *rq)
{
	struct co_ctx c = {.rq = rq};
	json_t *inv = NULL, *holds = NULL;
	struct lc_field spec[] = {
	    LC_F_ARRAY("invoice_ids", 0, 50, &inv),
	    LC_F_ARRAY("holds", 0, 20, &holds),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	c.key = lc_rq_header(rq, "Idempotency-Key");
	if (!c.key || strlen(c.key) < 8 || strlen(c.key) > 128)
		return lc_reply_problem_errors(rq, 422, "validation_failed",
		                               "An Idempotency-Key header of 8 to 128 "
		                               "characters is required.",
		                               json_pack("[{s:s, s:s, s:s}]", "field", "Idempotency-Key",
		                                         "code", "required", "message",
		                                         "8 to 128 characters"));
	json_t *empty = json_array();
	c.invoice_ids = inv ? inv : empty;
	c.hold_ids = holds ? holds : empty;
	json_t *errors = json_array();
	distinct_uuids(c.invoice_ids, "invoice_ids", errors);
	distinct_uuids(c.hold_ids, "holds", errors);
	if (json_array_size(errors) == 0 && json_array_size(c.invoice_ids) + json_array_size(c.hold_ids) == 0)
		json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", "invoice_ids", "code",
		                                        "required", "message", "the basket is empty"));
	if (json_array_size(errors) > 0) {
		json_decref(empty);
		return lc_reply_problem_errors(rq, 422, "validation_failed", "The basket is not valid.",
		                               errors);
	}
	json_decref(errors);
	pay_body_hash(lc_rq_json(rq) ? lc_rq_json(rq) : empty, c.hash);
	char hh[37] = "";
	if (json_array_size(c.invoice_ids) > 0) {
		long st = pay_caller_household(rq, hh);
		if (st == 404)
			hh[0] = '\0';
		else if (st != 200) {
			json_decref(empty);
			return pay_account_unavailable(rq);
		}
	}
	c.household = hh[0] ? hh : NULL;
	enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), create_tx, &c);
	if (t == LC_TX_ERROR && strcmp(lc_db_sqlstate(lc_rq_db(rq)), "23505") == 0) {
		/* The same key raced us: answer what the first one stored. */
		t = lc_db_tx(lc_rq_db(rq), create_tx, &c);
	}
	json_decref(empty);
	return lc_outcome_reply(rq, t, &c.o);
}

int h_checkout_get(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return pay_not_found(rq);
	const char *p[] = {id};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "co_get", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	bool ok =
	    PQntuples(r) == 1 && (strcmp(PQgetvalue(r, 0, 1), pay_caller(rq)) == 0 || pay_is_treasury(rq));
	json_t *j = ok ? json_loads(PQgetvalue(r, 0, 0), 0, NULL) : NULL;
	PQclear(r);
	if (!j)
		return pay_not_found(rq);
	return lc_reply_json(rq, 200, j);
}

/* The pages this daemon serves itself (pay, sandbox, receipt) carry their own CSP, which the
 * gateway keeps: its stylesheet is allowed, and the form may go to the provider's origin (the
 * gateway's defaults would block both). */
void pay_page_csp(struct lc_request *rq, const char *form_target)
{
	char csp[600], origin[256] = "";
	const char *slash = form_target ? strstr(form_target, "://") : NULL;
	if (slash) {
		const char *end = strchr(slash + 3, '/');
		snprintf(origin, sizeof(origin), " %.*s",
		         end ? (int)(end - form_target) : (int)strlen(form_target), form_target);
	}
	snprintf(csp, sizeof(csp),
	         "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none';"
	         " base-uri 'none'; form-action 'self'%s",
	         origin);
	lc_rq_add_header(rq, "Content-Security-Policy", csp);
}

static int html_page(struct lc_request *rq, unsigned status, const char *title, const char *body,
                     const char *form_target)
{
	char *t = vads_html_escape(title);
	size_t n = strlen(body) + strlen(t) + 1024;
	char *page = malloc(n);
	if (!page) {
		free(t);
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	}
	snprintf(page, n,
	         "<!doctype html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
	         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	         "<title>%s</title><link rel=\"icon\" href=\"/assets/favicon.svg\" "
	         "type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/assets/css/payment.css\"></head>"
	         "<body><main id=\"contenu\" class=\"pay\"><h1>%s</h1>%s</main></body></html>\n",
	         t, t, body);
	free(t);
	lc_rq_add_header(rq, "Cache-Control", "no-store");
	pay_page_csp(rq, form_target);
	return lc_reply_bytes_owned(rq, status, "text/html; charset=utf-8", page, strlen(page));
}

int pay_html(struct lc_request *rq, unsigned status, const char *title, const char *body)
{
	return html_page(rq, status, title, body, NULL);
}

/* GET /checkouts/{id}/pay?t= — the browser arrives here from redirect_url: the checkout turns
 * pending and the page posts the signed form to the provider (one button, no script needed). */
int h_checkout_pay(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id"), *t = lc_rq_query(rq, "t");
	char want[33];
	if (!lc_json_is_uuid(id) || !t)
		return pay_not_found(rq);
	pay_link_token(id, want);
	if (!lc_secret_equal(t, want))
		return pay_not_found(rq);
	struct lc_db *db = lc_rq_db(rq);
	const char *p[] = {id};
	PGresult *r = lc_db_exec(db, "co_read", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) != 1) {
		PQclear(r);
		return pay_not_found(rq);
	}
	char status[16], amount[24], provider[16], trans_id[8], trans_date[16];
	snprintf(status, sizeof(status), "%s", PQgetvalue(r, 0, 0));
	snprintf(amount, sizeof(amount), "%s", PQgetvalue(r, 0, 1));
	snprintf(provider, sizeof(provider), "%s", PQgetvalue(r, 0, 3));
	snprintf(trans_id, sizeof(trans_id), "%s", PQgetvalue(r, 0, 6));
	snprintf(trans_date, sizeof(trans_date), "%s", PQgetvalue(r, 0, 7));
	bool expired = strcmp(PQgetvalue(r, 0, 8), "t") == 0;
	PQclear(r);
	if (expired || strcmp(status, "expired") == 0)
		return pay_html(
		    rq, 410, "Paiement expiré",
		    "<p>Ce paiement a expiré (20 minutes) : les places réservées ont été libérées.</p>"
		    "<p><a href=\"/factures.html\">Retour à mes factures</a></p>");
	if (strcmp(status, "created") != 0 && strcmp(status, "pending") != 0)
		return pay_html(
		    rq, 409, "Paiement terminé",
		    "<p>Ce paiement est déjà terminé.</p><p><a href=\"/factures.html\">Retour à mes "
		    "factures</a></p>");
	/* Only from created: a notification may already have settled it. */
	if (strcmp(status, "created") == 0 && lc_db_run(db, "co_mark_pending", 1, p) < 0)
		return lc_db_fail_reply(rq);
	const struct pay_provider *prov = pay_provider_get(provider);
	char ret[300];
	snprintf(ret, sizeof(ret), "%s/paiement.html?commande=%s", pay_cfg_public_url, id);
	struct pay_checkout_info ci = {.id = id,
	                               .trans_id = trans_id,
	                               .trans_date = trans_date,
	                               .amount_cents = strtoll(amount, NULL, 10),
	                               .currency = "978",
	                               .return_url = ret};
	json_t *fields = prov ? prov->start(&ci) : NULL;
	if (!fields)
		return lc_reply_problem(rq, 500, "internal", "The payment provider is not configured.");
	struct lc_buf b;
	lc_buf_init(&b, 64 * 1024);
	char euros[32];
	pay_euros(ci.amount_cents, euros, sizeof(euros));
	char *action = vads_html_escape(prov->action_url());
	lc_buf_printf(&b, "<p>Montant à payer : <strong>%s</strong>.</p><form method=\"post\" action=\"%s\">",
	              euros, action);
	free(action);
	const char *k;
	json_t *v;
	json_object_foreach(fields, k, v)
	{
		char *ek = vads_html_escape(k), *ev = vads_html_escape(json_string_value(v));
		lc_buf_printf(&b, "<input type=\"hidden\" name=\"%s\" value=\"%s\">", ek, ev);
		free(ek);
		free(ev);
	}
	json_decref(fields);
	lc_buf_printf(&b,
	              "<button type=\"submit\">Continuer vers la page de paiement sécurisée</button></form>"
	              "<p><a href=\"/factures.html\">Annuler et revenir à mes factures</a></p>");
	/* the form goes to the provider's origin (see pay_page_csp) */
	int rc = html_page(rq, 200, "Paiement en ligne", lc_buf_cstr(&b), prov->action_url());
	lc_buf_free(&b);
	return rc;
}
