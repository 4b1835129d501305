/* common.h — what the content handlers share: the reply after a transaction (which also clears
 * the public micro-cache), the lock + If-Match opening of an edit, roles, ETags and the site's
 * public address. */
#ifndef CIVITAS_CONTENT_COMMON_H
#define CIVITAS_CONTENT_COMMON_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "civitas/cell_json.h"
#include "civitas/db.h"
#include "civitas/outcome.h"

struct lc_request;

/* lc_outcome_reply (see civitas/outcome.h), after this replica forgets the public answers a
 * committed change may alter (the others within LC_CACHE_TTL_MS). */
int content_reply(struct lc_request *rq, enum lc_tx_result tx, struct lc_outcome *o);

/* The opening of an edit: locks the row of `stmt` by id (FOR UPDATE), 404 "No such <what>."
 * when there is none, then If-Match against "\"r<revision>\"" (revision in column rev_col).
 * Returns the row (PQclear it) or NULL with *stop to return from the transaction. */
PGresult *content_lock(struct lc_db *db, struct lc_request *rq, const char *stmt, const char *id, int rev_col,
                       const char *not_found, struct lc_outcome *o, enum lc_tx_result *stop);

/* DELETE of one object by the id in the path, for editors: stmt deletes by $1 and reports the
 * rows; kind names the object in the 404 ("alert") and the audit action ("alert.delete"). */
int content_delete_by_id(struct lc_request *rq, const char *stmt, const char *kind);

/* Caller's role checks (no reply). */
bool caller_is(struct lc_request *rq, const char *min_role);
const char *caller_id(struct lc_request *rq);   /* "" when anonymous */
const char *caller_role(struct lc_request *rq); /* "" when anonymous */

/* "\"r<revision>\"": the ETag of a row with a revision. */
void content_etag(char out[40], long long revision);
/* The same ETag computed in SQL from the revision column rev, for the items of a list (a list
 * answer's one ETag header cannot speak for each item the client may then edit). */
#define CONTENT_ETAG_SQL(rev) "'\"r' || " rev " || '\"'"
/* The public site's base URL (CIVITAS_PUBLIC_URL), without a trailing slash. */
const char *content_public_url(void);
extern char *content_public_url_setting;

/* Reads a boolean query flag ("1", "true"). */
bool query_flag(struct lc_request *rq, const char *name);

/* Public JSON answers: any browser may keep them but asks again each time (If-None-Match, a 304
 * from the micro-cache), so that an editor who publishes sees the new version at once. */
#define PUBLIC_CC      "public, no-cache"
#define PUBLIC_LIST_CC PUBLIC_CC

/* A keyset list: stmt takes params[0..nfixed-1], then limit+1, cursor t, cursor id, and
 * returns rows (json, key text, id). Replies {items, next_cursor} (cursor {"t", "id"}). A public
 * list passes cache_tag and the query parameters (names, NULL-terminated, with "limit" and
 * "cursor") that make its answer: it is then served from the micro-cache. Agents' lists pass
 * NULL, NULL. */
int content_keyset_list(struct lc_request *rq, const char *stmt, const char **params, int nfixed,
                        const char *cache_tag, const char *const *names);
/* The same for an agents' list read in binary (takes limit+1, cursor t, cursor id): each row's
 * item written by its keys (cell_json.h), the last two columns the cursor's key text and id. */
struct content_item {
	const struct lc_json_key *keys;
	size_t n;
};
int content_keyset_items(struct lc_request *rq, const char *stmt, const struct content_item *item);

#endif
