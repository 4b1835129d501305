/* itest.h — helpers shared by the integration tests: the environment ./civitas test exports,
 * HTTP calls with libcurl, and starting the stats daemon in-process on a free port. */
#ifndef CIVITAS_ITEST_H
#define CIVITAS_ITEST_H

#include <jansson.h>
#include <stddef.h>

struct itest_resp {
	long status;
	char *body;
	size_t len;
	char headers[8192];
};

/* The value of an exported test variable; exits 77 (skip) when it is missing. */
const char *itest_env(const char *name);
/* Performs one request. headers is NULL-terminated ("Name: value"); body may be NULL.
 * Returns 0, or -1 when the connection failed (status 0). Free with itest_resp_free. */
int itest_http(const char *method, const char *url, const char *const *headers, const char *body, size_t len,
               struct itest_resp *out);
void itest_resp_free(struct itest_resp *r);
/* The body parsed as JSON (new reference) or NULL. */
json_t *itest_json(const struct itest_resp *r);
/* Value of a response header (case-insensitive name) copied into out, or NULL. */
const char *itest_header(const struct itest_resp *r, const char *name, char *out, size_t outlen);
/* "Authorization: Bearer <internal secret>" built from the stack's key folder. */
const char *itest_internal_auth(void);
/* Sets the CIVITAS_* variables so that lc_service_start runs that service's daemon on port 0
 * with its own database role, the stack's keys and the other services' URLs. */
void itest_service_env(const char *service);
void itest_stats_env(void);
/* An ES256 access token signed with the stack's private key, as account issues them.
 * services: comma-separated ("scolaire,jeunesse") or NULL; ttl in seconds (negative: expired).
 * Returns a static buffer overwritten by the next call. */
const char *itest_token(const char *sub, const char *role, const char *services, long ttl);
/* "Authorization: Bearer <token>" for the same arguments (static buffer). */
const char *itest_bearer(const char *sub, const char *role, const char *services);
/* Runs a shell command, failing the test when it does not exit 0. */
void itest_sh(const char *cmd);

#endif
