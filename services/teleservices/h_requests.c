/* h_requests.c — a citizen's requests: drafts (answers, who it is for, documents from the vault)
 * created and edited, read (by their owner or an agent of their service), listed, cancelled. */
#include "h_requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "ts.h"

static void today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static char *json_str(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

struct draft {
	struct lc_request *rq;
	const char *id; /* PATCH */
	const char *proc_id, *service, *household_id;
	json_t *ids, *benef, *answers, *vault; /* borrowed */
	bool set_docs;
	char new_id[37];
	struct lc_outcome out;
};

/* PATCH: the caller's draft, locked, at the version the client read (If-Match). */
static enum lc_tx_result open_draft(struct lc_db *db, struct draft *d)
{
	struct ts_req_row row;
	int found = ts_lock_own(db, d->rq, d->id, &row, &d->out);
	if (found <= 0)
		return found < 0 ? LC_TX_ERROR : LC_TX_ROLLBACK;
	char etag[32];
	snprintf(etag, sizeof(etag), "\"v%d\"", row.lock_version);
	bool draft = strcmp(row.status, "draft") == 0;
	ts_req_row_free(&row);
	if (!draft)
		return lc_outcome_fail(&d->out, 409, "conflict", "Only a draft can be edited.");
	if (!lc_if_match(d->rq, etag, &d->out))
		return LC_TX_ROLLBACK;
	return LC_TX_COMMIT;
}

/* PATCH with document_ids: the vault documents no longer listed leave the draft. */
static int drop_other_vault_docs(struct lc_db *db, const struct draft *d)
{
	json_t *vids = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(d->vault, i, m) json_array_append(vids, json_object_get(m, "id"));
	char *arr = ts_uuid_array(vids);
	json_decref(vids);
	const char *pd[] = {d->id, arr ? arr : "{}"};
	int rc = arr ? lc_db_run(db, "doc_delete_vault_not_in", 2, pd) : -1;
	free(arr);
	return rc < 0 ? -1 : 0;
}

/* Inserts the draft (create) or updates it (PATCH), with its vault documents. */
static enum lc_tx_result write_draft(struct lc_db *db, struct draft *d, const char *ids, const char *benef,
                                     const char *answers)
{
	if (!d->id) {
		const char *p[] = {ts_caller(d->rq), d->household_id, d->proc_id, d->service, ids, benef,
		                   answers};
		PGresult *r = lc_db_exec(db, "req_insert", 7, p);
		if (!r)
			return LC_TX_ERROR;
		snprintf(d->new_id, sizeof(d->new_id), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
	} else {
		snprintf(d->new_id, sizeof(d->new_id), "%s", d->id);
		const char *p[] = {d->id, d->household_id, ids, benef, answers};
		if (lc_db_run(db, "req_update_draft", 5, p) < 0 ||
		    (d->set_docs && drop_other_vault_docs(db, d) < 0))
			return LC_TX_ERROR;
	}
	size_t i;
	json_t *m;
	json_array_foreach(d->set_docs ? d->vault : NULL, i, m)
	{
		if (ts_vault_doc_insert(db, d->new_id, m) < 0)
			return LC_TX_ERROR;
	}
	return LC_TX_COMMIT;
}

static enum lc_tx_result draft_tx(struct lc_db *db, void *arg)
{
	struct draft *d = arg;
	lc_outcome_reset(&d->out);
	enum lc_tx_result res = d->id ? open_draft(db, d) : LC_TX_COMMIT;
	if (res != LC_TX_COMMIT)
		return res;
	char *ids = ts_uuid_array(d->ids), *benef = json_str(d->benef), *answers = json_str(d->answers);
	res = ids && benef && answers ? write_draft(db, d, ids, benef, answers) : LC_TX_ERROR;
	free(ids);
	free(benef);
	free(answers);
	return res;
}

/* Shared by create and PATCH: everything that needs account happens before the transaction. */
static int save_draft(struct lc_request *rq, struct draft *d, json_t *proc, json_t *member_ids,
                      json_t *document_ids)
{
	json_t *errors = json_array(), *hh = NULL, *benef = NULL, *ids = NULL, *vault = NULL;
	const char *aud = json_string_value(json_object_get(proc, "audience"));
	bool need_hh = (aud && strcmp(aud, "self") != 0) || json_array_size(document_ids) > 0;
	if (need_hh && !ts_caller_household(rq, &hh)) {
		json_decref(errors);
		return ts_account_unavailable(rq);
	}
	if (aud && strcmp(aud, "self") != 0 && !hh && json_array_size(member_ids) > 0)
		ts_add_error(errors, "member_ids", "not_found", "you have no household with members yet");
	char day[11];
	today(day);
	ts_resolve_members(proc, hh, member_ids, day, errors, &benef, &ids);
	ts_check_answers(json_object_get(proc, "fields"), d->answers, ids, false, errors);
	if (d->set_docs && !ts_resolve_vault(rq, hh, document_ids, "document_ids", errors, &vault)) {
		json_decref(errors), json_decref(hh), json_decref(benef), json_decref(ids);
		return ts_account_unavailable(rq);
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
	if (t != LC_TX_COMMIT)
		rc = lc_outcome_reply(rq, t, &d->out);
	else
		rc = ts_reply_request(rq, d->new_id, d->id ? 200 : 201, false);
out:
	json_decref(errors), json_decref(hh), json_decref(benef), json_decref(ids), json_decref(vault);
	return rc;
}

static json_t *procedure_for(struct lc_request *rq, const char *slug_or_id, bool by_id)
{
	const char *p[] = {slug_or_id};
	PGresult *r = lc_db_exec(lc_rq_db(rq), by_id ? "proc_get_id" : "proc_get_published", 1, p);
	json_t *j = lc_db_cell_json(r, 0, 0);
	PQclear(r);
	return j;
}

int h_request_create(struct lc_request *rq)
{
	const char *procedure = NULL;
	json_t *member_ids = NULL, *answers = NULL, *document_ids = NULL;
	const struct lc_field spec[] = {
	    LC_F_STRING("procedure", 0, 80, &procedure, .required = true),
	    LC_F_ARRAY("member_ids", 0, 12, &member_ids),
	    LC_F_OBJECT("answers", &answers),
	    LC_F_ARRAY("document_ids", 0, 40, &document_ids),
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
	    LC_F_ARRAY("member_ids", 0, 12, &member_ids),
	    LC_F_OBJECT("answers", &answers),
	    LC_F_ARRAY("document_ids", 0, 40, &document_ids),
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
	if (!cur || strcmp(json_string_value(json_object_get(cur, "user_id")), ts_caller(rq)) != 0) {
		json_decref(cur);
		return ts_not_found(rq);
	}
	/* Before the checks that call account; the transaction checks it again on the locked row. */
	const char *etag = json_string_value(json_object_get(cur, "etag"));
	if (!lc_if_match_or_reply(rq, etag ? etag : "")) {
		json_decref(cur);
		return LC_REPLIED;
	}
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
	                  .set_docs = document_ids != NULL};
	int rc = save_draft(rq, &d, proc, member_ids ? member_ids : json_object_get(cur, "member_ids"),
	                    document_ids ? document_ids : keep_docs);
	json_decref(keep_docs), json_decref(proc), json_decref(cur);
	return rc;
}

int h_request_get(struct lc_request *rq)
{
	bool agent;
	json_t *j = ts_visible_request(rq, lc_rq_param(rq, "id"), &agent);
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
	const char *p[] = {ts_caller(rq), at ? at : "", cid ? cid : "", lim};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "req_list_user", 4, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = lc_db_rows_json(r, page.limit), *next = NULL, *j;
	int n = PQntuples(r);
	size_t i;
	json_array_foreach(items, i, j) ts_add_next_step(j);
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

struct cancel {
	struct lc_request *rq;
	const char *id, *comment;
	struct lc_outcome out;
};

static enum lc_tx_result cancel_tx(struct lc_db *db, void *arg)
{
	struct cancel *s = arg;
	lc_outcome_reset(&s->out);
	struct ts_req_row row;
	int found = ts_lock_own(db, s->rq, s->id, &row, &s->out);
	if (found <= 0)
		return found < 0 ? LC_TX_ERROR : LC_TX_ROLLBACK;
	enum lc_tx_result res = LC_TX_COMMIT;
	if (!ts_transition_allowed(row.status, "cancelled", TS_CITIZEN))
		res = lc_outcome_fail(&s->out, 409, "conflict", "This request can no longer be cancelled.");
	else if (ts_transition(db, &row, "cancelled", "citizen", ts_caller(s->rq), s->comment) < 0)
		res = LC_TX_ERROR;
	ts_req_row_free(&row);
	return res;
}

int h_request_cancel(struct lc_request *rq)
{
	const char *comment = NULL;
	const struct lc_field spec[] = {
	    LC_F_STRING("comment", 0, 2000, &comment),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return ts_not_found(rq);
	struct cancel s = {.rq = rq, .id = id, .comment = comment};
	enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), cancel_tx, &s);
	if (t != LC_TX_COMMIT)
		return lc_outcome_reply(rq, t, &s.out);
	ts_requests_changed();
	return ts_reply_request(rq, id, 200, false);
}
