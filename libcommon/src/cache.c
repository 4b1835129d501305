/* cache.c — the per-process micro-cache of whole answers: fixed slots (no growth, no
 * eviction policy beyond "last writer of a slot wins"), a generation counter for clears.
 *
 * Refresh ahead: past half its life an entry is read again by ONE caller (the first to find it
 * so: it is told "miss" and stores a fresh answer) while every other caller still gets the entry
 * until it expires. Without it every entry expired at once for all callers: under load each
 * public list was computed by every request arriving during its computation, once a second —
 * at a town's volume a search paid 100 ms that way, the p99 of the whole mix. An entry is still
 * never served past its expiry, so a change made on another replica shows within the TTL. */
#include "civitas/cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slot {
	char key[LC_CACHE_KEY_MAX + 1];
	char *body;
	size_t len;
	char etag[72];
	const char *type;
	uint64_t stored_ms, refresh_ms, expires_ms, gen;
	bool refreshing; /* a caller was sent to read it again */
};

static struct slot slots[LC_CACHE_SLOTS];
static uint64_t generation = 1;
static size_t total_bytes; /* bodies held by the slots */
/* Until when the cache watcher (cache_watch.c) answers for the entries: before, an entry lives
 * its own TTL; after (no watcher, or it cannot read the database), at most LC_CACHE_TTL_MS. */
static uint64_t vouched_until_ms;
static struct lc_cache_stats stats; /* under the lock */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The last miss of this thread: a handler misses, reads the database, then puts what it read.
 * A clear between the miss and the put (a write committed meanwhile) means that answer may be
 * older than the write: it is not kept, or it would outlive the clear for its whole TTL. */
static __thread struct {
	char key[LC_CACHE_KEY_MAX + 1];
	uint64_t gen;
	bool set;
} t_miss;

static size_t slot_of(const char *key)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)(h % LC_CACHE_SLOTS);
}

uint64_t lc_cache_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool lc_cache_get(const char *key, uint64_t now_ms, void (*fn)(const struct lc_cache_entry *, void *),
                  void *arg)
{
	if (strlen(key) > LC_CACHE_KEY_MAX)
		return false;
	bool hit = false;
	pthread_mutex_lock(&lock);
	struct slot *s = &slots[slot_of(key)];
	bool valid = s->body && s->gen == generation && s->expires_ms > now_ms &&
	             (now_ms < vouched_until_ms || now_ms < s->stored_ms + LC_CACHE_TTL_MS) &&
	             strcmp(s->key, key) == 0;
	if (valid && now_ms >= s->refresh_ms && !s->refreshing) {
		s->refreshing = true; /* this caller reads it again, the others keep the entry */
		valid = false;
	}
	stats.hits += valid;
	stats.misses += !valid;
	if (valid) {
		struct lc_cache_entry e = {.body = s->body, .etag = s->etag, .type = s->type, .len = s->len};
		fn(&e, arg);
		hit = true;
	} else {
		memcpy(t_miss.key, key, strlen(key) + 1);
		t_miss.gen = generation;
		t_miss.set = true;
	}
	pthread_mutex_unlock(&lock);
	return hit;
}

void lc_cache_put(const char *key, const char *body, size_t len, const char *etag, const char *type,
                  uint64_t now_ms, uint64_t ttl_ms)
{
	if (strlen(key) > LC_CACHE_KEY_MAX || strlen(etag) >= sizeof(slots[0].etag) ||
	    len > LC_CACHE_BYTES_MAX)
		return;
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, body, len);
	copy[len] = '\0';
	pthread_mutex_lock(&lock);
	bool stale = t_miss.set && t_miss.gen != generation && strcmp(t_miss.key, key) == 0;
	t_miss.set = false;
	if (stale) {
		pthread_mutex_unlock(&lock);
		free(copy);
		return;
	}
	struct slot *s = &slots[slot_of(key)];
	char *old = s->body;
	total_bytes -= old ? s->len : 0;
	if (total_bytes + len > LC_CACHE_BYTES_MAX) { /* full: this answer is not kept, the slot empties */
		s->body = NULL;
		pthread_mutex_unlock(&lock);
		free(old);
		free(copy);
		return;
	}
	total_bytes += len;
	memcpy(s->key, key, strlen(key) + 1);
	s->body = copy;
	s->len = len;
	memcpy(s->etag, etag, strlen(etag) + 1);
	s->type = type;
	s->stored_ms = now_ms;
	s->refresh_ms = now_ms + ttl_ms / 2;
	s->expires_ms = now_ms + ttl_ms;
	s->refreshing = false;
	s->gen = generation;
	pthread_mutex_unlock(&lock);
	free(old);
}

void lc_cache_vouch(uint64_t until_ms)
{
	pthread_mutex_lock(&lock);
	vouched_until_ms = until_ms;
	pthread_mutex_unlock(&lock);
}

uint64_t lc_cache_ttl_ms(uint64_t now_ms)
{
	pthread_mutex_lock(&lock);
	bool watched = now_ms < vouched_until_ms;
	pthread_mutex_unlock(&lock);
	return watched ? LC_CACHE_WATCHED_TTL_MS : LC_CACHE_TTL_MS;
}

void lc_cache_stats(struct lc_cache_stats *out)
{
	pthread_mutex_lock(&lock);
	*out = stats;
	pthread_mutex_unlock(&lock);
}

void lc_cache_clear(void)
{
	pthread_mutex_lock(&lock);
	generation++;
	stats.clears++;
	pthread_mutex_unlock(&lock);
}
