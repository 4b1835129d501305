/* common.c — the reply after a transaction, the lock + If-Match opening of an edit, roles of the
 * caller, ETags, the public address of the site, keyset lists and the editors' deletes. */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/cache_reply.h"
#include "civitas/cell_json.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/page.h"
#include "civitas/reply.h"

char *content_public_url_setting;

int content_reply(struct lc_request *rq, enum lc_tx_result tx, struct lc_outcome *o)
{
	if (tx == LC_TX_COMMIT && !lc_outcome_is_problem(o))
		lc_cache_clear();
	return lc_outcome_reply(rq, tx, o);
}

PGresult *content_lock(struct lc_db *db, struct lc_request *rq, const char *stmt, const char *id, int rev_col,
                       const char *not_found, struct lc_outcome *o, enum lc_tx_result *stop)
{
	const char *p[] = {id};
	const struct lc_lock lock = {.stmt = stmt,
	                             .nparams = 1,
	                             .params = p,
	                             .etag_col = rev_col,
	                             .etag_prefix = "r",
	                             .not_found = not_found};
	return lc_lock_if_match(db, rq, &lock, o, NULL, stop);
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

static bool item_keys(struct lc_buf *b, const PGresult *r, int row, void *keys)
{
	const struct content_item *it = keys;
	return lc_json_write_keys(b, r, row, it->keys, it->n, NULL, NULL);
}

/* A keyset list whose rows end with (key text, id); cursor {"t", "id"}. The body is written from
 * the rows' JSON text (column 0), or from their binary columns by item's keys; a public list
 * (cache_tag) goes through the micro-cache, keyed on the query parameters that make it (names,
 * then limit and cursor). */
static int keyset_list(struct lc_request *rq, const char *stmt, const char **params, int nfixed,
                       const char *cache_tag, const char *const *names, const struct content_item *item)
{
	struct lc_page pg;
	if (!lc_page_or_reply(rq, &pg))
		return LC_REPLIED;
	const char *ct = NULL, *cid = NULL;
	if (pg.cursor) {
		ct = json_string_value(json_object_get(pg.cursor, "t"));
		cid = json_string_value(json_object_get(pg.cursor, "id"));
		if (!ct || !cid || !lc_json_is_uuid(cid))
			return lc_reply_field(rq, "cursor", "invalid_format", "Bad cursor.");
	}
	char key[LC_CACHE_KEY_MAX + 1];
	const char *kp = NULL;
	int rc;
	if (cache_tag && lc_cache_key(key, cache_tag, rq, names)) {
		kp = key;
		if (lc_cache_hit(rq, key, PUBLIC_LIST_CC, &rc))
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
	PGresult *r = lc_db_exec_with(lc_rq_db(rq), stmt, nfixed + 3, p, item ? LC_DB_BINARY : 0);
	if (!r)
		return lc_db_fail_reply(rq);
	int n = PQntuples(r);
	char *next = NULL;
	if (n > pg.limit) {
		int nf = PQnfields(r); /* libpq ends every value with a NUL, binary ones too */
		json_t *cur = json_pack("{s:s, s:s}", "t", PQgetvalue(r, pg.limit - 1, nf - 2), "id",
		                        PQgetvalue(r, pg.limit - 1, nf - 1));
		next = lc_cursor_encode(cur);
		json_decref(cur);
	}
	size_t len;
	char *body =
	    item ? lc_db_items_write(r, n < pg.limit ? n : pg.limit, item_keys, (void *)item, next, &len)
	         : lc_db_items_text(r, n < pg.limit ? n : pg.limit, 0, next, &len);
	free(next);
	PQclear(r);
	if (!body)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	if (cache_tag)
		rc = lc_cache_store_reply(rq, kp, body, len, "application/json", PUBLIC_LIST_CC);
	else
		rc = lc_reply_bytes(rq, 200, "application/json", body, len);
	free(body);
	return rc;
}

int content_keyset_list(struct lc_request *rq, const char *stmt, const char **params, int nfixed,
                        const char *cache_tag, const char *const *names)
{
	return keyset_list(rq, stmt, params, nfixed, cache_tag, names, NULL);
}

int content_keyset_items(struct lc_request *rq, const char *stmt, const struct content_item *item)
{
	return keyset_list(rq, stmt, NULL, 0, NULL, NULL, item);
}

struct delete_ctx {
	struct lc_request *rq;
	const char *id, *stmt, *kind;
	struct lc_outcome out;
};

static enum lc_tx_result delete_tx(struct lc_db *db, void *arg)
{
	struct delete_ctx *c = arg;
	lc_outcome_reset(&c->out);
	const char *p[] = {c->id};
	int n = lc_db_run(db, c->stmt, 1, p);
	if (n < 0)
		return LC_TX_ERROR;
	if (n == 0)
		return lc_outcome_fail(&c->out, 404, "not_found", "No such object.");
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
	return content_reply(rq, lc_db_tx(lc_rq_db(rq), delete_tx, &c), &c.out);
}
