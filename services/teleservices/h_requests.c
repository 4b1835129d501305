/* h_requests.c — a citizen's requests: drafts (answers, who it is for, documents from the vault
 * or uploaded), submission (every missing field and document listed at once; vault documents
 * copied into the request), bundles submitted all or nothing, cancel, messages, downloads. */
#include "h_requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/client.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "ts.h"

static const char *sub_of(struct lc_request *rq)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	return c ? c->sub : "";
}

static void today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void add_err(json_t *errors, const char *field, const char *code, const char *message)
{
	json_array_append_new(errors,
	                      json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message));
}

/* The caller's household from account (*hh NULL when none). false: account unreachable. */
static bool caller_household(struct lc_request *rq, json_t **hh)
{
	*hh = NULL;
	char path[128];
	snprintf(path, sizeof(path), "/internal/v1/users/%s", sub_of(rq));
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

static const json_t *find_member(const json_t *hh, const char *id)
{
	size_t i;
	const json_t *m;
	json_array_foreach(json_object_get(hh, "members"), i, m)
	{
		const char *mid = json_string_value(json_object_get(m, "id"));
		if (mid && strcmp(mid, id) == 0)
			return m;
	}
	return NULL;
}

/* Who the request is for: checks member_ids against the audience and filter, builds the
 * beneficiaries snapshot (new ref) and the final member ids (new ref). */
static void resolve_members(const json_t *proc, const json_t *hh, const json_t *member_ids, json_t *errors,
                            json_t **benef, json_t **ids)
{
	*benef = json_array();
	*ids = json_array();
	const char *aud = json_string_value(json_object_get(proc, "audience"));
	const json_t *filter = json_object_get(proc, "member_filter");
	char day[11];
	today(day);
	if (aud && strcmp(aud, "self") == 0) {
		if (json_array_size(member_ids) > 0)
			add_err(errors, "member_ids", "not_allowed",
			        "this procedure is for the applicant only");
		return;
	}
	const json_t *list = member_ids;
	if (aud && strcmp(aud, "household") == 0) {
		json_t *all = json_array();
		size_t i;
		const json_t *m;
		json_array_foreach(json_object_get(hh, "members"), i, m)
		    json_array_append(all, json_object_get(m, "id"));
		list = all;
		json_array_foreach(list, i, m)
		{
			const json_t *mem = find_member(hh, json_string_value(m));
			json_array_append(*ids, (json_t *)m);
			json_array_append_new(*benef,
			                      json_pack("{s:O, s:O?, s:O?, s:O?, s:O?, s:O?}", "member_id", m,
			                                "given_name", json_object_get(mem, "given_name"),
			                                "family_name", json_object_get(mem, "family_name"),
			                                "birth_date", json_object_get(mem, "birth_date"),
			                                "relation", json_object_get(mem, "relation"),
			                                "user_id", json_object_get(mem, "user_id")));
		}
		json_decref(all);
		return;
	}
	size_t i;
	const json_t *v;
	json_array_foreach(list, i, v)
	{
		char f[48];
		snprintf(f, sizeof(f), "member_ids[%zu]", i);
		const char *id = json_string_value(v);
		const json_t *mem = id ? find_member(hh, id) : NULL;
		if (!mem) {
			add_err(errors, f, "not_found", "not a member of your household");
			continue;
		}
		if (!ts_member_fits(filter, mem, day)) {
			add_err(errors, f, "not_allowed",
			        "this member does not fit the procedure (age or relation)");
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_array_get(list, j), v))
				dup = true;
		if (dup) {
			add_err(errors, f, "not_allowed", "the same member twice");
			continue;
		}
		json_array_append(*ids, (json_t *)v);
		json_array_append_new(*benef, json_pack("{s:O, s:O?, s:O?, s:O?, s:O?, s:O?}", "member_id", v,
		                                        "given_name", json_object_get(mem, "given_name"),
		                                        "family_name", json_object_get(mem, "family_name"),
		                                        "birth_date", json_object_get(mem, "birth_date"),
		                                        "relation", json_object_get(mem, "relation"),
		                                        "user_id", json_object_get(mem, "user_id")));
	}
}

static bool mime_allowed(const char *m)
{
	return m && (strcmp(m, "application/pdf") == 0 || strcmp(m, "image/jpeg") == 0 ||
	             strcmp(m, "image/png") == 0);
}

/* Metadata of vault documents (new ref array), each checked to be the household's.
 * false: account unreachable. */
static bool resolve_vault(struct lc_request *rq, const json_t *hh, const json_t *document_ids,
                          const char *prefix, json_t *errors, json_t **metas)
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
			add_err(errors, f, "not_found", "no such document in your vault");
		} else if (!mime_allowed(json_string_value(json_object_get(meta, "mime")))) {
			add_err(errors, f, "unsupported_media_type", "only PDF, JPEG and PNG documents");
		} else {
			json_array_append(*metas, meta);
		}
		json_decref(meta);
	}
	return true;
}

static int insert_vault_doc(struct lc_db *db, const char *req_id, const json_t *m)
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

