/* revocation.c — the list of revoked session ids every daemon checks after a token's signature:
 * an access token lives ten minutes, a session ended by logout or by an administrator must stop
 * working within seconds. civitas-account keeps the list (sessions ended in the last token
 * lifetime); each daemon fetches it every couple of seconds. Pulled rather than pushed: every
 * replica gets it, and a restarted daemon has it before its first request. */
#include "civitas/revocation.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/auth.h"
#include "civitas/client.h"
#include "civitas/clock.h"
#include "civitas/json.h"
#include "civitas/log.h"

#define UUID_LEN 36

/* Sorted, fixed-width entries (36 characters + NUL) searched with bsearch. */
static struct {
	pthread_rwlock_t lock;
	char (*ids)[UUID_LEN + 1];
	size_t n;
} g_list = {.lock = PTHREAD_RWLOCK_INITIALIZER};

static int cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, UUID_LEN);
}

bool lc_session_revoked(const char *sid)
{
	if (!sid || strlen(sid) != UUID_LEN)
		return false;
	char key[UUID_LEN + 1];
	/* uuids may come upper- or lower-case; PostgreSQL prints lower */
	for (size_t i = 0; i <= UUID_LEN; i++)
		key[i] = (char)((sid[i] >= 'A' && sid[i] <= 'F') ? sid[i] + 32 : sid[i]);
	pthread_rwlock_rdlock(&g_list.lock);
	bool hit = g_list.n && bsearch(key, g_list.ids, g_list.n, sizeof(*g_list.ids), cmp_id) != NULL;
	pthread_rwlock_unlock(&g_list.lock);
	return hit;
}

int lc_revocations_replace(const json_t *sids)
{
	size_t cap = json_array_size(sids), n = 0;
	char(*ids)[UUID_LEN + 1] = calloc(cap ? cap : 1, sizeof(*ids));
	if (!ids)
		return -1;
	size_t i;
	json_t *it;
	json_array_foreach(sids, i, it)
	{
		const char *s = json_string_value(it);
		if (!s || strlen(s) != UUID_LEN)
			continue;
		for (size_t k = 0; k <= UUID_LEN; k++)
			ids[n][k] = (char)((s[k] >= 'A' && s[k] <= 'F') ? s[k] + 32 : s[k]);
		if (lc_json_is_uuid(ids[n]))
			n++;
	}
	qsort(ids, n, sizeof(*ids), cmp_id);
	pthread_rwlock_wrlock(&g_list.lock);
	char(*old)[UUID_LEN + 1] = g_list.ids;
	g_list.ids = ids;
	g_list.n = n;
	pthread_rwlock_unlock(&g_list.lock);
	free(old);
	return (int)n;
}

static struct {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running, stop;
	char url[512];
	unsigned interval_ms;
	bool failing; /* log a failure once per streak, not every two seconds */
} g_poll = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void fetch_once(void)
{
	char auth[600];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", lc_internal_secret());
	const char *headers[] = {auth, "Accept: application/json", NULL};
	struct lc_http_resp r;
	int rc = lc_http_request("GET", g_poll.url, headers, NULL, 0, 5, &r);
	json_t *items = rc == 0 && r.status == 200 ? json_object_get(r.json, "items") : NULL;
	if (json_is_array(items) && lc_revocations_replace(items) >= 0) {
		if (g_poll.failing)
			lc_info("revocation list fetched again (%zu sessions)", json_array_size(items));
		g_poll.failing = false;
	} else if (!g_poll.failing) {
		/* The previous list stays: sessions already known stay refused. */
		lc_warn(
		    "cannot fetch the revocation list from account (status %ld%s%s); keeping the last one",
		    r.status, r.error[0] ? ": " : "", r.error);
		g_poll.failing = true;
	}
	lc_http_resp_free(&r);
}

static void *poll_loop(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&g_poll.mu);
	while (!g_poll.stop) {
		struct timespec until = lc_realtime_after_ms(g_poll.interval_ms);
		while (!g_poll.stop && pthread_cond_timedwait(&g_poll.cv, &g_poll.mu, &until) == 0) {
		}
		if (g_poll.stop)
			break;
		pthread_mutex_unlock(&g_poll.mu);
		fetch_once();
		pthread_mutex_lock(&g_poll.mu);
	}
	pthread_mutex_unlock(&g_poll.mu);
	return NULL;
}

int lc_revocation_start(const char *account_url, unsigned interval_ms)
{
	snprintf(g_poll.url, sizeof(g_poll.url), "%s/internal/v1/revocations", account_url);
	g_poll.interval_ms = interval_ms ? interval_ms : 2000;
	g_poll.stop = false;
	g_poll.failing = false;
	fetch_once();
	if (pthread_create(&g_poll.thread, NULL, poll_loop, NULL) != 0)
		return -1;
	g_poll.running = true;
	return 0;
}

void lc_revocation_stop(void)
{
	if (!g_poll.running)
		return;
	pthread_mutex_lock(&g_poll.mu);
	g_poll.stop = true;
	pthread_cond_signal(&g_poll.cv);
	pthread_mutex_unlock(&g_poll.mu);
	pthread_join(g_poll.thread, NULL);
	g_poll.running = false;
	lc_revocations_replace(NULL);
}
