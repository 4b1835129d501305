/* common.c — outcomes of transactions turned into replies, JSON read from statements,
 * roles of the caller, ETags, the public address of the site, and the editors' deletes. */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "public_reply.h"

char *content_public_url_setting;

enum lc_tx_result outcome_fail(struct outcome *o, unsigned status, const char *code, const char *detail)
{
	o->status = status;
	o->code = code;
	o->detail = detail;
	return LC_TX_ROLLBACK;
}

enum lc_tx_result outcome_field(struct outcome *o, const char *field, const char *code, const char *detail)
{
	json_decref(o->errors);
	o->errors = json_pack("[{s:s, s:s, s:s}]", "field", field, "code", code, "message", detail);
	return outcome_fail(o, 422, "validation_failed", detail);
}

int outcome_reply(struct lc_request *rq, enum lc_tx_result tx, struct outcome *o)
{
	if (tx == LC_TX_ERROR && o->status < 400) {
		json_decref(o->body);
		json_decref(o->errors);
		return lc_db_fail_reply(rq);
	}
	if (o->status >= 400) {
		json_decref(o->body);
		if (o->etag[0])
			lc_rq_add_header(rq, "ETag", o->etag);
		if (o->errors)
			return lc_reply_problem_errors(rq, o->status, o->code, o->detail, o->errors);
		return lc_reply_problem(rq, o->status, o->code, o->detail);
	}
	json_decref(o->errors);
	/* A committed change may show in a public answer: this replica forgets them at once, the
	 * others within CACHE_TTL_MS. */
	cache_clear();
	if (o->etag[0])
		lc_rq_add_header(rq, "ETag", o->etag);
	if (o->location[0])
		lc_rq_add_header(rq, "Location", o->location);
	if (!o->body)
		return lc_reply_empty(rq, o->status ? o->status : 204);
	return lc_reply_json(rq, o->status ? o->status : 200, o->body);
}

PGresult *sql(struct lc_db *db, const char *name, int n, const char *const *params)
{
	return lc_db_exec(db, name, n, params);
}

json_t *sql_json(struct lc_db *db, const char *name, int n, const char *const *params, bool *failed)
{
	*failed = false;
	PGresult *r = lc_db_exec(db, name, n, params);
	if (!r) {
		*failed = true;
		return NULL;
	}
	json_t *j = NULL;
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
		j = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
		if (!j)
			*failed = true;
	}
	PQclear(r);
	return j;
}

int sql_do(struct lc_db *db, const char *name, int n, const char *const *params)
{
	PGresult *r = lc_db_exec(db, name, n, params);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

int sql_count(struct lc_db *db, const char *name, int n, const char *const *params)
{
	PGresult *r = lc_db_exec(db, name, n, params);
	if (!r)
		return -1;
	int c = atoi(PQcmdTuples(r));
	PQclear(r);
	return c;
}

bool caller_is(struct lc_request *rq, const char *min_role)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	return c && lc_claims_at_least(c, min_role);
}

const char *caller_id(struct lc_request *rq)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	return c ? c->sub : "";
}

const char *caller_role(struct lc_request *rq)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	return c ? c->role : "";
}

void content_etag(char out[40], long long revision)
{
	snprintf(out, 40, "\"r%lld\"", revision);
}

const char *content_public_url(void)
{
	return content_public_url_setting ? content_public_url_setting : "http://127.0.0.1:8080";
}

bool query_flag(struct lc_request *rq, const char *name)
{
	const char *v = lc_rq_query(rq, name);
	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

int reply_field(struct lc_request *rq, const char *field, const char *code, const char *detail)
{
	return lc_reply_problem_errors(
	    rq, 422, "validation_failed", detail,
	    json_pack("[{s:s, s:s, s:s}]", "field", field, "code", code, "message", detail));
}

/* A keyset list whose rows are (json, key text, id); cursor {"t", "id"}. The body is written
 * from the rows' JSON text; a public list (cache_tag) goes through the micro-cache, keyed on the
 * query parameters that make it (names, then limit and cursor). */
int content_keyset_list(struct lc_request *rq, const char *stmt, const char **params, int nfixed,
                        const char *cache_tag, const char *const *names)
{
	struct lc_page pg;
	if (!lc_page_or_reply(rq, &pg))
		return LC_REPLIED;
	const char *ct = NULL, *cid = NULL;
	if (pg.cursor) {
		ct = json_string_value(json_object_get(pg.cursor, "t"));
		cid = json_string_value(json_object_get(pg.cursor, "id"));
		if (!ct || !cid || !lc_json_is_uuid(cid))
			return reply_field(rq, "cursor", "invalid_format", "Bad cursor.");
	}
	char key[CACHE_KEY_MAX + 1];
	const char *kp = NULL;
	int rc;
	if (cache_tag && public_key(key, cache_tag, rq, names)) {
		kp = key;
		if (public_hit(rq, key, PUBLIC_LIST_CC, &rc))
			return rc;
	}
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", pg.limit + 1);
	const char *p[12];
	for (int i = 0; i < nfixed; i++)
		p[i] = params[i];
	p[nfixed] = lim;
	p[nfixed + 1] = ct;
	p[nfixed + 2] = cid;
	PGresult *r = sql(lc_rq_db(rq), stmt, nfixed + 3, p);
	if (!r)
		return lc_db_fail_reply(rq);
	int n = PQntuples(r);
	char *next = NULL;
	if (n > pg.limit) {
		json_t *cur = json_pack("{s:s, s:s}", "t", PQgetvalue(r, pg.limit - 1, 1), "id",
		                        PQgetvalue(r, pg.limit - 1, 2));
		next = lc_cursor_encode(cur);
		json_decref(cur);
	}
	size_t len;
	char *body = public_items_text(r, n < pg.limit ? n : pg.limit, 0, next, &len);
	free(next);
	PQclear(r);
	if (!body)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	if (cache_tag)
		rc = public_store_reply(rq, kp, body, len, "application/json", PUBLIC_LIST_CC);
	else
		rc = lc_reply_bytes(rq, 200, "application/json", body, len);
	free(body);
	return rc;
}

struct delete_ctx {
	struct lc_request *rq;
	const char *id, *stmt, *kind;
	struct outcome out;
};

static enum lc_tx_result delete_tx(struct lc_db *db, void *arg)
{
	struct delete_ctx *c = arg;
	c->out = (struct outcome){0};
	const char *p[] = {c->id};
	int n = sql_count(db, c->stmt, 1, p);
	if (n < 0)
		return LC_TX_ERROR;
	if (n == 0)
		return outcome_fail(&c->out, 404, "not_found", "No such object.");
	char action[64];
	snprintf(action, sizeof(action), "%s.delete", c->kind);
	if (lc_audit(db, c->rq, action, c->kind, c->id, NULL) < 0)
		return LC_TX_ERROR;
	c->out.status = 204;
	return LC_TX_COMMIT;
}

int content_delete_by_id(struct lc_request *rq, const char *stmt, const char *kind)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	struct delete_ctx c = {.rq = rq, .id = lc_rq_param(rq, "id"), .stmt = stmt, .kind = kind};
	if (!lc_json_is_uuid(c.id))
		return lc_reply_problem(rq, 404, "not_found", "No such object.");
	return outcome_reply(rq, lc_db_tx(lc_rq_db(rq), delete_tx, &c), &c.out);
}
