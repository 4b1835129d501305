/* test_payment_itest.h — helpers of the payment integration tests: the daemon in-process, people
 * and households made straight in account's tables (the stack's real account daemon answers the
 * internal calls), events in content's table, calls with a token, and Lyra signatures computed
 * here with OpenSSL, independently of services/payment/vads.c. */
#ifndef CIVITAS_TEST_PAYMENT_ITEST_H
#define CIVITAS_TEST_PAYMENT_ITEST_H

#include <check.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civitas/crypto.h"
#include "civitas/service.h"

#include "itest.h"
#include "routes.h"

static struct lc_running *pay_svc;
static char pay_base[64];
static PGconn *acc_pg, *pay_pg, *content_pg;

struct person {
	char id[37], email[96], auth[4200], household[37];
};

static inline void pay_start_with(const char *provider)
{
	itest_service_env("payment");
	setenv("CIVITAS_PAYMENT_SWEEP_MS", "300", 1);
	setenv("CIVITAS_PAYMENT_PROVIDER", provider, 1);
	pay_svc = lc_service_start(&payment_service);
	ck_assert_ptr_nonnull(pay_svc);
	snprintf(pay_base, sizeof(pay_base), "http://127.0.0.1:%u", lc_service_port(pay_svc));
	/* the sandbox's notifications come back to this in-process daemon */
	setenv("CIVITAS_PAYMENT_URL", pay_base, 1);
	acc_pg = itest_db("CIVITAS_TEST_ACCOUNT_DB_URL");
	pay_pg = itest_db("CIVITAS_TEST_PAYMENT_DB_URL");
	content_pg = itest_db("CIVITAS_TEST_CONTENT_DB_URL");
}

static inline void pay_start(void)
{
	pay_start_with("sandbox");
}

static inline void pay_stop(void)
{
	PQfinish(acc_pg);
	PQfinish(pay_pg);
	PQfinish(content_pg);
	lc_service_stop(pay_svc);
	unsetenv("CIVITAS_PAYMENT_PROVIDER");
}

static inline const char *pay_url(const char *path)
{
	static __thread char u[4096]; /* per thread: concurrency tests build URLs from many threads */
	if (strncmp(path, "/internal/", 10) == 0 || strncmp(path, "/api/", 5) == 0)
		snprintf(u, sizeof(u), "%s%s", pay_base, path);
	else
		snprintf(u, sizeof(u), "%s/api/payment/v1%s", pay_base, path);
	return u;
}

/* A user row in account and a token for it. */
static inline void person_make(struct person *u, const char *given, const char *role, const char *services)
{
	memset(u, 0, sizeof(*u));
	itest_account_user(acc_pg, given, role, services, u->id, u->email, u->auth);
}

/* A household with u as adult and a quotient familial: state "verified", "declared" or "" (none);
 * valid_days < 0 makes it expired. */
static inline void household_make(struct person *u, const char *qf, const char *state, int valid_days)
{
	char until[16];
	snprintf(until, sizeof(until), "%d", valid_days);
	const char *p[] = {state[0] ? qf : NULL, state[0] ? state : NULL, until};
	snprintf(
	    u->household, sizeof(u->household), "%.36s",
	    itest_sql1(
	        acc_pg,
	        "INSERT INTO households (address_line1, postcode, city, qf_value, qf_state, qf_valid_until,"
	        " qf_declared_at, qf_verified_at) VALUES ('3 rue des Lilas', '45190', 'Beaulieu-sur-Loire',"
	        " $1::int, $2::text, CASE WHEN $2::text IS NULL THEN NULL ELSE current_date + $3::int END,"
	        " CASE WHEN $2::text IS NULL THEN NULL ELSE now() END,"
	        " CASE WHEN $2 = 'verified' THEN now() END) RETURNING id",
	        3, p));
	const char *q[] = {u->household, u->id};
	PQclear(itest_sql(
	    acc_pg,
	    "INSERT INTO household_members (household_id, relation, given_name, family_name, birth_date,"
	    " user_id) VALUES ($1, 'adult', 'Camille', 'Martin', '1988-04-02', $2)",
	    2, q));
}

