/* ts_outbox.c — the outbox deliveries of teleservices that are not plain event posts:
 * notifications to the citizen through account's /internal/v1/notify (the event id is the
 * idempotency key, so a redelivery after a crash never notifies twice), and signed posts to
 * each service's business software. Both run on the outbox thread, and read the database
 * through that thread's own connection (lc_db_thread) like every handler does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/client.h"
#include "civitas/db.h"
#include "civitas/log.h"

#include "ts.h"

int ts_deliver_notify(const char *topic, const json_t *event, char *err, size_t errlen)
{
	const json_t *d = json_object_get(event, "data");
	const char *id = json_string_value(json_object_get(event, "id"));
	json_t *body = json_pack("{s:O, s:O, s:s, s:O}", "template", json_object_get(d, "template"), "data",
	                         json_object_get(d, "data"), "idempotency_key", id ? id : "", "link",
	                         json_object_get(d, "link"));
	/* A person (user_id) or every agent of a service; group when the notices of a request may
	 * be merged into one e-mail. */
	static const char *const optional[] = {"user_id", "service", "group"};
	for (size_t i = 0; body && i < sizeof(optional) / sizeof(optional[0]); i++)
		if (json_is_string(json_object_get(d, optional[i])))
			json_object_set(body, optional[i], json_object_get(d, optional[i]));
	if (!body) {
		snprintf(err, errlen, "bad notify event %s", topic);
		return -1;
	}
	struct lc_http_resp resp;
	int rc = lc_internal_call("account", "POST", "/internal/v1/notify", body, NULL, &resp);
	json_decref(body);
	if (rc < 0)
		snprintf(err, errlen, "account unreachable: %s", resp.error);
	else if (resp.status < 200 || resp.status > 299) {
		snprintf(err, errlen, "account answered %ld to notify", resp.status);
		rc = -1;
	}
	lc_http_resp_free(&resp);
	return rc;
}

/* A connector's current URL and secret, read on the delivery thread's own connection (the
 * connector may have changed since the event was queued). 1 found, 0 removed, -1 error. */
static int connector_of(const char *service, const char *status, char *url, size_t urllen, char *secret,
                        size_t seclen)
{
	const char *p[] = {service, status};
	PGresult *r = lc_db_exec(lc_db_thread(), "conn_get", 2, p);
	if (!r)
		return -1;
	int found = PQntuples(r) == 1;
	if (found) {
		snprintf(url, urllen, "%s", PQgetvalue(r, 0, 0));
		snprintf(secret, seclen, "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	return found;
}

int ts_deliver_connector(const char *topic, const json_t *event, char *err, size_t errlen)
{
	const json_t *d = json_object_get(event, "data");
	const char *service = json_string_value(json_object_get(d, "service"));
	const char *status = json_string_value(json_object_get(d, "event"));
	char url[512], secret[256];
	int found =
	    service && status ? connector_of(service, status, url, sizeof(url), secret, sizeof(secret)) : 0;
	if (found < 0) {
		snprintf(err, errlen, "database unreachable");
		return -1;
	}
	if (found == 0)
		return 0; /* the connector was removed: nothing to send */
	char ev[64];
	snprintf(ev, sizeof(ev), "request.%s", status);
	json_t *body =
	    json_pack("{s:O, s:s, s:O, s:O}", "id", json_object_get(event, "id"), "event", ev, "service",
	              json_object_get(d, "service"), "request", json_object_get(d, "request"));
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text) {
		snprintf(err, errlen, "bad connector event %s", topic);
		return -1;
	}
	char sig[160], sigh[200], idh[96];
	ts_sign(secret, (int64_t)time(NULL), text, strlen(text), sig, sizeof(sig));
	snprintf(sigh, sizeof(sigh), "X-Civitas-Signature: %s", sig);
	snprintf(idh, sizeof(idh), "X-Civitas-Event-Id: %s", json_string_value(json_object_get(event, "id")));
	const char *headers[] = {"Content-Type: application/json", sigh, idh, NULL};
	struct lc_http_resp resp;
	int rc = lc_http_request("POST", url, headers, text, strlen(text), 10, &resp);
	free(text);
	if (rc < 0)
		snprintf(err, errlen, "connector %s unreachable: %s", service, resp.error);
	else if (resp.status < 200 || resp.status > 299) {
		snprintf(err, errlen, "connector %s answered %ld", service, resp.status);
		rc = -1;
	}
	lc_http_resp_free(&resp);
	return rc;
}
