/* cache.h — a per-process micro-cache of whole answers (content's public lists and articles,
 * teleservices' SLA figures and procedures catalogue): fixed slots keyed by text, each entry
 * valid for the time its writer chose, all forgotten at once by a clear.
 * It only spares the database identical reads under load: the writer clears it after a change
 * made through this process; the other replicas' writes and the clock's scheduled changes are seen
 * by a watcher of the database (lc_cache_watch_start) within half a second, or without one when
 * the entries expire (one second). An entry is refreshed ahead by one caller, so a busy answer is
 * never recomputed by all callers at once. */
#ifndef CIVITAS_CACHE_H
#define CIVITAS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How long an answer stays by default: public answers, so that a publication shows on the
 * other replicas within a second. */
#define LC_CACHE_TTL_MS 1000
/* How long while a cache watcher answers for the entries (it clears them within
 * LC_CACHE_WATCH_MS of any change, see lc_cache_watch_start): long enough that a busy answer is
 * computed twice a minute, not every second. */
#define LC_CACHE_WATCHED_TTL_MS 60000
#define LC_CACHE_WATCH_MS       500
#define LC_CACHE_SLOTS          1024
#define LC_CACHE_KEY_MAX        256
/* At most this many bytes of bodies in all (an answer that would pass it is not kept): many
 * distinct large lists (limit=100, any tag) cannot grow a process without bound. */
#define LC_CACHE_BYTES_MAX (16u << 20)

/* Bodies of at least this many bytes stored with LC_CACHE_GZIP also keep a gzip'd copy. */
#define LC_CACHE_GZIP_MIN 512
/* lc_cache_store flags: keep a gzip'd copy too (public answers: nothing secret next to reflected
 * input, so no BREACH; the gateway then sends it as it is instead of compressing every time). */
#define LC_CACHE_GZIP 1u

/* What a hit hands over: the body, its ETag, its Content-Type (a static string) and, when one was
 * kept, its gzip'd copy (gz NULL otherwise). */
struct lc_cache_entry {
	const char *body, *etag, *type;
	size_t len;
	const char *gz;
	size_t gz_len;
};

/* Looks key up at now_ms; on a hit returns the entry, held until lc_cache_release (a put or a
 * clear meanwhile does not free it: a reply may send it without a copy); NULL on a miss.
 * Past half its TTL, the first caller to look an entry up is told "miss" (it reads again and
 * puts) while the others keep hitting until it expires. */
const struct lc_cache_entry *lc_cache_acquire(const char *key, uint64_t now_ms);
void lc_cache_release(const struct lc_cache_entry *e);
/* lc_cache_acquire, fn(entry, arg), lc_cache_release; true on a hit (fn must copy what it keeps). */
bool lc_cache_get(const char *key, uint64_t now_ms, void (*fn)(const struct lc_cache_entry *, void *),
                  void *arg);
/* Stores a copy of body with its ETag and type (a static string), valid until now_ms + ttl_ms.
 * Keys longer than LC_CACHE_KEY_MAX are not cached, nor bodies past LC_CACHE_BYTES_MAX in all.
 * Nor an answer read after this thread missed the key and before a clear: it may predate the write
 * that cleared (the next reader reads again). */
void lc_cache_put(const char *key, const char *body, size_t len, const char *etag, const char *type,
                  uint64_t now_ms, uint64_t ttl_ms);
/* lc_cache_put with flags (LC_CACHE_GZIP), returning the stored entry held for the caller (release
 * it), or NULL when it was not kept. */
const struct lc_cache_entry *lc_cache_store(const char *key, const char *body, size_t len, const char *etag,
                                            const char *type, uint64_t now_ms, uint64_t ttl_ms,
                                            unsigned flags);
/* Forgets everything (after a write that may change a cached answer). */
void lc_cache_clear(void);
/* Counts since the start, for /metrics (the watcher publishes them as cache_* gauges). */
struct lc_cache_stats {
	long hits, misses, clears;
};
void lc_cache_stats(struct lc_cache_stats *out);
/* The TTL of a public answer stored at now_ms: LC_CACHE_WATCHED_TTL_MS while a watcher answers
 * for the cache, LC_CACHE_TTL_MS otherwise. */
uint64_t lc_cache_ttl_ms(uint64_t now_ms);
/* The watcher answers for every entry until until_ms (0: no longer). Past it, an entry lives at
 * most LC_CACHE_TTL_MS from its put, whatever its TTL. */
void lc_cache_vouch(uint64_t until_ms);

/* Starts the cache watcher (cache_watch.c): a thread that runs the named statement stmt (one of
 * the service's; one row, one text column: the "cache version", which must change whenever a
 * cached answer may — a committed write, a scheduled change coming due) every LC_CACHE_WATCH_MS
 * on its own connection, clears the cache when it changes and vouches for the entries while it
 * reads it. Returns 0, or -1 when the thread could not start. */
int lc_cache_watch_start(const char *stmt);
void lc_cache_watch_stop(void);
/* Milliseconds of a monotonic clock. */
uint64_t lc_cache_now_ms(void);

#endif
