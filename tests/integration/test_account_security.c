/* test_account_security.c — civitas-account in-process, what must hold under concurrency and
 * when a phone is lost: one TOTP code or recovery code serves once however many sign-ins send
 * it together; parallel wrong passwords check at most the lockout limit; the refresh reuse
 * interval (a race is let through, a late reuse revokes, the interval is bounded); recovery
 * codes (single use, hashed, audited and mailed, rate-limited, renewed); the administrator's
 * TOTP reset (never on oneself, forces enrolment); one person's sessions ended by an admin;
 * the audit trail exported as CSV for a period. */
#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sys/wait.h>

#include "civitas/crypto.h"

#include "account_itest.h"

#define PW    "un mot de passe solide"
#define REUSE 3 /* CIVITAS_REFRESH_REUSE_S of this run */
#define CROWD 8

static char *j(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *j(const char *fmt, ...)
{
	static char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

static void setup(void)
{
	char reuse[8];
	snprintf(reuse, sizeof(reuse), "%d", REUSE);
	setenv("CIVITAS_REFRESH_REUSE_S", reuse, 1);
	itest_service_env("account");
	/* More workers than the default of the tests: the windows of a race grow with them. */
	setenv("CIVITAS_THREADS", "8", 1);
	svc = lc_service_start(&account_service);
	ck_assert_ptr_nonnull(svc);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", lc_service_port(svc));
}

/* ---- many callers at once ---- */

struct caller {
	pthread_t t;
	const char *method, *path, *body, *header;
	pthread_barrier_t *start;
	long status;
	char cookie[256];
};

static void *call_once(void *arg)
{
	struct caller *c = arg;
	char url[512];
	snprintf(url, sizeof(url), "%s%s", base, c->path);
	const char *h[] = {"Content-Type: application/json", "X-Requested-With: civitas", c->header, NULL};
	struct itest_resp r;
	pthread_barrier_wait(c->start);
	itest_http(c->method, url, h, c->body, c->body ? strlen(c->body) : 0, &r);
	c->status = r.status;
	if (!refresh_cookie(&r, c->cookie, sizeof(c->cookie)))
		c->cookie[0] = '\0';
	itest_resp_free(&r);
	return NULL;
}

/* Sends the same request from n threads released together; statuses and cookies in cs. */
static void crowd(struct caller *cs, int n, const char *method, const char *path, const char *body,
                  const char *header)
{
	pthread_barrier_t b;
	pthread_barrier_init(&b, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		cs[i] = (struct caller){
		    .method = method, .path = path, .body = body, .header = header, .start = &b};
		ck_assert_int_eq(pthread_create(&cs[i].t, NULL, call_once, &cs[i]), 0);
	}
	for (int i = 0; i < n; i++)
		pthread_join(cs[i].t, NULL);
	pthread_barrier_destroy(&b);
}

static int count_status(const struct caller *cs, int n, long status)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		k += cs[i].status == status;
	return k;
}

/* ---- TOTP helpers ---- */

#define SECRET "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

static const char *code_at(const char *base32, long step)
{
	static char code[8];
	unsigned char secret[64];
	int n = totp_base32_decode(base32, secret, sizeof(secret));
	ck_assert_int_eq(n, 20);
	snprintf(code, sizeof(code), "%06u", totp_code(secret, (size_t)n, (uint64_t)step));
	return code;
}

/* An account of role with TOTP already enrolled (secret SECRET), made in the database. */
static const char *make_totp_user(const char *email, const char *role)
{
	static char id[64];
	snprintf(id, sizeof(id), "%s", make_user(email, PW, role));
	sql(j("UPDATE users SET totp_secret = '%s', totp_enabled_at = now(), totp_last_step = 0 WHERE id = "
	      "$1",
	      SECRET),
	    id);
	return id;
}

/* A code that stays valid for the next ten seconds at least (the checker allows one step back). */
static const char *fresh_code(void)
{
	while (time(NULL) % 30 > 20)
		sleep(1);
	return code_at(SECRET, time(NULL) / 30);
}

START_TEST(one_totp_code_one_sign_in_whatever_the_concurrency)
{
	char email[128], body[512];
	unique_email(email, sizeof(email), "admin.concurrent");
	const char *id = make_totp_user(email, "admin");
	char uid[64];
	snprintf(uid, sizeof(uid), "%s", id);
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"" PW "\",\"totp\":\"%s\"}", email,
	         fresh_code());
	struct caller cs[CROWD];
	crowd(cs, CROWD, "POST", API "/login", body, NULL);
	/* One session; the others are refused (401, or 429 once their attempts reached the limit:
	 * each waits for its turn as a possible failure). */
	ck_assert_int_eq(count_status(cs, CROWD, 200), 1);
	ck_assert_int_eq(count_status(cs, CROWD, 401) + count_status(cs, CROWD, 429), CROWD - 1);
	ck_assert_str_eq(sql("SELECT count(*) FROM sessions WHERE user_id = $1", uid), "1");
}
END_TEST

