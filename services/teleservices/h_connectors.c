/* h_connectors.c — the business software of each service: a connector {url, secret, events}
 * receives signed JSON posts from the outbox, sends status changes back (signed the same way),
 * and can take a CSV export for batch import. */
#include "h_connectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/buf.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/reply.h"

#include "h_agent.h"
#include "ts.h"

#define SIGNATURE_TOLERANCE_S 300

static bool service_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n > 32 || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

struct conn_put {
	struct lc_request *rq;
	const char *service, *url, *secret;
	char events[256];
	json_t *out;
};

static enum lc_tx_result conn_tx(struct lc_db *db, void *arg)
{
	struct conn_put *c = arg;
	json_decref(c->out);
	const char *p[] = {c->service, c->url, c->secret, c->events};
	PGresult *r = lc_db_exec(db, "conn_upsert", 4, p);
	if (!r)
		return LC_TX_ERROR;
	c->out = lc_db_cell_json(r, 0, 0);
	PQclear(r);
	return lc_audit(db, c->rq, "connector.update", "connector", c->service, NULL) < 0 ? LC_TX_ERROR
	                                                                                  : LC_TX_COMMIT;
}

int h_connector_put(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "admin"))
		return LC_REPLIED;
	const char *service = lc_rq_param(rq, "service");
	if (!service_ok(service))
		return ts_not_found(rq);
	struct conn_put c = {.rq = rq, .service = service};
	json_t *events = NULL;
	const struct lc_field spec[] = {
	    {.name = "url",
	     .type = LC_J_STRING,
	     .required = true,
	     .pattern = "^https?://[^[:space:]]{3,400}$",
	     .out = &c.url},
	    LC_F_STRING("secret", 16, 200, &c.secret, .required = true),
	    LC_F_ARRAY("events", 0, 6, &events),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	static const char *const allowed[] = {"received", "in_progress", "incomplete",
	                                      "accepted", "rejected",    "cancelled"};
	size_t k = 0;
	c.events[k++] = '{';
	if (!events) {
		k += (size_t)snprintf(c.events + k, sizeof(c.events) - k, "accepted");
	} else {
		size_t i;
		json_t *v;
		json_array_foreach(events, i, v)
		{
			const char *e = json_string_value(v);
			bool ok = false;
			for (size_t j = 0; e && j < sizeof(allowed) / sizeof(allowed[0]); j++)
				ok = ok || strcmp(e, allowed[j]) == 0;
			if (!ok)
				return lc_reply_problem_errors(
				    rq, 422, "validation_failed", "Unknown event.",
				    json_pack("[{s:s, s:s, s:s}]", "field", "events", "code", "not_allowed",
				              "message",
				              "events are statuses: received, in_progress, "
				              "incomplete, accepted, rejected, cancelled"));
			k += (size_t)snprintf(c.events + k, sizeof(c.events) - k, "%s%s", i ? "," : "", e);
		}
	}
	snprintf(c.events + k, sizeof(c.events) - k, "}");
	if (lc_db_tx(lc_rq_db(rq), conn_tx, &c) != LC_TX_COMMIT) {
		json_decref(c.out);
		return lc_db_fail_reply(rq);
	}
	return lc_reply_json(rq, 200, c.out);
}