static char *json_str(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* "{a,b}" for a JSON array of uuids (already validated). Caller frees. */
static char *uuid_array(const json_t *ids)
{
	size_t n = json_array_size(ids);
	char *s = malloc(n * 38 + 3);
	if (!s)
		return NULL;
	size_t k = 0;
	s[k++] = '{';
	size_t i;
	const json_t *v;
	json_array_foreach(ids, i, v)
	{
		if (i)
			s[k++] = ',';
		const char *u = json_string_value(v);
		size_t l = u ? strlen(u) : 0;
		if (l > 36)
			l = 36;
		if (u)
			memcpy(s + k, u, l);
		k += l;
	}
	s[k++] = '}';
	s[k] = '\0';
	return s;
}

struct draft {
	struct lc_request *rq;
	const char *id; /* PATCH */
	const char *proc_id, *service, *household_id;
	json_t *ids, *benef, *answers, *vault; /* borrowed */
	bool set_docs;
	int expect_version;
	char new_id[37];
	int http;
	const char *code, *detail;
};

static enum lc_tx_result draft_tx(struct lc_db *db, void *arg)
{
	struct draft *d = arg;
	char *ids = uuid_array(d->ids), *benef = json_str(d->benef), *answers = json_str(d->answers);
	enum lc_tx_result res = LC_TX_ERROR;
	if (!ids || !benef || !answers)
		goto out;
	if (!d->id) {
		const char *p[] = {sub_of(d->rq), d->household_id, d->proc_id, d->service,
		                   ids,           benef,           answers};
		PGresult *r = lc_db_exec(db, "req_insert", 7, p);
		if (!r)
			goto out;
		snprintf(d->new_id, sizeof(d->new_id), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
	} else {
		struct ts_req_row row;
		int found = ts_req_lock(db, d->id, &row);
		if (found < 0)
			goto out;
		bool mine = found && strcmp(row.user_id, sub_of(d->rq)) == 0;
		int status_draft = found && strcmp(row.status, "draft") == 0;
		int version = row.lock_version;
		ts_req_row_free(&row);
		if (!mine) {
			d->http = 404, d->code = "not_found", d->detail = "No such request.";
			res = LC_TX_ROLLBACK;
			goto out;
		}
		if (!status_draft) {
			d->http = 409, d->code = "conflict", d->detail = "Only a draft can be edited.";
			res = LC_TX_ROLLBACK;
			goto out;
		}
		if (d->expect_version != version) {
			d->http = 412, d->code = "precondition_failed",
			d->detail = "The request changed since you read it.";
			res = LC_TX_ROLLBACK;
			goto out;
		}
		snprintf(d->new_id, sizeof(d->new_id), "%s", d->id);
		const char *p[] = {d->id, d->household_id, ids, benef, answers};
		PGresult *r = lc_db_exec(db, "req_update_draft", 5, p);
		if (!r)
			goto out;
		PQclear(r);
		if (d->set_docs) {
			json_t *vids = json_array();
			size_t i;
			json_t *m;
			json_array_foreach(d->vault, i, m) json_array_append(vids, json_object_get(m, "id"));
			char *arr = uuid_array(vids);
			json_decref(vids);
			const char *pd[] = {d->id, arr ? arr : "{}"};
			r = arr ? lc_db_exec(db, "doc_delete_vault_not_in", 2, pd) : NULL;
			free(arr);
			if (!r)
				goto out;
			PQclear(r);
		}
	}
	if (d->set_docs) {
		size_t i;
		json_t *m;
		json_array_foreach(d->vault, i, m) if (insert_vault_doc(db, d->new_id, m) < 0) goto out;
	}
	res = LC_TX_COMMIT;
out:
	free(ids);
	free(benef);
	free(answers);
	return res;
}

static int reply_request(struct lc_request *rq, const char *id, unsigned status, bool for_agent)
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

static int unavailable(struct lc_request *rq)
{
	lc_rq_add_header(rq, "Retry-After", "5");
	return lc_reply_problem(rq, 503, "unavailable", "The account service is not reachable right now.");
}

/* Shared by create and PATCH: everything that needs account happens before the transaction. */
static int save_draft(struct lc_request *rq, struct draft *d, json_t *proc, json_t *member_ids,
                      json_t *document_ids)
{
	json_t *errors = json_array(), *hh = NULL, *benef = NULL, *ids = NULL, *vault = NULL;
	const char *aud = json_string_value(json_object_get(proc, "audience"));
	bool need_hh = (aud && strcmp(aud, "self") != 0) || json_array_size(document_ids) > 0;
	if (need_hh && !caller_household(rq, &hh)) {
		json_decref(errors);
		return unavailable(rq);
	}
	if (aud && strcmp(aud, "self") != 0 && !hh && json_array_size(member_ids) > 0)
		add_err(errors, "member_ids", "not_found", "you have no household with members yet");
	resolve_members(proc, hh, member_ids, errors, &benef, &ids);
	ts_check_answers(json_object_get(proc, "fields"), d->answers, ids, false, errors);
	if (d->set_docs && !resolve_vault(rq, hh, document_ids, "document_ids", errors, &vault)) {
		json_decref(errors), json_decref(hh), json_decref(benef), json_decref(ids);
		return unavailable(rq);
	}
	int rc;
	if (json_array_size(errors)) {
		rc = lc_reply_problem_errors(rq, 422, "validation_failed", "The request is not valid.",
		                             errors);
		errors = NULL;
		goto out;
	}
	d->rq = rq;
	d->benef = benef;
	d->ids = ids;
	d->vault = vault;
	d->household_id = json_string_value(json_object_get(hh, "id"));
	enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), draft_tx, d);
	if (t == LC_TX_ROLLBACK)
		rc = lc_reply_problem(rq, (unsigned)d->http, d->code, d->detail);
	else if (t != LC_TX_COMMIT)
		rc = lc_db_fail_reply(rq);
	else
		rc = reply_request(rq, d->new_id, d->id ? 200 : 201, false);
out:
	json_decref(errors), json_decref(hh), json_decref(benef), json_decref(ids), json_decref(vault);
	return rc;
}

static json_t *procedure_for(struct lc_request *rq, const char *slug_or_id, bool by_id)
{
	const char *p[] = {slug_or_id};
	PGresult *r = lc_db_exec(lc_rq_db(rq), by_id ? "proc_get_id" : "proc_get_published", 1, p);
	json_t *j = ts_row_json(r, 0, 0);
	PQclear(r);
	return j;
}

