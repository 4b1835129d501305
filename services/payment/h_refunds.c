/* h_refunds.c — refunds by the treasury (admins, agents of "regie"): part or all of a paid
 * invoice, never more than was paid (the invoice row is locked while the sum is checked), or one
 * ticket (its seat goes back on sale and to the waiting list). Recorded, audited, notified. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/outbox.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "payment.h"
#include "provider.h"

struct refund_ctx {
	struct lc_request *rq;
	const char *id, *reason;
	int64_t amount;
	struct lc_outcome o;
};

/* Why the money goes back: told to the payer, kept with the refund. */
#define REASON_FIELD(dest) LC_F_STRING("reason", 1, 500, (dest), .required = true)

/* Both refunds: the body against spec, then fn for the treasury on a well-formed id. */
static int refund_request(struct lc_request *rq, const struct lc_field *spec,
                          enum lc_tx_result (*fn)(struct lc_db *db, void *arg), struct refund_ctx *c)
{
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!pay_is_treasury(rq) || !lc_json_is_uuid(c->id))
		return pay_not_found(rq);
	return lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), fn, c), &c->o);
}

static int emit_refund(struct lc_db *db, const char *checkout, const char *invoice, const char *ticket,
                       int64_t amount, const char *refund_id)
{
	json_t *ev = json_pack("{s:s, s:s, s:s, s:I, s:s}", "refund_id", refund_id, "checkout_id", checkout,
	                       invoice ? "invoice_id" : "ticket_id", invoice ? invoice : ticket,
	                       "amount_cents", (json_int_t)amount, "kind", invoice ? "invoice" : "ticket");
	int rc = ev ? lc_outbox_emit(db, "refund.succeeded", ev, NULL) : -1;
	json_decref(ev);
	return rc;
}

static enum lc_tx_result invoice_refund_tx(struct lc_db *db, void *arg)
{
	struct refund_ctx *c = arg;
	lc_outcome_reset(&c->o);
	const char *p[] = {c->id};
	PGresult *r = lc_db_exec(db, "inv_lock", 1, p);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_outcome_fail(&c->o, 404, "not_found", "Not found.");
	}
	char status[24], household[37], number[32];
	snprintf(household, sizeof(household), "%s", PQgetvalue(r, 0, 0));
	snprintf(status, sizeof(status), "%s", PQgetvalue(r, 0, 1));
	int64_t paid = strtoll(PQgetvalue(r, 0, 3), NULL, 10),
	        refunded = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
	snprintf(number, sizeof(number), "%s", PQgetvalue(r, 0, 5));
	PQclear(r);
	if (strcmp(status, "paid") != 0 && strcmp(status, "partially_refunded") != 0)
		return lc_outcome_fail(&c->o, 409, "conflict", "Only a paid invoice can be refunded.");
	if (c->amount > paid - refunded)
		return lc_outcome_fail(&c->o, 409, "conflict", "The refund would exceed what was paid.");
	r = lc_db_exec(db, "inv_paid_checkout", 1, p);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return lc_outcome_fail(&c->o, 409, "conflict",
		                       "This invoice was not paid online; refund it at the counter.");
	}
	char checkout[37], provider[16], ref[128];
	snprintf(checkout, sizeof(checkout), "%s", PQgetvalue(r, 0, 0));
	snprintf(provider, sizeof(provider), "%s", PQgetvalue(r, 0, 1));
	snprintf(ref, sizeof(ref), "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	const struct pay_provider *prov = pay_provider_get(provider);
	char pref[128] = "", err[160] = "";
	if (!prov || prov->refund(ref, c->amount, pref, sizeof(pref), err, sizeof(err)) != 0) {
		return lc_outcome_fail(
		    &c->o, 409, "conflict",
		    lc_rq_strdup(c->rq, err[0] ? err : "The provider refused the refund."));
	}
	char amount[24];
	snprintf(amount, sizeof(amount), "%lld", (long long)c->amount);
	const char *ip[] = {checkout, c->id, "", amount, c->reason, pref, pay_caller(c->rq)};
	bool failed;
	json_t *refund = lc_db_json(db, "refund_insert", 7, ip, &failed);
	if (failed || !refund)
		return LC_TX_ERROR;
	const char *up[] = {c->id, amount};
	json_t *inv = lc_db_json(db, "inv_refund", 2, up, &failed);
	char euros[32];
	pay_euros(c->amount, euros, sizeof(euros));
	json_t *d = json_pack("{s:s, s:s, s:s}", "number", number, "amount", euros, "reason", c->reason);
	json_t *ad = json_pack("{s:I, s:s}", "amount_cents", (json_int_t)c->amount, "reason", c->reason);
	int rc = (failed || !inv || !d || !ad ||
	          emit_refund(db, checkout, c->id, NULL, c->amount,
	                      json_string_value(json_object_get(refund, "id"))) != 0 ||
	          pay_notify_household(db, household, "refund_succeeded", d, "/factures.html") != 0 ||
	          lc_audit(db, c->rq, "invoice.refund", "invoice", c->id, ad) != 0)
	             ? -1
	             : 0;
	json_decref(d);
	json_decref(ad);
	if (rc != 0) {
		json_decref(refund);
		json_decref(inv);
		return LC_TX_ERROR;
	}
	json_object_set_new(refund, "invoice", inv);
	return lc_outcome_ok(&c->o, 201, refund);
}

