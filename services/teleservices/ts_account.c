/* ts_account.c — what teleservices asks of civitas-account over its internal API: users, the
 * caller's household, vault documents (checked to be the household's, then recorded on a
 * request), and the 503 to answer when account cannot be reached. */
#include <stdio.h>
#include <string.h>

#include "civitas/client.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/reply.h"

#include "ts.h"

long ts_account_get(struct lc_request *rq, const char *path, json_t **out)
{
	*out = NULL;
	struct lc_http_resp resp;
	lc_internal_call("account", "GET", path, NULL, rq ? lc_rq_id(rq) : NULL, &resp);
	long st = resp.status;
	if (st == 200 && resp.json)
		*out = json_incref(resp.json);
	else if (st == 200)
		st = 0; /* not the JSON the contract promises */
	if (st == 0 || st >= 500)
		lc_warn("account %s: %ld %s", path, resp.status, resp.error);
	lc_http_resp_free(&resp);
	return st;
}

int ts_account_unavailable(struct lc_request *rq)
{
	lc_rq_add_header(rq, "Retry-After", "5");
	return lc_reply_problem(rq, 503, "unavailable", "The account service is not reachable right now.");
}

/* The caller's household from account (*hh NULL when none). false: account unreachable. */
bool ts_caller_household(struct lc_request *rq, json_t **hh)
{
	*hh = NULL;
	char path[128];
	snprintf(path, sizeof(path), "/internal/v1/users/%s", ts_caller(rq));
	json_t *user = NULL;
	long st = ts_account_get(rq, path, &user);
	if (st == 404)
		return true;
	if (st != 200)
		return false;
	const char *hid = json_string_value(json_object_get(user, "household_id"));
	bool ok = true;
	if (hid && lc_json_is_uuid(hid)) {
		snprintf(path, sizeof(path), "/internal/v1/households/%s", hid);
		st = ts_account_get(rq, path, hh);
		ok = st == 200 || st == 404;
	}
	json_decref(user);
	return ok;
}

/* Metadata of vault documents (new ref array), each checked to be the household's.
 * false: account unreachable. */
bool ts_resolve_vault(struct lc_request *rq, const json_t *hh, const json_t *document_ids, const char *prefix,
                      json_t *errors, json_t **metas)
{
	*metas = json_array();
	const char *hid = json_string_value(json_object_get(hh, "id"));
	size_t i;
	const json_t *v;
	json_array_foreach(document_ids, i, v)
	{
		char f[64], path[128];
		snprintf(f, sizeof(f), "%s[%zu]", prefix, i);
		const char *id = json_string_value(v);
		json_t *meta = NULL;
		long st = 404;
		if (id && lc_json_is_uuid(id) && hid) {
			snprintf(path, sizeof(path), "/internal/v1/documents/%s", id);
			st = ts_account_get(rq, path, &meta);
		}
		if (st != 200 && st != 404)
			return false;
		const char *dh = json_string_value(json_object_get(meta, "household_id"));
		if (st == 404 || !dh || !hid || strcmp(dh, hid) != 0) {
			ts_add_error(errors, f, "not_found", "no such document in your vault");
		} else if (!ts_mime_allowed(json_string_value(json_object_get(meta, "mime")))) {
			ts_add_error(errors, f, "unsupported_media_type", "only PDF, JPEG and PNG documents");
		} else {
			json_array_append(*metas, meta);
		}
		json_decref(meta);
	}
	return true;
}

int ts_vault_doc_insert(struct lc_db *db, const char *req_id, const json_t *m)
{
	char size[32];
	snprintf(size, sizeof(size), "%lld", (long long)json_integer_value(json_object_get(m, "size")));
	const char *mid = json_string_value(json_object_get(m, "member_id"));
	const char *p[] = {req_id,
	                   json_string_value(json_object_get(m, "kind")),
	                   mid ? mid : "",
	                   json_string_value(json_object_get(m, "id")),
	                   json_string_value(json_object_get(m, "filename")),
	                   json_string_value(json_object_get(m, "mime")),
	                   size,
	                   json_string_value(json_object_get(m, "sha256")),
	                   json_string_value(json_object_get(m, "uploaded_at"))};
	PGresult *r = lc_db_exec(db, "doc_insert_vault", 9, p);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

enum ts_vault_read ts_vault_content(struct lc_request *rq, const char *vault_id, const char *sha256,
                                    char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	char path[128];
	snprintf(path, sizeof(path), "/internal/v1/documents/%s/content", vault_id);
	struct lc_http_resp resp;
	lc_internal_call("account", "GET", path, NULL, lc_rq_id(rq), &resp);
	enum ts_vault_read res = TS_VAULT_OK;
	char hex[65] = "";
	if (resp.status == 0 || resp.status >= 500)
		res = TS_VAULT_UNREACHABLE;
	else if (resp.status != 200 || !resp.body || resp.len == 0 || resp.len > TS_MAX_DOC)
		res = TS_VAULT_UNREADABLE;
	else {
		lc_sha256_hex(resp.body, resp.len, hex);
		if (!sha256 || strcmp(hex, sha256) != 0)
			res = TS_VAULT_CHANGED;
	}
	if (res == TS_VAULT_OK) {
		*data = resp.body;
		*len = resp.len;
		resp.body = NULL;
	}
	lc_http_resp_free(&resp);
	return res;
}
