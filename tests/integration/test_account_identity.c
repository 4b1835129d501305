/* test_account_identity.c — civitas-account in-process against the test PostgreSQL and SMTP
 * catcher: registration → verification (link read from the caught e-mail) → login → refresh →
 * reuse detection → logout; lockout timings (the lock's end is moved back in SQL instead of
 * waiting); password reset. */
#include "account_itest.h"

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

#define PW "un mot de passe solide"

START_TEST(register_verify_login_refresh_reuse_logout)
{
	char email[128], body[1024], cookie[200], cookie2[200], bearer[1200];
	struct itest_resp r;
	unique_email(email, sizeof(email), "inscription");
	snprintf(body, sizeof(body),
	         "{\"email\":\"%s\",\"password\":\"" PW
	         "\",\"given_name\":\"Léa\",\"family_name\":\"Marchand\"}",
	         email);
	ck_assert_int_eq(call("POST", API "/register", body, &r, NULL), 202);
	itest_resp_free(&r);
	/* the same address again: the same answer, and an "already registered" mail instead */
	ck_assert_int_eq(call("POST", API "/register", body, &r, NULL), 202);
	itest_resp_free(&r);
	/* weak password: 422 on the password field, nothing created */
	char other[128];
	unique_email(other, sizeof(other), "faible");
	ck_assert_int_eq(
	    call("POST", API "/register",
	         j("{\"email\":\"%s\",\"password\":\"court\",\"given_name\":\"A\",\"family_name\":\"B\"}",
	           other),
	         &r, NULL),
	    422);
	ck_assert(strstr(r.body, "\"password\""));
	itest_resp_free(&r);
	ck_assert_str_eq(sql("SELECT count(*) FROM users WHERE email = $1", other), "0");

	/* not verified yet */
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"" PW "\"}", email);
	ck_assert_int_eq(call("POST", API "/login", body, &r, NULL), 403);
	ck_assert_str_eq(code_of(&r), "email_not_verified");
	itest_resp_free(&r);

	char *mail = wait_mail(email, "/verification.html?token=", 1);
	ck_assert(strstr(mail, "Subject: =?UTF-8?B?")); /* encoded word: the subject has accents */
	ck_assert(strstr(mail, "Content-Type: text/plain; charset=utf-8"));
	ck_assert(strstr(mail, "/verification.html?token="));
	char token[128];
	snprintf(token, sizeof(token), "%s", mail_token(mail));
	free(mail);
	free(wait_mail(email, "=?UTF-8?B?", 2)); /* the second one: already registered */
	ck_assert_int_eq(count_mail(email, "mot-de-passe-oublie", NULL), 1);
	/* only the hash of the link's token is stored */
	ck_assert_str_eq(sql("SELECT count(*) FROM email_tokens WHERE token_hash = $1", token), "0");

	ck_assert_int_eq(call("POST", API "/verify-email", j("{\"token\":\"%s\"}", token), &r, NULL), 200);
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", API "/verify-email", j("{\"token\":\"%s\"}", token), &r, NULL), 400);
	ck_assert_str_eq(code_of(&r), "invalid_token");
	itest_resp_free(&r);

	/* wrong password and unknown address: the same answer */
	ck_assert_int_eq(call("POST", API "/login",
	                      j("{\"email\":\"%s\",\"password\":\"pas le bon mot\"}", email), &r, NULL),
	                 401);
	ck_assert_str_eq(code_of(&r), "invalid_credentials");
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", API "/login",
	                      "{\"email\":\"personne.inconnue@example.org\",\"password\":\"" PW "\"}", &r,
	                      NULL),
	                 401);
	ck_assert_str_eq(code_of(&r), "invalid_credentials");
	itest_resp_free(&r);

	ck_assert_int_eq(call("POST", API "/login", body, &r, "User-Agent: itest/1.0", NULL), 200);
	json_t *lj = itest_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(lj, "token_type")), "Bearer");
	ck_assert_int_eq(json_integer_value(json_object_get(lj, "expires_in")), 600);
	snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s",
	         json_string_value(json_object_get(lj, "access_token")));
	json_decref(lj);
	char sc[512];
	ck_assert_ptr_nonnull(itest_header(&r, "Set-Cookie", sc, sizeof(sc)));
	ck_assert(strstr(sc, "HttpOnly"));
	ck_assert(strstr(sc, "SameSite=Strict"));
	ck_assert(strstr(sc, "Path=/api/account/v1/session"));
	ck_assert(!strstr(sc, "Secure"));
	ck_assert_ptr_nonnull(refresh_cookie(&r, cookie, sizeof(cookie)));
	itest_resp_free(&r);

	ck_assert_int_eq(call("GET", API "/me", NULL, &r, bearer, NULL), 200);
	json_t *me = itest_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(me, "email")), email);
	ck_assert_str_eq(json_string_value(json_object_get(me, "given_name")), "Léa");
	ck_assert(json_is_null(json_object_get(me, "household_id")));
	ck_assert(json_is_true(json_object_get(me, "notify_email")));
	json_decref(me);
	char etag[80];
	ck_assert_ptr_nonnull(itest_header(&r, "ETag", etag, sizeof(etag)));
	itest_resp_free(&r);
	/* PATCH /me needs If-Match */
	ck_assert_int_eq(call("PATCH", API "/me", "{\"phone\":\"02 38 00 00 01\"}", &r, bearer, NULL), 428);
	itest_resp_free(&r);
	char im[100];
	snprintf(im, sizeof(im), "If-Match: %s", etag);
	ck_assert_int_eq(call("PATCH", API "/me", "{\"phone\":\"02 38 00 00 01\",\"notify_email\":false}", &r,
	                      bearer, im, NULL),
	                 200);
	ck_assert(strstr(r.body, "\"notify_email\":false"));
	itest_resp_free(&r);
	ck_assert_int_eq(call("PATCH", API "/me", "{\"phone\":\"02 38 00 00 02\"}", &r, bearer, im, NULL),
	                 412);
	itest_resp_free(&r);

	/* refresh: needs the CSRF header, rotates the cookie */
	ck_assert_int_eq(call("POST", API "/session/refresh", NULL, &r, cookie, NULL), 403);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", API "/session/refresh", NULL, &r, cookie, "X-Requested-With: civitas", NULL), 200);
	ck_assert(strstr(r.body, "access_token"));
	ck_assert_ptr_nonnull(refresh_cookie(&r, cookie2, sizeof(cookie2)));
	ck_assert_str_ne(cookie, cookie2);
	itest_resp_free(&r);
	/* once its successor has been used, the spent token again is a reuse (not a race between two
	 * tabs): the whole family ends, the newest token too */
	ck_assert_int_eq(
	    call("POST", API "/session/refresh", NULL, &r, cookie2, "X-Requested-With: civitas", NULL), 200);
	ck_assert_ptr_nonnull(refresh_cookie(&r, cookie2, sizeof(cookie2)));
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", API "/session/refresh", NULL, &r, cookie, "X-Requested-With: civitas", NULL), 401);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", API "/session/refresh", NULL, &r, cookie2, "X-Requested-With: civitas", NULL), 401);
	itest_resp_free(&r);
	ck_assert_str_eq(
	    sql("SELECT revoked_why FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1"
	        " ORDER BY s.created_at LIMIT 1",
	        email),
	    "reuse_detected");
	ck_assert_str_eq(
	    sql("SELECT count(*) FROM audit WHERE action = 'session.reuse_detected' AND details->>'user_id' ="
	        " (SELECT id::text FROM users WHERE email = $1)",
	        email),
	    "1");

	/* a new session: listed, then logout ends it */
	ck_assert_int_eq(call("POST", API "/login", body, &r, NULL), 200);
	lj = itest_json(&r);
	snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s",
	         json_string_value(json_object_get(lj, "access_token")));
	json_decref(lj);
	refresh_cookie(&r, cookie, sizeof(cookie));
	itest_resp_free(&r);
	ck_assert_int_eq(call("GET", API "/sessions", NULL, &r, bearer, NULL), 200);
	json_t *sl = itest_json(&r);
	json_t *items = json_object_get(sl, "items");
	ck_assert_int_eq(json_array_size(items), 1);
	ck_assert(json_is_true(json_object_get(json_array_get(items, 0), "current")));
	json_decref(sl);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("DELETE", API "/sessions/00000000-0000-4000-8000-000000000000", NULL, &r, bearer, NULL),
	    404);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", API "/session/logout", NULL, &r, cookie, "X-Requested-With: civitas", NULL), 204);
	char cleared[300];
	ck_assert_ptr_nonnull(itest_header(&r, "Set-Cookie", cleared, sizeof(cleared)));
	ck_assert(strstr(cleared, "Max-Age=0"));
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", API "/session/refresh", NULL, &r, cookie, "X-Requested-With: civitas", NULL), 401);
	itest_resp_free(&r);
	ck_assert_int_eq(call("GET", API "/sessions", NULL, &r, bearer, NULL), 200);
	ck_assert(strstr(r.body, "\"items\":[]"));
	itest_resp_free(&r);
}
END_TEST

