/* account_family_itest.h — helpers of the family integration tests of civitas-account: the
 * daemon in-process, people made straight in its database, and JSON / raw calls with a token. */
#ifndef CIVITAS_ACCOUNT_FAMILY_ITEST_H
#define CIVITAS_ACCOUNT_FAMILY_ITEST_H

#include <check.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/crypto.h"
#include "civitas/service.h"

#include "account.h"
#include "itest.h"
#include "routes.h"

#define FAM_PASSWORD "correct horse battery staple"

static struct lc_running *fam_svc;
static char fam_base[64];
static PGconn *fam_pg;

struct fam_user {
	char id[37], email[96], auth[4200];
};

static inline void fam_setup(void)
{
	itest_service_env("account");
	fam_svc = lc_service_start(&account_service);
	ck_assert_ptr_nonnull(fam_svc);
	snprintf(fam_base, sizeof(fam_base), "http://127.0.0.1:%u", lc_service_port(fam_svc));
	fam_pg = PQconnectdb(itest_env("CIVITAS_TEST_ACCOUNT_DB_URL"));
	ck_assert_int_eq(PQstatus(fam_pg), CONNECTION_OK);
}

static inline void fam_teardown(void)
{
	PQfinish(fam_pg);
	lc_service_stop(fam_svc);
}

/* Runs SQL with text parameters on the test's own connection; asserts success. PQclear it. */
static inline PGresult *fam_sql(const char *sql, int n, const char *const *p)
{
	PGresult *r = PQexecParams(fam_pg, sql, n, NULL, p, NULL, NULL, 0);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s",
	              sql, PQerrorMessage(fam_pg));
	return r;
}

/* The first column of the first row as a string (static buffer), "" when no row. */
static inline const char *fam_sql1(const char *sql, int n, const char *const *p)
{
	static char out[4096];
	PGresult *r = fam_sql(sql, n, p);
	snprintf(out, sizeof(out), "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return out;
}

/* A verified citizen (or agent) with the test password, and a token for them. */
static inline void fam_user_make(struct fam_user *u, const char *given, const char *role,
                                 const char *services)
{
	char hash[ACCOUNT_PHC_MAX], rnd[37];
	ck_assert_int_eq(account_password_hash(FAM_PASSWORD, hash), 0);
	lc_uuid_v4(rnd);
	snprintf(u->email, sizeof(u->email), "%.8s.%s@example.org", rnd, given);
	const char *p[] = {u->email, hash, given, role};
	const char *id = fam_sql1("INSERT INTO users (email, password_hash, given_name, family_name, role,"
	                          " email_verified_at) VALUES ($1, $2, $3, 'Martin', $4, now()) RETURNING id",
	                          4, p);
	ck_assert_uint_eq(strlen(id), 36);
	memcpy(u->id, id, 37);
	snprintf(u->auth, sizeof(u->auth), "%s", itest_bearer(u->id, role, services));
}

static inline const char *fam_url(const char *path)
{
	static __thread char u[4096]; /* per thread: concurrency tests build URLs from many threads */
	snprintf(u, sizeof(u), "%s%s", fam_base, path);
	return u;
}

/* A call with the user's token (u may be NULL: anonymous), a JSON body (may be NULL) and up to
 * two more headers (may be NULL). */
static inline void fam_call(struct itest_resp *r, const char *method, const char *path,
                            const struct fam_user *u, const char *json, const char *h1, const char *h2)
{
	const char *headers[6];
	size_t n = 0;
	if (u)
		headers[n++] = u->auth;
	if (json)
		headers[n++] = "Content-Type: application/json";
	if (h1)
		headers[n++] = h1;
	if (h2)
		headers[n++] = h2;
	headers[n] = NULL;
	ck_assert_int_eq(itest_http(method, fam_url(path), headers, json, json ? strlen(json) : 0, r), 0);
}

/* Uploads bytes to the vault with a type and kind; extra may hold one more header. */
static inline void fam_upload(struct itest_resp *r, const struct fam_user *u, const char *mime,
                              const char *kind, const void *data, size_t len, const char *extra)
{
	char ct[96], k[96];
	snprintf(ct, sizeof(ct), "Content-Type: %s", mime);
	snprintf(k, sizeof(k), "X-Document-Kind: %s", kind);
	const char *headers[] = {u->auth, ct, k, "Expect:", extra, NULL};
	ck_assert_int_eq(itest_http("POST", fam_url("/api/account/v1/me/documents"), headers, data, len, r),
	                 0);
}

/* Asserts a problem answer with this status and code; returns the parsed problem (decref it). */
static inline json_t *fam_problem(struct itest_resp *r, long status, const char *code)
{
	ck_assert_msg(r->status == status, "expected %ld, got %ld: %s", status, r->status,
	              r->body ? r->body : "");
	json_t *p = itest_json(r);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(json_string_value(json_object_get(p, "code")), code);
	return p;
}

/* The body as JSON after asserting the status (decref it). */
static inline json_t *fam_ok(struct itest_resp *r, long status)
{
	ck_assert_msg(r->status == status, "expected %ld, got %ld: %s", status, r->status,
	              r->body ? r->body : "");
	json_t *j = itest_json(r);
	ck_assert_ptr_nonnull(j);
	return j;
}

static const char fam_pdf[] =
    "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
static const unsigned char fam_png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                        0,    0,   0,   13,  'I',  'H',  'D',  'R'};

#endif
