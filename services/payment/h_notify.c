/* h_notify.c — POST /notifications/{provider}: the provider's server-to-server notification
 * (IPN). The only way a payment's state changes: the signature must verify, the amount and
 * currency must match the checkout, and a replayed or late notification changes nothing twice;
 * money that arrives after its checkout ended goes back to the payer (late.c).
 * Every notification is recorded, forged ones too, and forgeries are logged as security events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/outbox.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "payment.h"
#include "provider.h"
#include "vads.h"

struct notif_ctx {
	struct lc_request *rq;
	const struct pay_provider *prov;
	json_t *fields;
	struct pay_verified v;
	const char *outcome;
	char late_id[37]; /* a late payment recorded by this notification */
	struct lc_outcome o;
};

static int record(struct lc_db *db, const char *provider, const char *checkout, bool verified,
                  const char *outcome, const char *trans_status, json_t *fields, const char *ip)
{
	char *f = json_dumps(fields ? fields : json_object(), JSON_COMPACT);
	const char *p[] = {provider,    checkout ? checkout : "",         verified ? "true" : "false",
	                   outcome,     trans_status ? trans_status : "", f ? f : "{}",
	                   ip ? ip : ""};
	int rc = lc_db_run(db, "notif_insert", 7, p) == 1 ? 0 : -1;
	free(f);
	return rc;
}

static enum lc_tx_result notif_tx(struct lc_db *db, void *arg)
{
	struct notif_ctx *c = arg;
	lc_outcome_reset(&c->o);
	c->late_id[0] = '\0';
	const char *id = c->v.order_id;
	const char *ip = lc_rq_client_ip(c->rq);
	if (!lc_json_is_uuid(id)) {
		c->outcome = "unknown_order";
	} else {
		const char *p[] = {id};
		PGresult *r = lc_db_exec(db, "co_lock", 1, p);
		if (!r)
			return LC_TX_ERROR;
		if (PQntuples(r) != 1) {
			PQclear(r);
			c->outcome = "unknown_order";
		} else {
			char status[16], provider[16], user[37];
			int64_t amount = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
			bool currency_ok = strcmp(PQgetvalue(r, 0, 2), c->v.currency) == 0;
			snprintf(status, sizeof(status), "%s", PQgetvalue(r, 0, 0));
			snprintf(provider, sizeof(provider), "%s", PQgetvalue(r, 0, 3));
			snprintf(user, sizeof(user), "%s", PQgetvalue(r, 0, 4));
			PQclear(r);
			bool live = !strcmp(status, "created") || !strcmp(status, "pending");
			if (strcmp(provider, c->prov->name) != 0)
				c->outcome = "wrong_provider";
			else if (amount != c->v.amount_cents || !currency_ok)
				c->outcome = "amount_mismatch";
			else if (c->v.result == PAY_RES_UNKNOWN)
				c->outcome = "ignored";
			else if (c->v.result == PAY_RES_SUCCEEDED && (live || !strcmp(status, "failed"))) {
				/* A refused card then a good one: the later success wins. */
				if (pay_settle_success(db, id, c->v.provider_ref, c->v.amount_cents) != 0)
					return LC_TX_ERROR;
				c->outcome = "applied";
			} else if (c->v.result == PAY_RES_SUCCEEDED && strcmp(status, "succeeded") != 0) {
				/* paid after expiry or cancellation: recorded here, refunded after commit */
				int rec = pay_late_record(db, id, c->prov->name, c->v.provider_ref,
				                          c->v.amount_cents, c->late_id);
				if (rec < 0)
					return LC_TX_ERROR;
				c->outcome = rec == 1 ? "late_payment" : "duplicate";
			} else if (live) {
				const char *to = c->v.result == PAY_RES_FAILED ? "failed" : "cancelled";
				const char *sp[] = {id, to, c->v.provider_ref};
				json_t *ev = json_pack("{s:s, s:s, s:s}", "checkout_id", id, "status", to,
				                       "trans_status", c->v.trans_status);
				int rc = lc_db_run(db, "co_set_status", 3, sp) == 1 && ev &&
				                 lc_outbox_emit(db, "payment.failed", ev, NULL) == 0
				             ? 0
				             : -1;
				json_decref(ev);
				if (rc != 0)
					return LC_TX_ERROR;
				c->outcome = "applied";
			} else
				c->outcome = "duplicate";
		}
	}
	if (record(db, c->prov->name, lc_json_is_uuid(id) ? id : NULL, true, c->outcome, c->v.trans_status,
	           c->fields, ip) != 0)
		return LC_TX_ERROR;
	if (!strcmp(c->outcome, "unknown_order"))
		lc_outcome_fail(&c->o, 404, "not_found", "No such order.");
	else if (!strcmp(c->outcome, "amount_mismatch") || !strcmp(c->outcome, "wrong_provider"))
		lc_outcome_fail(&c->o, 422, "validation_failed",
		                "The amount, currency or provider does not match the order.");
	else
		lc_outcome_ok(&c->o, 200, json_pack("{s:s}", "outcome", c->outcome));
	return LC_TX_COMMIT; /* the record stays, whatever the answer */
}

int h_notification(struct lc_request *rq)
{
	const struct pay_provider *prov = pay_provider_get(lc_rq_param(rq, "provider"));
	if (!prov)
		return pay_not_found(rq);
	const char *ct = lc_rq_header(rq, "Content-Type");
	if (!ct || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0)
		return lc_reply_problem(rq, 415, "unsupported_media_type",
		                        "Notifications are form-urlencoded.");
	size_t len;
	const char *body = lc_rq_body(rq, &len);
	json_t *fields = body ? vads_form_parse(body, len) : NULL;
	if (!fields)
		return lc_reply_problem(rq, 400, "malformed_json",
		                        "The notification body is not a valid form.");
	struct notif_ctx c = {.rq = rq, .prov = prov, .fields = fields};
	char why[96];
	if (!prov->verify(fields, &c.v, why, sizeof(why))) {
		lc_security(lc_rq_id(rq), "payment notification refused (%s, %s) from %s", prov->name, why,
		            lc_rq_client_ip(rq));
		const char *order = json_string_value(json_object_get(fields, "vads_order_id"));
		record(lc_rq_db(rq), prov->name, order && lc_json_is_uuid(order) ? order : NULL, false,
		       "forged", json_string_value(json_object_get(fields, "vads_trans_status")), fields,
		       lc_rq_client_ip(rq));
		json_decref(fields);
		return lc_reply_problem(rq, 403, "forbidden",
		                        "The notification's signature does not verify.");
	}
	enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), notif_tx, &c);
	if (t == LC_TX_COMMIT &&
	    (!strcmp(c.outcome, "amount_mismatch") || !strcmp(c.outcome, "wrong_provider")))
		lc_security(lc_rq_id(rq), "payment notification for %s refused: %s", c.v.order_id, c.outcome);
	if (t == LC_TX_COMMIT && c.late_id[0] && c.o.body)
		json_object_set_new(c.o.body, "late_refund", json_string(pay_late_refund(rq, c.late_id)));
	if (t != LC_TX_COMMIT) /* not recorded: a 503 so the provider sends it again, whatever the answer */
		lc_outcome_reset(&c.o);
	int rc = lc_outcome_reply(rq, t, &c.o);
	json_decref(fields);
	return rc;
}
