/* ts.h — what the teleservices files share: the SQL table, access checks and shared replies, the
 * transition core that records a step and emits its events, and calls to the account service. */
#ifndef CIVITAS_TELESERVICES_TS_H
#define CIVITAS_TELESERVICES_TS_H

#include <jansson.h>
#include <stdbool.h>

#include "civitas/db.h"
#include "civitas/outcome.h"

#include "ts_logic.h"

struct lc_request;

extern const struct lc_sql ts_statements[];

#define TS_MAX_DOC (10u * 1024 * 1024)

/* ---- who may see what, and the shared replies (ts_access.c) ---- */

/* The caller's user id ("" without a token). */
const char *ts_caller(struct lc_request *rq);
/* The caller is an agent (or admin) of service? Admins see every service. */
bool ts_agent_of(const struct lc_request *rq, const char *service);
bool ts_is_staff(const struct lc_request *rq); /* agent, editor or admin */
/* A text array literal of the caller's services ("{scolaire,jeunesse}"); admins: every
 * service that has a procedure. Allocated with the request. */
const char *ts_staff_services(struct lc_request *rq);
/* The request when the caller may see it: its owner (without the agents' notes), or an agent of
 * its service once it is submitted (*as_agent set). NULL otherwise, and when the database
 * failed (lc_db_failed tells which). New ref. */
json_t *ts_visible_request(struct lc_request *rq, const char *id, bool *as_agent);
/* Replies 404 not_found. */
int ts_not_found(struct lc_request *rq);
/* Replies with the request as its owner sees it, its ETag, and Location when status is 201. */
int ts_reply_request(struct lc_request *rq, const char *id, unsigned status, bool for_agent);

/* ---- the transition core (ts_core.c) ---- */

/* A request as ts_req_lock reads it, with its procedure's title, slug and SLA. */
struct ts_req_row {
	char id[37], user_id[37], status[16], service[40], procedure_id[37], title[201], slug[81];
	char reference[32], household_id[37], submit_key[129], bundle_id[37];
	int lock_version, sla_days;
	double running_s;
	json_t *member_ids, *answers; /* owned: ts_req_row_free */
};
/* Loads and locks the request (FOR UPDATE, inside a transaction). 1 found, 0 not found, -1
 * error; free the row with ts_req_row_free when found. */
int ts_req_lock(struct lc_db *db, const char *id, struct ts_req_row *out);
/* The same without the lock, for checks made before a transaction that locks and checks again. */
int ts_req_read(struct lc_db *db, const char *id, struct ts_req_row *out);
/* Locks the caller's own request id inside a transaction: 1 locked (free the row), 0 when it is
 * not the caller's or does not exist (o holds the 404, the callback returns LC_TX_ROLLBACK), -1
 * when a statement failed. */
int ts_lock_own(struct lc_db *db, struct lc_request *rq, const char *id, struct ts_req_row *row,
                struct lc_outcome *o);
void ts_req_row_free(struct ts_req_row *r);
/* After a committed change of a request (its status, its assignee): forgets the SLA figures and
 * the queue pages this process keeps (h_agent.c). After the commit, not inside the transaction:
 * an answer computed meanwhile from the old state would otherwise be kept. */
void ts_requests_changed(void);
/* One state change of req (locked by the caller) to `to`, inside the caller's transaction:
 * the reference on reception, timings, the step on the timeline, the citizen's notification
 * (outbox → account), the stats event, the invoice of a fee on acceptance and the connector
 * delivery when configured. by_id and comment may be NULL. req->status becomes `to`.
 * Returns 0 or -1 (roll back). */
int ts_transition(struct lc_db *db, struct ts_req_row *req, const char *to, const char *by_role,
                  const char *by_id, const char *comment);
/* Queues a notification to user_id through the outbox (topic notify.<template>). */
int ts_emit_notify(struct lc_db *db, const char *user_id, const char *tmpl, json_t *data,
                   const char *request_id);
/* Adds next_step (ts_next_step of its status) to a request's JSON (may be NULL). */
void ts_add_next_step(json_t *req);
/* Tells the agent of req (its assignee, else every agent of its service) that the citizen
 * answered: tmpl request_completed_by_citizen or request_citizen_message; words may be NULL. */
int ts_emit_agent_notify(struct lc_db *db, const struct ts_req_row *req, const char *tmpl, const char *words);
/* The request as JSON for a viewer (agent view has notes). NULL when missing. New ref. */
json_t *ts_request_json(struct lc_db *db, const char *id, bool for_agent);

/* ---- civitas-account's internal API (ts_account.c) ---- */

/* GET path on account: the HTTP status (200, 404...) or 0 when the service could not be
 * reached; *out gets the JSON body on 200 (new ref). */
long ts_account_get(struct lc_request *rq, const char *path, json_t **out);
/* Replies 503 unavailable with Retry-After: account could not be reached. */
int ts_account_unavailable(struct lc_request *rq);
/* The caller's household from account (*hh NULL when none; new ref). false: account
 * unreachable. */
bool ts_caller_household(struct lc_request *rq, json_t **hh);
/* The metadata of vault documents (*metas: new ref array), each checked to be household hh's
 * and of an allowed type; errors name "<prefix>[i]". false: account unreachable. */
bool ts_resolve_vault(struct lc_request *rq, const json_t *hh, const json_t *document_ids, const char *prefix,
                      json_t *errors, json_t **metas);
/* What became of reading a vault document's bytes (ts_vault_content). */
enum ts_vault_read {
	TS_VAULT_OK,          /* the bytes, as they were when the document was attached */
	TS_VAULT_UNREACHABLE, /* account could not be reached: 503 */
	TS_VAULT_UNREADABLE,  /* gone, empty or over TS_MAX_DOC */
	TS_VAULT_CHANGED,     /* not the bytes whose sha256 was recorded */
};
/* The bytes of vault document vault_id, checked against sha256 (hex). On TS_VAULT_OK *data
 * (malloc'd, the caller frees) and *len hold them. */
enum ts_vault_read ts_vault_content(struct lc_request *rq, const char *vault_id, const char *sha256,
                                    char **data, size_t *len);
/* Records vault document m (its metadata from account) on request req_id, without its bytes
 * (copied at submission). Returns 0 or -1. */
int ts_vault_doc_insert(struct lc_db *db, const char *req_id, const json_t *m);

/* ---- outbox deliveries (ts_outbox.c), on the outbox thread ---- */
int ts_deliver_notify(const char *topic, const json_t *event, char *err, size_t errlen);
int ts_deliver_connector(const char *topic, const json_t *event, char *err, size_t errlen);

#endif
