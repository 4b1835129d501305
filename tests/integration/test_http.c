/* test_http.c — the HTTP layer of a real daemon (stats, started in-process on a free port
 * against the test PostgreSQL): routing errors, body caps, content types, malformed and
 * invalid JSON, internal-route protection, request ids, and a deduplicated event. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "civitas/service.h"

#include "itest.h"
#include "routes.h"

static struct lc_running *svc;
static char base[64];

static void setup(void)
{
	itest_stats_env();
	svc = lc_service_start(&stats_service);
	ck_assert_ptr_nonnull(svc);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", lc_service_port(svc));
}

static void teardown(void)
{
	lc_service_stop(svc);
}

static char *url(const char *path)
{
	static char u[4096];
	snprintf(u, sizeof(u), "%s%s", base, path);
	return u;
}

/* Asserts a problem+json answer with the given status and code. */
static void expect_problem(struct itest_resp *r, long status, const char *code)
{
	char ct[128];
	ck_assert_int_eq(r->status, status);
	ck_assert_ptr_nonnull(itest_header(r, "Content-Type", ct, sizeof(ct)));
	ck_assert_str_eq(ct, "application/problem+json");
	json_t *p = itest_json(r);
	ck_assert_msg(p != NULL, "problem body is JSON: %s", r->body);
	ck_assert_str_eq(json_string_value(json_object_get(p, "code")), code);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "status")), status);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(p, "request_id")));
	ck_assert_ptr_nonnull(json_string_value(json_object_get(p, "title")));
	json_decref(p);
}

START_TEST(health_and_ready)
{
	struct itest_resp r;
	ck_assert_int_eq(itest_http("GET", url("/api/stats/v1/healthz"), NULL, NULL, 0, &r), 0);
	ck_assert_int_eq(r.status, 200);
	json_t *j = itest_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "ok");
	ck_assert_str_eq(json_string_value(json_object_get(j, "service")), "stats");
	json_decref(j);
	itest_resp_free(&r);

	itest_http("GET", url("/api/stats/v1/readyz"), NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	j = itest_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "database")), "ok");
	ck_assert_int_ge(json_integer_value(json_object_get(j, "migrations")), 1);
	json_decref(j);
	itest_resp_free(&r);

	itest_http("GET", url("/api/stats/v1/metrics"), NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "civitas_http_requests_total{service=\"stats\",route=\"GET "
	                                     "/api/stats/v1/healthz\",status=\"200\"} 1"));
	itest_resp_free(&r);

	itest_http("HEAD", url("/api/stats/v1/healthz"), NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
}
END_TEST

START_TEST(routing_errors)
{
	struct itest_resp r;
	itest_http("GET", url("/api/stats/v1/nothing-here"), NULL, NULL, 0, &r);
	expect_problem(&r, 404, "not_found");
	itest_resp_free(&r);

	itest_http("DELETE", url("/api/stats/v1/healthz"), NULL, NULL, 0, &r);
	expect_problem(&r, 405, "method_not_allowed");
	char allow[64];
	ck_assert_str_eq(itest_header(&r, "Allow", allow, sizeof(allow)), "GET, HEAD");
	itest_resp_free(&r);

	char *longpath = malloc(3000);
	strcpy(longpath, "/api/stats/v1/");
	memset(longpath + 14, 'x', 2900);
	longpath[2914] = '\0';
	itest_http("GET", url(longpath), NULL, NULL, 0, &r);
	expect_problem(&r, 414, "uri_too_long");
	itest_resp_free(&r);
	free(longpath);
}
END_TEST

START_TEST(request_id_kept_or_made)
{
	struct itest_resp r;
	const char *h[] = {"X-Request-Id: abc-123_x.y", NULL};
	char v[80];
	itest_http("GET", url("/api/stats/v1/healthz"), h, NULL, 0, &r);
	ck_assert_str_eq(itest_header(&r, "X-Request-Id", v, sizeof(v)), "abc-123_x.y");
	itest_resp_free(&r);
	const char *bad[] = {"X-Request-Id: has spaces and {json}", NULL};
	itest_http("GET", url("/api/stats/v1/healthz"), bad, NULL, 0, &r);
	ck_assert_uint_eq(strlen(itest_header(&r, "X-Request-Id", v, sizeof(v))), 32);
	ck_assert_ptr_nonnull(itest_header(&r, "X-Content-Type-Options", v, sizeof(v)));
	itest_resp_free(&r);
}
END_TEST

