/* test_shutdown.c — a daemon asked to stop (what SIGTERM does in lc_service_main) stops
 * accepting at once but lets a request already in flight finish with its answer. */
#include <check.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civitas/service.h"

#include "itest.h"
#include "routes.h"

struct slow_upload {
	char url[128];
	char body[400];
	size_t sent;
	long status;
};

/* Sends half the body, waits 600 ms (the stop happens meanwhile), then the rest. */
static size_t slow_read(char *buf, size_t size, size_t n, void *ud)
{
	struct slow_upload *u = ud;
	size_t len = strlen(u->body), half = len / 2;
	if (u->sent == half)
		usleep(600 * 1000);
	size_t end = u->sent < half ? half : len;
	size_t chunk = end - u->sent;
	if (chunk > size * n)
		chunk = size * n;
	memcpy(buf, u->body + u->sent, chunk);
	u->sent += chunk;
	return chunk;
}

static void *upload(void *arg)
{
	struct slow_upload *u = arg;
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, itest_internal_auth());
	curl_easy_setopt(c, CURLOPT_URL, u->url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, slow_read);
	curl_easy_setopt(c, CURLOPT_READDATA, u);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(u->body));
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	FILE *devnull = fopen("/dev/null", "w");
	curl_easy_setopt(c, CURLOPT_WRITEDATA, devnull);
	curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &u->status);
	fclose(devnull);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

START_TEST(in_flight_request_finishes)
{
	itest_stats_env();
	struct lc_running *svc = lc_service_start(&stats_service);
	ck_assert_ptr_nonnull(svc);
	unsigned port = lc_service_port(svc);
	struct slow_upload u = {0};
	snprintf(u.url, sizeof(u.url), "http://127.0.0.1:%u/internal/v1/events", port);
	snprintf(u.body, sizeof(u.body),
	         "{\"id\":\"%08x-3333-4333-8333-%012x\",\"topic\":\"test.shutdown\",\"source\":\"itest\","
	         "\"occurred_at\":\"2026-12-01T10:00:00Z\",\"data\":{\"padding\":\"0123456789\"}}",
	         (unsigned)random(), (unsigned)random());
	pthread_t t;
	pthread_create(&t, NULL, upload, &u);
	usleep(250 * 1000); /* the upload is half way */
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	lc_service_stop(svc);
	clock_gettime(CLOCK_MONOTONIC, &b);
	pthread_join(t, NULL);
	ck_assert_int_eq(u.status, 200);
	/* stop waited for it, but not for the whole grace period */
	double waited = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	ck_assert_msg(waited > 0.2 && waited < 1.9, "stop took %.2f s", waited);

	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/stats/v1/healthz", port);
	struct itest_resp r;
	ck_assert_int_eq(itest_http("GET", url, NULL, NULL, 0, &r), -1); /* nobody listens now */
	itest_resp_free(&r);
}
END_TEST

int main(void)
{
	itest_env("CIVITAS_TEST_STATS_DB_URL");
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	Suite *s = suite_create("shutdown");
	TCase *tc = tcase_create("shutdown");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, in_flight_request_finishes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
