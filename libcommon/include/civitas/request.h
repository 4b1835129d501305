/* request.h — the per-request context a handler sees: what it reads from the request and what it
 * adds to the answer. Everything a request allocates hangs off struct lc_request and is freed when
 * the server completes it (http.c). The replies themselves are in reply.h. */
#ifndef CIVITAS_REQUEST_H
#define CIVITAS_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct lc_request;
struct lc_claims;
struct lc_db;

/* --- What a handler reads --- */
const char *lc_rq_method(const struct lc_request *rq);
const char *lc_rq_path(const struct lc_request *rq);
const char *lc_rq_id(const struct lc_request *rq);                      /* X-Request-Id kept or made */
const char *lc_rq_param(const struct lc_request *rq, const char *name); /* {name} in the path */
const char *lc_rq_query(const struct lc_request *rq, const char *name); /* ?name=, decoded */
const char *lc_rq_header(const struct lc_request *rq, const char *name);
const char *lc_rq_client_ip(const struct lc_request *rq); /* X-Real-IP from nginx, else peer (http.c) */
/* Raw body (NUL-terminated for convenience; len excludes the NUL). NULL/0 when empty. */
const char *lc_rq_body(const struct lc_request *rq, size_t *len);
/* Parsed JSON body for LC_BODY_JSON routes (NULL when the body was empty). Borrowed. */
json_t *lc_rq_json(const struct lc_request *rq);
/* Verified token claims, or NULL for an anonymous caller. Borrowed. */
const struct lc_claims *lc_rq_claims(const struct lc_request *rq);
/* This worker thread's database connection (see db.h). Never NULL; may be down. */
struct lc_db *lc_rq_db(struct lc_request *rq);
/* Per-request allocation freed with the request. */
void *lc_rq_alloc(struct lc_request *rq, size_t n);
char *lc_rq_strdup(struct lc_request *rq, const char *s);
/* Registers a cleanup run when the request is freed (e.g. json_decref of a borrowed object).
 * Out of memory, it runs fn(arg) at once and returns false: arg is then gone. */
bool lc_rq_defer(struct lc_request *rq, void (*fn)(void *), void *arg);
/* Adds a header to the response the handler is about to queue. */
void lc_rq_add_header(struct lc_request *rq, const char *name, const char *value);
/* Was a reply already queued for this request? */
bool lc_rq_replied(const struct lc_request *rq);

#endif