START_TEST(internal_routes_need_the_secret)
{
	struct itest_resp r;
	const char *none[] = {"Content-Type: application/json", NULL};
	itest_http("POST", url("/internal/v1/events"), none, "{}", 2, &r);
	expect_problem(&r, 404, "not_found"); /* never advertised: same answer as a missing route */
	itest_resp_free(&r);
	const char *wrong[] = {
	    "Content-Type: application/json",
	    "Authorization: Bearer 0000000000000000000000000000000000000000000000000000000000000000", NULL};
	itest_http("POST", url("/internal/v1/events"), wrong, "{}", 2, &r);
	expect_problem(&r, 404, "not_found");
	itest_resp_free(&r);
}
END_TEST

START_TEST(body_checks)
{
	struct itest_resp r;
	const char *h[] = {"Content-Type: application/json", itest_internal_auth(), NULL};
	size_t big = 65 * 1024;
	char *huge = malloc(big);
	memset(huge, ' ', big);
	huge[0] = '{';
	huge[big - 1] = '}';
	itest_http("POST", url("/internal/v1/events"), h, huge, big, &r);
	expect_problem(&r, 413, "payload_too_large");
	itest_resp_free(&r);

	/* Without Content-Length (chunked) the cap is enforced while reading. */
	const char *chunked[] = {"Content-Type: application/json", itest_internal_auth(),
	                         "Transfer-Encoding: chunked", NULL};
	itest_http("POST", url("/internal/v1/events"), chunked, huge, big, &r);
	expect_problem(&r, 413, "payload_too_large");
	itest_resp_free(&r);
	free(huge);

	itest_http("POST", url("/internal/v1/events"), h, "{\"id\": ", 7, &r);
	expect_problem(&r, 400, "malformed_json");
	itest_resp_free(&r);

	itest_http("POST", url("/internal/v1/events"), h, "{\"a\":1,\"a\":2}", 13, &r);
	expect_problem(&r, 400, "malformed_json"); /* duplicate keys are refused */
	itest_resp_free(&r);

	const char *text[] = {"Content-Type: text/plain", itest_internal_auth(), NULL};
	itest_http("POST", url("/internal/v1/events"), text, "{}", 2, &r);
	expect_problem(&r, 415, "unsupported_media_type");
	itest_resp_free(&r);

	const char *bad =
	    "{\"id\":\"not-a-uuid\",\"topic\":\"\",\"occurred_at\":\"yesterday\",\"data\":[],\"extra\":1}";
	itest_http("POST", url("/internal/v1/events"), h, bad, strlen(bad), &r);
	expect_problem(&r, 422, "validation_failed");
	json_t *p = itest_json(&r);
	json_t *errs = json_object_get(p, "errors");
	/* every bad field at once: id, topic, source (missing), occurred_at, data, extra */
	ck_assert_uint_eq(json_array_size(errs), 6);
	json_decref(p);
	itest_resp_free(&r);
}
END_TEST

START_TEST(event_stored_once)
{
	struct itest_resp r;
	const char *h[] = {"Content-Type: application/json", itest_internal_auth(), NULL};
	char ev[400], id[40];
	snprintf(id, sizeof(id), "%08x-1111-4111-8111-%012x", (unsigned)random(), (unsigned)random());
	snprintf(ev, sizeof(ev),
	         "{\"id\":\"%s\",\"topic\":\"test.ping\",\"source\":\"itest\",\"occurred_at\":\"2026-12-"
	         "01T10:00:00Z\",\"data\":{\"n\":1}}",
	         id);
	itest_http("POST", url("/internal/v1/events"), h, ev, strlen(ev), &r);
	ck_assert_int_eq(r.status, 200);
	json_t *j = itest_json(&r);
	ck_assert(json_is_false(json_object_get(j, "duplicate")));
	json_decref(j);
	itest_resp_free(&r);
	itest_http("POST", url("/internal/v1/events"), h, ev, strlen(ev), &r);
	ck_assert_int_eq(r.status, 200);
	j = itest_json(&r);
	ck_assert(json_is_true(json_object_get(j, "duplicate")));
	json_decref(j);
	itest_resp_free(&r);
}
END_TEST

