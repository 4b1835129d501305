/* outcome.c — the outcome a transaction leaves for its handler, the reply made from it, and the
 * If-Match checks (the deciding one used inside transactions, the replying one before them). */
#include "civitas/outcome.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/reply.h"
#include "civitas/request.h"

#include "internal.h"

static const char PRECONDITION_REQUIRED[] =
    "Send If-Match with the ETag you last read, so that no change is lost.";
static const char PRECONDITION_FAILED[] =
    "Someone changed this since you read it; reload and apply your change again.";

void lc_outcome_reset(struct lc_outcome *o)
{
	json_decref(o->body);
	json_decref(o->errors);
	*o = (struct lc_outcome){0};
}

enum lc_tx_result lc_outcome_fail(struct lc_outcome *o, unsigned status, const char *code, const char *detail)
{
	o->status = status;
	o->code = code;
	o->detail = detail;
	return LC_TX_ROLLBACK;
}

enum lc_tx_result lc_outcome_invalid(struct lc_outcome *o, const char *detail, json_t *errors)
{
	json_decref(o->errors);
	o->errors = errors;
	return lc_outcome_fail(o, 422, "validation_failed", detail);
}

enum lc_tx_result lc_outcome_field(struct lc_outcome *o, const char *field, const char *code,
                                   const char *detail)
{
	return lc_outcome_invalid(
	    o, detail, json_pack("[{s:s, s:s, s:s}]", "field", field, "code", code, "message", detail));
}

enum lc_tx_result lc_outcome_ok(struct lc_outcome *o, unsigned status, json_t *body)
{
	if (o->body != body)
		json_decref(o->body);
	o->body = body;
	o->status = status;
	return LC_TX_COMMIT;
}

void lc_outcome_set_etag(struct lc_outcome *o, const char *etag)
{
	snprintf(o->etag, sizeof(o->etag), "%s", etag ? etag : "");
}

bool lc_outcome_is_problem(const struct lc_outcome *o)
{
	return o->status >= 400;
}

int lc_outcome_reply(struct lc_request *rq, enum lc_tx_result tx, struct lc_outcome *o)
{
	json_t *body = o->body, *errors = o->errors;
	o->body = o->errors = NULL;
	if (o->status >= 400) {
		json_decref(body);
		if (o->etag[0])
			lc_rq_add_header(rq, "ETag", o->etag);
		return lc_reply_problem_errors(rq, o->status, o->code, o->detail, errors);
	}
	json_decref(errors);
	if (tx == LC_TX_ERROR || (tx == LC_TX_ROLLBACK && o->status == 0)) {
		json_decref(body);
		if (tx == LC_TX_ROLLBACK)
			return lc_reply_problem(rq, 500, "internal", "The change was not made.");
		return lc_db_fail_reply(rq);
	}
	if (o->etag[0])
		lc_rq_add_header(rq, "ETag", o->etag);
	if (o->location[0])
		lc_rq_add_header(rq, "Location", o->location);
	if (!body)
		return lc_reply_empty(rq, o->status ? o->status : 204);
	return lc_reply_json(rq, o->status ? o->status : 200, body);
}

bool lc_if_match(struct lc_request *rq, const char *etag, struct lc_outcome *o)
{
	const char *im = lc_rq_header(rq, "If-Match");
	if (!im || !*im) {
		lc_outcome_fail(o, 428, "precondition_required", PRECONDITION_REQUIRED);
		return false;
	}
	if (lc__etag_listed(im, etag))
		return true;
	lc_outcome_set_etag(o, etag);
	lc_outcome_fail(o, 412, "precondition_failed", PRECONDITION_FAILED);
	return false;
}

bool lc_if_match_or_reply(struct lc_request *rq, const char *etag)
{
	struct lc_outcome o = {0};
	if (lc_if_match(rq, etag, &o))
		return true;
	lc_outcome_reply(rq, LC_TX_ROLLBACK, &o);
	return false;
}

PGresult *lc_lock_if_match(struct lc_db *db, struct lc_request *rq, const struct lc_lock *lock,
                           struct lc_outcome *o, char etag[64], enum lc_tx_result *stop)
{
	*stop = LC_TX_ERROR;
	PGresult *r = lc_db_exec(db, lock->stmt, lock->nparams, lock->params);
	if (!r)
		return NULL;
	if (PQntuples(r) == 0) {
		PQclear(r);
		*stop = lc_outcome_fail(o, 404, "not_found", lock->not_found);
		return NULL;
	}
	char tag[64];
	const char *v = PQgetvalue(r, 0, lock->etag_col);
	if (lock->etag_prefix)
		snprintf(tag, sizeof(tag), "\"%s%s\"", lock->etag_prefix, v);
	else
		snprintf(tag, sizeof(tag), "%s", v);
	if (etag)
		memcpy(etag, tag, sizeof(tag));
	const char *im = lc_rq_header(rq, "If-Match");
	bool skip = lock->if_match == LC_IF_MATCH_IGNORED ||
	            (lock->if_match == LC_IF_MATCH_WHEN_SENT && (!im || !*im));
	if (!skip && !lc_if_match(rq, tag, o)) {
		PQclear(r);
		*stop = LC_TX_ROLLBACK;
		return NULL;
	}
	return r;
}
