/* audit.h — the trail of what agents and security events did: who, what, on what, from where.
 * An entry is written in the caller's transaction. The account service keeps the trail (its
 * GET /admin/audit); other services send their entries there through the outbox. */
#ifndef CIVITAS_AUDIT_H
#define CIVITAS_AUDIT_H

#include <jansson.h>

struct lc_db;
struct lc_request;

/* Where entries go in the service that stores them (account); elsewhere unset. The entry is
 * {at, service, actor_id, actor_role, action, target_type, target_id, ip, request_id, details}.
 * Returns 0 or -1. */
typedef int (*lc_audit_sink_fn)(struct lc_db *db, const json_t *entry);
void lc_audit_set_sink(lc_audit_sink_fn fn);

/* Records one action ("article.publish", "document.download", "login.failed") on a target
 * (type + id, both may be NULL). rq gives the actor (claims), the client address and the
 * request id; details may be NULL (borrowed). Without a sink, emits outbox topic
 * "audit.<action>" to the account service. Returns 0, or -1 (roll the transaction back). */
int lc_audit(struct lc_db *db, struct lc_request *rq, const char *action, const char *target_type,
             const char *target_id, const json_t *details);

#endif
