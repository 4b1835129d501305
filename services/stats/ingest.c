/* ingest.c — the bounded queue between the beacons and PostgreSQL. A beacon is answered as soon
 * as its row is queued; one writer thread sends the queue in batches of multi-row inserts
 * (one statement per batch, rows as a JSON array), keeps a batch until the database took it,
 * and on stop writes everything that was accepted before it returns. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/clock.h"
#include "civitas/log.h"

#include "stats.h"

static struct {
	pthread_mutex_t mu;
	pthread_cond_t wake;    /* writer: something to write, or stop */
	pthread_cond_t written; /* flushers: the writer made progress */
	struct stats_item *ring;
	size_t cap, head, len;
	unsigned batch;
	uint64_t accepted, written_total; /* items ever queued / ever written */
	bool stopping, running;
	unsigned grace_ms;
	pthread_t thread;
} q = {
    .mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .written = PTHREAD_COND_INITIALIZER};

bool stats_queue_push(const struct stats_item *item)
{
	pthread_mutex_lock(&q.mu);
	bool ok = q.running && !q.stopping && q.len < q.cap;
	if (ok) {
		q.ring[(q.head + q.len) % q.cap] = *item;
		q.len++;
		q.accepted++;
		/* Wake the writer once a batch is ready; otherwise its 100 ms timer gathers more rows. */
		if (q.len >= q.batch)
			pthread_cond_signal(&q.wake);
	}
	pthread_mutex_unlock(&q.mu);
	return ok;
}

void stats_queue_counts(uint64_t *accepted, uint64_t *written, size_t *queued)
{
	pthread_mutex_lock(&q.mu);
	*accepted = q.accepted;
	*written = q.written_total;
	*queued = q.len;
	pthread_mutex_unlock(&q.mu);
}

bool stats_queue_flush(unsigned timeout_ms)
{
	struct timespec until = lc_realtime_after_ms(timeout_ms);
	pthread_mutex_lock(&q.mu);
	uint64_t target = q.accepted;
	pthread_cond_signal(&q.wake);
	while (q.running && q.written_total < target)
		if (pthread_cond_timedwait(&q.written, &q.mu, &until) == ETIMEDOUT)
			break;
	bool done = q.written_total >= target;
	pthread_mutex_unlock(&q.mu);
	return done;
}

static void iso_ms(int64_t ms, char out[32])
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	size_t n = strlen(out);
	snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

static json_t *opt_str(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

/* Rows of one kind from items[0..n) as the JSON array the insert statement unpacks. */
static char *rows_json(const struct stats_item *items, size_t n, enum stats_item_kind kind, size_t *count)
{
	json_t *a = json_array();
	*count = 0;
	for (size_t i = 0; a && i < n; i++) {
		const struct stats_item *it = &items[i];
		if (it->kind != kind)
			continue;
		char at[32];
		iso_ms(it->at_ms, at);
		json_t *row;
		if (kind == STATS_HIT)
			row = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b}", "pv", it->pv, "at",
			                at, "visitor", it->visitor, "path", it->path, "referrer_host",
			                opt_str(it->referrer_host), "screen", opt_str(it->screen),
			                "utm_campaign", opt_str(it->utm_campaign), "is_returning",
			                it->returning < 0 ? json_null() : json_boolean(it->returning), "demo",
			                it->demo);
		else
			row = json_pack("{s:s, s:s, s:i}", "pv", it->pv, "at", at, "visible_ms",
			                (json_int_t)it->visible_ms);
		if (!row || json_array_append_new(a, row) < 0) {
			json_decref(a);
			return NULL;
		}
		(*count)++;
	}
	char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return text;
}

struct batch {
	const struct stats_item *items;
	size_t n;
};

static enum lc_tx_result write_batch(struct lc_db *db, void *arg)
{
	struct batch *b = arg;
	static const char *const stmt[] = {
	    [STATS_HIT] = "hits_insert", [STATS_ENGAGEMENT] = "engagement_upsert"};
	for (int kind = STATS_HIT; kind <= STATS_ENGAGEMENT; kind++) {
		size_t count;
		char *rows = rows_json(b->items, b->n, (enum stats_item_kind)kind, &count);
		if (!rows)
			return LC_TX_ERROR;
		if (count == 0) {
			free(rows);
			continue;
		}
		const char *p[] = {rows};
		PGresult *r = lc_db_exec(db, stmt[kind], 1, p);
		free(rows);
		if (!r)
			return LC_TX_ERROR;
		PQclear(r);
	}
	return LC_TX_COMMIT;
}