static long login(const char *email, const char *password, struct itest_resp *r)
{
	return call("POST", API "/login", j("{\"email\":\"%s\",\"password\":\"%s\"}", email, password), r,
	            NULL);
}

START_TEST(lockout_grows_and_mails_the_owner)
{
	char email[128], ra[16];
	struct itest_resp r;
	unique_email(email, sizeof(email), "verrou");
	make_user(email, PW, "citizen");
	for (int i = 1; i <= 4; i++) {
		ck_assert_int_eq(login(email, "mauvais mot de passe", &r), 401);
		itest_resp_free(&r);
	}
	ck_assert_int_eq(login(email, "mauvais mot de passe", &r), 429); /* the fifth locks */
	ck_assert_str_eq(code_of(&r), "rate_limited");
	ck_assert_str_eq(itest_header(&r, "Retry-After", ra, sizeof(ra)), "60");
	itest_resp_free(&r);
	/* even the right password waits */
	ck_assert_int_eq(login(email, PW, &r), 429);
	ck_assert_int_le(atoi(itest_header(&r, "Retry-After", ra, sizeof(ra))), 60);
	itest_resp_free(&r);
	free(wait_mail(email, "minutes", 1));
	/* the minute passes (moved back in SQL), five more failures: 5 minutes */
	sql("UPDATE users SET locked_until = now() - interval '1 second' WHERE email = $1", email);
	for (int i = 1; i <= 4; i++) {
		ck_assert_int_eq(login(email, "mauvais mot de passe", &r), 401);
		itest_resp_free(&r);
	}
	ck_assert_int_eq(login(email, "mauvais mot de passe", &r), 429);
	ck_assert_str_eq(itest_header(&r, "Retry-After", ra, sizeof(ra)), "300");
	itest_resp_free(&r);
	sql("UPDATE users SET locked_until = now() - interval '1 second' WHERE email = $1", email);
	for (int i = 1; i <= 5; i++) {
		login(email, "mauvais mot de passe", &r);
		itest_resp_free(&r);
	}
	ck_assert_str_eq(
	    sql("SELECT lock_level || ':' || round(extract(epoch FROM locked_until - now()) / 60)"
	        " FROM users WHERE email = $1",
	        email),
	    "3:15");
	sql("UPDATE users SET locked_until = now() - interval '1 second', lock_level = 3 WHERE email = $1",
	    email);
	for (int i = 1; i <= 5; i++) {
		login(email, "mauvais mot de passe", &r);
		itest_resp_free(&r);
	}
	ck_assert_str_eq(
	    sql("SELECT round(extract(epoch FROM locked_until - now()) / 60) FROM users WHERE email = $1",
	        email),
	    "60");
	/* once the lock is over, the right password works and the schedule starts again */
	sql("UPDATE users SET locked_until = now() - interval '1 second' WHERE email = $1", email);
	ck_assert_int_eq(login(email, PW, &r), 200);
	itest_resp_free(&r);
	ck_assert_str_eq(sql("SELECT failed_logins || ':' || lock_level FROM users WHERE email = $1", email),
	                 "0:0");
	ck_assert_int_ge(atoi(sql("SELECT count(*) FROM audit WHERE action = 'account.locked' AND target_id ="
	                          " (SELECT id::text FROM users WHERE email = $1)",
	                          email)),
	                 4);
}
END_TEST

