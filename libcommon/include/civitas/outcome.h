/* outcome.h — "decide inside the transaction, reply after it": what a transaction callback
 * leaves for its handler (a problem with optional field errors, or a body to send), the
 * If-Match check that decides instead of replying, and the "lock the row + If-Match" opening of
 * an edit. See docs/architecture.md, "How to write a handler". */
#ifndef CIVITAS_OUTCOME_H
#define CIVITAS_OUTCOME_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "civitas/db.h"

struct lc_request;

/* What a transaction decided. Zero-initialise it; a callback that may be re-run (lc_db_tx retries
 * on serialization failures) starts with lc_outcome_reset. */
struct lc_outcome {
	unsigned status;    /* 0: nothing decided; a success without status is 200 (body) or 204 */
	const char *code;   /* problem code when status >= 400 (a catalogue code, see reply.c) */
	const char *detail; /* problem detail (English); must outlive the reply: a literal */
	json_t *errors;     /* errors[] of a 422 (owned), or NULL */
	json_t *body;       /* success body (owned), or NULL for an empty answer */
	char etag[64];      /* ETag header to send, "" for none (also sent with a 412) */
	char location[192]; /* Location header, "" for none */
};

/* Frees what the outcome owns and sets it back to "nothing decided". */
void lc_outcome_reset(struct lc_outcome *o);
/* A problem; returns LC_TX_ROLLBACK so a callback can `return lc_outcome_fail(...)`. */
enum lc_tx_result lc_outcome_fail(struct lc_outcome *o, unsigned status, const char *code,
                                  const char *detail);
/* A 422 validation_failed with one field error {field, code, message = detail}. */
enum lc_tx_result lc_outcome_field(struct lc_outcome *o, const char *field, const char *code,
                                   const char *detail);
/* A 422 validation_failed with errors[] (stolen) from lc_json_check or built by the caller. */
enum lc_tx_result lc_outcome_invalid(struct lc_outcome *o, const char *detail, json_t *errors);
/* A success: status (0: 200 with a body, 204 without) and body (stolen, may be NULL). Returns
 * LC_TX_COMMIT. */
enum lc_tx_result lc_outcome_ok(struct lc_outcome *o, unsigned status, json_t *body);
void lc_outcome_set_etag(struct lc_outcome *o, const char *etag);
/* Is the outcome a problem (status >= 400)? */
bool lc_outcome_is_problem(const struct lc_outcome *o);

/* Replies from the outcome once lc_db_tx has returned tx, and frees what the outcome owns:
 * a problem when one was decided (even if the transaction then failed), the database failure
 * when a statement failed (lc_db_fail_reply: 503 when the database is gone), else the success
 * with its ETag and Location. A rollback that decided nothing is a programming error (500). */
int lc_outcome_reply(struct lc_request *rq, enum lc_tx_result tx, struct lc_outcome *o);

/* lc_if_match_or_reply without the reply, for use inside a transaction: true when the If-Match
 * header names etag (or is "*"); otherwise o becomes 428 precondition_required (no header) or
 * 412 precondition_failed (with the current ETag) and the result is false. */
bool lc_if_match(struct lc_request *rq, const char *etag, struct lc_outcome *o);

/* The opening of an edit inside a transaction: lock the row, 404 when there is none, then
 * If-Match against the ETag the row has now. */
enum lc_if_match_rule {
	LC_IF_MATCH_REQUIRED = 0, /* no header: 428; a header that does not match: 412 */
	LC_IF_MATCH_WHEN_SENT,    /* no header passes (state transitions); a header sent must match */
	LC_IF_MATCH_IGNORED,      /* lock and 404 only */
};
struct lc_lock {
	const char *stmt; /* named statement returning at most one row, FOR UPDATE */
	int nparams;      /* its parameters */
	const char *const *params;
	int etag_col;            /* the column the ETag is made from */
	const char *etag_prefix; /* ETag = "\"<prefix><value>\""; NULL: the column is the ETag */
	const char *not_found;   /* detail of the 404 not_found */
	enum lc_if_match_rule if_match;
};
/* Returns the locked row (caller PQclear()s it), or NULL with *stop set to what the callback
 * returns: LC_TX_ROLLBACK (o holds the 404/412/428) or LC_TX_ERROR (a statement failed).
 * etag, when not NULL, receives the row's ETag (64 bytes). */
PGresult *lc_lock_if_match(struct lc_db *db, struct lc_request *rq, const struct lc_lock *lock,
                           struct lc_outcome *o, char etag[64], enum lc_tx_result *stop);

#endif
