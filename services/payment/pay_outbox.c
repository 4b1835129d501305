/* pay_outbox.c — outbox deliveries that are not plain event posts: notifications through
 * account's /internal/v1/notify (to one person, or to every adult of a household; the event id
 * is the idempotency key, so a redelivery never notifies twice), and the sandbox provider's
 * server-to-server notification, posted like a real provider's and retried until answered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/client.h"
#include "civitas/log.h"

#include "payment.h"
#include "vads.h"

static int notify_one(const char *user, const json_t *d, const char *event_id, char *err, size_t errlen)
{
	char key[128];
	snprintf(key, sizeof(key), "%s:%s", event_id, user);
	json_t *body = json_pack("{s:s, s:O, s:O, s:s, s:O}", "user_id", user, "template",
	                         json_object_get(d, "template"), "data", json_object_get(d, "data"),
	                         "idempotency_key", key, "link", json_object_get(d, "link"));
	if (!body) {
		snprintf(err, errlen, "bad notify event");
		return -1;
	}
	struct lc_http_resp resp;
	int rc = lc_internal_call("account", "POST", "/internal/v1/notify", body, NULL, &resp);
	json_decref(body);
	if (rc < 0)
		snprintf(err, errlen, "account unreachable: %s", resp.error);
	else if (resp.status == 404)
		rc = 0; /* the person's account is gone: nobody to tell */
	else if (resp.status < 200 || resp.status > 299) {
		snprintf(err, errlen, "account answered %ld to notify", resp.status);
		rc = -1;
	}
	lc_http_resp_free(&resp);
	return rc;
}

int pay_deliver_notify(const char *topic, const json_t *event, char *err, size_t errlen)
{
	(void)topic;
	const json_t *d = json_object_get(event, "data");
	const char *id = json_string_value(json_object_get(event, "id"));
	const char *user = json_string_value(json_object_get(d, "user_id"));
	const char *hh = json_string_value(json_object_get(d, "household_id"));
	if (!id || (!user && !hh)) {
		snprintf(err, errlen, "bad notify event");
		return -1;
	}
	if (user)
		return notify_one(user, d, id, err, errlen);
	char path[96];
	snprintf(path, sizeof(path), "/internal/v1/households/%s", hh);
	struct lc_http_resp resp;
	int rc = lc_internal_call("account", "GET", path, NULL, NULL, &resp);
	if (rc < 0 || resp.status >= 500 || (resp.status == 200 && !resp.json)) {
		snprintf(err, errlen, "account unreachable for household %s", hh);
		lc_http_resp_free(&resp);
		return -1;
	}
	if (resp.status != 200) {
		lc_http_resp_free(&resp);
		return 0; /* no such household any more */
	}
	size_t i;
	const json_t *u;
	rc = 0;
	json_array_foreach(json_object_get(resp.json, "adult_user_ids"), i, u)
	{
		if (json_is_string(u) && notify_one(json_string_value(u), d, id, err, errlen) != 0)
			rc = -1;
	}
	lc_http_resp_free(&resp);
	return rc;
}

int pay_deliver_sandbox_ipn(const char *topic, const json_t *event, char *err, size_t errlen)
{
	(void)topic;
	const json_t *fields = json_object_get(json_object_get(event, "data"), "fields");
	const char *base = getenv("CIVITAS_PAYMENT_URL");
	if (!base || !fields) {
		snprintf(err, errlen, "CIVITAS_PAYMENT_URL is not set: nowhere to notify");
		return -1;
	}
	char *body = vads_form_encode(fields);
	if (!body) {
		snprintf(err, errlen, "cannot encode the notification");
		return -1;
	}
	char url[512];
	snprintf(url, sizeof(url), "%s/api/payment/v1/notifications/sandbox", base);
	const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	struct lc_http_resp resp;
	int rc = lc_http_request("POST", url, headers, body, strlen(body), 10, &resp);
	free(body);
	if (rc < 0)
		snprintf(err, errlen, "payment notification endpoint unreachable: %s", resp.error);
	else if (resp.status >= 500) {
		snprintf(err, errlen, "notification answered %ld", resp.status);
		rc = -1;
	} else if (resp.status != 200) {
		lc_warn("the sandbox notification was refused (%ld)",
		        resp.status); /* a real provider stops too */
	}
	lc_http_resp_free(&resp);
	return rc < 0 ? -1 : 0;
}
