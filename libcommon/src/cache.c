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
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define ZLIB_CONST /* next_in is const: the body is only read */
#include <zlib.h>

/* One stored answer, in one allocation: the text, its gzip'd copy, its ETag. A hit does not copy
 * it: the slot holds one reference and each reply still sending it another (lc_cache_acquire),
 * so a put or a clear never frees a body a connection is writing. */
struct blob {
	atomic_int refs;
	struct lc_cache_entry e; /* points into data */
	char etag[72];
	char data[]; /* body, NUL, gzip'd body */
};

struct slot {
	char key[LC_CACHE_KEY_MAX + 1];
	struct blob *b;
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

static size_t blob_bytes(const struct blob *b)
{
	return b->e.len + b->e.gz_len;
}

static void blob_release(struct blob *b)
{
	if (b && atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1)
		free(b);
}

void lc_cache_release(const struct lc_cache_entry *e)
{
	if (e)
		blob_release((struct blob *)((const char *)e - offsetof(struct blob, e)));
}

const struct lc_cache_entry *lc_cache_acquire(const char *key, uint64_t now_ms)
{
	if (strlen(key) > LC_CACHE_KEY_MAX)
		return NULL;
	struct blob *held = NULL;
	pthread_mutex_lock(&lock);
	struct slot *s = &slots[slot_of(key)];
	bool valid = s->b && s->gen == generation && s->expires_ms > now_ms &&
	             (now_ms < vouched_until_ms || now_ms < s->stored_ms + LC_CACHE_TTL_MS) &&
	             strcmp(s->key, key) == 0;
	if (valid && now_ms >= s->refresh_ms && !s->refreshing) {
		s->refreshing = true; /* this caller reads it again, the others keep the entry */
		valid = false;
	}
	stats.hits += valid;
	stats.misses += !valid;
	if (valid) {
		held = s->b;
		atomic_fetch_add_explicit(&held->refs, 1, memory_order_relaxed);
	} else {
		memcpy(t_miss.key, key, strlen(key) + 1);
		t_miss.gen = generation;
		t_miss.set = true;
	}
	pthread_mutex_unlock(&lock);
	return held ? &held->e : NULL;
}

bool lc_cache_get(const char *key, uint64_t now_ms, void (*fn)(const struct lc_cache_entry *, void *),
                  void *arg)
{
	const struct lc_cache_entry *e = lc_cache_acquire(key, now_ms);
	if (!e)
		return false;
	fn(e, arg);
	lc_cache_release(e);
	return true;
}

/* body gzip'd into out (cap bytes), at the level a gateway would use; 0 when it does not fit,
 * which is also the answer for a body that does not shrink. */
static size_t gzip_into(const char *body, size_t len, char *out, size_t cap)
{
	z_stream z = {0};
	/* 15 + 16: a gzip wrapper (what Content-Encoding: gzip means), not zlib's. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	z.next_in = (const Bytef *)body;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	size_t n = rc == Z_STREAM_END ? (size_t)z.total_out : 0;
	deflateEnd(&z);
	return n;
}

static struct blob *blob_new(const char *body, size_t len, const char *etag, const char *type, unsigned flags)
{
	/* The gzip'd copy is kept only when it saves at least an eighth: below that the gateway's
	 * bytes are not worth a second copy. Its room is that bound, so deflate never grows it. */
	bool gz = (flags & LC_CACHE_GZIP) && len >= LC_CACHE_GZIP_MIN;
	size_t gz_cap = gz ? len - len / 8 : 0;
	struct blob *b = malloc(sizeof(*b) + len + 1 + gz_cap);
	if (!b)
		return NULL;
	atomic_init(&b->refs, 1);
	memcpy(b->data, body, len);
	b->data[len] = '\0';
	memcpy(b->etag, etag, strlen(etag) + 1);
	size_t gz_len = gz ? gzip_into(body, len, b->data + len + 1, gz_cap) : 0;
	if (gz_len < gz_cap) { /* give back the room deflate did not use */
		struct blob *shrunk = realloc(b, sizeof(*b) + len + 1 + gz_len);
		b = shrunk ? shrunk : b;
	}
	b->e = (struct lc_cache_entry){.body = b->data,
	                               .etag = b->etag,
	                               .type = type,
	                               .len = len,
	                               .gz = gz_len ? b->data + len + 1 : NULL,
	                               .gz_len = gz_len};
	return b;
}

const struct lc_cache_entry *lc_cache_store(const char *key, const char *body, size_t len, const char *etag,
                                            const char *type, uint64_t now_ms, uint64_t ttl_ms,
                                            unsigned flags)
{
	if (strlen(key) > LC_CACHE_KEY_MAX || strlen(etag) >= sizeof(slots[0].b->etag) ||
	    len > LC_CACHE_BYTES_MAX)
		return NULL;
	struct blob *b = blob_new(body, len, etag, type, flags); /* outside the lock: gzip takes time */
	if (!b)
		return NULL;
	pthread_mutex_lock(&lock);
	bool stale = t_miss.set && t_miss.gen != generation && strcmp(t_miss.key, key) == 0;
	t_miss.set = false;
	if (stale) {
		pthread_mutex_unlock(&lock);
		blob_release(b);
		return NULL;
	}
	struct slot *s = &slots[slot_of(key)];
	struct blob *old = s->b;
	total_bytes -= old ? blob_bytes(old) : 0;
	if (total_bytes + blob_bytes(b) > LC_CACHE_BYTES_MAX) { /* full: not kept, the slot empties */
		s->b = NULL;
		pthread_mutex_unlock(&lock);
		blob_release(old);
		blob_release(b);
		return NULL;
	}
	total_bytes += blob_bytes(b);
	memcpy(s->key, key, strlen(key) + 1);
	s->b = b;
	atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed); /* the caller's */
	s->stored_ms = now_ms;
	s->refresh_ms = now_ms + ttl_ms / 2;
	s->expires_ms = now_ms + ttl_ms;
	s->refreshing = false;
	s->gen = generation;
	pthread_mutex_unlock(&lock);
	blob_release(old); /* freed now, or by the last reply still sending it */
	return &b->e;
}

void lc_cache_put(const char *key, const char *body, size_t len, const char *etag, const char *type,
                  uint64_t now_ms, uint64_t ttl_ms)
{
	lc_cache_release(lc_cache_store(key, body, len, etag, type, now_ms, ttl_ms, 0));
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