START_TEST(password_reset_ends_sessions)
{
	char email[128], cookie[200];
	struct itest_resp r;
	unique_email(email, sizeof(email), "oubli");
	make_user(email, PW, "citizen");
	ck_assert_int_eq(login(email, PW, &r), 200);
	refresh_cookie(&r, cookie, sizeof(cookie));
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", API "/password/forgot", j("{\"email\":\"%s\"}", email), &r, NULL), 202);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", API "/password/forgot", "{\"email\":\"nobody.here@example.org\"}", &r, NULL), 202);
	itest_resp_free(&r);
	char *mail = wait_mail(email, "reinitialisation.html?token=", 1);
	char token[128];
	snprintf(token, sizeof(token), "%s", mail_token(mail));
	free(mail);
	/* a password equal to the address is refused, and the link still works afterwards */
	ck_assert_int_eq(call("POST", API "/password/reset",
	                      j("{\"token\":\"%s\",\"password\":\"%s\"}", token, email), &r, NULL),
	                 422);
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", API "/password/reset",
	                      j("{\"token\":\"%s\",\"password\":\"tout nouveau mot de passe\"}", token), &r,
	                      NULL),
	                 204);
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", API "/password/reset",
	                      j("{\"token\":\"%s\",\"password\":\"encore un autre mot\"}", token), &r, NULL),
	                 400);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", API "/session/refresh", NULL, &r, cookie, "X-Requested-With: civitas", NULL), 401);
	itest_resp_free(&r);
	ck_assert_int_eq(login(email, PW, &r), 401);
	itest_resp_free(&r);
	ck_assert_int_eq(login(email, "tout nouveau mot de passe", &r), 200);
	itest_resp_free(&r);
	/* an expired link (1 hour) does not work */
	ck_assert_int_eq(call("POST", API "/password/forgot", j("{\"email\":\"%s\"}", email), &r, NULL), 202);
	itest_resp_free(&r);
	mail = wait_mail(email, "reinitialisation.html?token=", 2);
	snprintf(token, sizeof(token), "%s", mail_token(mail));
	free(mail);
	sql("UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE user_id ="
	    " (SELECT id FROM users WHERE email = $1) AND purpose = 'reset' AND used_at IS NULL",
	    email);
	ck_assert_int_eq(call("POST", API "/password/reset",
	                      j("{\"token\":\"%s\",\"password\":\"trop tard pour ce lien\"}", token), &r,
	                      NULL),
	                 400);
	itest_resp_free(&r);
}
END_TEST

int main(void)
{
	itest_env("CIVITAS_TEST_ACCOUNT_DB_URL");
	itest_env("CIVITAS_TEST_MAIL");
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	Suite *s = suite_create("account_identity");
	TCase *tc = tcase_create("account in-process");
	tcase_add_checked_fixture(tc, account_setup, account_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, register_verify_login_refresh_reuse_logout);
	tcase_add_test(tc, lockout_grows_and_mails_the_owner);
	tcase_add_test(tc, password_reset_ends_sessions);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
