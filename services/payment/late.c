/* late.c — money that arrives after its checkout ended (expired or cancelled). Nothing waits for
 * it any more, so it goes back to the payer: recorded as owed in the notification's transaction,
 * then refunded through the provider once that transaction committed (a provider call must not
 * run twice if the transaction is retried). What the provider cannot refund stays listed for the
 * treasury, which refunds it in the provider's back office and marks it done. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "payment.h"
#include "provider.h"

int pay_late_record(struct lc_db *db, const char *checkout_id, const char *provider, const char *provider_ref,
                    int64_t amount_cents, char id[37])
{
	char amount[24];
	snprintf(amount, sizeof(amount), "%lld", (long long)amount_cents);
	const char *p[] = {checkout_id, provider, provider_ref, amount};
	PGresult *r = lc_db_exec(db, "late_insert", 4, p);
	if (!r)
		return -1;
	int n = PQntuples(r);
	if (n == 1)
		snprintf(id, 37, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return n == 1 ? 1 : 0;
}

struct late_ctx {
	struct lc_request *rq;
	const char *id, *refund_ref, *note;
	bool manual;
	struct lc_outcome o;
};

/* Marks a late payment refunded (by the provider, or by hand: manual), audited, payer notified. */
static enum lc_tx_result refunded_tx(struct lc_db *db, void *arg)
{
	struct late_ctx *c = arg;
	lc_outcome_reset(&c->o);
	const char *p[] = {c->id, c->refund_ref, c->manual ? pay_caller(c->rq) : ""};
	PGresult *r = lc_db_exec(db, "late_refunded", 3, p);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_outcome_fail(&c->o, 409, "conflict", "This late payment is already refunded.");
	}
	json_t *late = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	char user[37], euros[32];
	snprintf(user, sizeof(user), "%s", PQgetvalue(r, 0, 1));
	int64_t cents = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
	PQclear(r);
	pay_euros(cents, euros, sizeof(euros));
	json_t *d = json_pack("{s:s, s:s, s:s}", "number", "paiement tardif", "amount", euros, "reason",
	                      "Paiement reçu après la fin de la commande");
	json_t *ad = json_pack("{s:I, s:s, s:b}", "amount_cents", (json_int_t)cents, "refund_ref",
	                       c->refund_ref, "manual", c->manual);
	int rc =
	    (!late || !d || !ad || pay_notify_user(db, user, "refund_succeeded", d, "/factures.html") != 0 ||
	     lc_audit(db, c->rq, "payment.late_refund", "late_payment", c->id, ad) != 0)
	        ? -1
	        : 0;
	json_decref(d);
	json_decref(ad);
	if (rc != 0) {
		json_decref(late);
		return LC_TX_ERROR;
	}
	return lc_outcome_ok(&c->o, 200, late);
}

/* The provider could not refund: the reason is kept for the treasury, and audited. */
static enum lc_tx_result owed_tx(struct lc_db *db, void *arg)
{
	struct late_ctx *c = arg;
	const char *p[] = {c->id, c->note};
	json_t *ad = json_pack("{s:s}", "note", c->note);
	int rc = (!ad || lc_db_run(db, "late_note", 2, p) != 1 ||
	          lc_audit(db, c->rq, "payment.late_refund_owed", "late_payment", c->id, ad) != 0)
	             ? -1
	             : 0;
	json_decref(ad);
	return rc == 0 ? LC_TX_COMMIT : LC_TX_ERROR;
}

const char *pay_late_refund(struct lc_request *rq, const char *late_id)
{
	const char *p[] = {late_id};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "late_get", 1, p);
	if (!r || PQntuples(r) != 1) {
		if (r)
			PQclear(r);
		return "to_refund"; /* recorded and committed: the treasury sees it */
	}
	char provider[16], ref[128];
	snprintf(provider, sizeof(provider), "%s", PQgetvalue(r, 0, 1));
	snprintf(ref, sizeof(ref), "%s", PQgetvalue(r, 0, 2));
	int64_t amount = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
	PQclear(r);
	const struct pay_provider *prov = pay_provider_get(provider);
	char rref[128] = "", err[160] = "";
	struct late_ctx c = {.rq = rq, .id = late_id};
	if (prov && prov->refund(ref, amount, rref, sizeof(rref), err, sizeof(err)) == 0) {
		c.refund_ref = rref;
		enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), refunded_tx, &c);
		lc_outcome_reset(&c.o);
		if (t == LC_TX_COMMIT)
			return "refunded";
		/* refunded by the provider but not recorded: loud, the treasury must not pay twice */
		lc_error("late payment %s refunded by %s (%s) but not recorded", late_id, provider, rref);
		return "to_refund";
	}
	c.note = err[0] ? err : "The provider refused the refund.";
	if (lc_db_tx(lc_rq_db(rq), owed_tx, &c) != LC_TX_COMMIT)
		lc_error("late payment %s: the provider's refusal could not be recorded", late_id);
	lc_warn("late payment %s (%s) must be refunded by the treasury: %s", late_id, provider, c.note);
	return "to_refund";
}

int h_late_payment_resolve(struct lc_request *rq)
{
	struct late_ctx c = {.rq = rq, .id = lc_rq_param(rq, "id"), .manual = true};
	struct lc_field spec[] = {
	    LC_F_STRING("refund_ref", 1, 128, &c.refund_ref, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!pay_is_treasury(rq) || !lc_json_is_uuid(c.id))
		return pay_not_found(rq);
	const char *p[] = {c.id};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "late_get", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	int n = PQntuples(r);
	PQclear(r);
	if (n != 1)
		return pay_not_found(rq);
	return lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), refunded_tx, &c), &c.o);
}

int h_late_payment_list(struct lc_request *rq)
{
	if (!pay_is_treasury(rq))
		return pay_not_found(rq);
	const char *status = lc_rq_query(rq, "status");
	if (status && strcmp(status, "to_refund") != 0 && strcmp(status, "refunded") != 0)
		return lc_reply_problem(rq, 422, "validation_failed", "status is to_refund or refunded.");
	const char *p[] = {status ? status : ""};
	return pay_reply_rows(rq, lc_db_exec(lc_rq_db(rq), "late_list", 1, p));
}
