/* rollup.c — the daily aggregates the dashboard reads, recomputed from raw rows (hits,
 * engagement, feedback, ratings, received events) so they can always be rebuilt; the retention
 * of raw rows; and the scheduler thread that runs both. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/log.h"

#include "stats.h"

/* Adds value to the object member key (a running sum). */
static void add(json_t *o, const char *key, double value)
{
	json_t *v = json_object_get(o, key);
	json_object_set_new(o, key, json_real((v ? json_number_value(v) : 0) + value));
}

struct page {
	double views, entries, visible_ms, timed;
};

/* One visitor's hits of the day, rows [a, b) of r (ordered by time): visits, entries, time. */
static void visitor_figures(PGresult *r, int a, int b, json_t *totals, json_t *dims, json_t *pages)
{
	size_t n = (size_t)(b - a);
	int64_t *t = malloc(n * sizeof(*t));
	size_t *visit = malloc(n * sizeof(*visit));
	if (!t || !visit) {
		free(t);
		free(visit);
		return;
	}
	for (size_t i = 0; i < n; i++)
		t[i] = strtoll(PQgetvalue(r, a + (int)i, 1), NULL, 10);
	size_t visits = stats_split_visits(t, n, visit);
	add(totals, "visitors", 1);
	add(totals, "visits", (double)visits);
	bool known = false, returning = false;
	size_t hits_in_visit = 0;
	for (size_t i = 0; i < n; i++) {
		int row = a + (int)i;
		const char *path = PQgetvalue(r, row, 2), *ret = PQgetvalue(r, row, 3);
		long ms = strtol(PQgetvalue(r, row, 4), NULL, 10);
		bool entry = i == 0 || visit[i] != visit[i - 1];
		if (!PQgetisnull(r, row, 3)) {
			known = true;
			returning |= ret[0] == 't';
		}
		json_t *pg = json_object_get(pages, path);
		if (!pg) {
			pg = json_pack("{s:f, s:f, s:f, s:f}", "views", 0.0, "entries", 0.0, "visible_ms",
			               0.0, "timed", 0.0);
			json_object_set_new(pages, path, pg);
		}
		add(pg, "views", 1);
		add(totals, "page_views", 1);
		if (ms >= 0) {
			add(pg, "visible_ms", (double)ms);
			add(pg, "timed", 1);
			add(totals, "visit_ms", (double)ms);
		}
		if (entry) {
			add(pg, "entries", 1);
			if (i > 0 && hits_in_visit == 1)
				add(totals, "bounces", 1);
			hits_in_visit = 0;
			const char *ref = PQgetvalue(r, row, 5), *screen = PQgetvalue(r, row, 6),
			           *utm = PQgetvalue(r, row, 7);
			char key[400];
			snprintf(key, sizeof(key), "visits_by_referrer\x1f%s", ref[0] ? ref : "(direct)");
			add(dims, key, 1);
			if (screen[0]) {
				snprintf(key, sizeof(key), "visits_by_screen\x1f%s", screen);
				add(dims, key, 1);
			}
			if (utm[0]) {
				snprintf(key, sizeof(key), "visits_by_campaign\x1f%s", utm);
				add(dims, key, 1);
			}
		}
		hits_in_visit++;
	}
	if (hits_in_visit == 1)
		add(totals, "bounces", 1);
	if (known)
		add(totals, "visitors_known", 1);
	if (returning)
		add(totals, "visitors_returning", 1);
	free(t);
	free(visit);
}