int h_connector_list(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "admin"))
		return LC_REPLIED;
	PGresult *r = lc_db_exec(lc_rq_db(rq), "conn_list", 0, NULL);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = lc_db_rows_json(r, -1);
	PQclear(r);
	return lc_reply_json(rq, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

struct status_ctx {
	struct lc_request *rq;
	const char *service, *request_id, *to, *comment;
	struct lc_outcome out;
};

static enum lc_tx_result status_tx(struct lc_db *db, void *arg)
{
	struct status_ctx *s = arg;
	lc_outcome_reset(&s->out);
	struct ts_req_row row;
	int found = ts_req_lock(db, s->request_id, &row);
	if (found < 0)
		return LC_TX_ERROR;
	enum lc_tx_result res = LC_TX_ERROR;
	if (!found || strcmp(row.service, s->service) != 0) {
		res = lc_outcome_fail(&s->out, 404, "not_found", "No such request for this service.");
	} else if (!ts_transition_allowed(row.status, s->to, TS_CONNECTOR)) {
		res = lc_outcome_fail(&s->out, 409, "conflict",
		                      "This change of status is not allowed from the current one.");
	} else if (ts_transition(db, &row, s->to, "connector", NULL, s->comment) == 0) {
		json_t *details = json_pack("{s:s, s:s}", "service", s->service, "to", s->to);
		if (lc_audit(db, NULL, "request.connector_status", "request", s->request_id, details) >= 0)
			res = LC_TX_COMMIT;
		json_decref(details);
	}
	if (found)
		ts_req_row_free(&row);
	return res;
}

int h_connector_status(struct lc_request *rq)
{
	const char *service = lc_rq_param(rq, "service");
	if (!service_ok(service))
		return ts_not_found(rq);
	struct lc_db *db = lc_rq_db(rq);
	const char *p[] = {service, "accepted"};
	PGresult *r = lc_db_exec(db, "conn_get", 2, p);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) == 0) {
		PQclear(r);
		return ts_not_found(rq);
	}
	char *secret = lc_rq_strdup(rq, PQgetvalue(r, 0, 1));
	PQclear(r);
	size_t len;
	const char *body = lc_rq_body(rq, &len);
	if (!secret || !ts_signature_ok(lc_rq_header(rq, "X-Civitas-Signature"), secret, body ? body : "",
	                                len, (int64_t)time(NULL), SIGNATURE_TOLERANCE_S)) {
		lc_security(lc_rq_id(rq), "connector %s: bad or stale signature", service);
		return lc_reply_problem(rq, 401, "unauthorized",
		                        "Missing, stale or wrong X-Civitas-Signature.");
	}
	static const char *const targets[] = {"in_progress", "accepted", "rejected", NULL};
	struct status_ctx s = {.rq = rq, .service = service};
	const char *reference = NULL;
	const struct lc_field spec[] = {
	    LC_F_UUID("request_id", &s.request_id),
	    LC_F_STRING("reference", 0, 32, &reference),
	    LC_F_ENUM("status", targets, &s.to, .required = true),
	    LC_F_STRING("comment", 0, 4000, &s.comment),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!s.request_id && reference) {
		const char *pr[] = {reference, service};
		r = lc_db_exec(db, "req_by_ref", 2, pr);
		if (!r)
			return lc_db_fail_reply(rq);
		if (PQntuples(r) == 1)
			s.request_id = lc_rq_strdup(rq, PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	if (!s.request_id)
		return ts_not_found(rq);
	if (strcmp(s.to, "rejected") == 0 && (!s.comment || !*s.comment))
		return lc_reply_problem_errors(rq, 422, "validation_failed", "A rejection says why.",
		                               json_pack("[{s:s, s:s, s:s}]", "field", "comment", "code",
		                                         "required", "message",
		                                         "a comment is required to reject"));
	enum lc_tx_result t = lc_db_tx(db, status_tx, &s);
	if (t != LC_TX_COMMIT)
		return lc_outcome_reply(rq, t, &s.out);
	ts_requests_changed();
	json_t *j = ts_request_json(db, s.request_id, false);
	if (!j)
		return lc_db_fail_reply(rq);
	json_t *out = json_pack("{s:O, s:O, s:O}", "id", json_object_get(j, "id"), "reference",
	                        json_object_get(j, "reference"), "status", json_object_get(j, "status"));
	json_decref(j);
	return lc_reply_json(rq, 200, out);
}

int h_export(struct lc_request *rq)
{
	const char *file = lc_rq_param(rq, "file");
	size_t n = file ? strlen(file) : 0;
	if (n < 6 || n > 40 || strcmp(file + n - 4, ".csv") != 0)
		return ts_not_found(rq);
	char service[40];
	snprintf(service, sizeof(service), "%.*s", (int)(n - 4), file);
	if (!service_ok(service) || !ts_agent_of(rq, service))
		return ts_not_found(rq);
	char from[40], to[40];
	if (!ts_period_or_reply(rq, from, to))
		return LC_REPLIED;
	const char *p[] = {service, from, to};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "export", 3, p);
	if (!r)
		return lc_db_fail_reply(rq);
	struct lc_buf b;
	lc_buf_init(&b, 64u * 1024 * 1024);
	static const char *const head[] = {"reference",     "procedure",   "version",           "status",
	                                   "submitted_at",  "received_at", "decided_at",        "user_id",
	                                   "beneficiaries", "answers",     "processing_seconds"};
	for (int c = 0; c < 11; c++)
		lc_buf_csv_cell(&b, head[c], c == 10);
	for (int i = 0; i < PQntuples(r); i++)
		for (int c = 0; c < 11; c++)
			lc_buf_csv_cell(&b, PQgetvalue(r, i, c), c == 10);
	PQclear(r);
	if (b.overflow) {
		lc_buf_free(&b);
		return lc_reply_problem(rq, 413, "payload_too_large", "Export a shorter period.");
	}
	size_t len;
	char *text = lc_buf_steal(&b, &len);
	char disp[96];
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", file);
	lc_rq_add_header(rq, "Content-Disposition", disp);
	return text ? lc_reply_bytes_owned(rq, 200, "text/csv; charset=utf-8", text, len)
	            : lc_reply_bytes(rq, 200, "text/csv; charset=utf-8", "", 0);
}
