/* test_offload.c — the offload pool (libcommon offload.c) behind a real HTTP server with one
 * HTTP thread: a handler's rest run on a worker replies through that thread (headers included);
 * no more CPU sections run at once than there are slots (CPUs), the other jobs wait for one;
 * while every slot is taken and more jobs wait, the HTTP thread still answers other requests;
 * a handler on an LC_OFFLOAD route runs on a worker the same way (its CPU section waits for a
 * slot instead of holding the HTTP thread); a worker handler that gives no answer gets the 500
 * any silent handler gets; a slot that has worked and then stays unused gets its idle hook, in
 * that slot. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "civitas/http.h"
#include "civitas/offload.h"
#include "civitas/reply.h"
#include "civitas/service.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool gate_open;
static int inside, most_inside, entered, bad_slot;
static atomic_int idled[LC_OFFLOAD_MAX_SLOTS], idle_outside_slot;

/* The CPU-heavy part: holds its slot until the test opens the gate. */
static void section(void *arg)
{
	(void)arg;
	int s = lc_offload_slot();
	pthread_mutex_lock(&mu);
	if (s < 0)
		bad_slot++;
	inside++;
	entered++;
	if (inside > most_inside)
		most_inside = inside;
	pthread_cond_broadcast(&cv);
	while (!gate_open)
		pthread_cond_wait(&cv, &mu);
	inside--;
	pthread_mutex_unlock(&mu);
}

static int slow_rest(struct lc_request *rq, void *arg)
{
	(void)arg;
	if (lc_offload_slot() != -1) /* a worker is in no slot until it asks for one */
		return lc_reply_problem(rq, 500, "internal", "in a slot too early");
	lc_offload_cpu(section, NULL);
	lc_rq_add_header(rq, "X-Worked", "yes");
	return lc_reply_json(rq, 200, json_pack("{s:b}", "done", lc_offload_slot() == -1));
}

static int h_slow(struct lc_request *rq)
{
	return lc_offload_handler(rq, slow_rest, NULL);
}

static int silent_rest(struct lc_request *rq, void *arg)
{
	(void)rq;
	(void)arg;
	return LC_REPLIED;
}

static int h_silent(struct lc_request *rq)
{
	return lc_offload_handler(rq, silent_rest, NULL);
}

/* The same work from a plain handler on an LC_OFFLOAD route: the router hands it to a worker (on
 * the HTTP thread its CPU section would run inline and hold the only HTTP thread). */
static int h_flagged(struct lc_request *rq)
{
	return slow_rest(rq, NULL);
}

static int h_flagged_silent(struct lc_request *rq)
{
	(void)rq;
	return LC_REPLIED;
}

static int h_fast(struct lc_request *rq)
{
	return lc_reply_json(rq, 200, json_pack("{s:s}", "ok", "fast"));
}

static void on_idle(int slot)
{
	if (slot != lc_offload_slot() || slot < 0)
		atomic_fetch_add(&idle_outside_slot, 1);
	else
		atomic_fetch_add(&idled[slot], 1);
}

static const struct lc_route routes[] = {
    {"GET", "/slow", LC_AUTH_NONE, h_slow, 0, 0},
    {"GET", "/silent", LC_AUTH_NONE, h_silent, 0, 0},
    {"GET", "/flagged", LC_AUTH_NONE, h_flagged, 0, LC_OFFLOAD},
    {"GET", "/flagged-silent", LC_AUTH_NONE, h_flagged_silent, 0, LC_OFFLOAD},
    {"GET", "/fast", LC_AUTH_NONE, h_fast, 0, 0},
    {NULL, NULL, 0, NULL, 0, 0},
};

static uint16_t port;

