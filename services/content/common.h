/* common.h — what the content handlers share: the outcome a transaction leaves for the reply,
 * JSON read from statements that build it, roles, ETags and the site's public address. */
#ifndef CIVITAS_CONTENT_COMMON_H
#define CIVITAS_CONTENT_COMMON_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "civitas/db.h"

struct lc_request;

/* What a transaction decided; the handler replies from it once the transaction is over. */
struct outcome {
	unsigned status;    /* 0: nothing decided yet */
	const char *code;   /* problem code when status >= 400 */
	const char *detail; /* problem detail (English) */
	json_t *errors;     /* optional errors[] of a 422 (owned) */
	json_t *body;       /* success body (owned) */
	char etag[40];      /* ETag header to send, "" for none */
	char location[160]; /* Location header, "" for none */
};

/* Sets a problem outcome and returns LC_TX_ROLLBACK (so a callback can `return fail(...)`). */
enum lc_tx_result outcome_fail(struct outcome *o, unsigned status, const char *code, const char *detail);
/* One 422 with a single field error. */
enum lc_tx_result outcome_field(struct outcome *o, const char *field, const char *code, const char *detail);
/* Replies from the outcome (or the database failure) and frees what it owns. */
int outcome_reply(struct lc_request *rq, enum lc_tx_result tx, struct outcome *o);

/* DELETE of one object by the id in the path, for editors: stmt deletes by $1 and reports the
 * rows; kind names the object in the 404 ("alert") and the audit action ("alert.delete"). */
int content_delete_by_id(struct lc_request *rq, const char *stmt, const char *kind);

/* Runs a statement; on success returns the result (PQclear it), NULL on failure. */
PGresult *sql(struct lc_db *db, const char *name, int n, const char *const *params);
/* First column of the first row parsed as JSON (new reference). *failed tells a statement
 * failure apart from "no row" (both return NULL). */
json_t *sql_json(struct lc_db *db, const char *name, int n, const char *const *params, bool *failed);
/* Runs a statement that returns nothing useful; 0 or -1. */
int sql_do(struct lc_db *db, const char *name, int n, const char *const *params);
/* Number of rows changed by the statement (-1 on failure). */
int sql_count(struct lc_db *db, const char *name, int n, const char *const *params);

/* Caller's role checks (no reply). */
bool caller_is(struct lc_request *rq, const char *min_role);
const char *caller_id(struct lc_request *rq);   /* "" when anonymous */
const char *caller_role(struct lc_request *rq); /* "" when anonymous */

/* "\"r<revision>\"" */
void content_etag(char out[40], long long revision);
/* The public site's base URL (CIVITAS_PUBLIC_URL), without a trailing slash. */
const char *content_public_url(void);
extern char *content_public_url_setting;

/* Reads a boolean query flag ("1", "true"). */
bool query_flag(struct lc_request *rq, const char *name);
/* Replies 422 for a field and returns LC_REPLIED. */
int reply_field(struct lc_request *rq, const char *field, const char *code, const char *detail);

/* Cache-Control of the public lists. */
#define PUBLIC_LIST_CC "public, max-age=30"

/* A keyset list: stmt takes params[0..nfixed-1], then limit+1, cursor t, cursor id, and
 * returns rows (json, key text, id). Replies {items, next_cursor} (cursor {"t", "id"}). A public
 * list passes cache_tag and the query parameters (names, NULL-terminated, with "limit" and
 * "cursor") that make its answer: it is then served from the micro-cache. Agents' lists pass
 * NULL, NULL. */
int content_keyset_list(struct lc_request *rq, const char *stmt, const char **params, int nfixed,
                        const char *cache_tag, const char *const *names);

#endif