START_TEST(parallel_wrong_passwords_check_at_most_the_limit)
{
	char email[128], body[512];
	unique_email(email, sizeof(email), "verrou.parallele");
	char uid[64];
	snprintf(uid, sizeof(uid), "%s", make_user(email, PW, "citizen"));
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"pas le bon mot de passe\"}", email);
	enum { N = 40 };
	struct caller cs[N];
	crowd(cs, N, "POST", API "/login", body, NULL);
	/* Every checked password leaves one login.failed entry: never more than the limit. */
	int checked =
	    atoi(sql("SELECT count(*) FROM audit WHERE action = 'login.failed' AND target_id = $1", uid));
	ck_assert_int_le(checked, ACCOUNT_MAX_FAILURES);
	ck_assert_int_ge(checked, 1);
	ck_assert_int_le(count_status(cs, N, 401), ACCOUNT_MAX_FAILURES - 1);
	ck_assert_int_eq(count_status(cs, N, 401) + count_status(cs, N, 429), N);
	ck_assert_str_eq(
	    sql("SELECT count(*) FROM audit WHERE action = 'account.locked' AND target_id = $1", uid),
	    checked == ACCOUNT_MAX_FAILURES ? "1" : "0");
}
END_TEST

/* ---- refresh reuse interval ---- */

static const char *login_cookie(const char *email, char *cookie, size_t n)
{
	struct itest_resp r;
	ck_assert_int_eq(
	    call("POST", API "/login", j("{\"email\":\"%s\",\"password\":\"" PW "\"}", email), &r, NULL),
	    200);
	ck_assert_ptr_nonnull(refresh_cookie(&r, cookie, n));
	itest_resp_free(&r);
	return cookie;
}

static long refresh(const char *cookie, char *next, size_t n)
{
	struct itest_resp r;
	long st = call("POST", API "/session/refresh", NULL, &r, "X-Requested-With: civitas", cookie, NULL);
	if (next && !refresh_cookie(&r, next, n))
		next[0] = '\0';
	itest_resp_free(&r);
	return st;
}

START_TEST(two_tabs_refreshing_together_keep_the_session)
{
	char email[128], c0[256], c1[256], c2[256];
	unique_email(email, sizeof(email), "onglets");
	char uid[64];
	snprintf(uid, sizeof(uid), "%s", make_user(email, PW, "citizen"));
	login_cookie(email, c0, sizeof(c0));
	struct caller cs[CROWD];
	crowd(cs, CROWD, "POST", API "/session/refresh", NULL, c0);
	ck_assert_int_eq(count_status(cs, CROWD, 200), CROWD);
	for (int i = 1; i < CROWD; i++) /* the same successor for every tab */
		ck_assert_str_eq(cs[i].cookie, cs[0].cookie);
	snprintf(c1, sizeof(c1), "%s", cs[0].cookie);
	ck_assert_str_eq(sql("SELECT count(*) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL", uid),
	                 "1");
	ck_assert_str_eq(sql("SELECT count(*) FROM audit WHERE action = 'session.reuse_detected' AND"
	                     " details->>'user_id' = $1",
	                     uid),
	                 "0");
	/* the successor works, and rotates */
	ck_assert_int_eq(refresh(c1, c2, sizeof(c2)), 200);
	ck_assert_str_ne(c2, c1);
	/* bound: within the interval, a token two rotations back is a reuse (its successor is spent) */
	ck_assert_int_eq(refresh(c0, NULL, 0), 401);
	ck_assert_int_eq(refresh(c2, NULL, 0), 401); /* the family is gone */
	ck_assert_str_eq(sql("SELECT revoked_why FROM sessions WHERE user_id = $1", uid), "reuse_detected");
}
END_TEST

