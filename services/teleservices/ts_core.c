/* ts_core.c — the transition core (one step: timings, timeline, notification, stats event,
 * connector delivery, all in the caller's transaction), access helpers and account calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/http.h"
#include "civitas/outbox.h"
#include "civitas/reply.h"

#include "h_payment.h"
#include "ts.h"

void ts_req_row_free(struct ts_req_row *r)
{
	json_decref(r->member_ids);
	json_decref(r->answers);
	r->member_ids = r->answers = NULL;
}

static int req_row(struct lc_db *db, const char *stmt, const char *id, struct ts_req_row *o)
{
	memset(o, 0, sizeof(*o));
	const char *p[] = {id};
	PGresult *r = lc_db_exec(db, stmt, 1, p);
	if (!r)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	snprintf(o->id, sizeof(o->id), "%s", id);
	snprintf(o->user_id, sizeof(o->user_id), "%s", PQgetvalue(r, 0, 0));
	snprintf(o->status, sizeof(o->status), "%s", PQgetvalue(r, 0, 1));
	snprintf(o->service, sizeof(o->service), "%s", PQgetvalue(r, 0, 2));
	snprintf(o->procedure_id, sizeof(o->procedure_id), "%s", PQgetvalue(r, 0, 3));
	o->lock_version = atoi(PQgetvalue(r, 0, 4));
	snprintf(o->submit_key, sizeof(o->submit_key), "%s", PQgetvalue(r, 0, 5));
	snprintf(o->household_id, sizeof(o->household_id), "%s", PQgetvalue(r, 0, 6));
	o->member_ids = lc_db_cell_json(r, 0, 7);
	o->answers = lc_db_cell_json(r, 0, 8);
	snprintf(o->reference, sizeof(o->reference), "%s", PQgetvalue(r, 0, 9));
	snprintf(o->title, sizeof(o->title), "%s", PQgetvalue(r, 0, 10));
	snprintf(o->slug, sizeof(o->slug), "%s", PQgetvalue(r, 0, 11));
	o->sla_days = atoi(PQgetvalue(r, 0, 12));
	o->running_s = atof(PQgetvalue(r, 0, 13));
	snprintf(o->bundle_id, sizeof(o->bundle_id), "%s", PQgetvalue(r, 0, 14));
	PQclear(r);
	if (!o->member_ids)
		o->member_ids = json_array();
	if (!o->answers)
		o->answers = json_object();
	return 1;
}

int ts_req_lock(struct lc_db *db, const char *id, struct ts_req_row *o)
{
	return req_row(db, "req_lock", id, o);
}

int ts_req_read(struct lc_db *db, const char *id, struct ts_req_row *o)
{
	return req_row(db, "req_read", id, o);
}

int ts_lock_own(struct lc_db *db, struct lc_request *rq, const char *id, struct ts_req_row *row,
                struct lc_outcome *o)
{
	int found = ts_req_lock(db, id, row);
	if (found == 1 && strcmp(row->user_id, ts_caller(rq)) != 0) {
		ts_req_row_free(row);
		found = 0;
	}
	if (found == 0)
		lc_outcome_fail(o, 404, "not_found", "No such request.");
	return found;
}

int ts_emit_notify(struct lc_db *db, const char *user_id, const char *tmpl, json_t *data,
                   const char *request_id)
{
	char link[128];
	snprintf(link, sizeof(link), "/mes-demandes.html?id=%s", request_id);
	char topic[96];
	snprintf(topic, sizeof(topic), "notify.%s", tmpl);
	/* group: account merges the e-mails of one request's steps that follow each other closely. */
	json_t *ev = json_pack("{s:s, s:s, s:O, s:s, s:s}", "user_id", user_id, "template", tmpl, "data",
	                       data, "link", link, "group", request_id);
	int rc = ev ? lc_outbox_emit(db, topic, ev, NULL) : -1;
	json_decref(ev);
	return rc;
}

int ts_emit_agent_notify(struct lc_db *db, const struct ts_req_row *req, const char *tmpl, const char *words)
{
	const char *p[] = {req->id};
	PGresult *r = lc_db_exec(db, "req_assignee", 1, p);
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		return -1;
	}
	const char *assignee = PQgetvalue(r, 0, 0);
	char link[128], topic[96];
	snprintf(link, sizeof(link), "/admin/demarches/demande?id=%s", req->id);
	snprintf(topic, sizeof(topic), "notify.%s", tmpl);
	/* The agent who took the request, else every agent of its service. */
	json_t *ev =
	    json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:s}", assignee[0] ? "user_id" : "service",
	              assignee[0] ? assignee : req->service, "template", tmpl, "data", "reference",
	              req->reference, "procedure", req->title, "message", words ? words : "", "link", link);
	PQclear(r);
	int rc = ev ? lc_outbox_emit(db, topic, ev, NULL) : -1;
	json_decref(ev);
	return rc;
}

