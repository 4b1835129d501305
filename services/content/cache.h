/* cache.h — a one-second micro-cache of public answers (an article, the lists, search, feeds) in
 * each process.
 * It only spares the database identical reads under load: any change made through this process
 * clears it at once, other replicas see it within CACHE_TTL_MS (browsers revalidate each time:
 * public, no-cache). */
#ifndef CIVITAS_CONTENT_CACHE_H
#define CIVITAS_CONTENT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CACHE_TTL_MS  1000
#define CACHE_SLOTS   1024
#define CACHE_KEY_MAX 256
/* At most this many bytes of bodies in all (an answer that would pass it is not kept): many
 * distinct large lists (limit=100, any tag) cannot grow a process without bound. */
#define CACHE_BYTES_MAX (16u << 20)

/* What a hit hands over: the body, its ETag and its Content-Type (a static string). */
struct cache_entry {
	const char *body, *etag, *type;
	size_t len;
};

/* Looks key up at now_ms; on a hit calls fn(entry, arg) under the cache lock (fn must copy what
 * it keeps) and returns true. */
bool cache_get(const char *key, uint64_t now_ms, void (*fn)(const struct cache_entry *, void *), void *arg);
/* Stores a copy of body with its ETag and type (a static string), valid until now_ms +
 * CACHE_TTL_MS. Keys longer than CACHE_KEY_MAX are not cached, nor bodies past CACHE_BYTES_MAX
 * in all. */
void cache_put(const char *key, const char *body, size_t len, const char *etag, const char *type,
               uint64_t now_ms);
/* Forgets everything (after a write that may change a public answer). */
void cache_clear(void);
/* Milliseconds of a monotonic clock. */
uint64_t cache_now_ms(void);

#endif