START_TEST(late_reuse_still_revokes)
{
	char email[128], c0[256], c1[256];
	unique_email(email, sizeof(email), "vol");
	char uid[64];
	snprintf(uid, sizeof(uid), "%s", make_user(email, PW, "citizen"));
	login_cookie(email, c0, sizeof(c0));
	ck_assert_int_eq(refresh(c0, c1, sizeof(c1)), 200);
	ck_assert_int_eq(refresh(c0, NULL, 0), 200); /* within the interval: the race is let through */
	sleep(REUSE + 1);
	ck_assert_int_eq(refresh(c0, NULL, 0), 401); /* after it: a stolen token */
	ck_assert_int_eq(refresh(c1, NULL, 0), 401);
	ck_assert_str_eq(sql("SELECT revoked_why FROM sessions WHERE user_id = $1", uid), "reuse_detected");
	ck_assert_str_eq(sql("SELECT count(*) FROM audit WHERE action = 'session.reuse_detected' AND"
	                     " details->>'user_id' = $1",
	                     uid),
	                 "1");
}
END_TEST

START_TEST(the_interval_is_bounded)
{
	/* The daemon refuses to start with a window longer than a minute (exit 2, one line). */
	char cmd[1200];
	snprintf(cmd, sizeof(cmd),
	         "CIVITAS_REFRESH_REUSE_S=61 CIVITAS_PORT=0 timeout 30 %s/services/account/civitas-account"
	         " >/dev/null 2>&1",
	         itest_env("CIVITAS_BUILD"));
	int st = system(cmd);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 2);
	snprintf(cmd, sizeof(cmd),
	         "CIVITAS_REFRESH_REUSE_S=-1 CIVITAS_PORT=0 timeout 30 %s/services/account/civitas-account"
	         " >/dev/null 2>&1",
	         itest_env("CIVITAS_BUILD"));
	st = system(cmd);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 2);
}
END_TEST

/* ---- recovery codes ---- */

/* Enrols email (an admin without TOTP) through the API; the secret and the ten codes out. */
static void enrol(const char *email, char secret[64], json_t **codes)
{
	struct itest_resp r;
	char enrol_token[64], body[512];
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"" PW "\"}", email);
	ck_assert_int_eq(call("POST", API "/login", body, &r, NULL), 403);
	json_t *p = itest_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(p, "code")), "totp_enrolment_required");
	snprintf(enrol_token, sizeof(enrol_token), "%s",
	         json_string_value(json_object_get(p, "enrolment_token")));
	json_decref(p);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", API "/me/totp/setup", j("{\"enrolment_token\":\"%s\"}", enrol_token), &r, NULL),
	    200);
	p = itest_json(&r);
	snprintf(secret, 64, "%s", json_string_value(json_object_get(p, "secret")));
	json_decref(p);
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", API "/me/totp/confirm",
	                      j("{\"enrolment_token\":\"%s\",\"code\":\"%s\"}", enrol_token,
	                        code_at(secret, time(NULL) / 30)),
	                      &r, NULL),
	                 200);
	p = itest_json(&r);
	*codes = json_incref(json_object_get(p, "recovery_codes"));
	json_decref(p);
	itest_resp_free(&r);
	ck_assert_int_eq(json_array_size(*codes), RECOVERY_CODES);
}

static long login_with(const char *email, const char *field, const char *value, struct itest_resp *r)
{
	return call("POST", API "/login",
	            j("{\"email\":\"%s\",\"password\":\"" PW "\",\"%s\":\"%s\"}", email, field, value), r,
	            NULL);
}

