/* h_submit.c — submission of a request (every missing field and document listed at once; vault
 * documents copied into the request) and bundles: several requests submitted all or nothing. */
#include "h_submit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/client.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "ts.h"

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

/* The caller's request id is in a status that can be submitted: draft, or incomplete (the
 * citizen has added what was missing). Fills out's id, status and lock version. A submission
 * repeated with its Idempotency-Key once done is a replay. Read without a lock: the
 * transaction locks the row and checks it did not change. */
static enum prep_result open_for_submit(struct lc_request *rq, const char *id, const char *key,
                                        struct prep *out)
{
	if (!lc_json_is_uuid(id))
		return PREP_NOT_FOUND;
	struct ts_req_row row;
	int found = ts_req_read(lc_rq_db(rq), id, &row);
	if (found <= 0)
		return found < 0 ? PREP_DB : PREP_NOT_FOUND;
	enum prep_result res = PREP_OK;
	bool replay = key && row.submit_key[0] && strcmp(key, row.submit_key) == 0;
	if (strcmp(row.user_id, ts_caller(rq)) != 0)
		res = PREP_NOT_FOUND;
	else if (replay && strcmp(row.status, "draft") != 0)
		res = PREP_REPLAY;
	else if (strcmp(row.status, "draft") != 0 && strcmp(row.status, "incomplete") != 0)
		res = PREP_CONFLICT;
	snprintf(out->id, sizeof(out->id), "%s", id);
	snprintf(out->status, sizeof(out->status), "%s", row.status);
	out->lock_version = row.lock_version;
	ts_req_row_free(&row);
	return res;
}

/* Everything the procedure asks for: who it is for, the answers, the documents (docs: the rows
 * of doc_list). Errors go to errors. */
static void check_complete(struct lc_request *rq, const json_t *req, PGresult *docs, json_t *errors)
{
	const json_t *proc = json_object_get(req, "procedure");
	const char *aud = json_string_value(json_object_get(proc, "audience"));
	if (aud && strcmp(aud, "member") == 0 && json_array_size(json_object_get(req, "member_ids")) == 0)
		ts_add_error(errors, "member_ids", "required", "choose who the request is for");
	ts_check_answers(json_object_get(proc, "fields"), json_object_get(req, "answers"),
	                 json_object_get(req, "member_ids"), true, errors);
	json_t *attached = json_array();
	for (int i = 0; i < PQntuples(docs); i++)
		json_array_append_new(attached, json_pack("{s:s, s:s?, s:f}", "kind", PQgetvalue(docs, i, 1),
		                                          "member_id",
		                                          PQgetisnull(docs, i, 2) || !*PQgetvalue(docs, i, 2)
		                                              ? NULL
		                                              : PQgetvalue(docs, i, 2),
		                                          "age_days", atof(PQgetvalue(docs, i, 8))));
	ts_check_documents(json_object_get(proc, "required_documents"), json_object_get(req, "beneficiaries"),
	                   ts_caller(rq), attached, errors);
	json_decref(attached);
}

/* Fetches the bytes of the vault documents not copied yet (docs: the rows of doc_list), each
 * checked against the sha256 recorded when it was attached. The first that cannot be copied
 * stops the fetching and is named in errors; PREP_UNAVAILABLE when account cannot be reached. */
static enum prep_result fetch_copies(struct lc_request *rq, PGresult *docs, struct prep *out, json_t *errors)
{
	int n = PQntuples(docs);
	out->copies = calloc((size_t)n + 1, sizeof(struct copy));
	if (!out->copies)
		return PREP_DB;
	for (int i = 0; i < n; i++) {
		if (strcmp(PQgetvalue(docs, i, 6), "t") != 0 || strcmp(PQgetvalue(docs, i, 3), "vault") != 0)
			continue; /* already has its bytes */
		struct copy *c = &out->copies[out->ncopies];
		char f[96];
		snprintf(f, sizeof(f), "documents.%s", PQgetvalue(docs, i, 1));
		switch (
		    ts_vault_content(rq, PQgetvalue(docs, i, 4), PQgetvalue(docs, i, 7), &c->data, &c->len)) {
		case TS_VAULT_OK:
			snprintf(c->doc_id, sizeof(c->doc_id), "%s", PQgetvalue(docs, i, 0));
			out->ncopies++;
			break;
		case TS_VAULT_UNREACHABLE:
			return PREP_UNAVAILABLE;
		case TS_VAULT_UNREADABLE:
			ts_add_error(errors, f, "document_unavailable",
			             "this vault document can no longer be read");
			break;
		case TS_VAULT_CHANGED:
			ts_add_error(errors, f, "document_changed",
			             "this vault document changed; attach it again");
			break;
		}
	}
	return PREP_OK;
}

/* Checks one request is complete and fetches the vault bytes to copy. Errors go to errors,
 * their fields prefixed with "<prefix>." when prefix is not NULL (a bundle). */
