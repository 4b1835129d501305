/* ts.h — what the teleservices files share: the SQL table, the transition core that records a
 * step and emits its events, calls to the account service, and small reply helpers. */
#ifndef CIVITAS_TELESERVICES_TS_H
#define CIVITAS_TELESERVICES_TS_H

#include <jansson.h>
#include <stdbool.h>

#include "civitas/db.h"

#include "ts_logic.h"

struct lc_request;

extern const struct lc_sql ts_statements[];

#define TS_MAX_DOC (10u * 1024 * 1024)

/* Parses column col of row 0 as JSON; NULL when there is no row or it is not JSON. New ref. */
json_t *ts_row_json(PGresult *r, int row, int col);

/* The caller is an agent (or admin) of service? Admins see every service. */
bool ts_agent_of(const struct lc_request *rq, const char *service);
bool ts_is_staff(const struct lc_request *rq); /* agent, editor or admin */
/* A text array literal of the caller's services ("{scolaire,jeunesse}"); admins: every
 * service that has a procedure. Allocated with the request. */
const char *ts_staff_services(struct lc_request *rq);

/* One state change inside the caller's transaction: checks the request is in `from` (already
 * locked by the caller), updates timings, records the step, emits the notification (outbox →
 * account), the stats event and the connector delivery when configured. reference may be
 * NULL. Returns 0 or -1 (roll back). */
struct ts_req_row {
	char id[37], user_id[37], status[16], service[40], procedure_id[37], title[201], slug[81];
	char reference[32], household_id[37], submit_key[129], bundle_id[37];
	int lock_version, sla_days;
	double running_s;
	json_t *member_ids, *answers; /* owned: ts_req_row_free */
};
/* Loads and locks the request (FOR UPDATE). 1 found, 0 not found, -1 error. */
int ts_req_lock(struct lc_db *db, const char *id, struct ts_req_row *out);
void ts_req_row_free(struct ts_req_row *r);
int ts_transition(struct lc_db *db, struct ts_req_row *req, const char *to, const char *by_role,
                  const char *by_id, const char *comment);
/* Queues a notification to user_id through the outbox (topic notify.<template>). */
int ts_emit_notify(struct lc_db *db, const char *user_id, const char *tmpl, json_t *data,
                   const char *request_id);
/* The request as JSON for a viewer (agent view has notes). NULL when missing. New ref. */
json_t *ts_request_json(struct lc_db *db, const char *id, bool for_agent);

/* Calls to civitas-account's internal API. Each returns the HTTP status (200, 404...) or 0 when
 * the service could not be reached; *out gets the JSON body on 200 (new ref). */
long ts_account_get(struct lc_request *rq, const char *path, json_t **out);

/* Outbox deliveries (see ts_outbox.c). */
int ts_deliver_notify(const char *topic, const json_t *event, char *err, size_t errlen);
int ts_deliver_connector(const char *topic, const json_t *event, char *err, size_t errlen);
int ts_on_start(void);
void ts_on_stop(void);

/* Replies 404 not_found. */
int ts_not_found(struct lc_request *rq);

#endif