void ts_add_next_step(json_t *req)
{
	if (req)
		json_object_set_new(
		    req, "next_step",
		    json_string(ts_next_step(json_string_value(json_object_get(req, "status")))));
}

json_t *ts_request_json(struct lc_db *db, const char *id, bool for_agent)
{
	const char *p[] = {id, for_agent ? "t" : "f"};
	PGresult *r = lc_db_exec(db, "req_json", 2, p);
	json_t *j = lc_db_cell_json(r, 0, 0);
	PQclear(r);
	ts_add_next_step(j);
	return j;
}

static int new_reference(struct lc_db *db, const char *service, char *out, size_t outlen)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char year[16], code[4];
	snprintf(year, sizeof(year), "%d", tm.tm_year + 1900);
	ts_service_code(service, code);
	const char *p[] = {year, code};
	PGresult *r = lc_db_exec(db, "ref_next", 2, p);
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		return -1;
	}
	ts_reference(tm.tm_year + 1900, code, atol(PQgetvalue(r, 0, 0)), out, outlen);
	PQclear(r);
	return 0;
}

static int emit_connector(struct lc_db *db, struct ts_req_row *req, const char *to)
{
	char ev[48];
	snprintf(ev, sizeof(ev), "%s", to);
	const char *p[] = {req->service, ev};
	PGresult *r = lc_db_exec(db, "conn_get", 2, p);
	if (!r)
		return -1;
	bool wanted = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 2), "t") == 0;
	PQclear(r);
	if (!wanted)
		return 0;
	json_t *body = ts_request_json(db, req->id, false);
	if (!body)
		return -1;
	json_object_del(body, "messages");
	json_t *data = json_pack("{s:s, s:s, s:o}", "service", req->service, "event", to, "request", body);
	char topic[64];
	snprintf(topic, sizeof(topic), "connector.%s", to);
	int rc = data ? lc_outbox_emit(db, topic, data, NULL) : -1;
	json_decref(data);
	return rc;
}

int ts_transition(struct lc_db *db, struct ts_req_row *req, const char *to, const char *by_role,
                  const char *by_id, const char *comment)
{
	char from[16];
	snprintf(from, sizeof(from), "%s", req->status);
	if (strcmp(to, "received") == 0 && !req->reference[0] &&
	    new_reference(db, req->service, req->reference, sizeof(req->reference)) < 0)
		return -1;
	const char *p[] = {req->id,       to, ts_clock_runs(to) ? "t" : "f", req->reference, req->submit_key,
	                   req->bundle_id};
	PGresult *r = lc_db_exec(db, "req_set_status", 6, p);
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		return -1;
	}
	double processing = atof(PQgetvalue(r, 0, 0)), since_submit = atof(PQgetvalue(r, 0, 1));
	PQclear(r);
	req->running_s = processing;
	const char *sp[] = {req->id, from, to, by_id ? by_id : "", by_role, comment ? comment : ""};
	if (lc_db_run(db, "step_insert", 6, sp) < 0)
		return -1;
	snprintf(req->status, sizeof(req->status), "%s", to);

	const char *tmpl = strcmp(from, "draft") == 0 ? NULL : ts_template_for(to);
	if (tmpl) {
		json_t *data = json_pack("{s:s, s:s, s:s, s:s}", "reference", req->reference, "procedure",
		                         req->title, "status", to, "message", comment ? comment : "");
		int rc = data ? ts_emit_notify(db, req->user_id, tmpl, data, req->id) : -1;
		json_decref(data);
		if (rc < 0)
			return -1;
	}
	bool late = processing > req->sla_days * 86400.0;
	json_t *stat =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:i, s:b}", "request_id", req->id,
	              "reference", req->reference, "service", req->service, "procedure", req->slug, "from",
	              from, "to", to, "by", by_role, "processing_seconds", processing,
	              "since_submission_seconds", since_submit, "sla_days", req->sla_days, "late", late);
	int rc = stat ? lc_outbox_emit(db, "request.status_changed", stat, NULL) : -1;
	if (rc == 0 && strcmp(to, "submitted") == 0)
		rc = lc_outbox_emit(db, "request.submitted", stat, NULL);
	json_decref(stat);
	if (rc == 0 && strcmp(to, "accepted") == 0)
		rc = ts_emit_invoice_request(db, req); /* a procedure with a fee: its invoice */
	if (rc < 0)
		return -1;
	return emit_connector(db, req, to);
}
