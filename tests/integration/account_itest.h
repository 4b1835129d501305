/* account_itest.h — helpers of the account integration tests: the daemon in-process, JSON calls,
 * the refresh cookie, reading the e-mails the SMTP catcher wrote, and SQL as the account role. */
#ifndef CIVITAS_ACCOUNT_ITEST_H
#define CIVITAS_ACCOUNT_ITEST_H

#include <check.h>
#include <dirent.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civitas/service.h"

#include "account.h"
#include "itest.h"
#include "routes.h"

static struct lc_running *svc;
static char base[64];

static inline void account_setup(void)
{
	itest_service_env("account");
	svc = lc_service_start(&account_service);
	ck_assert_ptr_nonnull(svc);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", lc_service_port(svc));
}

static inline void account_teardown(void)
{
	lc_service_stop(svc);
}

/* A unique address for this run. */
static inline void unique_email(char *out, size_t n, const char *who)
{
	snprintf(out, n, "%s.%ld.%ld@example.org", who, (long)getpid(), random() % 1000000);
}

/* One call with an optional JSON body and extra headers (NULL-terminated list, may be NULL). */
static inline long call(const char *method, const char *path, const char *json, struct itest_resp *r, ...)
{
	const char *h[12];
	size_t n = 0;
	if (json)
		h[n++] = "Content-Type: application/json";
	va_list ap;
	va_start(ap, r);
	for (const char *x; n < 11 && (x = va_arg(ap, const char *)) != NULL;)
		h[n++] = x;
	va_end(ap);
	h[n] = NULL;
	char url[2048];
	snprintf(url, sizeof(url), "%s%s", base, path);
	ck_assert_int_eq(itest_http(method, url, h, json, json ? strlen(json) : 0, r), 0);
	return r->status;
}

static inline const char *code_of(const struct itest_resp *r)
{
	static char code[64];
	json_t *j = itest_json(r);
	snprintf(code, sizeof(code), "%s", json_string_value(json_object_get(j, "code")) ?: "");
	json_decref(j);
	return code;
}

/* "Cookie: civitas_refresh=<token>" from the Set-Cookie of r (static buffer), or NULL. */
static inline const char *refresh_cookie(const struct itest_resp *r, char *out, size_t n)
{
	char v[512];
	if (!itest_header(r, "Set-Cookie", v, sizeof(v)) || strncmp(v, "civitas_refresh=", 16) != 0)
		return NULL;
	size_t len = strcspn(v + 16, ";");
	if (len == 0)
		return NULL;
	snprintf(out, n, "Cookie: civitas_refresh=%.*s", (int)len, v + 16);
	return out;
}

/* Runs SQL as the account role (search_path account); returns the first value (static) or "". */
static inline const char *sql(const char *q, const char *p1)
{
	static char out[512];
	PGconn *c = PQconnectdb(itest_env("CIVITAS_TEST_ACCOUNT_DB_URL"));
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	PQclear(PQexec(c, "SET search_path TO account"));
	const char *p[] = {p1};
	PGresult *r = PQexecParams(c, q, p1 ? 1 : 0, NULL, p1 ? p : NULL, NULL, NULL, 0);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s",
	              q, PQerrorMessage(c));
	snprintf(out, sizeof(out), "%s",
	         PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	PQfinish(c);
	return out;
}

/* A verified account made directly in the database; returns its id (static). */
static inline const char *make_user(const char *email, const char *password, const char *role)
{
	char phc[ACCOUNT_PHC_MAX];
	ck_assert_int_eq(account_password_hash(password, phc), 0);
	static char id[64];
	PGconn *c = PQconnectdb(itest_env("CIVITAS_TEST_ACCOUNT_DB_URL"));
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	const char *p[] = {email, phc, role};
	PGresult *r =
	    PQexecParams(c,
	                 "INSERT INTO account.users (email, password_hash, given_name, family_name, role,"
	                 " email_verified_at) VALUES ($1, $2, 'Test', 'Personne', $3, now()) RETURNING id",
	                 3, NULL, p, NULL, NULL, 0);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return id;
}

/* The caught e-mails (itest.c): how many to `to` contain needle (the newest in *last), and
 * waiting up to 20 s for `want` of them. */
static inline int count_mail(const char *to, const char *needle, char **last)
{
	return itest_mail_count(to, needle, last);
}

static inline char *wait_mail(const char *to, const char *needle, int want)
{
	return itest_mail_wait(to, needle, want, 20);
}

/* The token=... of the link in a mail (static). */
static inline const char *mail_token(const char *mail)
{
	static char tok[128];
	const char *p = strstr(mail, "token=");
	ck_assert_ptr_nonnull(p);
	p += 6;
	size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
	ck_assert_uint_eq(n, 43);
	memcpy(tok, p, n);
	tok[n] = '\0';
	return tok;
}

#endif
