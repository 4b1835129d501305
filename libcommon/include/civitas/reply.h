/* reply.h — the only ways a handler answers: JSON, RFC 9457 problems, raw bytes, empty.
 * A handler queues exactly one reply and returns what the lc_reply_* call returned (0, or -1
 * when even the reply could not be queued). Helpers named ..._or_reply return false after they
 * have replied; the handler then returns LC_REPLIED. A handler that queues nothing gets a 500. */
#ifndef CIVITAS_REPLY_H
#define CIVITAS_REPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct lc_request;

#define LC_REPLIED 0

/* Steals the reference to body. */
int lc_reply_json(struct lc_request *rq, unsigned status, json_t *body);
/* 200 with a strong ETag over the serialised body; answers 304 when If-None-Match matches.
 * cache_control e.g. "public, max-age=60" (NULL: "no-cache"). Steals body. */
int lc_reply_json_cached(struct lc_request *rq, json_t *body, const char *cache_control);
/* application/problem+json {type,title,status,detail,code,request_id[,errors]}.
 * code is the stable machine code (validation_failed, not_found, ...). errors is stolen, may be NULL. */
int lc_reply_problem(struct lc_request *rq, unsigned status, const char *code, const char *detail);
int lc_reply_problem_errors(struct lc_request *rq, unsigned status, const char *code, const char *detail,
                            json_t *errors);
/* 422 validation_failed with one field error {field, code, message = detail}. */
int lc_reply_field(struct lc_request *rq, const char *field, const char *code, const char *detail);
/* Copies data. */
int lc_reply_bytes(struct lc_request *rq, unsigned status, const char *content_type, const void *data,
                   size_t len);
/* Takes ownership of data (malloc'd; freed by MHD). */
int lc_reply_bytes_owned(struct lc_request *rq, unsigned status, const char *content_type, void *data,
                         size_t len);
/* Sends data without a copy: it must stay valid until release(arg) is called, once, when the
 * response is gone (also when it could not be built). */
int lc_reply_bytes_shared(struct lc_request *rq, unsigned status, const char *content_type, const void *data,
                          size_t len, void (*release)(void *), void *arg);
int lc_reply_empty(struct lc_request *rq, unsigned status);

/* Optimistic locking for edited objects: etag is the current strong ETag ("\"...\"").
 * No (or an empty) If-Match header answers 428 precondition_required; one that does not match
 * answers 412 precondition_failed with the current ETag; both return false. "*" matches
 * anything. Inside a transaction use lc_if_match (outcome.h), which decides without replying. */
bool lc_if_match_or_reply(struct lc_request *rq, const char *etag);

/* The guards a handler passes before it works. Each returns false after it has replied.
 * No token: 401 unauthorized (with WWW-Authenticate); below min_role (or, for a service, not
 * an agent of that service): 404 not_found, so that the resource's existence does not leak. */
bool lc_require_role_or_reply(struct lc_request *rq, const char *min_role);
bool lc_require_service_or_reply(struct lc_request *rq, const char *service);

/* The answer to a failed statement or transaction: 503 unavailable with Retry-After when the
 * database is gone (or under contention), 409 conflict on a unique violation, else 500
 * internal. Returns LC_REPLIED so a handler can `return lc_db_fail_reply(rq);`. Logs the
 * SQLSTATE, never values. */
int lc_db_fail_reply(struct lc_request *rq);
/* The same answer for a statement that failed on another thread's connection (a batcher's):
 * its SQLSTATE, whether the database was unreachable, and its message (logged on a 500). */
int lc_db_state_reply(struct lc_request *rq, const char *sqlstate, bool unavailable, const char *error);

/* Builds the problem object without replying (for tests and for callers that add members). */
json_t *lc_problem_new(unsigned status, const char *code, const char *detail, const char *request_id);
/* The title for a stable code ("Validation failed" for validation_failed); "Error" if unknown
 * (a code missing from the catalogue, libcommon/src/problems.def: the tests refuse that). */
const char *lc_problem_title(const char *code);
/* The i-th code of the catalogue, NULL past the end (for tests). */
const char *lc_problem_code_at(size_t i);

#endif