START_TEST(invalid_utf8_is_a_400)
{
	struct itest_resp r;
	const char *paths[] = {"/api/stats/v1/healthz%FF", "/api/stats/v1/healthz?x=%C0%AF",
	                       "/api/stats/v1/healthz?%ED%A0%80=1", "/api/stats/v1/readyz?q=a%C3"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		itest_http("GET", url(paths[i]), NULL, NULL, 0, &r);
		expect_problem(&r, 400, "invalid_encoding");
		itest_resp_free(&r);
	}
	itest_http("GET", url("/api/stats/v1/healthz?q=%C3%A9t%C3%A9"), NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200); /* real UTF-8 is fine */
	itest_resp_free(&r);
}
END_TEST

/* A refused body is read before the answer goes out, so a client that writes the whole body
 * (as nginx does) reads the 413/404, never a reset. */
START_TEST(refused_body_is_drained)
{
	size_t big = 3 * 1024 * 1024;
	char *huge = malloc(big);
	memset(huge, 'a', big);
	for (int i = 0; i < 5; i++) {
		struct itest_resp r;
		const char *h[] = {"Content-Type: application/json", itest_internal_auth(), "Expect:", NULL};
		itest_http("POST", url("/internal/v1/events"), h, huge, big, &r);
		expect_problem(&r, 413, "payload_too_large");
		itest_resp_free(&r);
		const char *nobody[] = {"Content-Type: application/json", "Expect:", NULL};
		itest_http("POST", url("/internal/v1/events"), nobody, huge, big, &r);
		expect_problem(&r, 404, "not_found");
		itest_resp_free(&r);
	}
	free(huge);
}
END_TEST

static int connect_to(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Does a healthz request on fd get an HTTP answer? */
static bool answered(int fd)
{
	char req[160], buf[64];
	const char *msg = "GET /api/stats/v1/healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	snprintf(req, sizeof(req), "%s", msg);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0)
		return false;
	struct timeval tv = {.tv_sec = 10};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
	return n > 12 && memcmp(buf, "HTTP/1.1 200", 12) == 0;
}

/* One address (not a trusted proxy) holds at most CIVITAS_PER_IP_CONN_LIMIT connections: idle
 * ones cannot take every slot of the daemon. The gateway (trusted) is never limited. */
START_TEST(per_address_connection_limit)
{
	itest_stats_env();
	setenv("CIVITAS_TRUSTED_PROXIES", "10.99.0.0/16", 1); /* 127.0.0.1 is a plain client here */
	setenv("CIVITAS_PER_IP_CONN_LIMIT", "8", 1);
	struct lc_running *d = lc_service_start(&stats_service);
	ck_assert_ptr_nonnull(d);
	uint16_t port = lc_service_port(d);
	int fds[8];
	for (int i = 0; i < 8; i++)
		fds[i] = connect_to(port);
	ck_assert(answered(fds[7]));  /* the eighth is served */
	int extra = connect_to(port); /* the kernel accepts; the daemon closes it at once */
	ck_assert(!answered(extra));
	close(extra);
	close(fds[0]);
	bool back = false;
	for (int i = 0; i < 50 && !back; i++) { /* the slot comes back once MHD saw the close */
		usleep(100 * 1000);
		int fd = connect_to(port);
		back = answered(fd);
		close(fd);
	}
	ck_assert(back);
	for (int i = 1; i < 8; i++)
		close(fds[i]);
	lc_service_stop(d);
	unsetenv("CIVITAS_PER_IP_CONN_LIMIT");
	unsetenv("CIVITAS_TRUSTED_PROXIES");
}
END_TEST

int main(void)
{
	itest_env("CIVITAS_TEST_STATS_DB_URL");
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("stats in-process");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, health_and_ready);
	tcase_add_test(tc, routing_errors);
	tcase_add_test(tc, request_id_kept_or_made);
	tcase_add_test(tc, internal_routes_need_the_secret);
	tcase_add_test(tc, body_checks);
	tcase_add_test(tc, event_stored_once);
	tcase_add_test(tc, invalid_utf8_is_a_400);
	tcase_add_test(tc, refused_body_is_drained);
	suite_add_tcase(s, tc);
	TCase *limits = tcase_create("connection limits");
	tcase_set_timeout(limits, 60);
	tcase_add_test(limits, per_address_connection_limit);
	suite_add_tcase(s, limits);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
