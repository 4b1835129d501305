/* ts_access.c — who may see what in teleservices (the owner of a request, agents of its service,
 * admins everywhere) and the replies every handler shares: 404 and the request itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/auth.h"
#include "civitas/buf.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "ts.h"

const char *ts_caller(struct lc_request *rq)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	return c ? c->sub : "";
}

bool ts_is_staff(const struct lc_request *rq)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	return c && lc_claims_at_least(c, "agent");
}

bool ts_agent_of(const struct lc_request *rq, const char *service)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	if (!c || !lc_claims_at_least(c, "agent"))
		return false;
	if (lc_claims_has_role(c, "admin"))
		return true;
	return service && lc_claims_has_service(c, service);
}

static bool service_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

const char *ts_staff_services(struct lc_request *rq)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	struct lc_buf b;
	lc_buf_init(&b, 4096);
	lc_buf_append(&b, "{", 1);
	if (c && lc_claims_has_role(c, "admin")) {
		PGresult *r = lc_db_exec(lc_rq_db(rq), "proc_services", 0, NULL);
		for (int i = 0; r && i < PQntuples(r); i++)
			lc_buf_printf(&b, "%s%s", i ? "," : "", PQgetvalue(r, i, 0));
		PQclear(r);
	} else if (c && lc_claims_at_least(c, "agent")) {
		bool first = true;
		for (size_t i = 0; i < c->nservices; i++) {
			if (!service_name_ok(c->services[i]))
				continue;
			lc_buf_printf(&b, "%s%s", first ? "" : ",", c->services[i]);
			first = false;
		}
	}
	lc_buf_append(&b, "}", 1);
	char *s = lc_rq_strdup(rq, lc_buf_cstr(&b));
	lc_buf_free(&b);
	return s ? s : "{}";
}

/* The request when the caller may see it (owner, or an agent of its service), else NULL. */
json_t *ts_visible_request(struct lc_request *rq, const char *id, bool *as_agent)
{
	*as_agent = false;
	if (!lc_json_is_uuid(id))
		return NULL;
	json_t *j = ts_request_json(lc_rq_db(rq), id, true);
	if (!j)
		return NULL;
	const char *owner = json_string_value(json_object_get(j, "user_id"));
	const char *service = json_string_value(json_object_get(j, "service"));
	const char *status = json_string_value(json_object_get(j, "status"));
	if (owner && strcmp(owner, ts_caller(rq)) == 0) {
		json_object_del(j, "notes");
		return j;
	}
	if (ts_agent_of(rq, service) && status && strcmp(status, "draft") != 0) {
		*as_agent = true;
		return j;
	}
	json_decref(j);
	return NULL;
}

int ts_not_found(struct lc_request *rq)
{
	return lc_reply_problem(rq, 404, "not_found", "No such resource.");
}

int ts_reply_request(struct lc_request *rq, const char *id, unsigned status, bool for_agent)
{
	json_t *j = ts_request_json(lc_rq_db(rq), id, for_agent);
	if (!j)
		return lc_db_fail_reply(rq);
	const char *etag = json_string_value(json_object_get(j, "etag"));
	if (etag)
		lc_rq_add_header(rq, "ETag", etag);
	if (status == 201) {
		char loc[128];
		snprintf(loc, sizeof(loc), "/api/teleservices/v1/requests/%s", id);
		lc_rq_add_header(rq, "Location", loc);
	}
	return lc_reply_json(rq, status, j);
}
