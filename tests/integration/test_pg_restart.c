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

/* Polls until fn answers want or the deadline passes: the machine may be loaded, so no step
 * assumes how long a restart or a reconnection takes, only that it ends within a minute. */
static long poll_until(long (*fn)(const char *), const char *arg, long want, int seconds)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	long st;
	for (;;) {
		st = fn(arg);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (st == want || now.tv_sec - start.tv_sec >= seconds)
			return st;
		usleep(100 * 1000);
	}
}

static long ready_status(const char *url)
{
	return get_status(url, NULL, 0);
}

/* The running daemon lives here, not on the test's stack, so the teardown stops it (and frees
 * it) even when an assertion ended the test early. */
static struct lc_running *svc;

static void setup(void)
{
	itest_stats_env();
	svc = lc_service_start(&stats_service);
	ck_assert_ptr_nonnull(svc);
}

/* Whatever happened, PostgreSQL is running again for the tests that follow (start is a no-op
 * when it already runs), and the daemon is stopped. */
static void teardown(void)
{
	if (system(itest_env("CIVITAS_TEST_PG_START")) != 0)
		fprintf(stderr, "test_pg_restart: restarting PostgreSQL failed\n");
	lc_service_stop(svc);
	svc = NULL;
}

START_TEST(ready_follows_the_database)
{
	char base[64], ready[128], retry[16];
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", lc_service_port(svc));
	snprintf(ready, sizeof(ready), "%s/api/stats/v1/readyz", base);

	ck_assert_int_eq(get_status(ready, NULL, 0), 200);
	ck_assert_int_eq(post_event(base), 200);

	/* pg_ctl stop -w returns once the server is gone: the next query of every connection fails. */
	itest_sh(itest_env("CIVITAS_TEST_PG_STOP"));
	ck_assert_int_eq(get_status(ready, retry, sizeof(retry)), 503);
	ck_assert_str_eq(retry, "5");
	ck_assert_int_eq(post_event(base), 503);
	/* liveness does not depend on the database */
	char health[128];
	snprintf(health, sizeof(health), "%s/api/stats/v1/healthz", base);
	ck_assert_int_eq(get_status(health, NULL, 0), 200);

	itest_sh(itest_env("CIVITAS_TEST_PG_START"));
	/* A worker whose attempt failed makes no new one for 200 ms (libcommon/src/db.c). Every
	 * failed attempt happened before the start above returned, so after 300 ms each worker's next
	 * request reconnects: a slower machine only makes that wait longer, never too short. */
	usleep(300 * 1000);
	ck_assert_int_eq(poll_until(ready_status, ready, 200, 60), 200);
	/* Every worker thread's connection is back, with its prepared statements. */
	ck_assert_int_eq(poll_until(post_event, base, 200, 60), 200);
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(post_event(base), 200);
}
END_TEST

int main(void)
{
	itest_env("CIVITAS_TEST_PG_STOP");
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	Suite *s = suite_create("pg_restart");
	TCase *tc = tcase_create("restart");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ready_follows_the_database);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
