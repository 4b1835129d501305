/* h_documents.c — a request's supporting documents: uploaded, or referenced from the household's
 * vault (copied at once when the request is already submitted), downloaded, removed. */
#include "h_documents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "ts.h"

struct docadd {
	struct lc_request *rq;
	const char *id, *kind, *member_id, *filename, *mime, *sha;
	char *hex;     /* upload or vault copy, may be NULL for a draft's vault document */
	json_t *vault; /* vault metadata (borrowed) or NULL */
	size_t size;
	char doc_id[37];
	struct lc_outcome out;
};

/* A vault document on the request (its bytes too when already copied); its id into doc_id. */
static int attach_vault_doc(struct lc_db *db, struct docadd *d)
{
	if (ts_vault_doc_insert(db, d->id, d->vault) < 0)
		return -1;
	const char *p[] = {d->id};
	PGresult *r = lc_db_exec(db, "doc_list", 1, p);
	if (!r)
		return -1;
	const char *vid = json_string_value(json_object_get(d->vault, "id"));
	for (int i = 0; i < PQntuples(r); i++)
		if (strcmp(PQgetvalue(r, i, 4), vid) == 0)
			snprintf(d->doc_id, sizeof(d->doc_id), "%s", PQgetvalue(r, i, 0));
	PQclear(r);
	const char *pc[] = {d->doc_id, d->hex};
	return d->hex && lc_db_run(db, "doc_set_content", 2, pc) < 0 ? -1 : 0;
}

/* An uploaded file on the request; its id into doc_id. */
static int attach_upload(struct lc_db *db, struct docadd *d)
{
	char size[32];
	snprintf(size, sizeof(size), "%zu", d->size);
	const char *p[] = {d->id,  d->kind, d->member_id ? d->member_id : "", d->filename, d->mime, size,
	                   d->sha, d->hex};
	PGresult *r = lc_db_exec(db, "doc_insert_upload", 8, p);
	if (!r)
		return -1;
	snprintf(d->doc_id, sizeof(d->doc_id), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

static enum lc_tx_result docadd_tx(struct lc_db *db, void *arg)
{
	struct docadd *d = arg;
	lc_outcome_reset(&d->out);
	struct ts_req_row row;
	int found = ts_lock_own(db, d->rq, d->id, &row, &d->out);
	if (found <= 0)
		return found < 0 ? LC_TX_ERROR : LC_TX_ROLLBACK;
	enum lc_tx_result res = LC_TX_COMMIT;
	if (strcmp(row.status, "draft") != 0 && strcmp(row.status, "incomplete") != 0)
		res = lc_outcome_fail(&d->out, 409, "conflict",
		                      "Documents are added to a draft or an incomplete request.");
	else if ((d->vault ? attach_vault_doc(db, d) : attach_upload(db, d)) < 0)
		res = LC_TX_ERROR;
	ts_req_row_free(&row);
	return res;
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
	    LC_F_UUID("document_id", &doc_id, .required = true),
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
	if (!ts_caller_household(rq, &hh) || !ts_resolve_vault(rq, hh, ids, "document_id", errors, &metas)) {
		rc = ts_account_unavailable(rq);
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
		char *data;
		size_t n;
		enum ts_vault_read got = ts_vault_content(
		    rq, doc_id, json_string_value(json_object_get(d.vault, "sha256")), &data, &n);
		d.hex = got == TS_VAULT_OK ? ts_bytea_hex(data, n) : NULL;
		free(data);
		if (!d.hex) {
			rc = got == TS_VAULT_UNREACHABLE
			         ? ts_account_unavailable(rq)
			         : lc_reply_problem(rq, 409, "conflict",
			                            "The vault document could not be copied.");
			goto out;
		}
	}
	enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), docadd_tx, &d);
	free(d.hex);
	rc = t != LC_TX_COMMIT ? lc_outcome_reply(rq, t, &d.out) : reply_doc(rq, id, d.doc_id);
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
	if (!cur || strcmp(json_string_value(json_object_get(cur, "user_id")), ts_caller(rq)) != 0) {
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
	if (!ts_document_kind_ok(kind))
		ts_add_error(errors, "kind", kind ? "not_allowed" : "required",
		             "a document kind (identity, ...)");
	if (member && *member && !lc_json_is_uuid(member))
		ts_add_error(errors, "member_id", "invalid_format", "a member id");
	if (!filename || !*filename || lc_utf8_length(filename) > 200 || strpbrk(filename, "/\\\r\n\""))
		ts_add_error(errors, "filename", filename ? "invalid_format" : "required",
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
	if (!ts_mime_allowed(sniffed) || !ct || strncmp(ct, sniffed, strlen(sniffed)) != 0)
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
	                   .hex = ts_bytea_hex(body, len)};
	if (!d.hex)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), docadd_tx, &d);
	free(d.hex);
	if (t != LC_TX_COMMIT)
		return lc_outcome_reply(rq, t, &d.out);
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
	json_t *j = ts_visible_request(rq, id, &agent);
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

struct docdel {
	struct lc_request *rq;
	const char *id, *doc;
	struct lc_outcome out;
};

static enum lc_tx_result docdel_tx(struct lc_db *db, void *arg)
{
	struct docdel *s = arg;
	lc_outcome_reset(&s->out);
	struct ts_req_row row;
	int found = ts_lock_own(db, s->rq, s->id, &row, &s->out);
	if (found <= 0)
		return found < 0 ? LC_TX_ERROR : LC_TX_ROLLBACK;
	enum lc_tx_result res = LC_TX_COMMIT;
	const char *p[] = {s->doc, s->id};
	int n;
	if (strcmp(row.status, "draft") != 0)
		res = lc_outcome_fail(&s->out, 409, "conflict", "Documents are removed from drafts only.");
	else if ((n = lc_db_run(db, "doc_delete", 2, p)) < 0)
		res = LC_TX_ERROR;
	else if (n == 0)
		res = lc_outcome_fail(&s->out, 404, "not_found", "No such document.");
	ts_req_row_free(&row);
	return res;
}

int h_request_document_delete(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id"), *doc = lc_rq_param(rq, "doc");
	if (!lc_json_is_uuid(id) || !lc_json_is_uuid(doc))
		return ts_not_found(rq);
	struct docdel s = {.rq = rq, .id = id, .doc = doc};
	return lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), docdel_tx, &s), &s.out); /* 204 */
}