static void *writer(void *arg)
{
	(void)arg;
	struct stats_item *local = malloc(sizeof(*local) * q.batch);
	struct timespec stop_deadline = {0};
	unsigned failures = 0;
	for (;;) {
		pthread_mutex_lock(&q.mu);
		if (q.len == 0 && !q.stopping) {
			struct timespec t = lc_realtime_after_ms(100);
			pthread_cond_timedwait(&q.wake, &q.mu, &t);
		}
		if (q.len == 0 && q.stopping) {
			pthread_mutex_unlock(&q.mu);
			break;
		}
		/* Copy the head of the queue; the rows leave it only once committed. */
		size_t n = q.len < q.batch ? q.len : q.batch;
		for (size_t i = 0; local && i < n; i++)
			local[i] = q.ring[(q.head + i) % q.cap];
		bool stopping = q.stopping;
		pthread_mutex_unlock(&q.mu);
		if (n == 0 || !local)
			continue;

		struct batch b = {local, n};
		if (lc_db_tx(lc_db_thread(), write_batch, &b) == LC_TX_COMMIT) {
			failures = 0;
			pthread_mutex_lock(&q.mu);
			q.head = (q.head + n) % q.cap;
			q.len -= n;
			q.written_total += n;
			pthread_cond_broadcast(&q.written);
			pthread_mutex_unlock(&q.mu);
			continue;
		}
		if (failures++ % 50 == 0)
			lc_warn("audience batch of %zu rows not written (%s); kept in the queue", n,
			        lc_db_sqlstate(lc_db_thread()));
		if (stopping) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (stop_deadline.tv_sec == 0) {
				stop_deadline = now;
				stop_deadline.tv_sec += q.grace_ms / 1000 + 1;
			} else if (now.tv_sec >= stop_deadline.tv_sec) {
				pthread_mutex_lock(&q.mu);
				lc_error("stopping with %zu audience rows the database never took", q.len);
				pthread_mutex_unlock(&q.mu);
				break;
			}
		}
		struct timespec pause = {0, 200 * 1000000L};
		nanosleep(&pause, NULL);
	}
	free(local);
	lc_db_thread_close();
	return NULL;
}

int stats_ingest_start(size_t capacity, unsigned batch)
{
	pthread_mutex_lock(&q.mu);
	if (q.running) { /* one queue per process: a second service start is a bug */
		pthread_mutex_unlock(&q.mu);
		lc_error("audience ingest already running");
		return -1;
	}
	q.ring = calloc(capacity, sizeof(*q.ring));
	q.cap = capacity;
	q.batch = batch;
	q.head = q.len = 0;
	q.stopping = false;
	q.running = q.ring != NULL;
	pthread_mutex_unlock(&q.mu);
	if (!q.ring || pthread_create(&q.thread, NULL, writer, NULL) != 0) {
		q.running = false;
		free(q.ring);
		q.ring = NULL;
		return -1;
	}
	return 0;
}

void stats_ingest_stop(unsigned grace_ms)
{
	pthread_mutex_lock(&q.mu);
	if (!q.running) {
		pthread_mutex_unlock(&q.mu);
		return;
	}
	q.stopping = true;
	q.grace_ms = grace_ms;
	pthread_cond_signal(&q.wake);
	pthread_mutex_unlock(&q.mu);
	pthread_join(q.thread, NULL);
	pthread_mutex_lock(&q.mu);
	q.running = false;
	pthread_cond_broadcast(&q.written);
	free(q.ring);
	q.ring = NULL;
	q.len = 0;
	pthread_mutex_unlock(&q.mu);
	lc_info("audience ingest stopped: %" PRIu64 " rows accepted, %" PRIu64 " written", q.accepted,
	        q.written_total);
}

/* --- salts --- */

static struct {
	pthread_mutex_t mu;
	int64_t day;
	unsigned char salt[STATS_SALT_LEN];
	bool valid;
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

bool stats_salt_for(struct lc_db *db, int64_t day, unsigned char salt[STATS_SALT_LEN])
{
	pthread_mutex_lock(&cache.mu);
	if (cache.valid && cache.day == day) {
		memcpy(salt, cache.salt, STATS_SALT_LEN);
		pthread_mutex_unlock(&cache.mu);
		return true;
	}
	pthread_mutex_unlock(&cache.mu);
	unsigned char fresh[STATS_SALT_LEN];
	if (RAND_bytes(fresh, sizeof(fresh)) != 1)
		return false;
	char d[11], hex[2 * STATS_SALT_LEN + 3] = "\\x";
	stats_format_day(day, d);
	for (size_t i = 0; i < STATS_SALT_LEN; i++)
		snprintf(hex + 2 + 2 * i, 3, "%02x", fresh[i]);
	/* The first replica to need the day's salt makes it; the others read that one. */
	const char *p[] = {d, hex};
	PGresult *r = lc_db_exec(db, "salt_get_or_make", 2, p);
	if (!r || PQntuples(r) != 1 || PQgetlength(r, 0, 0) != 2 * STATS_SALT_LEN) {
		PQclear(r);
		return false;
	}
	const char *v = PQgetvalue(r, 0, 0);
	for (size_t i = 0; i < STATS_SALT_LEN; i++) {
		unsigned x;
		sscanf(v + 2 * i, "%2x", &x);
		salt[i] = (unsigned char)x;
	}
	PQclear(r);
	pthread_mutex_lock(&cache.mu);
	memcpy(cache.salt, salt, STATS_SALT_LEN);
	cache.day = day;
	cache.valid = true;
	pthread_mutex_unlock(&cache.mu);
	return true;
}