int h_request_create(struct lc_request *rq)
{
	const char *procedure = NULL;
	json_t *member_ids = NULL, *answers = NULL, *document_ids = NULL;
	const struct lc_field spec[] = {
	    {.name = "procedure",
	     .type = LC_J_STRING,
	     .required = true,
	     .has_max = true,
	     .max = 80,
	     .out = &procedure},
	    {.name = "member_ids", .type = LC_J_ARRAY, .has_max = true, .max = 12, .out = &member_ids},
	    {.name = "answers", .type = LC_J_OBJECT, .out = &answers},
	    {.name = "document_ids", .type = LC_J_ARRAY, .has_max = true, .max = 40, .out = &document_ids},
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	json_t *proc = procedure_for(rq, procedure, false);
	if (!proc && lc_db_failed(lc_rq_db(rq))) /* PostgreSQL down is not an unknown procedure */
		return lc_db_fail_reply(rq);
	if (!proc)
		return lc_reply_problem_errors(rq, 422, "validation_failed", "Unknown procedure.",
		                               json_pack("[{s:s, s:s, s:s}]", "field", "procedure", "code",
		                                         "not_found", "message",
		                                         "no published procedure with this slug"));
	json_t *empty_a = json_array(), *empty_o = json_object();
	struct draft d = {.proc_id = json_string_value(json_object_get(proc, "id")),
	                  .service = json_string_value(json_object_get(proc, "service")),
	                  .answers = answers ? answers : empty_o,
	                  .set_docs = true};
	int rc = save_draft(rq, &d, proc, member_ids ? member_ids : empty_a,
	                    document_ids ? document_ids : empty_a);
	json_decref(proc), json_decref(empty_a), json_decref(empty_o);
	return rc;
}

int h_request_patch(struct lc_request *rq)
{
	json_t *member_ids = NULL, *answers = NULL, *document_ids = NULL;
	const struct lc_field spec[] = {
	    {.name = "member_ids", .type = LC_J_ARRAY, .has_max = true, .max = 12, .out = &member_ids},
	    {.name = "answers", .type = LC_J_OBJECT, .out = &answers},
	    {.name = "document_ids", .type = LC_J_ARRAY, .has_max = true, .max = 40, .out = &document_ids},
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return ts_not_found(rq);
	json_t *cur = ts_request_json(lc_rq_db(rq), id, false);
	if (!cur && lc_db_failed(lc_rq_db(rq)))
		return lc_db_fail_reply(rq);
	if (!cur || strcmp(json_string_value(json_object_get(cur, "user_id")), sub_of(rq)) != 0) {
		json_decref(cur);
		return ts_not_found(rq);
	}
	const char *im = lc_rq_header(rq, "If-Match");
	const char *etag = json_string_value(json_object_get(cur, "etag"));
	if (!im) {
		json_decref(cur);
		return lc_reply_problem(rq, 428, "precondition_required",
		                        "Send If-Match with the ETag you read.");
	}
	int expect = 0;
	if (strcmp(im, "*") == 0 || (etag && strstr(im, etag)))
		expect = atoi(etag + 2);
	else
		expect = -1;
	json_t *proc = json_incref(json_object_get(cur, "procedure"));
	json_t *keep_docs = json_array();
	size_t i;
	json_t *doc;
	json_array_foreach(json_object_get(cur, "documents"), i,
	                   doc) if (json_is_string(json_object_get(doc, "vault_document_id")))
	    json_array_append(keep_docs, json_object_get(doc, "vault_document_id"));
	struct draft d = {.id = id,
	                  .proc_id = json_string_value(json_object_get(proc, "id")),
	                  .service = json_string_value(json_object_get(proc, "service")),
	                  .answers = answers ? answers : json_object_get(cur, "answers"),
	                  .set_docs = document_ids != NULL,
	                  .expect_version = expect};
	int rc = save_draft(rq, &d, proc, member_ids ? member_ids : json_object_get(cur, "member_ids"),
	                    document_ids ? document_ids : keep_docs);
	json_decref(keep_docs), json_decref(proc), json_decref(cur);
	return rc;
}

/* The request when the caller may see it (owner, or an agent of its service), else NULL. */
static json_t *visible_request(struct lc_request *rq, const char *id, bool *as_agent)
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
	if (owner && strcmp(owner, sub_of(rq)) == 0) {
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

int h_request_get(struct lc_request *rq)
{
	bool agent;
	json_t *j = visible_request(rq, lc_rq_param(rq, "id"), &agent);
	if (!j)
		return lc_db_failed(lc_rq_db(rq)) ? lc_db_fail_reply(rq) : ts_not_found(rq);
	if (agent) {
		char path[128];
		json_t *user = NULL;
		snprintf(path, sizeof(path), "/internal/v1/users/%s",
		         json_string_value(json_object_get(j, "user_id")));
		if (ts_account_get(rq, path, &user) == 200)
			json_object_set_new(j, "citizen",
			                    json_pack("{s:O?, s:O?, s:O?, s:O?}", "given_name",
			                              json_object_get(user, "given_name"), "family_name",
			                              json_object_get(user, "family_name"), "email",
			                              json_object_get(user, "email"), "phone",
			                              json_object_get(user, "phone")));
		json_decref(user);
		/* Who has taken the request, by name: « Prendre en charge » must say who holds it. */
		const char *assignee = json_string_value(json_object_get(j, "assignee_id"));
		user = NULL;
		snprintf(path, sizeof(path), "/internal/v1/users/%s", assignee ? assignee : "");
		if (assignee && ts_account_get(rq, path, &user) == 200)
			json_object_set_new(j, "assignee",
			                    json_pack("{s:O?, s:O?}", "given_name",
			                              json_object_get(user, "given_name"), "family_name",
			                              json_object_get(user, "family_name")));
		json_decref(user);
	}
	const char *etag = json_string_value(json_object_get(j, "etag"));
	if (etag)
		lc_rq_add_header(rq, "ETag", etag);
	return lc_reply_json(rq, 200, j);
}

int h_me_requests(struct lc_request *rq)
{
	struct lc_page page;
	if (!lc_page_or_reply(rq, &page))
		return LC_REPLIED;
	const char *at = json_string_value(json_object_get(page.cursor, "at"));
	const char *cid = json_string_value(json_object_get(page.cursor, "id"));
	if (page.cursor && (!at || !cid || !lc_json_is_timestamp(at) || !lc_json_is_uuid(cid)))
		return lc_reply_problem_errors(rq, 422, "validation_failed", "Bad cursor.",
		                               json_pack("[{s:s, s:s, s:s}]", "field", "cursor", "code",
		                                         "invalid_format", "message",
		                                         "not a cursor of this list"));
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", page.limit + 1);
	const char *p[] = {sub_of(rq), at ? at : "", cid ? cid : "", lim};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "req_list_user", 4, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = json_array(), *next = NULL;
	int n = PQntuples(r);
	for (int i = 0; i < n && i < page.limit; i++) {
		json_t *j = ts_row_json(r, i, 0);
		if (!j)
			continue;
		json_object_set_new(
		    j, "next_step",
		    json_string(ts_next_step(json_string_value(json_object_get(j, "status")))));
		json_array_append_new(items, j);
	}
	if (n > page.limit) {
		json_t *c = json_pack("{s:s, s:s}", "at", PQgetvalue(r, page.limit - 1, 1), "id",
		                      PQgetvalue(r, page.limit - 1, 2));
		char *enc = lc_cursor_encode(c);
		json_decref(c);
		next = enc ? json_string(enc) : NULL;
		free(enc);
	}
	PQclear(r);
	return lc_reply_json(rq, 200, lc_page_body(items, next));
}

/* ---------- submission ---------- */

struct copy {
	char doc_id[37];
	char *data; /* malloc'd */
	size_t len;
};

struct prep {
	char id[37], status[16];
	int lock_version;
	struct copy *copies;
	size_t ncopies;
};

static void prep_free(struct prep *p)
{
	for (size_t i = 0; i < p->ncopies; i++)
		free(p->copies[i].data);
	free(p->copies);
	p->copies = NULL;
	p->ncopies = 0;
}

enum prep_result {
	PREP_OK,
	PREP_NOT_FOUND,
	PREP_CONFLICT,
	PREP_INVALID,
	PREP_REPLAY,
	PREP_UNAVAILABLE,
	PREP_DB
};

/* Checks one request is complete and fetches the vault bytes to copy. Errors get `prefix`. */
static enum prep_result prepare_submit(struct lc_request *rq, const char *id, const char *key,
                                       const char *prefix, json_t *errors, struct prep *out)
{
	memset(out, 0, sizeof(*out));
	struct lc_db *db = lc_rq_db(rq);
	if (!lc_json_is_uuid(id))
		return PREP_NOT_FOUND;
	struct ts_req_row row;
	int found = ts_req_lock(db, id, &row);
	if (found < 0)
		return PREP_DB;
	if (!found || strcmp(row.user_id, sub_of(rq)) != 0) {
		if (found)
			ts_req_row_free(&row);
		return PREP_NOT_FOUND;
	}
	snprintf(out->id, sizeof(out->id), "%s", id);
	snprintf(out->status, sizeof(out->status), "%s", row.status);
	out->lock_version = row.lock_version;
	bool replay = key && row.submit_key[0] && strcmp(key, row.submit_key) == 0;
	bool open = strcmp(row.status, "draft") == 0 || strcmp(row.status, "incomplete") == 0;
	ts_req_row_free(&row);
	if (replay && strcmp(out->status, "draft") != 0)
		return PREP_REPLAY;
	if (!open)
		return PREP_CONFLICT;
	json_t *j = ts_request_json(db, id, false);
	if (!j)
		return PREP_DB;
	json_t *proc = json_object_get(j, "procedure");
	json_t *local = json_array();
	const char *aud = json_string_value(json_object_get(proc, "audience"));
	if (aud && strcmp(aud, "member") == 0 && json_array_size(json_object_get(j, "member_ids")) == 0)
		add_err(local, "member_ids", "required", "choose who the request is for");
	ts_check_answers(json_object_get(proc, "fields"), json_object_get(j, "answers"),
	                 json_object_get(j, "member_ids"), true, local);
	const char *p[] = {id};
	PGresult *r = lc_db_exec(db, "doc_list", 1, p);
	if (!r) {
		json_decref(local), json_decref(j);
		return PREP_DB;
	}
	json_t *attached = json_array();
	int n = PQntuples(r);
	for (int i = 0; i < n; i++)
		json_array_append_new(
		    attached,
		    json_pack("{s:s, s:s?, s:f}", "kind", PQgetvalue(r, i, 1), "member_id",
		              PQgetisnull(r, i, 2) || !*PQgetvalue(r, i, 2) ? NULL : PQgetvalue(r, i, 2),
		              "age_days", atof(PQgetvalue(r, i, 8))));
	ts_check_documents(json_object_get(proc, "required_documents"), json_object_get(j, "beneficiaries"),
	                   sub_of(rq), attached, local);
	json_decref(attached);
	enum prep_result res = PREP_OK;
	out->copies = calloc((size_t)n + 1, sizeof(struct copy));
	for (int i = 0; out->copies && i < n && json_array_size(local) == 0; i++) {
		if (strcmp(PQgetvalue(r, i, 6), "t") != 0 || strcmp(PQgetvalue(r, i, 3), "vault") != 0)
			continue;
		char path[128];
		snprintf(path, sizeof(path), "/internal/v1/documents/%s/content", PQgetvalue(r, i, 4));
		struct lc_http_resp resp;
		lc_internal_call("account", "GET", path, NULL, lc_rq_id(rq), &resp);
		char f[96];
		snprintf(f, sizeof(f), "documents.%s", PQgetvalue(r, i, 1));
		if (resp.status == 0 || resp.status >= 500) {
			res = PREP_UNAVAILABLE;
		} else if (resp.status != 200 || !resp.body || resp.len == 0 || resp.len > TS_MAX_DOC) {
			add_err(local, f, "document_unavailable",
			        "this vault document can no longer be read");
		} else {
			char hex[65];
			lc_sha256_hex(resp.body, resp.len, hex);
			if (strcmp(hex, PQgetvalue(r, i, 7)) != 0) {
				add_err(local, f, "document_changed",
				        "this vault document changed; attach it again");
			} else {
				struct copy *c = &out->copies[out->ncopies++];
				snprintf(c->doc_id, sizeof(c->doc_id), "%s", PQgetvalue(r, i, 0));
				c->data = resp.body;
				c->len = resp.len;
				resp.body = NULL;
			}
		}
		lc_http_resp_free(&resp);
		if (res != PREP_OK)
			break;
	}
	PQclear(r);
	json_decref(j);
	if (!out->copies && res == PREP_OK)
		res = PREP_DB;
	size_t i;
	json_t *e;
	json_array_foreach(local, i, e)
	{
		if (prefix) {
			char name[200];
			snprintf(name, sizeof(name), "%s.%s", prefix,
			         json_string_value(json_object_get(e, "field")));
			json_object_set_new(e, "field", json_string(name));
		}
		json_array_append(errors, e);
	}
	if (res == PREP_OK && json_array_size(local) > 0)
		res = PREP_INVALID;
	json_decref(local);
	return res;
}

static char *bytea_hex(const char *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(len * 2 + 3);
	if (!s)
		return NULL;
	s[0] = '\\', s[1] = 'x';
	for (size_t i = 0; i < len; i++) {
		s[2 + 2 * i] = digits[(unsigned char)data[i] >> 4];
		s[3 + 2 * i] = digits[(unsigned char)data[i] & 15];
	}
	s[2 + 2 * len] = '\0';
	return s;
}

/* Inside the transaction: the request is still as checked, copies go in, steps are taken. */
static int apply_submit(struct lc_db *db, struct lc_request *rq, struct prep *p, const char *key,
                        const char *bundle_id)
{
	struct ts_req_row row;
	int found = ts_req_lock(db, p->id, &row);
	if (found <= 0)
		return found < 0 ? -1 : 1;
	if (strcmp(row.status, p->status) != 0 || row.lock_version != p->lock_version) {
		ts_req_row_free(&row);
		return 1; /* changed meanwhile */
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < p->ncopies; i++) {
		char *hex = bytea_hex(p->copies[i].data, p->copies[i].len);
		const char *pp[] = {p->copies[i].doc_id, hex};
		PGresult *r = hex ? lc_db_exec(db, "doc_set_content", 2, pp) : NULL;
		free(hex);
		if (!r)
			rc = -1;
		PQclear(r);
	}
	if (rc == 0 && strcmp(row.status, "draft") == 0) {
		if (key)
			snprintf(row.submit_key, sizeof(row.submit_key), "%s", key);
		if (bundle_id)
			snprintf(row.bundle_id, sizeof(row.bundle_id), "%s", bundle_id);
		rc = ts_transition(db, &row, "submitted", "citizen", sub_of(rq), NULL);
		if (rc == 0)
			rc = ts_transition(db, &row, "received", "system", NULL, NULL);
	} else if (rc == 0) {
		rc = ts_transition(db, &row, "received", "citizen", sub_of(rq), "Pièces complétées");
	}
	ts_req_row_free(&row);
	return rc;
}

struct submit_ctx {
	struct lc_request *rq;
	struct prep *preps;
	size_t n;
	const char *key;
	json_t *ids; /* bundle: request ids */
	char bundle_id[37];
	bool changed, replay;
};

static enum lc_tx_result submit_tx(struct lc_db *db, void *arg)
{
	struct submit_ctx *s = arg;
	s->changed = s->replay = false;
	const char *bid = NULL;
	if (s->ids) {
		char *arr = uuid_array(s->ids);
		const char *p[] = {sub_of(s->rq), s->key ? s->key : "", arr ? arr : "{}"};
		PGresult *r = arr ? lc_db_exec(db, "bundle_insert", 3, p) : NULL;
		free(arr);
		if (!r) {
			if (strcmp(lc_db_sqlstate(db), "23505") == 0) {
				s->replay = true;
				return LC_TX_ROLLBACK;
			}
			return LC_TX_ERROR;
		}
		snprintf(s->bundle_id, sizeof(s->bundle_id), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		bid = s->bundle_id;
	}
	for (size_t i = 0; i < s->n; i++) {
		int rc = apply_submit(db, s->rq, &s->preps[i], s->ids ? NULL : s->key, bid);
		if (rc < 0)
			return LC_TX_ERROR;
		if (rc > 0) {
			s->changed = true;
			return LC_TX_ROLLBACK;
		}
	}
	return LC_TX_COMMIT;
}

static const char *idem_key(struct lc_request *rq, bool *bad)
{
	const char *k = lc_rq_header(rq, "Idempotency-Key");
	*bad = k && (strlen(k) < 1 || strlen(k) > 128);
	return k;
}

int h_request_submit(struct lc_request *rq)
{
	bool bad;
	const char *key = idem_key(rq, &bad);
	if (bad)
		return lc_reply_problem(rq, 422, "validation_failed",
		                        "Idempotency-Key is 1 to 128 characters.");
	const char *id = lc_rq_param(rq, "id");
	json_t *errors = json_array();
	struct prep p;
	enum prep_result pr = prepare_submit(rq, id, key, NULL, errors, &p);
	int rc;
	switch (pr) {
	case PREP_OK: {
		struct submit_ctx s = {.rq = rq, .preps = &p, .n = 1, .key = key};
		enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), submit_tx, &s);
		if (t == LC_TX_ROLLBACK)
			rc = lc_reply_problem(rq, 409, "conflict",
			                      "The request changed while it was being submitted.");
		else if (t != LC_TX_COMMIT)
			rc = lc_db_fail_reply(rq);
		else
			rc = reply_request(rq, id, 200, false);
		break;
	}
	case PREP_REPLAY:
		rc = reply_request(rq, id, 200, false);
		break;
	case PREP_NOT_FOUND:
		rc = ts_not_found(rq);
		break;
	case PREP_CONFLICT:
		rc = lc_reply_problem(rq, 409, "conflict",
		                      "This request cannot be submitted in its current status.");
		break;
	case PREP_INVALID:
		rc = lc_reply_problem_errors(rq, 422, "validation_failed",
		                             "Some information or documents are missing.", errors);
		errors = NULL;
		break;
	case PREP_UNAVAILABLE:
		rc = unavailable(rq);
		break;
	default:
		rc = lc_db_fail_reply(rq);
	}
	prep_free(&p);
	json_decref(errors);
	return rc;
}

static int reply_bundle(struct lc_request *rq, const char *bundle_id, const json_t *ids, unsigned status)
{
	json_t *items = json_array();
	size_t i;
	const json_t *v;
	json_array_foreach(ids, i, v)
	{
		json_t *j = ts_request_json(lc_rq_db(rq), json_string_value(v), false);
		if (!j && lc_db_failed(lc_rq_db(rq))) { /* a partial bundle would look complete */
			json_decref(items);
			return lc_db_fail_reply(rq);
		}
		if (j)
			json_array_append_new(items, j);
	}
	if (status == 201) {
		char loc[128];
		snprintf(loc, sizeof(loc), "/api/teleservices/v1/bundles/%s", bundle_id);
		lc_rq_add_header(rq, "Location", loc);
	}
	return lc_reply_json(rq, status, json_pack("{s:s, s:o}", "id", bundle_id, "requests", items));
}

int h_bundle_create(struct lc_request *rq)
{
	json_t *ids = NULL;
	const struct lc_field spec[] = {
	    {.name = "requests",
	     .type = LC_J_ARRAY,
	     .required = true,
	     .has_min = true,
	     .min = 1,
	     .has_max = true,
	     .max = 10,
	     .out = &ids},
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	bool bad;
	const char *key = idem_key(rq, &bad);
	if (bad)
		return lc_reply_problem(rq, 422, "validation_failed",
		                        "Idempotency-Key is 1 to 128 characters.");
	struct lc_db *db = lc_rq_db(rq);
	if (key) {
		const char *p[] = {sub_of(rq), key};
		PGresult *r = lc_db_exec(db, "bundle_get", 2, p);
		if (!r)
			return lc_db_fail_reply(rq);
		if (PQntuples(r) == 1) {
			char bid[37];
			snprintf(bid, sizeof(bid), "%s", PQgetvalue(r, 0, 0));
			json_t *stored = ts_row_json(r, 0, 1);
			PQclear(r);
			int rc = reply_bundle(rq, bid, stored, 200);
			json_decref(stored);
			return rc;
		}
		PQclear(r);
	}
	size_t n = json_array_size(ids);
	json_t *errors = json_array();
	struct prep *preps = calloc(n, sizeof(*preps));
	if (!preps) {
		json_decref(errors);
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	}
	int rc = LC_REPLIED;
	bool done = false;
	for (size_t i = 0; i < n && !done; i++) {
		char prefix[32];
		snprintf(prefix, sizeof(prefix), "requests[%zu]", i);
		const char *id = json_string_value(json_array_get(ids, i));
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_array_get(ids, j), json_array_get(ids, i)))
				dup = true;
		enum prep_result pr =
		    dup ? PREP_CONFLICT : prepare_submit(rq, id ? id : "", NULL, prefix, errors, &preps[i]);
		switch (pr) {
		case PREP_OK:
		case PREP_INVALID:
			break;
		case PREP_NOT_FOUND:
			add_err(errors, prefix, "not_found", "no such request");
			break;
		case PREP_CONFLICT:
		case PREP_REPLAY:
			add_err(errors, prefix, "conflict",
			        "this request cannot be submitted in its current status");
			break;
		case PREP_UNAVAILABLE:
			rc = unavailable(rq), done = true;
			break;
		default:
			rc = lc_db_fail_reply(rq), done = true;
		}
	}
	if (!done && json_array_size(errors) > 0) {
		rc = lc_reply_problem_errors(rq, 422, "validation_failed",
		                             "Nothing was submitted: fix every request first.", errors);
		errors = NULL;
	} else if (!done) {
		struct submit_ctx s = {.rq = rq, .preps = preps, .n = n, .key = key, .ids = ids};
		enum lc_tx_result t = lc_db_tx(db, submit_tx, &s);
		if (t == LC_TX_ROLLBACK && s.replay)
			rc = lc_reply_problem(rq, 409, "conflict",
			                      "This Idempotency-Key is being used right now.");
		else if (t == LC_TX_ROLLBACK)
			rc = lc_reply_problem(rq, 409, "conflict",
			                      "A request changed while the bundle was being submitted.");
		else if (t != LC_TX_COMMIT)
			rc = lc_db_fail_reply(rq);
		else
			rc = reply_bundle(rq, s.bundle_id, ids, 201);
	}
	for (size_t i = 0; i < n; i++)
		prep_free(&preps[i]);
	free(preps);
	json_decref(errors);
	return rc;
}

/* ---------- cancel, messages ---------- */

struct simple {
	struct lc_request *rq;
	const char *id, *to, *comment;
	int http;
	const char *code, *detail;
};

static enum lc_tx_result cancel_tx(struct lc_db *db, void *arg)
{
	struct simple *s = arg;
	struct ts_req_row row;
	int found = ts_req_lock(db, s->id, &row);
	if (found < 0)
		return LC_TX_ERROR;
	enum lc_tx_result res = LC_TX_COMMIT;
	if (!found || strcmp(row.user_id, sub_of(s->rq)) != 0) {
		s->http = 404, s->code = "not_found", s->detail = "No such request.";
		res = LC_TX_ROLLBACK;
	} else if (!ts_transition_allowed(row.status, "cancelled", TS_CITIZEN)) {
		s->http = 409, s->code = "conflict", s->detail = "This request can no longer be cancelled.";
		res = LC_TX_ROLLBACK;
	} else if (ts_transition(db, &row, "cancelled", "citizen", sub_of(s->rq), s->comment) < 0) {
		res = LC_TX_ERROR;
	}
	if (found)
		ts_req_row_free(&row);
	return res;
}

int h_request_cancel(struct lc_request *rq)
{
	const char *comment = NULL;
	const struct lc_field spec[] = {
	    {.name = "comment", .type = LC_J_STRING, .has_max = true, .max = 2000, .out = &comment},
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return ts_not_found(rq);
	struct simple s = {.rq = rq, .id = id, .comment = comment};
	enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), cancel_tx, &s);
	if (t == LC_TX_ROLLBACK)
		return lc_reply_problem(rq, (unsigned)s.http, s.code, s.detail);
	if (t != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	return reply_request(rq, id, 200, false);
}

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
	const char *p[] = {m->id, sub_of(m->rq), m->agent ? "agent" : "citizen", m->internal ? "t" : "f",
	                   m->body};
	PGresult *r = lc_db_exec(db, "msg_insert", 5, p);
	enum lc_tx_result res = LC_TX_ERROR;
	if (r) {
		m->out = ts_row_json(r, 0, 0);
		PQclear(r);
		res = LC_TX_COMMIT;
		if (m->agent && !m->internal) {
			json_t *data = json_pack("{s:s, s:s, s:s}", "reference", row.reference, "procedure",
			                         row.title, "message", m->body);
			if (!data || ts_emit_notify(db, row.user_id, "request_message", data, m->id) < 0)
				res = LC_TX_ERROR;
			json_decref(data);
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
	    {.name = "body",
	     .type = LC_J_STRING,
	     .required = true,
	     .has_min = true,
	     .min = 1,
	     .has_max = true,
	     .max = 4000,
	     .out = &body},
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	bool agent;
	const char *id = lc_rq_param(rq, "id");
	json_t *j = visible_request(rq, id, &agent);
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

/* ---------- documents ---------- */

struct docadd {
	struct lc_request *rq;
	const char *id, *kind, *member_id, *filename, *mime, *sha;
	char *hex;     /* upload or vault copy, may be NULL for a draft's vault document */
	json_t *vault; /* vault metadata (borrowed) or NULL */
	size_t size;
	char doc_id[37];
	int http;
	const char *code, *detail;
};

static enum lc_tx_result docadd_tx(struct lc_db *db, void *arg)
{
	struct docadd *d = arg;
	struct ts_req_row row;
	int found = ts_req_lock(db, d->id, &row);
	if (found < 0)
		return LC_TX_ERROR;
	enum lc_tx_result res = LC_TX_ROLLBACK;
	if (!found || strcmp(row.user_id, sub_of(d->rq)) != 0) {
		d->http = 404, d->code = "not_found", d->detail = "No such request.";
		goto out;
	}
	if (strcmp(row.status, "draft") != 0 && strcmp(row.status, "incomplete") != 0) {
		d->http = 409, d->code = "conflict",
		d->detail = "Documents are added to a draft or an incomplete request.";
		goto out;
	}
	PGresult *r;
	if (d->vault) {
		if (insert_vault_doc(db, d->id, d->vault) < 0) {
			res = LC_TX_ERROR;
			goto out;
		}
		const char *p[] = {d->id};
		r = lc_db_exec(db, "doc_list", 1, p);
		if (!r) {
			res = LC_TX_ERROR;
			goto out;
		}
		const char *vid = json_string_value(json_object_get(d->vault, "id"));
		for (int i = 0; i < PQntuples(r); i++)
			if (strcmp(PQgetvalue(r, i, 4), vid) == 0)
				snprintf(d->doc_id, sizeof(d->doc_id), "%s", PQgetvalue(r, i, 0));
		PQclear(r);
		if (d->hex) {
			const char *pc[] = {d->doc_id, d->hex};
			r = lc_db_exec(db, "doc_set_content", 2, pc);
			if (!r) {
				res = LC_TX_ERROR;
				goto out;
			}
			PQclear(r);
		}
	} else {
		char size[32];
		snprintf(size, sizeof(size), "%zu", d->size);
		const char *p[] = {d->id,       d->kind, d->member_id ? d->member_id : "",
		                   d->filename, d->mime, size,
		                   d->sha,      d->hex};
		r = lc_db_exec(db, "doc_insert_upload", 8, p);
		if (!r) {
			res = LC_TX_ERROR;
			goto out;
		}
		snprintf(d->doc_id, sizeof(d->doc_id), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	res = LC_TX_COMMIT;
out:
	if (found)
		ts_req_row_free(&row);
	return res;
}

static bool kind_ok(const char *k)
{
	static const char *const kinds[] = {"identity",       "family_record_book", "proof_of_address",
	                                    "qf_certificate", "health_record",      "other"};
	for (size_t i = 0; k && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(k, kinds[i]) == 0)
			return true;
	return false;
}

static int reply_doc(struct lc_request *rq, const char *req_id, const char *doc_id)
{
	json_t *j = ts_request_json(lc_rq_db(rq), req_id, false);
	if (!j && lc_db_failed(lc_rq_db(rq)))
		return lc_db_fail_reply(rq);
	json_t *found = NULL;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(j, "documents"), i, d)
	{
		const char *id = json_string_value(json_object_get(d, "id"));
		if (id && strcmp(id, doc_id) == 0)
			found = json_incref(d);
	}
	json_decref(j);
	if (!found)
		return lc_db_fail_reply(rq);
	char loc[160];
	snprintf(loc, sizeof(loc), "/api/teleservices/v1/requests/%s/documents/%s", req_id, doc_id);
	lc_rq_add_header(rq, "Location", loc);
	return lc_reply_json(rq, 201, found);
}

static int add_vault_doc(struct lc_request *rq, const char *id, const char *status)
{
	size_t len;
	const char *body = lc_rq_body(rq, &len);
	if (len > 4096)
		return lc_reply_problem(rq, 413, "payload_too_large",
		                        "A vault reference is a small JSON object.");
	json_error_t jerr;
	json_t *obj = body ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	if (!obj)
		return lc_reply_problem(rq, 400, "malformed_json", "The body is not valid JSON.");
	const char *doc_id = NULL;
	const struct lc_field spec[] = {
	    {.name = "document_id", .type = LC_J_UUID, .required = true, .out = &doc_id},
	    {0},
	};
	json_t *errors = lc_json_check(obj, spec);
	if (errors) {
		json_decref(obj);
		return lc_reply_problem_errors(rq, 422, "validation_failed", "The body is {document_id}.",
		                               errors);
	}
	json_t *hh = NULL, *metas = NULL, *ids = json_pack("[s]", doc_id);
	errors = json_array();
	int rc;
	if (!caller_household(rq, &hh) || !resolve_vault(rq, hh, ids, "document_id", errors, &metas)) {
		rc = unavailable(rq);
		goto out;
	}
	if (json_array_size(errors)) {
		json_object_set_new(json_array_get(errors, 0), "field", json_string("document_id"));
		rc = lc_reply_problem_errors(rq, 422, "validation_failed", "No such document in your vault.",
		                             errors);
		errors = NULL;
		goto out;
	}
	struct docadd d = {.rq = rq, .id = id, .vault = json_array_get(metas, 0)};
	if (strcmp(status, "incomplete") == 0) {
		/* Already submitted: the copy is made now. */
		char path[128];
		snprintf(path, sizeof(path), "/internal/v1/documents/%s/content", doc_id);
		struct lc_http_resp resp;
		lc_internal_call("account", "GET", path, NULL, lc_rq_id(rq), &resp);
		char hex[65] = "";
		if (resp.status == 200 && resp.body && resp.len)
			lc_sha256_hex(resp.body, resp.len, hex);
		if (resp.status == 200 &&
		    strcmp(hex, json_string_value(json_object_get(d.vault, "sha256"))
		                    ? json_string_value(json_object_get(d.vault, "sha256"))
		                    : "") == 0)
			d.hex = bytea_hex(resp.body, resp.len);
		long st = resp.status;
		lc_http_resp_free(&resp);
		if (!d.hex) {
			rc = st == 0 || st >= 500
			         ? unavailable(rq)
			         : lc_reply_problem(rq, 409, "conflict",
			                            "The vault document could not be copied.");
			goto out;
		}
	}
	enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), docadd_tx, &d);
	free(d.hex);
	if (t == LC_TX_ROLLBACK)
		rc = lc_reply_problem(rq, (unsigned)d.http, d.code, d.detail);
	else if (t != LC_TX_COMMIT)
		rc = lc_db_fail_reply(rq);
	else
		rc = reply_doc(rq, id, d.doc_id);
out:
	json_decref(obj), json_decref(hh), json_decref(metas), json_decref(ids), json_decref(errors);
	return rc;
}

int h_request_document_add(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return ts_not_found(rq);
	json_t *cur = ts_request_json(lc_rq_db(rq), id, false);
	if (!cur && lc_db_failed(lc_rq_db(rq)))
		return lc_db_fail_reply(rq);
	if (!cur || strcmp(json_string_value(json_object_get(cur, "user_id")), sub_of(rq)) != 0) {
		json_decref(cur);
		return ts_not_found(rq);
	}
	char status[16];
	snprintf(status, sizeof(status), "%s", json_string_value(json_object_get(cur, "status")));
	json_decref(cur);
	const char *ct = lc_rq_header(rq, "Content-Type");
	if (ct && strncmp(ct, "application/json", 16) == 0)
		return add_vault_doc(rq, id, status);
	size_t len;
	const char *body = lc_rq_body(rq, &len);
	const char *kind = lc_rq_query(rq, "kind"), *member = lc_rq_query(rq, "member_id");
	const char *filename = lc_rq_query(rq, "filename");
	json_t *errors = json_array();
	if (!kind_ok(kind))
		add_err(errors, "kind", kind ? "not_allowed" : "required", "a document kind (identity, ...)");
	if (member && *member && !lc_json_is_uuid(member))
		add_err(errors, "member_id", "invalid_format", "a member id");
	if (!filename || !*filename || lc_utf8_length(filename) > 200 || strpbrk(filename, "/\\\r\n\""))
		add_err(errors, "filename", filename ? "invalid_format" : "required",
		        "a file name without / \\ or quotes");
	if (json_array_size(errors))
		return lc_reply_problem_errors(rq, 422, "validation_failed", "The upload is not valid.",
		                               errors);
	json_decref(errors);
	if (!body || len == 0)
		return lc_reply_problem(rq, 422, "validation_failed", "The file is empty.");
	if (len > TS_MAX_DOC)
		return lc_reply_problem(rq, 413, "payload_too_large", "A document is at most 10 MiB.");
	const char *sniffed = lc_sniff_mime(body, len);
	if (!mime_allowed(sniffed) || !ct || strncmp(ct, sniffed, strlen(sniffed)) != 0)
		return lc_reply_problem(rq, 415, "unsupported_media_type",
		                        "Only PDF, JPEG and PNG files, sent with their own Content-Type.");
	char sha[65];
	lc_sha256_hex(body, len, sha);
	struct docadd d = {.rq = rq,
	                   .id = id,
	                   .kind = kind,
	                   .member_id = member && *member ? member : NULL,
	                   .filename = filename,
	                   .mime = sniffed,
	                   .sha = sha,
	                   .size = len,
	                   .hex = bytea_hex(body, len)};
	if (!d.hex)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), docadd_tx, &d);
	free(d.hex);
	if (t == LC_TX_ROLLBACK)
		return lc_reply_problem(rq, (unsigned)d.http, d.code, d.detail);
	if (t != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	return reply_doc(rq, id, d.doc_id);
}

struct dl {
	struct lc_request *rq;
	const char *id, *doc;
};

static enum lc_tx_result audit_dl_tx(struct lc_db *db, void *arg)
{
	struct dl *d = arg;
	json_t *details = json_pack("{s:s}", "document_id", d->doc);
	int rc = lc_audit(db, d->rq, "document.download", "request", d->id, details);
	json_decref(details);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_request_document_get(struct lc_request *rq)
{
	bool agent;
	const char *id = lc_rq_param(rq, "id"), *doc = lc_rq_param(rq, "doc");
	json_t *j = visible_request(rq, id, &agent);
	json_decref(j);
	if (!j && lc_db_failed(lc_rq_db(rq)))
		return lc_db_fail_reply(rq);
	if (!j || !lc_json_is_uuid(doc))
		return ts_not_found(rq);
	const char *p[] = {doc, id};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "doc_content", 2, p);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) == 0) {
		PQclear(r);
		return ts_not_found(rq);
	}
	if (agent) {
		struct dl d = {.rq = rq, .id = id, .doc = doc};
		if (lc_db_tx(lc_rq_db(rq), audit_dl_tx, &d) != LC_TX_COMMIT) {
			PQclear(r);
			return lc_db_fail_reply(rq);
		}
	}
	size_t n = 0;
	unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 2), &n);
	char *copy = raw ? malloc(n ? n : 1) : NULL;
	if (copy)
		memcpy(copy, raw, n);
	PQfreemem(raw);
	char mime[64], disp[300];
	snprintf(mime, sizeof(mime), "%s", PQgetvalue(r, 0, 0));
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", PQgetvalue(r, 0, 1));
	PQclear(r);
	if (!copy)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	lc_rq_add_header(rq, "Content-Disposition", disp);
	lc_rq_add_header(rq, "Cache-Control", "private, no-store");
	return lc_reply_bytes_owned(rq, 200, mime, copy, n);
}

