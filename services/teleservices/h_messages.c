/* h_messages.c — the thread of a request: messages between the citizen and the agents, and the
 * agents' internal notes. */
#include "h_messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "ts.h"

struct msg {
	struct lc_request *rq;
	const char *id, *body;
	bool internal, agent;
	json_t *out;
};

static enum lc_tx_result msg_tx(struct lc_db *db, void *arg)
{
	struct msg *m = arg;
	json_decref(m->out);
	m->out = NULL;
	struct ts_req_row row;
	int found = ts_req_lock(db, m->id, &row);
	if (found <= 0)
		return LC_TX_ERROR;
	const char *p[] = {m->id, ts_caller(m->rq), m->agent ? "agent" : "citizen", m->internal ? "t" : "f",
	                   m->body};
	PGresult *r = lc_db_exec(db, "msg_insert", 5, p);
	enum lc_tx_result res = LC_TX_ERROR;
	if (r) {
		m->out = lc_db_cell_json(r, 0, 0);
		PQclear(r);
		res = LC_TX_COMMIT;
		if (m->agent && !m->internal) {
			json_t *data = json_pack("{s:s, s:s, s:s}", "reference", row.reference, "procedure",
			                         row.title, "message", m->body);
			if (!data || ts_emit_notify(db, row.user_id, "request_message", data, m->id) < 0)
				res = LC_TX_ERROR;
			json_decref(data);
		} else if (!m->agent && strcmp(row.status, "draft") != 0 &&
		           ts_emit_agent_notify(db, &row, "request_citizen_message", m->body) < 0) {
			res = LC_TX_ERROR;
		}
		if (res == LC_TX_COMMIT && m->agent &&
		    lc_audit(db, m->rq, m->internal ? "request.note" : "request.message", "request", m->id,
		             NULL) < 0)
			res = LC_TX_ERROR;
	}
	ts_req_row_free(&row);
	return res;
}

static int post_message(struct lc_request *rq, bool internal)
{
	const char *body = NULL;
	const struct lc_field spec[] = {
	    LC_F_STRING("body", 1, 4000, &body, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	bool agent;
	const char *id = lc_rq_param(rq, "id");
	json_t *j = ts_visible_request(rq, id, &agent);
	if (!j && lc_db_failed(lc_rq_db(rq)))
		return lc_db_fail_reply(rq);
	if (!j || (internal && !agent)) {
		json_decref(j);
		return ts_not_found(rq);
	}
	const char *status = json_string_value(json_object_get(j, "status"));
	bool closed = status && (strcmp(status, "cancelled") == 0 || strcmp(status, "draft") == 0);
	json_decref(j);
	if (closed && !internal)
		return lc_reply_problem(rq, 409, "conflict",
		                        "Messages are for submitted requests that are not cancelled.");
	struct msg m = {.rq = rq, .id = id, .body = body, .internal = internal, .agent = agent};
	if (lc_db_tx(lc_rq_db(rq), msg_tx, &m) != LC_TX_COMMIT) {
		json_decref(m.out);
		return lc_db_fail_reply(rq);
	}
	return lc_reply_json(rq, 201, m.out);
}

int h_request_message(struct lc_request *rq)
{
	return post_message(rq, false);
}

int h_request_note(struct lc_request *rq)
{
	return post_message(rq, true);
}