/* An event on content's agenda; its id into out. */
static inline void event_make(const char *title, char out[37])
{
	lc_uuid_v4(out);
	char slug[64];
	snprintf(slug, sizeof(slug), "evt-%.8s", out);
	const char *p[] = {out, slug, title};
	PQclear(itest_sql(
	    content_pg,
	    "INSERT INTO events (id, slug, title, starts_at, ends_at, ticketed, created_by)"
	    " VALUES ($1::uuid, $2, $3, now() + interval '10 days', now() + interval '10 days 2 hours',"
	    " true, $1::uuid)",
	    3, p));
}

/* A call with a token (auth may be NULL), a body (may be NULL) of content type ct (NULL: JSON)
 * and one more header. */
static inline void call_ct(struct itest_resp *r, const char *method, const char *path, const char *auth,
                           const char *body, const char *ct, const char *extra)
{
	itest_call(r, method, pay_url(path), auth, body, ct, extra);
}

static inline void call(struct itest_resp *r, const char *method, const char *path, const char *auth,
                        const char *json, const char *extra)
{
	call_ct(r, method, path, auth, json, NULL, extra);
}

static inline long long jint(const json_t *j, const char *key)
{
	return (long long)json_integer_value(json_object_get(j, key));
}

/* --- Lyra's signature, written again here from the documentation (not from vads.c) --- */

/* The internal secret of the stack (trailing newline removed). */
static inline const char *stack_secret(void)
{
	static char s[512];
	char path[512];
	snprintf(path, sizeof(path), "%s/internal-secret", itest_env("CIVITAS_TEST_KEYS"));
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(s, 1, sizeof(s) - 1, f);
	fclose(f);
	s[n] = '\0';
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* The sandbox shop key: hex HMAC-SHA-256(internal secret, "civitas-payment:sandbox-shop-key"). */
static inline const char *sandbox_key(void)
{
	static char hex[65];
	const char *secret = stack_secret();
	const char *label = "civitas-payment:sandbox-shop-key";
	unsigned char mac[32];
	unsigned int n;
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)label, strlen(label), mac, &n);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	return hex;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Base64(HMAC-SHA-256(key, values of vads_* sorted by name joined by '+', '+' key)). */
static inline void lyra_sign(json_t *fields, const char *key, char out[64])
{
	const char *names[64];
	size_t n = 0;
	const char *k;
	json_t *v;
	json_object_foreach(fields, k, v) if (strncmp(k, "vads_", 5) == 0) names[n++] = k;
	qsort(names, n, sizeof(names[0]), cmp_str);
	char msg[8192] = "";
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s+",
		                        json_string_value(json_object_get(fields, names[i])));
	snprintf(msg + len, sizeof(msg) - len, "%s", key);
	unsigned char mac[32];
	unsigned int ml;
	HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, strlen(msg), mac, &ml);
	EVP_EncodeBlock((unsigned char *)out, mac, 32);
}

/* fields as an urlencoded body (static buffer). */
static inline const char *form_body(json_t *fields)
{
	static char out[16384];
	size_t len = 0;
	const char *k;
	json_t *v;
	json_object_foreach(fields, k, v)
	{
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s=", len ? "&" : "", k);
		for (const unsigned char *p = (const unsigned char *)json_string_value(v); *p; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.')
				out[len++] = (char)*p;
			else
				len += (size_t)snprintf(out + len, sizeof(out) - len, "%%%02X", *p);
		}
		out[len] = '\0';
	}
	return out;
}

/* A notification as the provider sends it, signed with key (NULL: signed with a wrong key). */
static inline json_t *ipn_fields(const char *checkout_id, const char *site, const char *amount,
                                 const char *status, const char *trans_uuid)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "vads_amount", amount,
	                 "vads_ctx_mode", "TEST", "vads_currency", "978", "vads_order_id", checkout_id,
	                 "vads_site_id", site, "vads_trans_id", "000123", "vads_trans_date", "20261205120000",
	                 "vads_trans_status", status, "vads_trans_uuid", trans_uuid, "vads_operation_type",
	                 "DEBIT", "vads_version", "V2");
}

static inline long post_ipn(const char *provider, json_t *fields, const char *key, json_t **body)
{
	char sig[64];
	lyra_sign(fields, key, sig);
	json_object_set_new(fields, "signature", json_string(sig));
	char path[64];
	snprintf(path, sizeof(path), "/notifications/%s", provider);
	struct itest_resp r;
	call_ct(&r, "POST", path, NULL, form_body(fields), "application/x-www-form-urlencoded", NULL);
	long st = r.status;
	*body = itest_json(&r);
	itest_resp_free(&r);
	return st;
}

#endif