static int exec_json(struct lc_db *db, const char *stmt, const char *day, json_t *rows)
{
	char *text = json_dumps(rows, JSON_COMPACT);
	if (!text)
		return -1;
	const char *p[] = {day, text};
	PGresult *r = lc_db_exec(db, stmt, 2, p);
	free(text);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

/* The audience figures of one day. */
static int audience_day(struct lc_db *db, int64_t day)
{
	char d[11];
	stats_format_day(day, d);
	const char *p[] = {d};
	PGresult *r = lc_db_exec(db, "rollup_hits", 1, p);
	if (!r)
		return -1;
	json_t *totals = json_object(), *dims = json_object(), *pages = json_object();
	int n = PQntuples(r);
	for (int a = 0; a < n;) {
		int b = a + 1;
		while (b < n && strcmp(PQgetvalue(r, b, 0), PQgetvalue(r, a, 0)) == 0)
			b++;
		visitor_figures(r, a, b, totals, dims, pages);
		a = b;
	}
	PQclear(r);
	json_t *rows = json_array(), *prow = json_array();
	const char *key;
	json_t *v;
	json_object_foreach(totals, key, v)
	    json_array_append_new(rows, json_pack("{s:s, s:s, s:O}", "metric", key, "dim", "", "value", v));
	json_object_foreach(dims, key, v)
	{
		const char *sep = strchr(key, '\x1f');
		char metric[64];
		snprintf(metric, sizeof(metric), "%.*s", (int)(sep - key), key);
		json_array_append_new(
		    rows, json_pack("{s:s, s:s, s:O}", "metric", metric, "dim", sep + 1, "value", v));
	}
	json_object_foreach(pages, key, v) json_array_append_new(
	    prow, json_pack("{s:s, s:i, s:i, s:I, s:i}", "path", key, "views",
	                    (int)json_number_value(json_object_get(v, "views")), "entries",
	                    (int)json_number_value(json_object_get(v, "entries")), "visible_ms",
	                    (json_int_t)json_number_value(json_object_get(v, "visible_ms")), "timed",
	                    (int)json_number_value(json_object_get(v, "timed"))));
	int rc = 0;
	PGresult *c = lc_db_exec(db, "rollup_pages_clear", 1, p);
	if (!c)
		rc = -1;
	PQclear(c);
	if (rc == 0 && json_array_size(rows) > 0)
		rc = exec_json(db, "rollup_daily_insert", d, rows);
	if (rc == 0 && json_array_size(prow) > 0)
		rc = exec_json(db, "rollup_pages_insert", d, prow);
	json_decref(totals);
	json_decref(dims);
	json_decref(pages);
	json_decref(rows);
	json_decref(prow);
	return rc;
}

struct span {
	int64_t first, last;
};

static enum lc_tx_result rollup_tx(struct lc_db *db, void *arg)
{
	struct span *s = arg;
	char a[11], b[11];
	stats_format_day(s->first, a);
	stats_format_day(s->last, b);
	const char *p[] = {a, b};
	PGresult *r = lc_db_exec(db, "rollup_lock", 0, NULL);
	if (!r)
		return LC_TX_ERROR;
	PQclear(r);
	r = lc_db_exec(db, "rollup_clear", 2, p);
	if (!r)
		return LC_TX_ERROR;
	PQclear(r);
	r = lc_db_exec(db, "rollup_kpis", 2, p);
	if (!r)
		return LC_TX_ERROR;
	PQclear(r);
	for (int64_t d = s->first; d <= s->last; d++)
		if (audience_day(db, d) < 0)
			return LC_TX_ERROR;
	return LC_TX_COMMIT;
}

int stats_rollup(struct lc_db *db, int64_t first, int64_t last)
{
	/* A month per transaction: a rebuild of years does not hold one snapshot for minutes. */
	for (int64_t a = first; a <= last; a += 31) {
		struct span s = {a, a + 30 < last ? a + 30 : last};
		if (lc_db_tx(db, rollup_tx, &s) != LC_TX_COMMIT)
			return -1;
	}
	return 0;
}

long stats_retention(struct lc_db *db, time_t now)
{
	char cutoff[32], oldest_salt[11];
	stats_raw_cutoff(now, cutoff);
	stats_format_day(stats_oldest_salt_day(now), oldest_salt);
	static const char *const stmts[] = {"retention_hits", "retention_engagement", "retention_feedback"};
	long total = 0;
	for (size_t i = 0; i < 3; i++) {
		const char *p[] = {cutoff};
		PGresult *r = lc_db_exec(db, stmts[i], 1, p);
		if (!r)
			return -1;
		total += strtol(PQcmdTuples(r), NULL, 10);
		PQclear(r);
	}
	const char *p[] = {oldest_salt};
	PGresult *r = lc_db_exec(db, "retention_salts", 1, p);
	if (!r)
		return -1;
	total += strtol(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return total;
}

/* --- scheduler: every minute today's and yesterday's figures, every hour the retention --- */

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	pthread_t thread;
	bool started;
} sched = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *scheduler(void *arg)
{
	(void)arg;
	time_t last_retention = 0;
	for (;;) {
		time_t now = time(NULL);
		struct lc_db *db = lc_db_thread();
		unsigned char salt[STATS_SALT_LEN];
		int64_t today = stats_town_day((int64_t)now);
		stats_salt_for(db, today, salt); /* the first beacon of the day then need not wait */
		if (now - last_retention >= 3600) {
			long n = stats_retention(db, now);
			if (n >= 0) {
				last_retention = now;
				if (n > 0)
					lc_info("retention: %ld raw rows past 25 months (or salts past 48 h) "
					        "deleted",
					        n);
			}
		}
		stats_queue_flush(5000);
		if (stats_rollup(db, today - 1, today) < 0)
			lc_warn("daily figures not recomputed (%s); next try in a minute",
			        lc_db_sqlstate(db));
		pthread_mutex_lock(&sched.mu);
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_sec += 60;
		while (!sched.stop)
			if (pthread_cond_timedwait(&sched.cv, &sched.mu, &t) != 0)
				break;
		bool stop = sched.stop;
		pthread_mutex_unlock(&sched.mu);
		if (stop)
			break;
	}
	lc_db_thread_close();
	return NULL;
}

int stats_scheduler_start(void)
{
	sched.stop = false;
	if (pthread_create(&sched.thread, NULL, scheduler, NULL) != 0)
		return -1;
	sched.started = true;
	return 0;
}

void stats_scheduler_stop(void)
{
	if (!sched.started)
		return;
	pthread_mutex_lock(&sched.mu);
	sched.stop = true;
	pthread_cond_signal(&sched.cv);
	pthread_mutex_unlock(&sched.mu);
	pthread_join(sched.thread, NULL);
	sched.started = false;
}