/* GET path with Connection: close; the whole answer in out. The status, or -1. */
static int get(const char *path, char *out, size_t n)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char req[256];
	int len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", path);
	if (write(fd, req, (size_t)len) != len) {
		close(fd);
		return -1;
	}
	size_t got = 0;
	ssize_t r;
	while (got + 1 < n && (r = read(fd, out + got, n - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(fd);
	int status = -1;
	return sscanf(out, "HTTP/1.1 %d", &status) == 1 ? status : -1;
}

struct call {
	pthread_t t;
	const char *path; /* /slow (lc_offload_handler) or /flagged (an LC_OFFLOAD route) */
	int status;
	char body[4096];
};

static void *call_slow(void *arg)
{
	struct call *c = arg;
	c->status = get(c->path, c->body, sizeof(c->body));
	return NULL;
}

/* Waits (up to a minute: the machine may be busy) until entered reaches n. */
static bool wait_entered(int n)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 60;
	pthread_mutex_lock(&mu);
	while (entered < n)
		if (pthread_cond_timedwait(&cv, &mu, &until) != 0)
			break;
	bool ok = entered >= n;
	pthread_mutex_unlock(&mu);
	return ok;
}

START_TEST(slots_bound_the_heavy_part_and_the_http_thread_stays_free)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int slots = (int)(ncpu > 0 ? ncpu : 2), extra = 3, n = slots + extra;
	lc_settings.offload_threads = n;
	lc_offload_set_idle(on_idle, 50);
	struct lc_http_config cfg = {.bind = "127.0.0.1",
	                             .threads = 1,
	                             .conn_timeout = 60,
	                             .conn_memory = 64 * 1024,
	                             .conn_limit = 64,
	                             .routes = routes};
	struct lc_http *h = lc_http_start(&cfg);
	ck_assert_ptr_nonnull(h);
	port = lc_http_port(h);

	struct call *cs = calloc((size_t)n, sizeof(*cs));
	for (int i = 0; i < n; i++) {
		cs[i].path = i % 2 ? "/flagged" : "/slow";
		pthread_create(&cs[i].t, NULL, call_slow, &cs[i]);
	}
	ck_assert(wait_entered(slots)); /* every slot taken, the other jobs wait for one */
	char out[4096];
	ck_assert_int_eq(get("/fast", out, sizeof(out)), 200); /* the one HTTP thread is free */
	ck_assert_ptr_nonnull(strstr(out, "\"fast\""));
	pthread_mutex_lock(&mu);
	ck_assert_int_eq(entered, slots);
	gate_open = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);

	for (int i = 0; i < n; i++) {
		pthread_join(cs[i].t, NULL);
		ck_assert_int_eq(cs[i].status, 200);
		ck_assert_ptr_nonnull(strstr(cs[i].body, "X-Worked: yes"));
		ck_assert_ptr_nonnull(strstr(cs[i].body, "X-Request-Id: "));
		ck_assert_ptr_nonnull(strstr(cs[i].body, "{\"done\":true}"));
	}
	ck_assert_int_eq(entered, n);
	ck_assert_int_le(most_inside, slots);
	ck_assert_int_eq(bad_slot, 0);

	ck_assert_int_eq(get("/silent", out, sizeof(out)), 500);
	ck_assert_ptr_nonnull(strstr(out, "\"internal\""));
	ck_assert_int_eq(get("/flagged-silent", out, sizeof(out)), 500);
	ck_assert_ptr_nonnull(strstr(out, "\"internal\""));

	/* Every slot worked; unused for 50 ms, each gets its idle hook, in the slot. */
	int idle_total = 0;
	for (int tries = 0; tries < 600 && idle_total < slots; tries++) {
		usleep(100 * 1000);
		idle_total = 0;
		for (int s = 0; s < slots; s++)
			idle_total += atomic_load(&idled[s]) > 0;
	}
	ck_assert_int_eq(idle_total, slots);
	for (int s = 0; s < slots; s++)
		ck_assert_int_ge(atomic_load(&idled[s]), 1);
	ck_assert_int_eq(atomic_load(&idle_outside_slot), 0);
	free(cs);
	lc_http_stop(h, 1000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("offload");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, slots_bound_the_heavy_part_and_the_http_thread_stays_free);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