START_TEST(recovery_codes_single_use_hashed_audited_mailed)
{
	char email[128], secret[64], uid[64];
	json_t *codes;
	struct itest_resp r;
	unique_email(email, sizeof(email), "admin.secours");
	snprintf(uid, sizeof(uid), "%s", make_user(email, PW, "admin"));
	enrol(email, secret, &codes);
	/* stored hashed: ten rows, none holds a code, each the SHA-256 bound to the account */
	ck_assert_str_eq(
	    sql("SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL", uid), "10");
	const char *first = json_string_value(json_array_get(codes, 0));
	ck_assert_int_eq((int)strlen(first), 19);
	char norm[32], text[128], hash[65];
	size_t k = 0;
	for (const char *p = first; *p; p++)
		if (*p != '-')
			norm[k++] = *p;
	norm[k] = '\0';
	snprintf(text, sizeof(text), "%s:%s", uid, norm);
	lc_sha256_hex(text, strlen(text), hash);
	ck_assert_str_eq(sql("SELECT count(*) FROM recovery_codes WHERE code_hash = $1", hash), "1");
	ck_assert_str_eq(
	    sql(j("SELECT count(*) FROM recovery_codes WHERE code_hash LIKE '%%%s%%' OR code_hash"
	          " LIKE '%%%s%%'",
	          norm, first),
	        NULL),
	    "0");
	/* a code stands in for the TOTP code, lower case and without dashes too */
	char typed[32];
	for (k = 0; norm[k]; k++)
		typed[k] = (char)tolower((unsigned char)norm[k]);
	typed[k] = '\0';
	ck_assert_int_eq(login_with(email, "recovery_code", typed, &r), 200);
	json_t *b = itest_json(&r);
	ck_assert_int_eq(json_integer_value(json_object_get(b, "recovery_codes_left")), 9);
	json_decref(b);
	itest_resp_free(&r);
	/* single use */
	ck_assert_int_eq(login_with(email, "recovery_code", first, &r), 401);
	ck_assert_str_eq(code_of(&r), "invalid_totp");
	itest_resp_free(&r);
	/* audited and mailed */
	ck_assert_str_eq(
	    sql("SELECT count(*) FROM audit WHERE action = 'login.recovery_code_used' AND target_id = $1",
	        uid),
	    "1");
	free(wait_mail(email, "il vous en reste", 1));
	/* one code, many sign-ins at once: one session */
	const char *second = json_string_value(json_array_get(codes, 1));
	char body[512];
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"" PW "\",\"recovery_code\":\"%s\"}",
	         email, second);
	struct caller cs[CROWD];
	crowd(cs, CROWD, "POST", API "/login", body, NULL);
	ck_assert_int_eq(count_status(cs, CROWD, 200), 1);
	ck_assert_str_eq(
	    sql("SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL", uid), "8");
	/* the seven refused attempts count as failures and may have locked the account: unlock */
	sql("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", uid);
	/* renewing asks for the password again and voids the old codes */
	char bearer[4300], refresh_c[256], access[2048];
	ck_assert_int_eq(login_with(email, "recovery_code", json_string_value(json_array_get(codes, 2)), &r),
	                 200);
	b = itest_json(&r);
	snprintf(access, sizeof(access), "%s", json_string_value(json_object_get(b, "access_token")));
	json_decref(b);
	refresh_cookie(&r, refresh_c, sizeof(refresh_c));
	itest_resp_free(&r);
	snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", access);
	ck_assert_int_eq(
	    call("POST", API "/me/totp/recovery-codes", "{\"password\":\"pas le bon\"}", &r, bearer, NULL),
	    422);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", API "/me/totp/recovery-codes", "{\"password\":\"" PW "\"}", &r, bearer, NULL), 200);
	json_t *fresh = itest_json(&r);
	ck_assert_int_eq(json_array_size(json_object_get(fresh, "recovery_codes")), RECOVERY_CODES);
	itest_resp_free(&r);
	ck_assert_int_eq(login_with(email, "recovery_code", json_string_value(json_array_get(codes, 3)), &r),
	                 401);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    login_with(email, "recovery_code",
	               json_string_value(json_array_get(json_object_get(fresh, "recovery_codes"), 0)), &r),
	    200);
	itest_resp_free(&r);
	ck_assert_str_eq(
	    sql("SELECT count(*) FROM audit WHERE action = 'totp.recovery_codes_renewed' AND target_id = $1",
	        uid),
	    "1");
	json_decref(fresh);
	json_decref(codes);
}
END_TEST

