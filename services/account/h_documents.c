/* h_documents.c — /me/documents: the household's vault of supporting documents (pièces
 * justificatives), reused across requests. Upload takes the raw file as the body; its magic
 * bytes must match the declared type; 10 MiB per file and 100 MiB per household. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civitas/auth.h"
#include "civitas/crypto.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/outcome.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "family_int.h"
#include "family_rules.h"

struct upload {
	const char *hh, *member_id, *kind, *mime, *valid_until, *user_id;
	const char *data;
	size_t len;
	char filename[FAM_FILENAME_MAX + 1];
	char id[37];
	long long used;
	struct lc_outcome out; /* a 413 is answered by reply_too_large, with the figures */
};

static enum lc_tx_result upload_tx(struct lc_db *db, void *arg)
{
	struct upload *u = arg;
	lc_outcome_reset(&u->out);
	const char *h[] = {u->hh};
	/* The household row lock serialises uploads, so two cannot both pass the quota. */
	if (fam_exec_first(db, "fam_hh_lock", 1, h, NULL, 0) != 1)
		return LC_TX_ERROR;
	if (u->member_id) {
		const char *p[] = {u->member_id, u->hh};
		PGresult *r = lc_db_exec(db, "fam_member_get", 2, p);
		if (!r)
			return LC_TX_ERROR;
		int n = PQntuples(r);
		PQclear(r);
		if (n != 1)
			return lc_outcome_field(&u->out, "member_id", LC_JERR_ENUM,
			                        "X-Member-Id is not a member of your household");
	}
	u->used = fam_db_documents_used(db, u->hh);
	if (u->used < 0)
		return LC_TX_ERROR;
	if (fam_quota_check((uint64_t)u->used, u->len) != 0)
		return lc_outcome_fail(&u->out, 413, "payload_too_large", "The household's vault is full.");
	if (fam_db_document_insert(db, u->hh, u->member_id, u->kind, u->filename, u->mime, u->data, u->len,
	                           u->valid_until, u->user_id, u->id) < 0)
		return LC_TX_ERROR;
	return LC_TX_COMMIT;
}

/* The declared type without parameters, lower case, if it is one the vault keeps. */
static const char *declared_mime(const char *ct)
{
	if (!ct)
		return NULL;
	size_t n = strcspn(ct, "; \t");
	for (size_t i = 0; fam_document_mimes[i]; i++)
		if (strlen(fam_document_mimes[i]) == n && strncasecmp(ct, fam_document_mimes[i], n) == 0)
			return fam_document_mimes[i];
	return NULL;
}

/* 413 with the limit that was passed (and, for the household quota, what is in use). */
static int reply_too_large(struct lc_request *rq, unsigned limit, long long used)
{
	char detail[200];
	if (used < 0)
		snprintf(detail, sizeof(detail), "A document may not be larger than %u bytes (10 MiB).",
		         limit);
	else
		snprintf(detail, sizeof(detail),
		         "The household's documents would pass the %u bytes (100 MiB) the vault keeps; %lld "
		         "are in use.",
		         limit, used);
	json_t *p = lc_problem_new(413, "payload_too_large", detail, lc_rq_id(rq));
	if (!p)
		return lc_reply_problem(rq, 413, "payload_too_large", detail);
	json_object_set_new(p, "limit", json_integer(limit));
	if (used >= 0)
		json_object_set_new(p, "used", json_integer(used));
	char *text = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(p);
	if (!text)
		return lc_reply_problem(rq, 413, "payload_too_large", detail);
	return lc_reply_bytes_owned(rq, 413, "application/problem+json", text, strlen(text));
}

