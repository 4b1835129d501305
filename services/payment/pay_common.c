/* pay_common.c — helpers every payment handler uses: the list reply, roles, calls to account,
 * keys derived from the internal secret, and the notification events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/auth.h"
#include "civitas/client.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/outbox.h"
#include "civitas/reply.h"

#include "payment.h"

int pay_reply_rows(struct lc_request *rq, PGresult *r)
{
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = lc_db_rows_json(r, -1);
	PQclear(r);
	return lc_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

bool pay_is_treasury(const struct lc_request *rq)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	if (!c)
		return false;
	return lc_claims_has_role(c, "admin") ||
	       (lc_claims_at_least(c, "agent") && lc_claims_has_service(c, "regie"));
}

bool pay_is_agent(const struct lc_request *rq)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	return c && lc_claims_at_least(c, "agent");
}

const char *pay_caller(const struct lc_request *rq)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	return c ? c->sub : "";
}

int pay_not_found(struct lc_request *rq)
{
	return lc_reply_problem(rq, 404, "not_found", "Not found.");
}

long pay_account_get(struct lc_request *rq, const char *path, json_t **out)
{
	*out = NULL;
	struct lc_http_resp resp;
	lc_internal_call("account", "GET", path, NULL, rq ? lc_rq_id(rq) : NULL, &resp);
	long st = resp.status;
	if (st == 200 && resp.json)
		*out = json_incref(resp.json);
	else if (st == 200)
		st = 0; /* not the JSON the contract promises */
	if (st == 0 || st >= 500)
		lc_warn("account %s: %ld %s", path, resp.status, resp.error);
	lc_http_resp_free(&resp);
	return st;
}

long pay_caller_household(struct lc_request *rq, char out[37])
{
	out[0] = '\0';
	char path[96];
	snprintf(path, sizeof(path), "/internal/v1/users/%s", pay_caller(rq));
	json_t *u;
	long st = pay_account_get(rq, path, &u);
	if (st != 200)
		return st;
	const char *h = json_string_value(json_object_get(u, "household_id"));
	if (h && lc_json_is_uuid(h))
		snprintf(out, 37, "%s", h);
	json_decref(u);
	return out[0] ? 200 : 404;
}

int pay_account_unavailable(struct lc_request *rq)
{
	lc_rq_add_header(rq, "Retry-After", "5");
	return lc_reply_problem(rq, 503, "unavailable",
	                        "The account service cannot be reached; try again shortly.");
}

void pay_derived_key(const char *purpose, char out[65])
{
	const char *secret = lc_internal_secret();
	char label[96];
	snprintf(label, sizeof(label), "civitas-payment:%s", purpose);
	lc_hmac_sha256_hex(secret ? secret : "", secret ? strlen(secret) : 0, label, strlen(label), out);
}

void pay_link_token(const char *checkout_id, char out[33])
{
	char key[65], mac[65];
	pay_derived_key("pay", key);
	lc_hmac_sha256_hex(key, 64, checkout_id, strlen(checkout_id), mac);
	snprintf(out, 33, "%.32s", mac);
}

static int emit_notify(struct lc_db *db, const char *field, const char *id, const char *tmpl, json_t *data,
                       const char *link)
{
	char topic[80];
	snprintf(topic, sizeof(topic), "notify.%s", tmpl);
	json_t *ev = json_pack("{s:s, s:s, s:O, s:s}", field, id, "template", tmpl, "data", data, "link",
	                       link ? link : "");
	if (!ev)
		return -1;
	int rc = lc_outbox_emit(db, topic, ev, NULL);
	json_decref(ev);
	return rc;
}

int pay_notify_household(struct lc_db *db, const char *household_id, const char *tmpl, json_t *data,
                         const char *link)
{
	return emit_notify(db, "household_id", household_id, tmpl, data, link);
}

int pay_notify_user(struct lc_db *db, const char *user_id, const char *tmpl, json_t *data, const char *link)
{
	return emit_notify(db, "user_id", user_id, tmpl, data, link);
}

void pay_euros(int64_t cents, char *out, size_t outlen)
{
	int64_t a = cents < 0 ? -cents : cents;
	snprintf(out, outlen, "%s%lld,%02lld €", cents < 0 ? "-" : "", (long long)(a / 100),
	         (long long)(a % 100));
}
