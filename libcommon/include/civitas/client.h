/* client.h — outgoing HTTP from a daemon: calls to another service's /internal/v1 API with the
 * internal bearer secret, and plain requests to outside systems (connectors). libcurl inside. */
#ifndef CIVITAS_CLIENT_H
#define CIVITAS_CLIENT_H

#include <jansson.h>
#include <stddef.h>

struct lc_http_resp {
	long status; /* 0 when the peer could not be reached */
	char *body;  /* NUL-terminated, may be NULL */
	size_t len;
	json_t *json; /* parsed body when it was JSON, else NULL */
	char content_type[128];
	char error[160]; /* why status is 0 */
};

#define LC_CLIENT_MAX_BODY (24u * 1024 * 1024) /* larger answers are cut off and fail */

/* A request to url. headers: NULL-terminated "Name: value" strings (may be NULL). body may be
 * NULL. timeout_s of 0 means 10 s. Returns 0 when an HTTP answer came (any status), -1 otherwise.
 * Always lc_http_resp_free the result. */
int lc_http_request(const char *method, const char *url, const char *const *headers, const void *body,
                    size_t len, long timeout_s, struct lc_http_resp *out);

/* The same request on a connection kept open for the next one to the same host: for one thread
 * that sends many (the outbox's delivery thread), which then pays no TCP connection per request.
 * A kept connection the peer closed meanwhile is retried once on a new one by libcurl, so a POST
 * may arrive twice: only for receivers that take each message once (the outbox's, by event id). */
struct lc_http_keep;
struct lc_http_keep *lc_http_keep_new(void);
void lc_http_keep_free(struct lc_http_keep *k);
int lc_http_request_kept(struct lc_http_keep *k, const char *method, const char *url,
                         const char *const *headers, const void *body, size_t len, long timeout_s,
                         struct lc_http_resp *out);

/* A call to another daemon: base URL from CIVITAS_<SERVICE>_URL (service "account" reads
 * CIVITAS_ACCOUNT_URL), path like "/internal/v1/users/<id>", JSON body (may be NULL), the
 * internal secret as bearer, X-Request-Id passed on when request_id is not NULL. */
int lc_internal_call(const char *service, const char *method, const char *path, const json_t *body,
                     const char *request_id, struct lc_http_resp *out);

void lc_http_resp_free(struct lc_http_resp *r);

#endif
