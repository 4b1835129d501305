/* db_documents.c — the documents vault in PostgreSQL: metadata rows as JSON, the bytes in
 * document_contents (bytea, hex text form on the wire), quota in use, and the download reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/crypto.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "family_int.h"
#include "family_rules.h"

json_t *fam_document_row(const PGresult *r, int row)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o}", "id", fam_col(r, row, 0),
	                 "household_id", fam_col(r, row, 1), "member_id", fam_col(r, row, 2), "kind",
	                 fam_col(r, row, 3), "filename", fam_col(r, row, 4), "mime", fam_col(r, row, 5),
	                 "size", (json_int_t)atoll(PQgetvalue(r, row, 6)), "sha256", fam_col(r, row, 7),
	                 "uploaded_at", fam_col(r, row, 8), "valid_until", fam_col(r, row, 9));
}

long long fam_db_documents_used(struct lc_db *db, const char *household_id)
{
	char used[32];
	const char *p[] = {household_id};
	if (fam_exec_first(db, "fam_doc_used", 1, p, used, sizeof(used)) != 1)
		return -1;
	return atoll(used);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

unsigned char *fam_bytea_decode(const char *text, size_t *len)
{
	if (strncmp(text, "\\x", 2) != 0)
		return NULL;
	size_t n = strlen(text + 2);
	if (n % 2)
		return NULL;
	unsigned char *out = malloc(n / 2 + 1);
	if (!out)
		return NULL;
	const char *p = text + 2;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return out;
}

char *fam_bytea_encode(const void *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *out = malloc(2 * len + 3);
	if (!out)
		return NULL;
	out[0] = '\\';
	out[1] = 'x';
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		out[2 + 2 * i] = hex[p[i] >> 4];
		out[3 + 2 * i] = hex[p[i] & 15];
	}
	out[2 + 2 * len] = '\0';
	return out;
}

int fam_reply_content(struct lc_request *rq, const PGresult *r)
{
	size_t len = 0;
	unsigned char *data = fam_bytea_decode(PQgetvalue(r, 0, 2), &len);
	if (!data)
		return lc_reply_problem(rq, 500, "internal", "The stored document could not be read.");
	char cd[FAM_FILENAME_MAX * 4 + 96];
	if (fam_content_disposition(PQgetvalue(r, 0, 1), cd, sizeof(cd)))
		lc_rq_add_header(rq, "Content-Disposition", cd);
	else
		lc_rq_add_header(rq, "Content-Disposition", "attachment");
	lc_rq_add_header(rq, "Cache-Control", "private, no-store");
	return lc_reply_bytes_owned(rq, 200, PQgetvalue(r, 0, 0), data, len);
}

int fam_reply_document(struct lc_request *rq, const char *stmt, bool mine, bool content)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such document.");
	char hh[37];
	if (mine && !fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	const char *p[] = {id, hh};
	PGresult *r = lc_db_exec(lc_rq_db(rq), stmt, mine ? 2 : 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	int rc;
	if (PQntuples(r) != 1)
		rc = lc_reply_problem(rq, 404, "not_found", "No such document.");
	else if (content)
		rc = fam_reply_content(rq, r);
	else
		rc = lc_reply_json(rq, 200, fam_document_row(r, 0));
	PQclear(r);
	return rc;
}

int fam_db_document_insert(struct lc_db *db, const char *household_id, const char *member_id,
                           const char *kind, const char *filename, const char *mime, const void *data,
                           size_t len, const char *valid_until, const char *uploaded_by, char out[37])
{
	char size[24], sha[65];
	snprintf(size, sizeof(size), "%zu", len);
	lc_sha256_hex(data, len, sha);
	const char *p[] = {household_id, member_id, kind,        filename,   mime,
	                   size,         sha,       valid_until, uploaded_by};
	if (fam_exec_first(db, "fam_doc_insert", 9, p, out, 37) != 1)
		return -1;
	char *hex = fam_bytea_encode(data, len);
	if (!hex)
		return -1;
	const char *q[] = {out, hex};
	int rc = fam_exec_first(db, "fam_doc_content_insert", 2, q, NULL, 0);
	free(hex);
	return rc < 0 ? -1 : 0;
}
