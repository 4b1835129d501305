/* ts_payment.c — the link with civitas-payment: a procedure with a fee gets its invoice when the
 * request is accepted (an outbox event delivered to payment's idempotent /internal/v1/invoices,
 * keyed by the request id), and payment's invoice.paid event puts the payment on the request's
 * timeline (POST /internal/v1/events, each event once). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/client.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/outbox.h"
#include "civitas/reply.h"

#include "h_payment.h"
#include "ts.h"

int ts_emit_invoice_request(struct lc_db *db, const struct ts_req_row *req)
{
	const char *p[] = {req->procedure_id};
	PGresult *r = lc_db_exec(db, "proc_fee", 1, p);
	if (!r)
		return -1;
	long fee = PQntuples(r) == 1 ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	if (fee <= 0)
		return 0; /* nothing to pay */
	/* a request for oneself has no household: the delivery finds the person's */
	json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "request_id", req->id, "household_id",
	                       req->household_id, "user_id", req->user_id, "procedure", req->title,
	                       "reference", req->reference, "fee_cents", (json_int_t)fee);
	int rc = ev ? lc_outbox_emit(db, "payment.invoice_request", ev, NULL) : -1;
	json_decref(ev);
	return rc;
}

int ts_deliver_invoice(const char *topic, const json_t *event, char *err, size_t errlen)
{
	(void)topic;
	const json_t *d = json_object_get(event, "data");
	char household[37];
	snprintf(household, sizeof(household), "%s",
	         json_string_value(json_object_get(d, "household_id")) ?: "");
	if (!household[0]) {
		char path[96];
		snprintf(path, sizeof(path), "/internal/v1/users/%s",
		         json_string_value(json_object_get(d, "user_id")) ?: "");
		struct lc_http_resp u;
		if (lc_internal_call("account", "GET", path, NULL, NULL, &u) < 0 || u.status >= 500) {
			snprintf(err, errlen, "account unreachable");
			lc_http_resp_free(&u);
			return -1;
		}
		const char *hid =
		    u.status == 200 ? json_string_value(json_object_get(u.json, "household_id")) : NULL;
		snprintf(household, sizeof(household), "%s", hid ? hid : "");
		lc_http_resp_free(&u);
		if (!household[0]) {
			lc_warn("request %s has a fee but its author has no household: no invoice",
			        json_string_value(json_object_get(d, "request_id")));
			return 0;
		}
	}
	char label[300], due[11];
	snprintf(label, sizeof(label), "Frais de dossier — %s (%s)",
	         json_string_value(json_object_get(d, "procedure")) ?: "démarche",
	         json_string_value(json_object_get(d, "reference")) ?: "");
	time_t t = time(NULL) + 30 * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(due, sizeof(due), "%Y-%m-%d", &tm);
	json_t *body =
	    json_pack("{s:O, s:s, s:s, s:s, s:s, s:[{s:s, s:i, s:O}]}", "key",
	              json_object_get(d, "request_id"), "source_service", "teleservices", "household_id",
	              household, "label", label, "due_date", due, "lines", "label", "Frais de dossier",
	              "quantity", 1, "unit_cents", json_object_get(d, "fee_cents"));
	if (!body) {
		snprintf(err, errlen, "bad invoice request event");
		return -1;
	}
	struct lc_http_resp resp;
	int rc = lc_internal_call("payment", "POST", "/internal/v1/invoices", body, NULL, &resp);
	json_decref(body);
	if (rc < 0)
		snprintf(err, errlen, "payment unreachable: %s", resp.error);
	else if (resp.status >= 500 || resp.status == 404) {
		snprintf(err, errlen, "payment answered %ld", resp.status);
		rc = -1;
	} else if (resp.status >= 400) {
		/* a refusal will not change by retrying (household gone): logged for the agents */
		lc_warn("invoice for request %s refused by payment (%ld)",
		        json_string_value(json_object_get(d, "request_id")), resp.status);
	}
	lc_http_resp_free(&resp);
	return rc < 0 ? -1 : 0;
}

struct paid {
	struct lc_event ev;
	bool duplicate;
};

static enum lc_tx_result paid_tx(struct lc_db *db, void *arg)
{
	struct paid *e = arg;
	int fresh = lc_inbox_claim(db, e->ev.id);
	if (fresh < 0)
		return LC_TX_ERROR;
	e->duplicate = fresh == 0;
	const char *svc = json_string_value(json_object_get(e->ev.data, "source_service"));
	const char *req = json_string_value(json_object_get(e->ev.data, "source_key"));
	if (e->duplicate || strcmp(e->ev.topic, "invoice.paid") != 0 || !svc ||
	    strcmp(svc, "teleservices") != 0 || !req || !lc_json_is_uuid(req))
		return LC_TX_COMMIT; /* not about a request: acknowledged, ignored */
	char comment[200];
	char amount[32];
	long long cents = (long long)json_integer_value(json_object_get(e->ev.data, "amount_cents"));
	snprintf(amount, sizeof(amount), "%lld,%02lld €", cents / 100, cents % 100);
	snprintf(comment, sizeof(comment), "Frais de dossier payés en ligne : %s (facture n° %s).", amount,
	         json_string_value(json_object_get(e->ev.data, "number")) ?: "");
	const char *p[] = {req, comment};
	PGresult *r = lc_db_exec(db, "step_payment", 2, p);
	if (!r)
		return LC_TX_ERROR;
	PQclear(r);
	return LC_TX_COMMIT;
}

int h_internal_events(struct lc_request *rq)
{
	struct paid e = {0};
	if (!lc_event_parse_or_reply(rq, &e.ev))
		return LC_REPLIED;
	if (lc_db_tx(lc_rq_db(rq), paid_tx, &e) != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	return lc_reply_json(rq, 200, json_pack("{s:s, s:b}", "id", e.ev.id, "duplicate", e.duplicate));
}