static enum prep_result prepare_submit(struct lc_request *rq, const char *id, const char *key,
                                       const char *prefix, json_t *errors, struct prep *out)
{
	memset(out, 0, sizeof(*out));
	enum prep_result res = open_for_submit(rq, id, key, out);
	if (res != PREP_OK)
		return res;
	struct lc_db *db = lc_rq_db(rq);
	json_t *req = ts_request_json(db, id, false);
	const char *p[] = {id};
	PGresult *docs = req ? lc_db_exec(db, "doc_list", 1, p) : NULL;
	if (!docs) {
		json_decref(req);
		return PREP_DB;
	}
	json_t *local = json_array();
	check_complete(rq, req, docs, local);
	if (json_array_size(local) == 0)
		res = fetch_copies(rq, docs, out, local);
	PQclear(docs);
	json_decref(req);
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
		char *hex = ts_bytea_hex(p->copies[i].data, p->copies[i].len);
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
		rc = ts_transition(db, &row, "submitted", "citizen", ts_caller(rq), NULL);
		if (rc == 0)
			rc = ts_transition(db, &row, "received", "system", NULL, NULL);
	} else if (rc == 0) {
		rc = ts_transition(db, &row, "received", "citizen", ts_caller(rq), "Pièces complétées");
		if (rc == 0)
			rc = ts_emit_agent_notify(db, &row, "request_completed_by_citizen", NULL);
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
	struct lc_outcome out;
};

static enum lc_tx_result submit_tx(struct lc_db *db, void *arg)
{
	struct submit_ctx *s = arg;
	lc_outcome_reset(&s->out);
	const char *bid = NULL;
	if (s->ids) {
		char *arr = ts_uuid_array(s->ids);
		const char *p[] = {ts_caller(s->rq), s->key ? s->key : "", arr ? arr : "{}"};
		PGresult *r = arr ? lc_db_exec(db, "bundle_insert", 3, p) : NULL;
		free(arr);
		if (!r) {
			if (strcmp(lc_db_sqlstate(db), "23505") == 0)
				return lc_outcome_fail(&s->out, 409, "conflict",
				                       "This Idempotency-Key is being used right now.");
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
		if (rc > 0)
			return lc_outcome_fail(&s->out, 409, "conflict",
			                       s->ids
			                           ? "A request changed while the bundle was being submitted."
			                           : "The request changed while it was being submitted.");
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
		if (t == LC_TX_COMMIT)
			ts_requests_changed();
		rc = t != LC_TX_COMMIT ? lc_outcome_reply(rq, t, &s.out)
		                       : ts_reply_request(rq, id, 200, false);
		break;
	}
	case PREP_REPLAY:
		rc = ts_reply_request(rq, id, 200, false);
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
		rc = ts_account_unavailable(rq);
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

/* A bundle already made with this Idempotency-Key answers again as it did (200); true after
 * replying (*rc holds the reply's result). */
static bool bundle_replayed(struct lc_request *rq, const char *key, int *rc)
{
	const char *p[] = {ts_caller(rq), key};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "bundle_get", 2, p);
	if (!r) {
		*rc = lc_db_fail_reply(rq);
		return true;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		return false;
	}
	char bid[37];
	snprintf(bid, sizeof(bid), "%s", PQgetvalue(r, 0, 0));
	json_t *stored = lc_db_cell_json(r, 0, 1);
	PQclear(r);
	*rc = reply_bundle(rq, bid, stored, 200);
	json_decref(stored);
	return true;
}

/* Prepares every request of the bundle; what stops one goes to errors as requests[i]. true
 * after replying (account or the database unavailable; *rc holds the reply's result). */
static bool prepare_bundle(struct lc_request *rq, const json_t *ids, struct prep *preps, json_t *errors,
                           int *rc)
{
	for (size_t i = 0; i < json_array_size(ids); i++) {
		char prefix[32];
		snprintf(prefix, sizeof(prefix), "requests[%zu]", i);
		const char *id = json_string_value(json_array_get(ids, i));
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup = dup || json_equal(json_array_get(ids, j), json_array_get(ids, i));
		switch (dup ? PREP_CONFLICT
		            : prepare_submit(rq, id ? id : "", NULL, prefix, errors, &preps[i])) {
		case PREP_OK:
		case PREP_INVALID:
			break;
		case PREP_NOT_FOUND:
			ts_add_error(errors, prefix, "not_found", "no such request");
			break;
		case PREP_CONFLICT:
		case PREP_REPLAY:
			ts_add_error(errors, prefix, "conflict",
			             "this request cannot be submitted in its current status");
			break;
		case PREP_UNAVAILABLE:
			*rc = ts_account_unavailable(rq);
			return true;
		default:
			*rc = lc_db_fail_reply(rq);
			return true;
		}
	}
	return false;
}

int h_bundle_create(struct lc_request *rq)
{
	json_t *ids = NULL;
	const struct lc_field spec[] = {
	    LC_F_ARRAY("requests", 1, 10, &ids, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	bool bad;
	const char *key = idem_key(rq, &bad);
	if (bad)
		return lc_reply_problem(rq, 422, "validation_failed",
		                        "Idempotency-Key is 1 to 128 characters.");
	int rc = LC_REPLIED;
	if (key && bundle_replayed(rq, key, &rc))
		return rc;
	size_t n = json_array_size(ids);
	struct prep *preps = calloc(n, sizeof(*preps));
	if (!preps)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	json_t *errors = json_array();
	if (prepare_bundle(rq, ids, preps, errors, &rc)) {
		/* replied */
	} else if (json_array_size(errors) > 0) {
		rc = lc_reply_problem_errors(rq, 422, "validation_failed",
		                             "Nothing was submitted: fix every request first.", errors);
		errors = NULL;
	} else {
		struct submit_ctx s = {.rq = rq, .preps = preps, .n = n, .key = key, .ids = ids};
		enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), submit_tx, &s);
		if (t == LC_TX_COMMIT)
			ts_requests_changed();
		rc = t != LC_TX_COMMIT ? lc_outcome_reply(rq, t, &s.out)
		                       : reply_bundle(rq, s.bundle_id, ids, 201);
	}
	for (size_t i = 0; i < n; i++)
		prep_free(&preps[i]);
	free(preps);
	json_decref(errors);
	return rc;
}
