/* audit.c — builds audit entries and sends them to the sink (account) or the outbox.
 * Writing in the caller's transaction means an action and its trail commit or vanish together. */
#include "civitas/audit.h"

#include <stdio.h>
#include <time.h>

#include "civitas/auth.h"
#include "civitas/http.h"
#include "civitas/outbox.h"

static lc_audit_sink_fn sink;
static char service_name[32] = "civitas";

void lc_audit_set_sink(lc_audit_sink_fn fn)
{
	sink = fn;
}
void lc__audit_set_service(const char *name)
{
	snprintf(service_name, sizeof(service_name), "%s", name);
}

int lc_audit(struct lc_db *db, struct lc_request *rq, const char *action, const char *target_type,
             const char *target_id, const json_t *details)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char at[32];
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	const struct lc_claims *c = rq ? lc_rq_claims(rq) : NULL;
	json_t *e = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s?, s:s?, s:s?, s:s?, s:o}", "at", at, "service",
	                      service_name, "actor_id", c ? c->sub : NULL, "actor_role", c ? c->role : NULL,
	                      "action", action, "target_type", target_type, "target_id", target_id, "ip",
	                      rq ? lc_rq_client_ip(rq) : NULL, "request_id", rq ? lc_rq_id(rq) : NULL,
	                      "details", details ? json_incref((json_t *)details) : json_object());
	if (!e)
		return -1;
	int rc;
	if (sink) {
		rc = sink(db, e);
	} else {
		char topic[128];
		snprintf(topic, sizeof(topic), "audit.%s", action);
		rc = lc_outbox_emit(db, topic, e, NULL);
	}
	json_decref(e);
	return rc;
}
