/* test_teleservices_pg_down.c — "not found" and "database down" are different answers: with
 * PostgreSQL stopped, a draft for a real procedure answers 503 unavailable with Retry-After
 * (it used to say 422 "Unknown procedure"), reading a request answers 503 (not 404), so does
 * the agents' queue (its pipelined generic-plan path), and all work again once the database
 * is back, without restarting the daemon. */
#include <check.h>
#include <time.h>

#include "test_teleservices_itest.h"

static long status_of(struct itest_resp *r, char retry_after[16], char code[40])
{
	long st = r->status;
	if (!itest_header(r, "Retry-After", retry_after, 16))
		retry_after[0] = '\0';
	json_t *j = itest_json(r);
	snprintf(code, 40, "%s", itest_jstr(j, "code") ? itest_jstr(j, "code") : "");
	json_decref(j);
	itest_resp_free(r);
	return st;
}

START_TEST(draft_while_the_database_is_stopped_is_503)
{
	ts_start();
	char slug[48], user[37], auth[4200], body[256], path[128], retry[16], code[40], id[37];
	self_procedure_make("pgdown", slug, user, auth);
	snprintf(body, sizeof(body), "{\"procedure\":\"%s\"}", slug);
	draft_make(slug, auth, id);
	struct itest_resp r;
	snprintf(path, sizeof(path), "/requests/%s", id);

	/* The agents' queue too: its default view runs with a forced generic plan (a pipeline). */
	char agent[4200];
	snprintf(agent, sizeof(agent), "%s", itest_bearer(user, "agent", "scolaire"));

	itest_sh(itest_env("CIVITAS_TEST_PG_STOP"));
	/* Every worker thread, whatever state its connection is in, must say 503. */
	for (int i = 0; i < 8; i++) {
		call(&r, "GET", "/queue", agent, NULL, NULL);
		ck_assert_int_eq(status_of(&r, retry, code), 503);
		ck_assert_str_eq(code, "unavailable");
		call(&r, "POST", "/requests", auth, body, NULL);
		ck_assert_int_eq(status_of(&r, retry, code), 503);
		ck_assert_str_eq(code, "unavailable");
		ck_assert_str_ne(retry, "");
		call(&r, "GET", path, auth, NULL, NULL);
		ck_assert_int_eq(status_of(&r, retry, code), 503);
		ck_assert_str_eq(code, "unavailable");
	}
	itest_sh(itest_env("CIVITAS_TEST_PG_START"));

	long st = 0;
	for (int i = 0; i < 150 && st != 201; i++) { /* up to 15 s for the reconnect */
		call(&r, "POST", "/requests", auth, body, NULL);
		st = status_of(&r, retry, code);
		if (st != 201)
			usleep(100 * 1000);
	}
	ck_assert_int_eq(st, 201);
	call(&r, "GET", path, auth, NULL, NULL);
	ck_assert_int_eq(status_of(&r, retry, code), 200);
	for (int i = 0; i < 8; i++) { /* every thread's connection is back */
		call(&r, "GET", "/queue", agent, NULL, NULL);
		ck_assert_int_eq(status_of(&r, retry, code), 200);
	}
	/* and an unknown procedure is still a 422, not a 503 */
	call(&r, "POST", "/requests", auth, "{\"procedure\":\"no-such-procedure\"}", NULL);
	ck_assert_int_eq(status_of(&r, retry, code), 422);
	ts_stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("teleservices_pg_down");
	TCase *tc = tcase_create("pg_down");
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, draft_while_the_database_is_stopped_is_503);
	suite_add_tcase(s, tc);
	return itest_run(s);
}