START_TEST(wrong_recovery_codes_lock_like_passwords)
{
	char email[128], uid[64];
	struct itest_resp r;
	unique_email(email, sizeof(email), "admin.devine");
	snprintf(uid, sizeof(uid), "%s", make_totp_user(email, "admin"));
	for (int i = 1; i < ACCOUNT_MAX_FAILURES; i++) {
		ck_assert_int_eq(login_with(email, "recovery_code", "AAAA-BBBB-CCCC-DDDD", &r), 401);
		ck_assert_str_eq(code_of(&r), "invalid_totp");
		itest_resp_free(&r);
	}
	ck_assert_int_eq(login_with(email, "recovery_code", "AAAA-BBBB-CCCC-DDDD", &r), 429);
	itest_resp_free(&r);
	ck_assert_int_eq(login_with(email, "totp", fresh_code(), &r), 429); /* even the right code waits */
	itest_resp_free(&r);
	ck_assert_str_eq(sql("SELECT count(*) FROM audit WHERE action = 'login.failed' AND target_id = $1 AND"
	                     " details->>'reason' = 'recovery_code'",
	                     uid),
	                 "5");
	free(wait_mail(email, "minutes", 1));
}
END_TEST

/* ---- the administrator's reset, sessions, export ---- */

START_TEST(admin_resets_someone_elses_totp_never_their_own)
{
	char admin_mail[128], agent_mail[128], admin_id[64], agent_id[64], admin_bearer[4300], cookie[256];
	struct itest_resp r;
	unique_email(admin_mail, sizeof(admin_mail), "admin.reset");
	unique_email(agent_mail, sizeof(agent_mail), "agent.telephone.perdu");
	snprintf(admin_id, sizeof(admin_id), "%s", make_user(admin_mail, PW, "admin"));
	snprintf(agent_id, sizeof(agent_id), "%s", make_totp_user(agent_mail, "agent"));
	snprintf(admin_bearer, sizeof(admin_bearer), "%s", itest_bearer(admin_id, "admin", NULL));
	ck_assert_int_eq(login_with(agent_mail, "totp", fresh_code(), &r), 200);
	refresh_cookie(&r, cookie, sizeof(cookie));
	itest_resp_free(&r);
	/* not for someone who is not an admin, not on oneself, not on nobody */
	ck_assert_int_eq(call("POST", j(API "/admin/users/%s/totp/reset", admin_id), NULL, &r,
	                      itest_bearer(agent_id, "agent", NULL), NULL),
	                 404);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", j(API "/admin/users/%s/totp/reset", admin_id), NULL, &r, admin_bearer, NULL), 409);
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", API "/admin/users/00000000-0000-4000-8000-00000000abcd/totp/reset",
	                      NULL, &r, admin_bearer, NULL),
	                 404);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", j(API "/admin/users/%s/totp/reset", agent_id), NULL, &r, admin_bearer, NULL), 200);
	ck_assert(strstr(r.body, "\"totp_enabled\":false"));
	itest_resp_free(&r);
	/* the sessions ended, the old authenticator is gone, enrolment comes at the next sign-in */
	ck_assert_int_eq(refresh(cookie, NULL, 0), 401);
	ck_assert_int_eq(login_with(agent_mail, "totp", code_at(SECRET, time(NULL) / 30), &r), 403);
	ck_assert_str_eq(code_of(&r), "totp_enrolment_required");
	itest_resp_free(&r);
	ck_assert_str_eq(
	    sql(j("SELECT actor_id FROM audit WHERE action = 'user.totp_reset' AND target_id = '%s'",
	          agent_id),
	        NULL),
	    admin_id);
	free(wait_mail(agent_mail, "double authentification", 1));
	/* and once enrolled again, the flag is gone */
	char secret[64];
	json_t *codes;
	enrol(agent_mail, secret, &codes);
	json_decref(codes);
	ck_assert_str_eq(sql("SELECT totp_enrol_required FROM users WHERE id = $1", agent_id), "f");
}
END_TEST