int h_invoice_refund(struct lc_request *rq)
{
	struct refund_ctx c = {.rq = rq, .id = lc_rq_param(rq, "id")};
	struct lc_field spec[] = {
	    LC_F_INT("amount_cents", 1, PAY_MAX_CENTS, &c.amount, .required = true),
	    REASON_FIELD(&c.reason),
	    {0},
	};
	return refund_request(rq, spec, invoice_refund_tx, &c);
}

static enum lc_tx_result ticket_refund_tx(struct lc_db *db, void *arg)
{
	struct refund_ctx *c = arg;
	lc_outcome_reset(&c->o);
	const char *p[] = {c->id};
	PGresult *r = lc_db_exec(db, "ticket_lock", 1, p);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_outcome_fail(&c->o, 404, "not_found", "Not found.");
	}
	bool valid = strcmp(PQgetvalue(r, 0, 0), "valid") == 0, used = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
	int64_t price = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
	char checkout[37], cat[37], user[37], provider[16], ref[128];
	snprintf(checkout, sizeof(checkout), "%s", PQgetvalue(r, 0, 3));
	snprintf(cat, sizeof(cat), "%s", PQgetvalue(r, 0, 4));
	snprintf(user, sizeof(user), "%s", PQgetvalue(r, 0, 5));
	snprintf(provider, sizeof(provider), "%s", PQgetvalue(r, 0, 6));
	snprintf(ref, sizeof(ref), "%s", PQgetvalue(r, 0, 7));
	PQclear(r);
	if (!valid || used)
		return lc_outcome_fail(&c->o, 409, "conflict",
		                       "Only a valid, unused ticket can be refunded.");
	json_t *refund = NULL;
	if (price > 0 && checkout[0]) {
		const struct pay_provider *prov = pay_provider_get(provider);
		char pref[128] = "", err[160] = "";
		if (!prov || prov->refund(ref, price, pref, sizeof(pref), err, sizeof(err)) != 0) {
			return lc_outcome_fail(
			    &c->o, 409, "conflict",
			    lc_rq_strdup(c->rq, err[0] ? err : "The provider refused the refund."));
		}
		char amount[24];
		snprintf(amount, sizeof(amount), "%lld", (long long)price);
		const char *ip[] = {checkout, "", c->id, amount, c->reason, pref, pay_caller(c->rq)};
		bool failed;
		refund = lc_db_json(db, "refund_insert", 7, ip, &failed);
		if (failed || !refund ||
		    emit_refund(db, checkout, NULL, c->id, price,
		                json_string_value(json_object_get(refund, "id"))) != 0) {
			json_decref(refund);
			return LC_TX_ERROR;
		}
	}
	bool failed;
	json_t *ticket = lc_db_json(db, "ticket_refund", 1, p, &failed);
	const char *cp[] = {cat};
	char euros[32];
	pay_euros(price, euros, sizeof(euros));
	json_t *d = json_pack("{s:s, s:s, s:s}", "number", "billet", "amount", euros, "reason", c->reason);
	json_t *ad = json_pack("{s:I, s:s}", "amount_cents", (json_int_t)price, "reason", c->reason);
	int rc = (failed || !ticket || !d || !ad || lc_db_run(db, "cat_unsell", 1, cp) != 1 ||
	          pay_notify_user(db, user, "refund_succeeded", d, "/billets.html") != 0 ||
	          lc_audit(db, c->rq, "ticket.refund", "ticket", c->id, ad) != 0 ||
	          pay_offer_waiting(db, cat) != 0)
	             ? -1
	             : 0;
	json_decref(d);
	json_decref(ad);
	if (rc != 0) {
		json_decref(ticket);
		json_decref(refund);
		return LC_TX_ERROR;
	}
	return lc_outcome_ok(
	    &c->o, 200, json_pack("{s:o, s:o}", "ticket", ticket, "refund", refund ? refund : json_null()));
}

int h_ticket_refund(struct lc_request *rq)
{
	struct refund_ctx c = {.rq = rq, .id = lc_rq_param(rq, "id")};
	struct lc_field spec[] = {
	    REASON_FIELD(&c.reason),
	    {0},
	};
	return refund_request(rq, spec, ticket_refund_tx, &c);
}