static enum lc_tx_result docdel_tx(struct lc_db *db, void *arg)
{
	struct simple *s = arg;
	struct ts_req_row row;
	int found = ts_req_lock(db, s->id, &row);
	if (found < 0)
		return LC_TX_ERROR;
	enum lc_tx_result res = LC_TX_ROLLBACK;
	if (!found || strcmp(row.user_id, sub_of(s->rq)) != 0) {
		s->http = 404, s->code = "not_found", s->detail = "No such request.";
	} else if (strcmp(row.status, "draft") != 0) {
		s->http = 409, s->code = "conflict", s->detail = "Documents are removed from drafts only.";
	} else {
		const char *p[] = {s->to, s->id};
		PGresult *r = lc_db_exec(db, "doc_delete", 2, p);
		if (!r)
			res = LC_TX_ERROR;
		else if (atoi(PQcmdTuples(r)) == 0)
			s->http = 404, s->code = "not_found", s->detail = "No such document.";
		else
			res = LC_TX_COMMIT;
		PQclear(r);
	}
	if (found)
		ts_req_row_free(&row);
	return res;
}

int h_request_document_delete(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id"), *doc = lc_rq_param(rq, "doc");
	if (!lc_json_is_uuid(id) || !lc_json_is_uuid(doc))
		return ts_not_found(rq);
	struct simple s = {.rq = rq, .id = id, .to = doc};
	enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), docdel_tx, &s);
	if (t == LC_TX_ROLLBACK)
		return lc_reply_problem(rq, (unsigned)s.http, s.code, s.detail);
	if (t != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	return lc_reply_empty(rq, 204);
}