START_TEST(admin_sees_and_ends_someones_sessions)
{
	char admin_mail[128], mail[128], admin_id[64], uid[64], bearer[4300], c1[256], c2[256];
	struct itest_resp r;
	unique_email(admin_mail, sizeof(admin_mail), "admin.sessions");
	unique_email(mail, sizeof(mail), "agent.sessions");
	snprintf(admin_id, sizeof(admin_id), "%s", make_user(admin_mail, PW, "admin"));
	snprintf(uid, sizeof(uid), "%s", make_user(mail, PW, "agent"));
	snprintf(bearer, sizeof(bearer), "%s", itest_bearer(admin_id, "admin", NULL));
	login_cookie(mail, c1, sizeof(c1));
	login_cookie(mail, c2, sizeof(c2));
	ck_assert_int_eq(call("GET", j(API "/admin/users/%s/sessions", uid), NULL, &r, bearer, NULL), 200);
	json_t *l = itest_json(&r);
	json_t *items = json_object_get(l, "items");
	ck_assert_int_eq(json_array_size(items), 2);
	char sid[64];
	snprintf(sid, sizeof(sid), "%s", json_string_value(json_object_get(json_array_get(items, 0), "id")));
	json_decref(l);
	itest_resp_free(&r);
	ck_assert_int_eq(call("GET", j(API "/admin/users/%s/sessions", uid), NULL, &r,
	                      itest_bearer(uid, "agent", NULL), NULL),
	                 404);
	itest_resp_free(&r);
	/* a session of someone else is not found through this person */
	ck_assert_int_eq(
	    call("DELETE", j(API "/admin/users/%s/sessions/%s", admin_id, sid), NULL, &r, bearer, NULL), 404);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("DELETE", j(API "/admin/users/%s/sessions/%s", uid, sid), NULL, &r, bearer, NULL), 204);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("DELETE", j(API "/admin/users/%s/sessions/%s", uid, sid), NULL, &r, bearer, NULL), 404);
	itest_resp_free(&r);
	/* the newest session was ended: its cookie no longer refreshes, the other one does */
	ck_assert_int_eq(refresh(c2, NULL, 0), 401);
	ck_assert_int_eq(refresh(c1, NULL, 0), 200);
	ck_assert_str_eq(
	    sql("SELECT count(*) FROM audit WHERE action = 'session.end_by_admin' AND target_id = $1", sid),
	    "1");
	/* the audit trail of a period as CSV, itself audited */
	ck_assert_int_eq(call("GET", API "/admin/audit/export?from=2026-01-01", NULL, &r, bearer, NULL), 422);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("GET", API "/admin/audit/export?from=hier&to=2099-01-01", NULL, &r, bearer, NULL), 422);
	itest_resp_free(&r);
	ck_assert_int_eq(call("GET", API "/admin/audit/export?from=2000-01-01&to=2099-01-01", NULL, &r,
	                      itest_bearer(uid, "agent", NULL), NULL),
	                 404);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("GET", API "/admin/audit/export?from=2000-01-01&to=2099-01-01", NULL, &r, bearer, NULL),
	    200);
	char ct[128];
	ck_assert_str_eq(itest_header(&r, "Content-Type", ct, sizeof(ct)), "text/csv; charset=utf-8");
	ck_assert(strncmp(r.body, "at,service,actor_id,actor_email,actor_role,action,", 50) == 0);
	ck_assert(strstr(r.body, sid));
	ck_assert(strstr(r.body, "session.end_by_admin"));
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("GET", API "/admin/audit/export?from=2000-01-01&to=2000-01-02", NULL, &r, bearer, NULL),
	    200);
	ck_assert(strchr(r.body, '\n') == r.body + strlen(r.body) - 1); /* the header line alone */
	itest_resp_free(&r);
	ck_assert_int_ge(
	    atoi(sql("SELECT count(*) FROM audit WHERE action = 'audit.export' AND actor_id = $1", admin_id)),
	    2);
}
END_TEST

int main(void)
{
	itest_env("CIVITAS_TEST_ACCOUNT_DB_URL");
	itest_env("CIVITAS_TEST_MAIL");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	Suite *s = suite_create("account_security");
	TCase *tc = tcase_create("account in-process");
	tcase_add_checked_fixture(tc, setup, account_teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, one_totp_code_one_sign_in_whatever_the_concurrency);
	tcase_add_test(tc, parallel_wrong_passwords_check_at_most_the_limit);
	tcase_add_test(tc, two_tabs_refreshing_together_keep_the_session);
	tcase_add_test(tc, late_reuse_still_revokes);
	tcase_add_test(tc, the_interval_is_bounded);
	tcase_add_test(tc, recovery_codes_single_use_hashed_audited_mailed);
	tcase_add_test(tc, wrong_recovery_codes_lock_like_passwords);
	tcase_add_test(tc, admin_resets_someone_elses_totp_never_their_own);
	tcase_add_test(tc, admin_sees_and_ends_someones_sessions);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
