/* family_int.h — what the files of the family area share inside civitas-account: handlers,
 * the caller's household, JSON of households, members and documents. Not for other areas. */
#ifndef CIVITAS_ACCOUNT_FAMILY_INT_H
#define CIVITAS_ACCOUNT_FAMILY_INT_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct lc_db;
struct lc_request;

#define FAM_API "/api/account/v1"
/* RFC 3339 UTC text of a timestamptz column, as every answer carries it. */
#define FAM_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* Same with microseconds, for keyset cursors. */
#define FAM_TS_US(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* --- handlers --- */
int h_household_get(struct lc_request *rq);
int h_household_patch(struct lc_request *rq);
int h_invitation_create(struct lc_request *rq);
int h_invitation_list(struct lc_request *rq);
int h_invitation_delete(struct lc_request *rq);
int h_invitation_accept(struct lc_request *rq);
int h_member_create(struct lc_request *rq);
int h_member_get(struct lc_request *rq);
int h_member_patch(struct lc_request *rq);
int h_member_delete(struct lc_request *rq);
int h_quotient_declare(struct lc_request *rq);
int h_agent_households(struct lc_request *rq);
int h_agent_quotient_verify(struct lc_request *rq);
int h_agent_quotient_certificate(struct lc_request *rq);
int h_document_upload(struct lc_request *rq);
int h_document_list(struct lc_request *rq);
int h_document_get(struct lc_request *rq);
int h_document_content(struct lc_request *rq);
int h_document_delete(struct lc_request *rq);
int h_me_export(struct lc_request *rq);
int h_me_delete(struct lc_request *rq);
int h_internal_household(struct lc_request *rq);
int h_internal_document(struct lc_request *rq);
int h_internal_document_content(struct lc_request *rq);

/* --- db_household.c --- */
/* A column as a JSON string, or null when SQL NULL. New reference. */
json_t *fam_col(const PGresult *r, int row, int col);
/* Runs a statement and returns 1 when it gave at least one row (copying column 0 of the first
 * row to out, when out is not NULL), 0 when none, -1 on error. */
int fam_exec_first(struct lc_db *db, const char *stmt, int n, const char *const *p, char *out, size_t outlen);
/* The household of user_id, created with the user as first adult when there is none.
 * Must run inside a transaction. Returns 1 (found or made), 0 (no such live user), -1. */
int fam_db_ensure_household(struct lc_db *db, const char *user_id, char out[37]);
/* The caller's household (created on first use). Replies 404 / 5xx and returns false. */
bool fam_my_household_or_reply(struct lc_request *rq, char out[37]);
/* The household as the contract documents it (docs/account-internal-api.md) plus, when full,
 * what the citizen's own page shows (quotient details, version). NULL when missing or on error
 * (*err set to true on error). New reference. *version gets the ETag counter when not NULL. */
json_t *fam_db_household_json(struct lc_db *db, const char *household_id, bool full, int *version, bool *err);
/* One member row of the fam_member_* statements as JSON (new reference). */
json_t *fam_member_row(const PGresult *r, int row, const char *today);
/* The quotient familial part of a household row (fam_hh_get), or json null. */
json_t *fam_quotient_row(const PGresult *r, int row, bool full);
/* Today's date (UTC) as YYYY-MM-DD. */
void fam_today(char out[11]);
/* Replies 404 unless the caller is an agent or an admin (editors treat content, not families). */
bool fam_agent_or_reply(struct lc_request *rq);

/* --- db_documents.c --- */
/* A document row of the fam_doc_* metadata statements as JSON (new reference). */
json_t *fam_document_row(const PGresult *r, int row);
/* Bytes in use by a household's documents, or -1 on error. */
long long fam_db_documents_used(struct lc_db *db, const char *household_id);
/* Decodes a bytea column in hex text form ("\x...") into malloc'd bytes. NULL on error. */
unsigned char *fam_bytea_decode(const char *text, size_t *len);
/* Hex text form of bytes for a bytea parameter; malloc'd, NULL on OOM. */
char *fam_bytea_encode(const void *data, size_t len);
/* Answers 200 with the stored bytes of a fam_doc_content* row (columns mime, filename, content):
 * stored type, Content-Disposition: attachment, nosniff. Takes nothing from r. */
int fam_reply_content(struct lc_request *rq, const PGresult *r);
/* Answers GET of the document named by the path's {id}: its metadata as JSON, or its bytes when
 * content. stmt takes $1 = id and, when mine, $2 = the caller's household (an internal read takes
 * any household). 404 for a malformed id or one the statement does not find: no existence leak. */
int fam_reply_document(struct lc_request *rq, const char *stmt, bool mine, bool content);
/* Inserts one document and its content (inside a transaction; quota not checked here).
 * Writes the new id to out. Returns 0 or -1. */
int fam_db_document_insert(struct lc_db *db, const char *household_id, const char *member_id,
                           const char *kind, const char *filename, const char *mime, const void *data,
                           size_t len, const char *valid_until, const char *uploaded_by, char out[37]);

#endif