int h_document_upload(struct lc_request *rq)
{
	struct upload u = {.user_id = lc_rq_claims(rq)->sub};
	u.data = lc_rq_body(rq, &u.len);
	u.mime = declared_mime(lc_rq_header(rq, "Content-Type"));
	if (!u.mime)
		return lc_reply_problem(rq, 415, "unsupported_media_type",
		                        "The body must be application/pdf, image/jpeg or image/png.");
	if (!u.data || u.len == 0)
		return lc_reply_field(rq, "content", "required", "the body must be the file");
	if (u.len > FAM_FILE_MAX)
		return reply_too_large(rq, FAM_FILE_MAX, -1);
	const char *real = lc_sniff_mime(u.data, u.len);
	if (!real || strcmp(real, u.mime) != 0)
		return lc_reply_problem(rq, 415, "unsupported_media_type",
		                        "The file's content does not match its declared Content-Type.");
	json_t *errors = json_array();
	u.kind = lc_rq_header(rq, "X-Document-Kind");
	if (!u.kind)
		json_array_append_new(errors,
		                      json_pack("{s:s, s:s, s:s}", "field", "kind", "code", LC_JERR_REQUIRED,
		                                "message", "X-Document-Kind is required"));
	else if (!fam_in(fam_document_kinds, u.kind))
		json_array_append_new(errors,
		                      json_pack("{s:s, s:s, s:s}", "field", "kind", "code", LC_JERR_ENUM,
		                                "message", "X-Document-Kind is not a known kind"));
	u.member_id = lc_rq_header(rq, "X-Member-Id");
	if (u.member_id && !*u.member_id)
		u.member_id = NULL;
	if (u.member_id && !lc_json_is_uuid(u.member_id))
		json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", "member_id", "code",
		                                        LC_JERR_FORMAT, "message",
		                                        "X-Member-Id must be a member id"));
	u.valid_until = lc_rq_header(rq, "X-Valid-Until");
	if (u.valid_until && !*u.valid_until)
		u.valid_until = NULL;
	if (u.valid_until && !lc_json_is_date(u.valid_until))
		json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", "valid_until", "code",
		                                        LC_JERR_FORMAT, "message",
		                                        "X-Valid-Until must be a date (YYYY-MM-DD)"));
	const char *raw_name = lc_rq_header(rq, "X-Filename");
	char decoded[1024];
	if (raw_name &&
	    (strlen(raw_name) >= sizeof(decoded) || !fam_percent_decode(raw_name, decoded, sizeof(decoded))))
		json_array_append_new(
		    errors,
		    json_pack("{s:s, s:s, s:s}", "field", "filename", "code", LC_JERR_FORMAT, "message",
		              "X-Filename must be percent-encoded UTF-8, 1000 bytes at most"));
	if (json_array_size(errors))
		return lc_reply_problem_errors(rq, 422, "validation_failed",
		                               "The document's headers are invalid.", errors);
	json_decref(errors);
	fam_sanitize_filename(raw_name ? decoded : NULL, u.mime, u.filename, sizeof(u.filename));
	char hh[37];
	if (!fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	u.hh = hh;
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), upload_tx, &u);
	if (u.out.status == 413)
		return reply_too_large(rq, FAM_HOUSEHOLD_MAX, u.used);
	if (tx != LC_TX_COMMIT || lc_outcome_is_problem(&u.out))
		return lc_outcome_reply(rq, tx, &u.out);
	const char *p[] = {u.id, hh};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "fam_doc_get", 2, p);
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		return lc_db_fail_reply(rq);
	}
	json_t *body = fam_document_row(r, 0);
	PQclear(r);
	char loc[160];
	snprintf(loc, sizeof(loc), FAM_API "/me/documents/%s", u.id);
	lc_rq_add_header(rq, "Location", loc);
	return lc_reply_json(rq, 201, body);
}

int h_document_list(struct lc_request *rq)
{
	struct lc_page page;
	if (!lc_page_or_reply(rq, &page))
		return LC_REPLIED;
	const char *kind = lc_rq_query(rq, "kind"), *member = lc_rq_query(rq, "member_id");
	if (kind && !fam_in(fam_document_kinds, kind))
		return lc_reply_field(rq, "kind", LC_JERR_ENUM, "kind is not a known document kind");
	if (member && !lc_json_is_uuid(member))
		return lc_reply_field(rq, "member_id", LC_JERR_FORMAT, "member_id must be a member id");
	const char *after_t = "infinity", *after_id = "ffffffff-ffff-ffff-ffff-ffffffffffff";
	if (page.cursor) {
		after_t = json_string_value(json_object_get(page.cursor, "t"));
		after_id = json_string_value(json_object_get(page.cursor, "id"));
		if (!after_t || !lc_json_is_timestamp(after_t) || !after_id || !lc_json_is_uuid(after_id))
			return lc_reply_field(rq, "cursor", LC_JERR_FORMAT,
			                      "cursor is not one this API gave out");
	}
	char hh[37];
	if (!fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	char limit[16];
	snprintf(limit, sizeof(limit), "%d", page.limit + 1);
	const char *p[] = {hh, after_t, after_id, kind, member, limit};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "fam_doc_list", 6, p);
	if (!r)
		return lc_db_fail_reply(rq);
	int n = PQntuples(r);
	json_t *items = json_array(), *next = NULL;
	for (int i = 0; i < n && i < page.limit; i++)
		json_array_append_new(items, fam_document_row(r, i));
	if (n > page.limit)
		next = json_pack("{s:s, s:s}", "t", PQgetvalue(r, page.limit - 1, 10), "id",
		                 PQgetvalue(r, page.limit - 1, 0));
	PQclear(r);
	return lc_reply_json(rq, 200, lc_page_body(items, next));
}

int h_document_get(struct lc_request *rq)
{
	return fam_reply_document(rq, "fam_doc_get", true, false);
}

int h_document_content(struct lc_request *rq)
{
	return fam_reply_document(rq, "fam_doc_content", true, true);
}

int h_document_delete(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such document.");
	char hh[37];
	if (!fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	const char *p[] = {id, hh};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "fam_doc_delete", 2, p);
	if (!r)
		return lc_db_fail_reply(rq);
	bool gone = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	if (!gone)
		return lc_reply_problem(rq, 404, "not_found", "No such document.");
	return lc_reply_empty(rq, 204);
}
