/* itest.h — helpers shared by the integration tests: the environment ./civitas test exports,
 * HTTP calls with libcurl and the expected answer, SQL on a service's own database, people made
 * straight in account's tables, and starting a daemon in-process on a free port. */
#ifndef CIVITAS_ITEST_H
#define CIVITAS_ITEST_H

#include <check.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct itest_resp {
	long status;
	char *body;
	size_t len;
	char headers[8192];
};

/* The value of an exported test variable; exits 77 (skip) when it is missing. */
const char *itest_env(const char *name);
/* The e-mails the stack's SMTP catcher wrote (CIVITAS_TEST_MAIL): how many are addressed to
 * `to` and contain needle (NULL: any); the newest of them in *last when not NULL (caller frees;
 * NULL when none). */
int itest_mail_count(const char *to, const char *needle, char **last);
/* Waits up to `seconds` until at least `want` such e-mails exist (else fails the test); returns
 * the newest (caller frees). */
char *itest_mail_wait(const char *to, const char *needle, int want, int seconds);
/* Performs one request. headers is NULL-terminated ("Name: value"); body may be NULL.
 * Returns 0, or -1 when the connection failed (status 0). Free with itest_resp_free. */
int itest_http(const char *method, const char *url, const char *const *headers, const char *body, size_t len,
               struct itest_resp *out);
void itest_resp_free(struct itest_resp *r);
/* The body parsed as JSON (new reference) or NULL. */
json_t *itest_json(const struct itest_resp *r);
/* A call with a token header (auth may be NULL), a body (may be NULL) of content_type (NULL:
 * application/json) and one more header (may be NULL); fails the test when the connection
 * failed. */
void itest_call(struct itest_resp *r, const char *method, const char *url, const char *auth, const char *body,
                const char *content_type, const char *extra);
/* Fails the test unless r has this status; returns the JSON body (new ref, NULL when empty or
 * not JSON) and frees r. */
json_t *itest_expect(struct itest_resp *r, long status);
/* The string member key of j ("" when absent). */
const char *itest_jstr(const json_t *j, const char *key);
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
 * Returns a static buffer (one per thread) overwritten by the next call. */
const char *itest_token(const char *sub, const char *role, const char *services, long ttl);
/* "Authorization: Bearer <token>" for the same arguments (static buffer). */
const char *itest_bearer(const char *sub, const char *role, const char *services);
/* A connection to the database whose URL is in the test variable env_name; fails the test
 * when it cannot connect. PQfinish it. */
PGconn *itest_db(const char *env_name);
/* Runs SQL with text parameters on c (a test's own connection to a service's database); fails
 * the test unless it succeeds. PQclear the result. */
PGresult *itest_sql(PGconn *c, const char *sql, int n, const char *const *params);
/* The first column of the first row (static buffer, "" when no row). */
const char *itest_sql1(PGconn *c, const char *sql, int n, const char *const *params);
/* Waits up to `seconds` for itest_sql1 to return want; false when it never did. */
bool itest_wait_sql(PGconn *c, const char *sql, int n, const char *const *params, const char *want,
                    int seconds);
/* A verified user in account's users table (acc: a connection to account's database) with this
 * given name and role, and an "Authorization: Bearer" header for a token with those services
 * (comma-separated, may be NULL). id, email and auth receive them. */
void itest_account_user(PGconn *acc, const char *given, const char *role, const char *services, char id[37],
                        char email[96], char auth[4200]);
/* Runs every test of suite s, frees it and returns the program's exit status (EXIT_SUCCESS
 * when none failed): a test's main() ends with `return itest_run(s);`. */
int itest_run(Suite *s);
/* Runs a shell command, failing the test when it does not exit 0. */
void itest_sh(const char *cmd);

#endif
