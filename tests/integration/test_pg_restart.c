/* test_pg_restart.c — a running daemon (stats, in-process) survives the loss of PostgreSQL:
 * readiness answers 503 with Retry-After while the database is down, database-backed routes
 * answer 503 unavailable (never 500), and all turns back to 200 after the restart, with no
 * restart of the daemon (the pool reconnects and prepares its statements again). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civitas/service.h"

#include "itest.h"
#include "routes.h"

static long get_status(const char *url, char *retry_after, size_t len)
{
	struct itest_resp r;
	itest_http("GET", url, NULL, NULL, 0, &r);
	long st = r.status;
	if (retry_after && !itest_header(&r, "Retry-After", retry_after, len))
		retry_after[0] = '\0';
	itest_resp_free(&r);
	return st;
}

static long post_event(const char *base)
{
	char url[128], ev[400];
	snprintf(url, sizeof(url), "%s/internal/v1/events", base);
	snprintf(ev, sizeof(ev),
	         "{\"id\":\"%08x-2222-4222-8222-%012x\",\"topic\":\"test.restart\",\"source\":\"itest\","
	         "\"occurred_at\":\"2026-12-01T10:00:00Z\",\"data\":{}}",
	         (unsigned)random(), (unsigned)random());
	const char *h[] = {"Content-Type: application/json", itest_internal_auth(), NULL};
	struct itest_resp r;
	itest_http("POST", url, h, ev, strlen(ev), &r);
	long st = r.status;
	if (st == 503) {
		json_t *p = itest_json(&r);
		ck_assert_str_eq(json_string_value(json_object_get(p, "code")), "unavailable");
		json_decref(p);
	}
	itest_resp_free(&r);
	return st;
}

START_TEST(ready_follows_the_database)
{
	itest_stats_env();
	struct lc_running *svc = lc_service_start(&stats_service);
	ck_assert_ptr_nonnull(svc);
	char base[64], ready[128], retry[16];
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", lc_service_port(svc));
	snprintf(ready, sizeof(ready), "%s/api/stats/v1/readyz", base);

	ck_assert_int_eq(get_status(ready, NULL, 0), 200);
	ck_assert_int_eq(post_event(base), 200);

	itest_sh(itest_env("CIVITAS_TEST_PG_STOP"));
	ck_assert_int_eq(get_status(ready, retry, sizeof(retry)), 503);
	ck_assert_str_eq(retry, "5");
	ck_assert_int_eq(post_event(base), 503);
	/* liveness does not depend on the database */
	char health[128];
	snprintf(health, sizeof(health), "%s/api/stats/v1/healthz", base);
	ck_assert_int_eq(get_status(health, NULL, 0), 200);

	itest_sh(itest_env("CIVITAS_TEST_PG_START"));
	long st = 0;
	for (int i = 0; i < 150 && st != 200; i++) { /* up to 15 s */
		st = get_status(ready, NULL, 0);
		if (st != 200)
			usleep(100 * 1000);
	}
	ck_assert_int_eq(st, 200);
	/* A worker whose last attempt failed waits 200 ms before trying again: allow that, then
	 * every worker thread's connection must be back, with its prepared statements. */
	st = 0;
	for (int i = 0; i < 30 && st != 200; i++) {
		st = post_event(base);
		if (st != 200)
			usleep(100 * 1000);
	}
	ck_assert_int_eq(st, 200);
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(post_event(base), 200);
	lc_service_stop(svc);
}
END_TEST

int main(void)
{
	itest_env("CIVITAS_TEST_PG_STOP");
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	Suite *s = suite_create("pg_restart");
	TCase *tc = tcase_create("restart");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, ready_follows_the_database);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
