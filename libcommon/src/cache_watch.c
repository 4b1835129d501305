/* cache_watch.c — keeps a replica's micro-cache true to the database without short lifetimes.
 *
 * A replica clears its cache itself after its own writes; what it cannot see are the writes of
 * the other replicas (or of an operator in psql) and the changes made by the clock alone (a
 * publication scheduled for 10:00). Without the watcher, entries live one second for that reason,
 * and every busy answer is computed again every second — at a town's volume a search costs tens of
 * milliseconds, which a request thread's other connections wait for. The watcher reads one value
 * from the service (its "cache version": it changes with every committed write to a table the
 * public answers show and when the next scheduled change comes due) every LC_CACHE_WATCH_MS with a
 * named statement on the thread's own connection (lc_db_thread: reconnects by itself), clears the
 * cache when it changes, and vouches for the entries meanwhile:
 * they may then live their long TTL (cache.h). When it cannot read it (database down), it stops
 * vouching and entries fall back to one second. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/cache.h"
#include "civitas/clock.h"
#include "civitas/db.h"
#include "civitas/log.h"
#include "civitas/metrics.h"

static struct {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running, stop;
	char *stmt;
} W = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* One reading: clears the cache when the version moved, vouches when it was read. */
static bool read_version(char **last)
{
	uint64_t asked = lc_cache_now_ms();
	PGresult *r = lc_db_exec(lc_db_thread(), W.stmt, 0, NULL);
	bool ok = r && PQntuples(r) == 1 && PQnfields(r) == 1;
	if (ok) {
		const char *v = PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0);
		if (!*last || strcmp(*last, v) != 0) {
			lc_cache_clear();
			free(*last);
			*last = strdup(v);
		}
		/* What was read holds from the moment it was asked; one reading may be late. */
		if (*last)
			lc_cache_vouch(asked + 2 * LC_CACHE_WATCH_MS);
	}
	PQclear(r);
	return ok;
}

/* The cache's counters as gauges of /metrics (set from this one thread). */
static void publish_stats(bool watched)
{
	struct lc_cache_stats st;
	lc_cache_stats(&st);
	lc_metrics_gauge_set("cache_hits", st.hits);
	lc_metrics_gauge_set("cache_misses", st.misses);
	lc_metrics_gauge_set("cache_clears", st.clears);
	lc_metrics_gauge_set("cache_watched", watched);
}

static void *watch_loop(void *arg)
{
	(void)arg;
	char *last = NULL;
	bool failing = false;
	pthread_mutex_lock(&W.mu);
	while (!W.stop) {
		pthread_mutex_unlock(&W.mu);
		bool ok = read_version(&last);
		if (!ok && !failing)
			lc_warn(
			    "cache watcher: cannot read the cache version (%s); answers are kept one second",
			    lc_db_error(lc_db_thread()));
		else if (ok && failing)
			lc_info("cache watcher: reading the cache version again");
		failing = !ok;
		publish_stats(ok);
		pthread_mutex_lock(&W.mu);
		struct timespec until = lc_realtime_after_ms(LC_CACHE_WATCH_MS);
		while (!W.stop && pthread_cond_timedwait(&W.cv, &W.mu, &until) == 0) {
		}
	}
	pthread_mutex_unlock(&W.mu);
	lc_db_thread_close();
	free(last);
	return NULL;
}

int lc_cache_watch_start(const char *stmt)
{
	if (W.running)
		return 0;
	W.stmt = strdup(stmt);
	W.stop = false;
	if (!W.stmt || pthread_create(&W.thread, NULL, watch_loop, NULL) != 0) {
		free(W.stmt);
		W.stmt = NULL;
		return -1;
	}
	W.running = true;
	return 0;
}

void lc_cache_watch_stop(void)
{
	if (!W.running)
		return;
	pthread_mutex_lock(&W.mu);
	W.stop = true;
	pthread_cond_signal(&W.cv);
	pthread_mutex_unlock(&W.mu);
	pthread_join(W.thread, NULL);
	W.running = false;
	lc_cache_vouch(0);
	free(W.stmt);
	W.stmt = NULL;
}
